import { describe, expect, it } from 'vitest';
import { Tape } from '../../src/autograd/tape';
import type { Engine } from '../../src/engine/engine';
import { shapeSize, type Shape, type Tensor } from '../../src/engine/tensor';
import { GpuEngine } from '../../src/gpu/engine';
import { colsumForward, linear, matmul, matmulForward, matrixView, type MatmulTile, type MatmulTuning } from '../../src/ops/matmul';
import { both, cpu, gpuEngine, parity, randn } from '../helpers/engines';
import { gradCheck } from '../helpers/gradcheck';

// f32 normwise relative error (max|Δ| / max|ref|) against the float64 CPU twin. Summed terms per output stay
// ≤ 3·65 here, where rounding gives a few 1e-7; 1e-5 leaves room for K ≤ 128-ish accumulation orders, not bugs.
const TOL = 1e-5;
const TILES: MatmulTile[] = ['64x64', '32x32', '64x16', '16x64', '256x4', '4x256', 'direct'];
/** Kernel label for shapes where the engine picks the tile: the software adapter takes the barrier-free kernel. */
const AUTO = 'matmul.auto';
const kernelOf = (tile: MatmulTile) => (tile === 'direct' ? 'matmul.matmul_direct' : 'matmul.matmul');
const TRANSPOSES = [[false, false], [false, true], [true, false], [true, true]] as const;
// A covering set of (M, N, K) over {1, 3, 17, 33, 65}: every value in every role, skinny and square.
const SHAPES: [number, number, number][] = [
  [1, 1, 1], [1, 65, 17], [65, 1, 33], [3, 17, 65], [17, 3, 1], [65, 3, 17],
  [17, 65, 33], [33, 33, 3], [65, 65, 65], [33, 17, 1], [3, 1, 65],
];

const opA = (M: number, K: number, t: boolean): number[] => (t ? [K, M] : [M, K]);
const opB = (K: number, N: number, t: boolean): number[] => (t ? [N, K] : [K, N]);
const tag = (ta: boolean, tb: boolean) => `${ta ? 'Aᵀ' : 'A'}·${tb ? 'Bᵀ' : 'B'}`;

/**
 * Build the same computation on the CPU twin and on the GPU from identical inputs (random, one seed per
 * input), compare with `parity` under `kernel`, and fail on any WebGPU validation error.
 */
async function check(kernel: string, label: string, shapes: Shape[], build: (e: Engine, xs: Tensor[]) => Tensor, tol = TOL): Promise<number> {
  const g = await gpuEngine();
  if (kernel === AUTO) kernel = g.softwareKernels ? 'matmul.matmul_direct' : 'matmul.matmul';
  const pairs = shapes.map((s, i) => both(g, randn(shapeSize(s), 1000 + 17 * i + label.length), s));
  const expected = build(cpu, pairs.map((p) => p[0]));
  g.device.pushErrorScope('validation');
  const actual = build(g, pairs.map((p) => p[1]));
  const err = await parity(kernel, label, actual, expected, tol);
  const invalid = await g.device.popErrorScope();
  if (invalid) throw new Error(`${label}: WebGPU validation error: ${invalid.message}`);
  for (const [, t] of pairs) g.release(t);
  g.release(actual);
  return err;
}

