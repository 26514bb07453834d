import type { Tensor } from '../../src/engine/tensor';
import { relError } from '../../src/engine/rel-error';
import { matmulForward } from '../../src/ops/matmul';
import { mulberry32 } from '../../src/nn/init';
import { syncOurs, syncTfjs } from '../sync';
import { measurePair, type SamplePlan } from '../harness';
import type { BenchContext, BenchRow } from '../types';
import type { MidShape } from './configs';

/** C[batch] = op(A)·op(B); B (the weight) broadcasts over the batch when bBatch is 1. */
export interface MatmulShape {
  name: string;
  M: number;
  N: number;
  K: number;
  batch: number;
  transA: boolean;
  transB: boolean;
  /** Batches held by A and B (1 = one matrix shared by every batch). */
  aBatch: number;
  bBatch: number;
  /** Sum the batch's products into one M×N result (the gradient of a weight shared across the batch). */
  reduce?: boolean;
  trm: boolean;
}

const plain = (name: string, M: number, N: number, K: number, transA = false, transB = false): MatmulShape => ({ name, M, N, K, batch: 1, transA, transB, aBatch: 1, bBatch: 1, trm: true });

/**
 * The matmuls a TRM step is made of, for R = B·S tokens of width D and SwiGLU width I:
 * the channel MLP forward (x·W_guᵀ, s·W_downᵀ), its backward forms (dX = dY·W, dW = dYᵀ·X), and the MLP
 * variant's token mixer over the sequence (per sample, transposed) with its weight broadcast.
 */
export function trmShapes(label: string, s: MidShape): MatmulShape[] {
  const { R, D, I, B, S, IT } = s;
  return [
    plain(`${label} fwd gate_up [${R}×${D}]·[${2 * I}×${D}]ᵀ`, R, 2 * I, D, false, true),
    plain(`${label} fwd down [${R}×${I}]·[${D}×${I}]ᵀ`, R, D, I, false, true),
    plain(`${label} bwd dX gate_up [${R}×${2 * I}]·[${2 * I}×${D}]`, R, D, 2 * I),
    plain(`${label} bwd dW gate_up [${R}×${2 * I}]ᵀ·[${R}×${D}]`, 2 * I, D, R, true, false),
    plain(`${label} bwd dW down [${R}×${D}]ᵀ·[${R}×${I}]`, D, I, R, true, false),
    { name: `${label} token mix fwd ${B}×[${S}×${D}]ᵀ·[${2 * IT}×${S}]ᵀ`, M: D, N: 2 * IT, K: S, batch: B, transA: true, transB: true, aBatch: B, bBatch: 1, trm: true },
    // Its backward: dh[b] = W_guᵀ·dGU[b]ᵀ (weight broadcast), dW_gu = Σ_b dGU[b]ᵀ·h[b]ᵀ (summed over the batch).
    { name: `${label} token mix bwd dX [${2 * IT}×${S}]ᵀ·${B}×[${D}×${2 * IT}]ᵀ`, M: S, N: D, K: 2 * IT, batch: B, transA: true, transB: true, aBatch: 1, bBatch: B, trm: true },
    { name: `${label} token mix bwd dW Σ${B} [${D}×${2 * IT}]ᵀ·[${S}×${D}]ᵀ`, M: 2 * IT, N: S, K: D, batch: B, transA: true, transB: true, aBatch: B, bBatch: B, reduce: true, trm: true },
  ];
}

export function squareShapes(sizes: readonly number[]): MatmulShape[] {
  return sizes.map((n) => ({ ...plain(`square ${n}`, n, n, n), trm: false }));
}

function randomData(n: number, seed: number): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: n }, () => r() * 2 - 1);
}

export async function benchMatmul(ctx: BenchContext, shape: MatmulShape, plan: SamplePlan): Promise<BenchRow> {
  const { engine: e, tf } = ctx;
  const { M, N, K, batch, transA, transB, aBatch, bBatch } = shape;
  const aDims = transA ? [K, M] : [M, K], bDims = transB ? [N, K] : [K, N];
  const aData = randomData(aBatch * M * K, 1), bData = randomData(bBatch * K * N, 2);
  const ours = await ctx.counters.as('ours', () => {
    const a = e.keep(e.fromArray(aData, [aBatch, ...aDims]));
    const b = e.keep(e.fromArray(bData, [bBatch, ...bDims]));
    const c = e.keep(e.empty([shape.reduce ? 1 : batch, M, N]));
    return { a, b, c };
  });
  const theirs = await ctx.counters.as('tfjs', () => ({ a: tf.tensor3d(aData, [aBatch, aDims[0], aDims[1]]), b: tf.tensor3d(bData, [bBatch, bDims[0], bDims[1]]) }));
  const runOurs = () => matmulForward(e, ours.a, ours.b, { transA, transB, reduceBatch: shape.reduce, out: ours.c });
  // tfjs has no reduce-over-batch matmul: the batched product, then a sum over the batch, as a tfjs user writes it.
  const runTfjs = () => (shape.reduce ? tf.tidy(() => tf.sum(tf.matMul(theirs.a, theirs.b, transA, transB), 0)) : tf.matMul(theirs.a, theirs.b, transA, transB));
  try {
    // Both sides must agree before their speed means anything.
    runOurs();
    const expected = runTfjs();
    const [got, want] = await Promise.all([e.read(ours.c), expected.data()]);
    expected.dispose();
    const diff = relError(got, want as Float32Array);
    const timing = await measurePair(ctx.counters, {
      ours: { run: runOurs, sync: () => syncOurs(e) },
      tfjs: { run: () => runTfjs().dispose(), sync: () => syncTfjs(tf, e.device) },
    }, plan);
    const flops = 2 * M * N * K * batch;
    const side = (t: (typeof timing)['ours']) => {
      const gflops = flops / (t.ms * 1e6);
      return { ...t, gflops, ...(ctx.peakGflops ? { peakFraction: gflops / ctx.peakGflops } : {}) };
    };
    return {
      group: 'matmul', name: shape.name, trm: shape.trm, flops,
      ours: side(timing.ours), tfjs: side(timing.tfjs), speedup: timing.tfjs.ms / timing.ours.ms,
      check: { what: 'output vs tf.matMul (normwise, max norm)', maxRelDiff: diff, tolerance: 1e-5, pass: diff <= 1e-5 },
    };
  } finally {
    for (const t of [ours.a, ours.b, ours.c]) e.release(t);
    theirs.a.dispose();
    theirs.b.dispose();
  }
}
