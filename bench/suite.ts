import { adapterName } from '../src/gpu/device';
import type { SamplePlan } from './harness';
import type { BenchContext, BenchResult, BenchRow } from './types';
import { mid, shapeOf, sudoku4x4 } from './workloads/configs';
import { benchInference } from './workloads/infer';
import { benchMatmul, squareShapes, trmShapes } from './workloads/matmul';
import { benchTraining } from './workloads/train';

export const TFJS_VERSION = '4.22.0';

interface RowJob {
  name: string;
  run(): Promise<BenchRow>;
}

/** Our pool and tfjs's free list are emptied before each row, so each row's footprint is its own. */
function freshPools(ctx: BenchContext): void {
  ctx.engine.trim();
  const bm = (ctx.tf.backend() as unknown as { bufferManager: { freeBuffers: Map<string, GPUBuffer[]>; numFreeBuffers: number; numBytesAllocated: number } }).bufferManager;
  for (const list of bm.freeBuffers.values()) {
    for (const b of list) {
      bm.numBytesAllocated -= b.size;
      b.destroy();
    }
    // Keys stay: tfjs stops pooling once the map itself is empty.
    list.length = 0;
  }
  bm.numFreeBuffers = 0;
}

/** The rows for this adapter and mode: sizes follow the adapter's speed (see configs.ts). */
function jobs(ctx: BenchContext): RowJob[] {
  const { quick, software } = ctx;
  const matmulPlan: SamplePlan = { warmup: 2, repeats: quick ? 3 : 7, targetMs: quick ? 20 : software ? 300 : 100, maxIters: 200 };
  const trainPlan: SamplePlan = { warmup: 1, repeats: quick ? 2 : software ? 3 : 5, targetMs: quick || software ? 1 : 200, maxIters: 50 };
  const small = sudoku4x4();
  const midAtt = mid('attention', software), midMlp = mid('mlp', software);
  const squares = quick ? (software ? [64, 128] : [256, 1024]) : software ? [128, 256, 512, 1024] : [256, 512, 1024, 2048, 4096];
  const shapes = [
    ...squareShapes(squares),
    ...trmShapes(`TRM ${small.name} B=64`, shapeOf(small.cfg, small.seqLen, 64)),
    ...(quick ? [] : trmShapes(`TRM D256 B=${software ? 8 : 64}`, shapeOf(midMlp.cfg, midMlp.seqLen, software ? 8 : 64))),
  ];
  const out: RowJob[] = shapes.map((s) => ({ name: s.name, run: () => benchMatmul(ctx, s, matmulPlan) }));
  // Losses are compared over 50 steps wherever a step is cheap enough; the software adapter takes ~10 s per
  // mid-size step, so there the mid configs are compared over 10.
  const check = (cheap: boolean) => ctx.checkSteps ?? (quick ? 2 : cheap || !software ? 50 : 10);
  // The small config also trains on our float64 CPU twin (about 0.5 s a step): the reference for both.
  out.push({ name: `train ${small.name}`, run: () => benchTraining(ctx, small, check(true), trainPlan, quick ? 0 : check(true)) });
  if (!quick) {
    for (const bc of [midMlp, midAtt]) out.push({ name: `train ${bc.name}`, run: () => benchTraining(ctx, bc, check(false), trainPlan) });
  }
  const inferBatches = quick ? [1] : [1, 64];
  // The small config's recursion also runs on the float64 twin (seconds), as the reference for both sides.
  for (const b of inferBatches) out.push({ name: `infer ${small.name} B=${b}`, run: () => benchInference(ctx, small, b, trainPlan, true) });
  if (!quick) {
    for (const b of software ? [1] : [1, 64]) out.push({ name: `infer ${midAtt.name} B=${b}`, run: () => benchInference(ctx, midAtt, b, trainPlan) });
  }
  return out;
}

export async function runSuite(ctx: BenchContext, runtime: string): Promise<BenchResult> {
  const info = ctx.handle.info;
  const rows: BenchRow[] = [];
  const notes: string[] = [];
  for (const job of jobs(ctx).filter((j) => !ctx.only || j.name.includes(ctx.only))) {
    ctx.counters.row = job.name;
    freshPools(ctx);
    const t0 = performance.now();
    try {
      const row = await job.run();
      rows.push(row);
      ctx.log(`${job.name}: ours ${row.ours.ms.toFixed(3)} ms, tfjs ${row.tfjs.ms.toFixed(3)} ms, ×${row.speedup.toFixed(2)}${row.check && !row.check.pass ? ' CHECK FAILED' : ''} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    } catch (err) {
      const msg = `${job.name} failed: ${err instanceof Error ? err.message : String(err)}`;
      notes.push(msg);
      ctx.log(msg);
    }
  }
  return {
    date: new Date().toISOString(),
    mode: ctx.quick ? 'quick' : 'full',
    ...(ctx.only ? { only: ctx.only } : {}),
    ...(ctx.softwareKernels ? { softwareKernels: true } : {}),
    runtime,
    adapter: { description: adapterName(info), vendor: info.vendor, architecture: info.architecture, device: info.device, software: ctx.software, features: info.features },
    peakGflops: ctx.peakGflops,
    tfjsVersion: TFJS_VERSION,
    rows,
    notes,
  };
}