describe('matmul: CPU twin and gradients (float64)', () => {
  it('the CPU twin matches a naive reference through views, transposes, broadcast, reduce, alpha, accumulate and bias', () => {
    // y [B=2, S=3, D=4]: A[b] = y[b, 1:, :] (stored 2×4, used transposed: 4×2), B = W[:2, :] (2×5) shared by
    // both batches; C += -0.5 · Σ_b A[b]ᵀ·B + bias.
    const y = cpu.fromArray(randn(24, 1), [2, 3, 4]);
    const w = cpu.fromArray(randn(15, 2), [3, 5]);
    const bias = cpu.fromArray(randn(5, 3), [5]);
    const out = cpu.fromArray(randn(4 * 5, 4), [4, 5]);
    const before = out.f64.slice();
    const A = matrixView(y, { batch: 2, rows: 2, cols: 4, offset: 4, rowStride: 4, batchStride: 12 });
    const B = matrixView(w, { rows: 2, cols: 5 });
    matmulForward(cpu, A, B, { transA: true, reduceBatch: true, alpha: -0.5, bias, out, accumulate: true });
    const Y = y.f64, W = w.f64;
    for (let m = 0; m < 4; m++) {
      for (let n = 0; n < 5; n++) {
        let s = 0;
        for (let b = 0; b < 2; b++) for (let k = 0; k < 2; k++) s += Y[b * 12 + (1 + k) * 4 + m] * W[k * 5 + n];
        expect(out.f64[m * 5 + n]).toBeCloseTo(before[m * 5 + n] - 0.5 * s + bias.f64[n], 12);
      }
    }
  });

  it.each(TRANSPOSES)('gradients, transA=%s transB=%s, alpha 0.7', (ta, tb) => {
    const [M, N, K] = [3, 4, 5];
    const err = gradCheck((t, [a, b]) => matmul(t, a, b, { transA: ta, transB: tb, alpha: 0.7 }), [
      { data: randn(M * K, 1), shape: opA(M, K, ta) },
      { data: randn(K * N, 2), shape: opB(K, N, tb) },
    ]);
    expect(err).toBeLessThan(1e-6);
  });

  it.each(TRANSPOSES)('gradients, batched with broadcast and bias, transA=%s transB=%s', (ta, tb) => {
    const [M, N, K] = [3, 4, 5];
    // A batched [2, ...], B shared (broadcast): dB reduces over the batch.
    expect(gradCheck((t, [a, b, c]) => matmul(t, a, b, { transA: ta, transB: tb, bias: c }), [
      { data: randn(2 * M * K, 3), shape: [2, ...opA(M, K, ta)] },
      { data: randn(K * N, 4), shape: opB(K, N, tb) },
      { data: randn(N, 5), shape: [N] },
    ])).toBeLessThan(1e-6);
    // A shared, B batched [2, ...].
    expect(gradCheck((t, [a, b]) => matmul(t, a, b, { transA: ta, transB: tb }), [
      { data: randn(M * K, 6), shape: opA(M, K, ta) },
      { data: randn(2 * K * N, 7), shape: [2, ...opB(K, N, tb)] },
    ])).toBeLessThan(1e-6);
  });

  it('gradients with reduce-over-batch (the token-mixer weight-gradient form), plain and broadcast', () => {
    expect(gradCheck((t, [a, b]) => matmul(t, a, b, { transB: true, reduceBatch: true, alpha: 1.3 }), [
      { data: randn(3 * 4 * 5, 8), shape: [3, 4, 5] },
      { data: randn(3 * 2 * 5, 9), shape: [3, 2, 5] },
    ])).toBeLessThan(1e-6);
    // B broadcast: the three products share B, so dB = Σ_b op(A_b)ᵀ·G.
    expect(gradCheck((t, [a, b]) => matmul(t, a, b, { transA: true, reduceBatch: true }), [
      { data: randn(3 * 5 * 4, 10), shape: [3, 5, 4] },
      { data: randn(5 * 2, 11), shape: [5, 2] },
    ])).toBeLessThan(1e-6);
    // A broadcast as an explicit view with batch 3 and batchStride 0.
    expect(gradCheck((t, [a, b]) => matmul(t, matrixView(a, { batch: 3, rows: 4, cols: 5, batchStride: 0 }), b, { reduceBatch: true }), [
      { data: randn(4 * 5, 12), shape: [4, 5] },
      { data: randn(3 * 5 * 2, 13), shape: [3, 5, 2] },
    ])).toBeLessThan(1e-6);
  });

  it('gradients of linear (F.linear) with bias, x of rank 1, 2 and 3', () => {
    for (const lead of [[], [4], [2, 3]]) {
      const err = gradCheck((t, [x, w, b]) => linear(t, x, w, { bias: b }), [
        { data: randn(shapeSize(lead) * 5, 14), shape: [...lead, 5] },
        { data: randn(3 * 5, 15), shape: [3, 5] },
        { data: randn(3, 16), shape: [3] },
      ]);
      expect(err).toBeLessThan(1e-6);
    }
  });

  it('gradients through strided views: q_head on y[:, 0, :], lm_head on y[:, 1:, :], two views of one tensor', () => {
    const [B, S, D, V] = [2, 4, 3, 5];
    const y = { data: randn(B * S * D, 17), shape: [B, S, D] };
    const q = gradCheck((t, [x, w, b]) => matmul(t, matrixView(x, { rows: B, cols: D, rowStride: S * D }), w, { transB: true, bias: b }), [
      y, { data: randn(2 * D, 18), shape: [2, D] }, { data: randn(2, 19), shape: [2] },
    ]);
    const lm = gradCheck((t, [x, w]) => matmul(t, matrixView(x, { batch: B, rows: S - 1, cols: D, offset: D, batchStride: S * D }), w, { transB: true }), [
      y, { data: randn(V * D, 20), shape: [V, D] },
    ]);
    // y[:, 0, :] · y[0, 1:, :]ᵀ: both operands read y, so its gradient sums two scattered contributions.
    const two = gradCheck((t, [x]) => matmul(t, matrixView(x, { rows: B, cols: D, rowStride: S * D }), matrixView(x, { rows: S - 1, cols: D, offset: D }), { transB: true }), [y]);
    expect(Math.max(q, lm, two)).toBeLessThan(1e-6);
  });

  it('gradients through a gated operand (swiglu(u) as A or B): the down projection and the token mixer', () => {
    // Gates up to ±6, where silu' changes sign and saturates.
    const u = (n: number, seed: number) => randn(n, seed, 3);
    expect(gradCheck((t, [x, w, b]) => linear(t, x, w, { bias: b, gated: true }), [
      { data: u(2 * 3 * 8, 40), shape: [2, 3, 8] }, { data: randn(5 * 4, 41), shape: [5, 4] }, { data: randn(5, 42), shape: [5] },
    ])).toBeLessThan(1e-6);
    // mixed[b] = W·swiglu(gu[b])ᵀ with W broadcast over the batch (its gradient sums over it).
    expect(gradCheck((t, [w, gu]) => matmul(t, w, gu, { transB: true, gate: 'b', alpha: 0.7 }), [
      { data: randn(4 * 3, 43), shape: [4, 3] }, { data: u(2 * 5 * 6, 44), shape: [2, 5, 6] },
    ])).toBeLessThan(1e-6);
    // swiglu(u)ᵀ·B, and one u broadcast over a batch of B.
    expect(gradCheck((t, [x, b]) => matmul(t, x, b, { transA: true, gate: 'a' }), [
      { data: u(3 * 10, 45), shape: [3, 10] }, { data: randn(2 * 3 * 4, 46), shape: [2, 3, 4] },
    ])).toBeLessThan(1e-6);
  });

  it('gradient of x·xᵀ (the same tensor as both operands)', () => {
    expect(gradCheck((t, [x]) => matmul(t, x, x, { transB: true }), [{ data: randn(12, 21), shape: [3, 4] }])).toBeLessThan(1e-6);
  });

  it('rejects mismatched shapes with messages that name them', () => {
    const a = cpu.zeros([3, 4]), b = cpu.zeros([5, 2]), b3 = cpu.zeros([2, 4, 2]), a3 = cpu.zeros([3, 3, 4]);
    expect(() => matmulForward(cpu, a, b)).toThrow(/op\(A\) is 3×4 .* op\(B\) is 5×2 .*inner dimensions 4 and 5 differ/);
    expect(() => matmulForward(cpu, a3, b3)).toThrow(/A has 3 and B 2 matrices/);
    expect(() => matmulForward(cpu, a, cpu.zeros([4, 2]), { bias: cpu.zeros([3]) })).toThrow(/bias must be f32 \[2\]/);
    expect(() => matmulForward(cpu, a, cpu.zeros([4, 2]), { accumulate: true })).toThrow(/accumulate needs an out/);
    expect(() => matmulForward(cpu, a, cpu.zeros([4, 3]), { out: cpu.reshape(a, [3, 4]) })).toThrow(/out is .* but the result is 1×3×3/);
    const sq = cpu.zeros([3, 3]);
    expect(() => matmulForward(cpu, sq, cpu.zeros([3, 3]), { out: sq })).toThrow(/out shares storage with A/);
    expect(() => matrixView(a, { rows: 3, cols: 4, offset: 1 })).toThrow(/reaches element 13 but the tensor has 12/);
    expect(() => linear(new Tape(cpu), cpu.zeros([2, 5]), cpu.zeros([3, 4]))).toThrow(/5 input features but weight \[3, 4\] expects 4/);
    expect(() => linear(new Tape(cpu), cpu.zeros([2, 6]), cpu.zeros([3, 4]), { gated: true })).toThrow(/3 input features after SwiGLU but weight \[3, 4\] expects 4/);
    expect(() => matmul(new Tape(cpu), matrixView(cpu.zeros([4, 6]), { rows: 4, cols: 4, rowStride: 6 }), cpu.zeros([2, 3]), { gate: 'a' })).toThrow(/gated operand must be a whole \[\.\.\., 2·inter\] tensor/);
    const u = cpu.zeros([3, 8]), out = { tensor: cpu.zeros([3, 8]), rows: 3, cols: 4, batch: 1, offset: 0, rowStride: 8, batchStride: 24 };
    expect(() => matmulForward(cpu, cpu.zeros([3, 2]), cpu.zeros([2, 4]), { swigluGradOf: u })).toThrow(/swigluGradOf needs an out/);
    expect(() => matmulForward(cpu, cpu.zeros([3, 2]), cpu.zeros([2, 4]), { out, swigluGradOf: u, accumulate: true })).toThrow(/no accumulate or bias/);
    expect(() => matmulForward(cpu, cpu.zeros([3, 2]), cpu.zeros([2, 4]), { out: { ...out, rowStride: 4, batchStride: 12 }, swigluGradOf: u })).toThrow(/out on its gate columns \(rows at stride 8\)/);
  });
});

