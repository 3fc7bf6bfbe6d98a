/**
 * Exponential backoff with jitter: the cap is min(maxMs, baseMs * 2^attempt); with full jitter (1, the
 * default) the delay is uniform in [0, cap), with jitter j in [cap * (1 - j), cap). Pure.
 */
export function backoff(attempt, baseMs, maxMs, random = Math.random, jitter = 1) {
  const cap = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(cap * (1 - jitter + jitter * random()));
}

/**
 * How long a client that lost an established connection waits before its first attempt elsewhere:
 * uniform in [0, window), the window letting the lost backend's `displaced` clients reach the
 * `survivors` at no more than `ratePerBackend` arrivals per second each (same rule as the Java client).
 */
export function spread(displaced, survivors, ratePerBackend, maxMs, random = Math.random) {
  if (!(displaced > 1) || !(ratePerBackend > 0)) return 0;
  const windowMs = Math.min(maxMs, (1000 * displaced) / (Math.max(1, survivors) * ratePerBackend));
  return Math.floor(windowMs * random());
}
