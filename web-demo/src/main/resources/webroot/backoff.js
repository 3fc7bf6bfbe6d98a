/**
 * Exponential backoff with jitter: the cap is min(maxMs, baseMs * 2^attempt); with full jitter (1, the
 * default) the delay is uniform in [0, cap), with jitter j in [cap * (1 - j), cap). Pure.
 */
export function backoff(attempt, baseMs, maxMs, random = Math.random, jitter = 1) {
  const cap = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(cap * (1 - jitter + jitter * random()));
}