describe('matmul: GPU parity with the CPU twin (tol 1e-5 normwise)', () => {
  it.each(SHAPES)('M=%i N=%i K=%i, every transpose combination (auto tile, no split)', async (M, N, K) => {
    for (const [ta, tb] of TRANSPOSES) {
      await check(AUTO, `${M}x${N}x${K} ${tag(ta, tb)}`, [opA(M, K, ta), opB(K, N, tb)], (e, [a, b]) => matmulForward(e, a, b, { transA: ta, transB: tb, tuning: { splits: 1 } }));
    }
  });

  it.each(TILES)('tile %s at odd shapes, every transpose combination', async (tile) => {
    for (const [M, N, K] of [[65, 33, 17], [17, 65, 33], [3, 5, 65]]) {
      for (const [ta, tb] of TRANSPOSES) {
        await check(kernelOf(tile), `${tile} ${M}x${N}x${K} ${tag(ta, tb)}`, [opA(M, K, ta), opB(K, N, tb)], (e, [a, b]) => matmulForward(e, a, b, { transA: ta, transB: tb, tuning: { tile, splits: 1 } }));
      }
    }
  });

  it('16-byte loads on aligned views (odd extents masked) agree with scalar loads, every transpose', async () => {
    // Stored matrices of 17×33 and 33×65 inside padded buffers: offsets, row strides and batch strides are
    // multiples of 4, the extents are not.
    const [M, N, K, B] = [17, 65, 33, 3];
    for (const [ta, tb] of TRANSPOSES) {
      const [ar, ac] = opA(M, K, ta), [br, bc] = opB(K, N, tb);
      const aGeo = { batch: B, rows: ar, cols: ac, offset: 8, rowStride: ac + 7 + ((4 - ((ac + 7) % 4)) % 4), batchStride: 0 };
      aGeo.batchStride = ar * aGeo.rowStride + 4;
      const bGeo = { rows: br, cols: bc, offset: 4, rowStride: bc + 3 + ((4 - ((bc + 3) % 4)) % 4) };
      const aSize = aGeo.offset + B * aGeo.batchStride, bSize = bGeo.offset + br * bGeo.rowStride;
      for (const tile of ['64x64', '32x32', '256x4', '4x256'] as const) {
        for (const vec4 of [true, false]) {
          await check('matmul.matmul', `aligned views ${tile} vec4=${vec4} ${tag(ta, tb)}`, [[aSize], [bSize]], (e, [a, b]) =>
            matmulForward(e, matrixView(a, aGeo), matrixView(b, bGeo), { transA: ta, transB: tb, tuning: { tile, vec4, splits: 1 } }));
        }
      }
    }
  });

  it('batch 3: A batched, B batched, both batched (broadcast via batch 1), every transpose', async () => {
    for (const [M, N, K] of [[17, 33, 65], [3, 17, 1], [65, 3, 33]]) {
      for (const [ta, tb] of TRANSPOSES) {
        const a = opA(M, K, ta), b = opB(K, N, tb);
        for (const [sa, sb] of [[[3, ...a], b], [a, [3, ...b]], [[3, ...a], [3, ...b]]]) {
          await check(AUTO, `batch [${sa}]·[${sb}] ${tag(ta, tb)}`, [sa, sb], (e, [x, y]) => matmulForward(e, x, y, { transA: ta, transB: tb, tuning: { splits: 1 } }));
        }
      }
    }
  });

  it('reduce over a batch of 3 (plain and with one operand broadcast), every transpose', async () => {
    for (const [M, N, K] of [[17, 33, 65], [33, 3, 17], [1, 1, 1]]) {
      for (const [ta, tb] of TRANSPOSES) {
        const a = opA(M, K, ta), b = opB(K, N, tb);
        for (const [sa, sb] of [[[3, ...a], [3, ...b]], [[3, ...a], b], [a, [3, ...b]]]) {
          await check(AUTO, `reduce [${sa}]·[${sb}] ${tag(ta, tb)}`, [sa, sb], (e, [x, y]) => matmulForward(e, x, y, { transA: ta, transB: tb, reduceBatch: true, tuning: { splits: 1 } }));
        }
      }
    }
  });

  it('alpha, accumulate into an existing C, and bias, alone and together', async () => {
    for (const [M, N, K] of [[17, 33, 65], [65, 1, 3], [1, 17, 33]]) {
      for (const [ta, tb] of [[false, true], [true, false]] as const) {
        const shapes = [opA(M, K, ta), opB(K, N, tb), [N], [M, N]];
        await check(AUTO, `alpha ${M}x${N}x${K} ${tag(ta, tb)}`, shapes, (e, [a, b]) => matmulForward(e, a, b, { transA: ta, transB: tb, alpha: -0.37, tuning: { splits: 1 } }));
        await check(AUTO, `bias ${M}x${N}x${K} ${tag(ta, tb)}`, shapes, (e, [a, b, bias]) => matmulForward(e, a, b, { transA: ta, transB: tb, bias, tuning: { splits: 1 } }));
        await check(AUTO, `accumulate+alpha+bias ${M}x${N}x${K} ${tag(ta, tb)}`, shapes, (e, [a, b, bias, c]) =>
          matmulForward(e, a, b, { transA: ta, transB: tb, alpha: 2.5, bias, out: c, accumulate: true, tuning: { splits: 1 } }));
      }
    }
  });

  it("SwiGLU's backward in the epilogue: direct, tiled and split-K, batched, transposed, with alpha", async () => {
    // dU for u [B, M, 2N] from the product dOut [B, M, N] = A·op(B).
    const cases: { kernel: string; tuning: MatmulTuning }[] = [
      { kernel: 'matmul.matmul_direct', tuning: { tile: 'direct' } },
      { kernel: 'matmul.matmul', tuning: { tile: '32x32', splits: 1 } },
      { kernel: 'matmul.matmul', tuning: { tile: '256x4', splits: 1 } },
      { kernel: 'matmul.splitk_sum', tuning: { tile: '32x32', splits: 3 } },
    ];
    const [B, M, N, K] = [2, 17, 33, 65];
    for (const { kernel, tuning } of cases) {
      for (const tb of [false, true]) {
        await check(kernel, `swiglu grad ${tuning.tile}/${tuning.splits ?? 1} ${B}×${M}x${N}x${K} ${tag(false, tb)}`, [[B, M, K], opB(K, N, tb), [B, M, 2 * N]], (e, [a, b, u]) =>
          matmulForward(e, a, b, { transB: tb, alpha: -0.6, out: { tensor: e.empty(u.shape), rows: M, cols: N, batch: B, offset: 0, rowStride: 2 * N, batchStride: 2 * M * N }, swigluGradOf: u, tuning }));
      }
    }
  });

  it('a gated operand on the tiled kernels: swiglu(u) computed as tiles load, one dispatch forward, two backward', async () => {
    const g = new GpuEngine((await gpuEngine()).handle, { softwareKernels: false });
    // u [B, R, 2I]; I = 12 takes 16-byte loads, I = 17 scalar ones.
    for (const [B, R, I, O] of [[2, 19, 12, 9], [3, 7, 17, 33]]) {
      for (const gate of ['a', 'b'] as const) {
        for (const [ta, tb] of TRANSPOSES) {
          for (const tuning of [{ tile: '32x32', splits: 1 }, { tile: '64x16', splits: 3 }] as MatmulTuning[]) {
            // gate 'a': op(swiglu(u)[b])·op(W); gate 'b': op(W)·op(swiglu(u)[b]), W broadcast over the batch.
            const wShape = gate === 'a' ? opB(ta ? R : I, O, tb) : opA(O, tb ? I : R, ta);
            const label = `gated ${gate} B=${B} R=${R} I=${I} ${tag(ta, tb)} ${tuning.tile}/${tuning.splits}`;
            const [[cu, gu], [cw, gw]] = [[B, R, 2 * I], wShape].map((sh, i) => both(g, randn(shapeSize(sh), 300 + i + I), sh));
            const run = (e: Engine, u: Tensor, w: Tensor) => {
              const tape = new Tape(e);
              tape.watch(u);
              tape.watch(w);
              const d0 = g.stats().dispatches;
              const out = gate === 'a' ? matmul(tape, u, w, { gate, transA: ta, transB: tb, tuning }) : matmul(tape, w, u, { gate, transA: ta, transB: tb, tuning });
              const d1 = g.stats().dispatches;
              const seed = e.fromArray(Float64Array.from(Float32Array.from(randn(out.size, 99))), out.shape);
              const grads = tape.backward(out, seed);
              return { out, du: grads.get(u)!, dw: grads.get(w)!, dispatches: [d1 - d0, g.stats().dispatches - d1] };
            };
            const want = run(cpu, cu, cw);
            const got = run(g, gu, gw);
            const kernel = tuning.splits === 1 ? 'matmul.matmul' : 'matmul.splitk_sum';
            await parity(kernel, `${label} out`, got.out, want.out, TOL);
            await parity(kernel, `${label} du`, got.du, want.du, TOL);
            await parity(kernel, `${label} dw`, got.dw, want.dw, TOL);
            if (tuning.splits === 1) expect(got.dispatches, label).toEqual([1, 2]);
          }
        }
      }
    }
  });

  it('K = 0: C = bias (+ C), no products', async () => {
    await check(AUTO, 'K=0 bias', [[3, 0], [0, 5], [5]], (e, [a, b, bias]) => matmulForward(e, a, b, { bias }));
    await check(AUTO, 'K=0 accumulate', [[3, 0], [0, 5], [3, 5]], (e, [a, b, c]) => matmulForward(e, a, b, { out: c, accumulate: true, alpha: 3 }));
  });

  it('strided slices of y [B, S, D]: rows at stride S·D (q_head), y[:, 1:, :] in and out (lm_head), batch strides', async () => {
    const [B, S, D, V] = [3, 5, 17, 6];
    // q = y[:, 0, :] · Wqᵀ + bq
    await check(AUTO, 'y[:, 0, :]·Wᵀ + b', [[B, S, D], [2, D], [2]], (e, [y, w, bq]) =>
      matmulForward(e, matrixView(y, { rows: B, cols: D, rowStride: S * D }), w, { transB: true, bias: bq, tuning: { splits: 1 } }));
    // logits = y[:, 1:, :] · Wᵀ, written into z[:, 1:, :] of z [B, S, V]: z[:, 0, :] keeps its values.
    await check(AUTO, 'z[:, 1:, :] = y[:, 1:, :]·Wᵀ', [[B, S, D], [V, D], [B, S, V]], (e, [y, w, z]) =>
      matmulForward(e, matrixView(y, { batch: B, rows: S - 1, cols: D, offset: D, batchStride: S * D }), w, {
        transB: true,
        out: matrixView(z, { batch: B, rows: S - 1, cols: V, offset: V, batchStride: S * V }),
        tuning: { splits: 1 },
      }));
    // The backward of the q_head slice: dy[:, 0, :] += dq · Wq, accumulated into an existing dy.
    await check(AUTO, 'dy[:, 0, :] += dq·W', [[B, 2], [2, D], [B, S, D]], (e, [dq, w, dy]) =>
      matmulForward(e, dq, w, { out: matrixView(dy, { rows: B, cols: D, rowStride: S * D }), accumulate: true, tuning: { splits: 1 } }));
    // Column-major-like reads: y[b]ᵀ via transA with a row stride larger than the extent.
    await check(AUTO, 'y[:, :, 0:5]ᵀ·y[:, :, 5:9]', [[B, S, D]], (e, [y]) =>
      matmulForward(e, matrixView(y, { batch: B, rows: S, cols: 5, batchStride: S * D, rowStride: D }), matrixView(y, { batch: B, rows: S, cols: 4, offset: 5, batchStride: S * D, rowStride: D }), { transA: true, tuning: { splits: 1 } }));
  });

  it('split-K: partial tiles summed in order by splitk_sum, with reduce, bias and accumulate', async () => {
    for (const splits of [2, 3, 7, 1000]) {
      for (const tile of ['32x32', '256x4', '4x256'] as const) {
        await check('matmul.splitk_sum', `splits ${splits} ${tile} 17x33x65 Aᵀ·B`, [[65, 17], [65, 33]], (e, [a, b]) => matmulForward(e, a, b, { transA: true, tuning: { tile, splits } }));
        await check('matmul.splitk_sum', `splits ${splits} ${tile} reduce 3×(33x3x17) A·Bᵀ + bias, accumulate`, [[3, 33, 17], [3, 3, 17], [3], [33, 3]], (e, [a, b, bias, c]) =>
          matmulForward(e, a, b, { transB: true, reduceBatch: true, bias, out: c, accumulate: true, alpha: 0.5, tuning: { tile, splits } }));
      }
      await check('matmul.splitk_sum', `splits ${splits} batch 3 (65x17x33)`, [[3, 65, 33], [33, 17]], (e, [a, b]) => matmulForward(e, a, b, { tuning: { tile: '64x64', splits } }));
    }
  });

  it('split-K and reduce-over-batch are deterministic (bitwise equal reruns)', async () => {
    const g = await gpuEngine();
    const [, a] = both(g, randn(5 * 33 * 65, 30), [5, 33, 65]);
    const [, b] = both(g, randn(5 * 17 * 65, 31), [5, 17, 65]);
    const runs = [];
    for (let i = 0; i < 2; i++) runs.push(await g.read(matmulForward(g, a, b, { transB: true, reduceBatch: true, tuning: { splits: 6 } })));
    expect(Array.from(runs[1])).toEqual(Array.from(runs[0]));
  });

  it.each([[1, 1], [17, 3], [65, 33], [3, 65], [300, 5], [1, 70]])('colsum of [%i, %i]', async (R, N) => {
    await check('matmul.colsum', `[${R}, ${N}]`, [[R, N]], (e, [x]) => colsumForward(e, x));
  });

  it('TRM-like shapes: Linear [2·20, 32]·[2·96, 32]ᵀ, the token mixer and its weight gradient (auto tiling)', async () => {
    await check(AUTO, 'linear 40x32 · (192x32)ᵀ', [[40, 32], [192, 32]], (e, [x, w]) => matmulForward(e, x, w, { transB: true }));
    await check(AUTO, 'q_head 40x32 · (2x32)ᵀ + b', [[40, 32], [2, 32], [2]], (e, [x, w, bias]) => matmulForward(e, x, w, { transB: true, bias }));
    // Token mixing on x [B=2, S=20, D=32]: h[b] = W [48, S] · x[b], weight shared.
    await check(AUTO, 'token mixer W·x[b]', [[48, 20], [2, 20, 32]], (e, [w, x]) => matmulForward(e, w, x));
    // dW = Σ_b dh[b] · x[b]ᵀ
    await check(AUTO, 'token mixer dW = Σ dh[b]·x[b]ᵀ', [[2, 48, 32], [2, 20, 32]], (e, [dh, x]) => matmulForward(e, dh, x, { transB: true, reduceBatch: true }));
    // Linear weight gradient dW = dYᵀ·X over all rows: a long K that the heuristics split.
    await check('matmul.splitk_sum', 'linear dW = dYᵀ·X, K = 640', [[640, 24], [640, 20]], (e, [dy, x]) => matmulForward(e, dy, x, { transA: true }));
  });

  it('backward through the tape on the GPU matches the CPU twin', async () => {
    const g = await gpuEngine();
    const cases: { label: string; shapes: Shape[]; f: (t: Tape, xs: Tensor[]) => Tensor }[] = [
      { label: 'Aᵀ·B broadcast B, bias', shapes: [[3, 33, 17], [33, 5], [5]], f: (t, [a, b, c]) => matmul(t, a, b, { transA: true, bias: c }) },
      { label: 'A·Bᵀ broadcast A, alpha', shapes: [[17, 33], [3, 65, 33]], f: (t, [a, b]) => matmul(t, a, b, { transB: true, alpha: -1.5 }) },
      { label: 'Aᵀ·Bᵀ reduce', shapes: [[3, 17, 3], [3, 5, 17]], f: (t, [a, b]) => matmul(t, a, b, { transA: true, transB: true, reduceBatch: true }) },
      { label: 'linear [2, 20, 32] → 17 with bias', shapes: [[2, 20, 32], [17, 32], [17]], f: (t, [x, w, b]) => linear(t, x, w, { bias: b }) },
      { label: 'q_head on y[:, 0, :]', shapes: [[3, 5, 17], [2, 17], [2]], f: (t, [y, w, b]) => matmul(t, matrixView(y, { rows: 3, cols: 17, rowStride: 85 }), w, { transB: true, bias: b }) },
      { label: 'down projection of swiglu(u) [2, 20, 2·33]', shapes: [[2, 20, 66], [17, 33]], f: (t, [u, w]) => linear(t, u, w, { gated: true }) },
      { label: 'token mixer W·swiglu(u[b])ᵀ', shapes: [[20, 33], [3, 17, 66]], f: (t, [w, u]) => matmul(t, w, u, { transB: true, gate: 'b' }) },
    ];
    for (const { label, shapes, f } of cases) {
      const pairs = shapes.map((s, i) => both(g, randn(shapeSize(s), 50 + i), s));
      const grads = [0, 1].map((side) => {
        const e: Engine = side ? g : cpu;
        const xs = pairs.map((p) => p[side]);
        const tape = new Tape(e);
        xs.forEach((x) => tape.watch(x));
        const out = f(tape, xs);
        const seed = e.fromArray(Float64Array.from(Float32Array.from(randn(out.size, 99))), out.shape);
        const m = tape.backward(out, seed);
        return xs.map((x) => m.get(x)!);
      });
      for (let i = 0; i < shapes.length; i++) {
        const kernel = shapes[i].length === 1 ? 'matmul.colsum' : g.softwareKernels ? 'matmul.matmul_direct' : 'matmul.matmul';
        await parity(kernel, `tape grad #${i} ${label}`, grads[1][i], grads[0][i], TOL);
      }
    }
  });

  it('a weight used by three matmuls gathers its gradient in the matmul kernels, into the tensor given to backward', async () => {
    const g = await gpuEngine();
    // h3 = ((x·Wᵀ)·Wᵀ)·Wᵀ: three forward products, then three dW and two dX products and no additions.
    const [[wC, wG], [xC, xG], [accC, accG], [seedC, seedG]] = [[5, 5], [9, 5], [5, 5], [9, 5]].map((s, i) => both(g, randn(shapeSize(s), 70 + i), s));
    const grad = (e: Engine, w: Tensor, x: Tensor, acc: Tensor, seed: Tensor) => {
      const tape = new Tape(e);
      tape.watch(w);
      const h = [1, 2, 3].reduce((h) => linear(tape, h, w), x);
      return tape.backward(h, seed, new Map([[w, acc]])).get(w);
    };
    expect(grad(cpu, wC, xC, accC, seedC)).toBe(accC);
    const before = g.stats().dispatches;
    expect(grad(g, wG, xG, accG, seedG)).toBe(accG);
    expect(g.stats().dispatches - before).toBe(3 + 5);
    await parity(g.softwareKernels ? 'matmul.matmul_direct' : 'matmul.matmul', 'dW accumulated over 3 uses into a nonzero tensor', accG, accC, TOL);
  });
});
