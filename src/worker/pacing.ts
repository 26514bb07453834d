/**
 * How often the training loop reads metrics back and posts them. A readback stalls the GPU pipeline and every
 * message costs the page a render, so the worker reports every k steps with k chosen from the measured step
 * time: at most one report per `minIntervalMs`, and every step when steps are slow.
 */
export class ReportPacer {
  /** Steps between reports. */
  k = 1;
  /** Smoothed wall time of one optimizer step (ms); null until measured. */
  stepMs: number | null = null;

  constructor(
    readonly minIntervalMs = 125,
    readonly maxK = 500,
    /** Weight of the newest measurement in the running step-time estimate. */
    readonly smoothing = 0.3,
  ) {}

  /** Record that `steps` steps took `ms` of wall time, and choose the next k. */
  observe(steps: number, ms: number): void {
    if (steps <= 0 || !(ms >= 0)) return;
    const per = ms / steps;
    this.stepMs = this.stepMs === null ? per : this.stepMs + this.smoothing * (per - this.stepMs);
    this.k = Math.min(this.maxK, Math.max(1, Math.ceil(this.minIntervalMs / Math.max(this.stepMs, 1e-3))));
  }

  /** Seconds left for `remainingSteps`, or NaN before the first measurement. */
  etaSec(remainingSteps: number): number {
    return this.stepMs === null ? NaN : (Math.max(0, remainingSteps) * this.stepMs) / 1000;
  }

  samplesPerSec(batchSize: number): number {
    return this.stepMs ? (1000 * batchSize) / this.stepMs : 0;
  }

  /** Steps to run before the next report, never past `step` = `total` nor past the next evaluation. */
  chunk(step: number, total: number, evalEvery: number): number {
    let n = Math.min(this.k, total - step);
    if (evalEvery > 0) n = Math.min(n, evalEvery - (step % evalEvery));
    return Math.max(0, n);
  }
}

/** Consecutive reports whose gradient held Inf/NaN after which the loop pauses. */
export const NON_FINITE_LIMIT = 3;

/** Counts non-finite reports in a row; true once the run should stop and say so. */
export class DivergenceGuard {
  private run = 0;

  constructor(readonly limit = NON_FINITE_LIMIT) {}

  observe(m: { nonFinite: boolean; loss: number }): boolean {
    this.run = m.nonFinite || !Number.isFinite(m.loss) ? this.run + 1 : 0;
    return this.run >= this.limit;
  }
}
