import type { GpuCounters } from './counters';

/** One implementation of a benchmark row. */
export interface Side {
  /** Queue one iteration of the work; no GPU sync. */
  run(): void;
  /** Resolves once everything queued so far has finished on the GPU. */
  sync(): Promise<void>;
}

export interface SidePair {
  ours: Side;
  tfjs: Side;
}

/**
 * Warm-up iterations, samples per side, and how many iterations each sample queues before its one sync:
 * enough to fill `targetMs` (measured on one iteration after warm-up), at most `maxIters`.
 */
export interface SamplePlan {
  warmup: number;
  repeats: number;
  targetMs: number;
  maxIters: number;
}

export interface Timing {
  /** Median over samples of (sample wall time / iters). */
  ms: number;
  samplesMs: number[];
  /**
   * Median over samples of the CPU time spent issuing one iteration (the synchronous part: recording and
   * submitting, no GPU wait). Where it approaches `ms` the row is bound by the CPU, not the GPU.
   */
  cpuMs: number;
  /** Iterations queued per sample. */
  iters: number;
  dispatches: number;
  submits: number;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Interleaved A/B: sample r runs ours then tfjs when r is even, the other way round when odd, so drift in
 * clocks or load hits both alike. Dispatches and submits are counted per iteration over the timed samples.
 */
export async function measurePair(counters: GpuCounters, pair: SidePair, plan: SamplePlan): Promise<{ ours: Timing; tfjs: Timing }> {
  const names = ['ours', 'tfjs'] as const;
  const fresh = () => ({ samplesMs: [] as number[], cpuMs: [] as number[], dispatches: 0, submits: 0 });
  const out = { ours: fresh(), tfjs: fresh() };
  for (const name of names) {
    await counters.as(name, async () => {
      for (let i = 0; i < plan.warmup; i++) pair[name].run();
      await pair[name].sync();
    });
  }
  let fastest = Infinity;
  for (const name of names) {
    await counters.as(name, async () => {
      const t0 = performance.now();
      pair[name].run();
      await pair[name].sync();
      fastest = Math.min(fastest, performance.now() - t0);
    });
  }
  const iters = Math.max(1, Math.min(plan.maxIters, Math.ceil(plan.targetMs / Math.max(fastest, 1e-3))));
  for (let r = 0; r < plan.repeats; r++) {
    for (const name of r % 2 ? [...names].reverse() : names) {
      const side = pair[name];
      await counters.as(name, async () => {
        const d0 = counters.dispatches, s0 = counters.submits;
        const t0 = performance.now();
        for (let i = 0; i < iters; i++) side.run();
        const issued = performance.now();
        await side.sync();
        out[name].samplesMs.push((performance.now() - t0) / iters);
        out[name].cpuMs.push((issued - t0) / iters);
        out[name].dispatches += counters.dispatches - d0;
        out[name].submits += counters.submits - s0;
      });
    }
  }
  const n = iters * plan.repeats;
  const timing = (o: (typeof out)['ours']): Timing => ({ ms: median(o.samplesMs), samplesMs: o.samplesMs, cpuMs: median(o.cpuMs), iters, dispatches: o.dispatches / n, submits: o.submits / n });
  return { ours: timing(out.ours), tfjs: timing(out.tfjs) };
}
