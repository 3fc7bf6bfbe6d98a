package dev.switchboard.bench.sim;

/**
 * The most connection arrivals any backend took in one sample period and in one second, from the
 * per-backend arrival counts of each sample. The first sample (the scenario's own start) is not a peak.
 */
final class ArrivalPeaks {

  private final int[] thisSecond;
  private final int samplesPerSecond;
  private int samples;
  private int perSecond;
  private int perSample;

  ArrivalPeaks(int backends, int samplesPerSecond) {
    this.thisSecond = new int[backends];
    this.samplesPerSecond = samplesPerSecond;
  }

  /** Takes one sample's arrivals per backend and sets them back to 0. */
  void sample(int[] arrivals) {
    int peak = 0;
    for (int b = 0; b < arrivals.length; b++) {
      peak = Math.max(peak, arrivals[b]);
      thisSecond[b] += arrivals[b];
      arrivals[b] = 0;
    }
    if (samples > 0) {
      perSample = Math.max(perSample, peak);
    }
    if (samples % samplesPerSecond == 0) {
      for (int b = 0; b < thisSecond.length; b++) {
        if (samples > 0) {
          perSecond = Math.max(perSecond, thisSecond[b]);
        }
        thisSecond[b] = 0;
      }
    }
    samples++;
  }

  /** Most arrivals at one backend in one second. */
  int perSecond() {
    return perSecond;
  }

  /** Most arrivals at one backend in one sample period. */
  int perSample() {
    return perSample;
  }
}
