import { describe, expect, it } from 'vitest';
import { Tape } from '../../src/autograd/tape';
import type { Shape, Tensor } from '../../src/engine/tensor';
import { addRmsNorm, addRmsNormBackward, addRmsNormForward, type NormAxis, type NormThreads } from '../../src/ops/rmsnorm';
import { both, cpu, gpuEngine, parity, randn, relError } from '../helpers/engines';
import { gradCheck } from '../helpers/gradcheck';

// GPU tolerances (normwise relative, f32 against the float64 twin): each output is a few roundings away from
// its row's f32 sum of squares (forward) or of dy·y (backward); summing n ≤ 1000 terms in f32 in chunks plus a
// tree keeps the relative error of that sum well under 1e-5, and inverseSqrt adds ≤ 2 ulp.
const TOL_FORWARD = 1e-5;
const TOL_BACKWARD = 1e-5;

/** The reference definition, written independently of the op: channel = over the last axis; sequence = transpose to [B, D, S], normalise the last axis, transpose back. */
function reference(x: Float64Array, [b, s, d]: number[], axis: NormAxis, eps: number): Float64Array {
  const rows = axis === 'channel' ? b * s : b * d, len = axis === 'channel' ? d : s;
  const t = new Float64Array(x.length);
  for (let i = 0; i < b; i++) for (let j = 0; j < s; j++) for (let k = 0; k < d; k++) {
    t[axis === 'channel' ? (i * s + j) * d + k : (i * d + k) * s + j] = x[(i * s + j) * d + k];
  }
  for (let r = 0; r < rows; r++) {
    const row = t.subarray(r * len, (r + 1) * len);
    const rs = 1 / Math.sqrt(row.reduce((acc, v) => acc + v * v, 0) / len + eps);
    row.forEach((v, k) => (row[k] = v * rs));
  }
  const y = new Float64Array(x.length);
  for (let i = 0; i < b; i++) for (let j = 0; j < s; j++) for (let k = 0; k < d; k++) {
    y[(i * s + j) * d + k] = t[axis === 'channel' ? (i * s + j) * d + k : (i * d + k) * s + j];
  }
  return y;
}

const AXES: NormAxis[] = ['channel', 'sequence'];

describe('rmsnorm CPU twin', () => {
  it.each(AXES)('matches the reference definition (%s axis, with and without residual)', (axis) => {
    const shape = [2, 5, 7];
    const a = randn(70, 1, 3), b = randn(70, 2);
    for (const eps of [1e-5, 0.3]) {
      const plain = addRmsNormForward(cpu, cpu.fromArray(a, shape), null, { axis, eps });
      expect(relError(plain.y.f64, reference(a, shape, axis, eps))).toBeLessThan(1e-14);
      const res = addRmsNormForward(cpu, cpu.fromArray(a, shape), cpu.fromArray(b, shape), { axis, eps });
      expect(relError(res.y.f64, reference(a.map((v, i) => v + b[i]), shape, axis, eps))).toBeLessThan(1e-14);
      expect(res.rstd.shape).toEqual(axis === 'channel' ? [2, 5] : [2, 7]);
    }
  });

  it('channel axis accepts any rank (normalises the last dimension)', () => {
    const a = randn(15, 3);
    const flat = addRmsNormForward(cpu, cpu.fromArray(a, [15]), null, { axis: 'channel' });
    const rows = addRmsNormForward(cpu, cpu.fromArray(a, [3, 5]), null, { axis: 'channel' });
    expect(relError(flat.y.f64, reference(a, [1, 1, 15], 'channel', 1e-5))).toBeLessThan(1e-14);
    expect(relError(rows.y.f64, reference(a, [1, 3, 5], 'channel', 1e-5))).toBeLessThan(1e-14);
    expect(flat.rstd.shape).toEqual([]);
    expect(rows.rstd.shape).toEqual([3]);
  });

  it('rejects bad shapes and options with clear errors', () => {
    const a = cpu.zeros([2, 3, 4]);
    expect(() => addRmsNormForward(cpu, a, cpu.zeros([2, 3, 5]), { axis: 'channel' })).toThrow(/residual b vs a.*\[2,3,4\].*\[2,3,5\]/);
    expect(() => addRmsNormForward(cpu, cpu.zeros([6, 4]), null, { axis: 'sequence' })).toThrow(/sequence axis needs \[B, S, D\]/);
    expect(() => addRmsNormForward(cpu, cpu.zeros([2, 0, 4]), null, { axis: 'sequence' })).toThrow(/empty sequence axis/);
    expect(() => addRmsNormForward(cpu, cpu.zeros([2, 3, 0]), null, { axis: 'channel' })).toThrow(/empty channel axis/);
    expect(() => addRmsNormForward(cpu, a, null, { axis: 'channel', eps: -1 })).toThrow(/eps/);
    expect(() => addRmsNormForward(cpu, a, null, { axis: 'rows' as NormAxis })).toThrow(/axis must be/);
    expect(() => addRmsNormForward(cpu, cpu.zeros([2, 3, 4], 'i32'), null, { axis: 'channel' })).toThrow(/a must be f32/);
    const { y, rstd } = addRmsNormForward(cpu, a, null, { axis: 'channel' });
    expect(() => addRmsNormBackward(cpu, cpu.zeros([2, 3, 5]), y, rstd, 'channel')).toThrow(/dy vs y/);
    expect(() => addRmsNormBackward(cpu, y, y, rstd, 'sequence')).toThrow(/rstd.*\[2,4\].*\[2,3\]/);
  });
});

describe('rmsnorm gradients match finite differences (float64, < 1e-6)', () => {
  const shape = [2, 3, 5];
  const cases = AXES.flatMap((axis) => [true, false].flatMap((residual) => [1e-5, 0.5].map((eps) => ({ axis, residual, eps }))));
  it.each(cases)('$axis axis, residual $residual, eps $eps', ({ axis, residual, eps }) => {
    const inputs = [{ data: randn(30, 11, 2), shape }];
    if (residual) inputs.push({ data: randn(30, 12), shape });
    const err = gradCheck((t, [a, b]) => addRmsNorm(t, a, residual ? b : null, { axis, eps }), inputs);
    expect(err).toBeLessThan(1e-6);
  });

  it('only a or only b watched', () => {
    for (const axis of AXES) {
      const err = gradCheck((t, [a, b]) => addRmsNorm(t, a, b, { axis }), [{ data: randn(30, 13), shape }, { data: randn(30, 14), shape, grad: false }]);
      expect(err).toBeLessThan(1e-6);
      const err2 = gradCheck((t, [a, b]) => addRmsNorm(t, a, b, { axis }), [{ data: randn(30, 15), shape, grad: false }, { data: randn(30, 16), shape }]);
      expect(err2).toBeLessThan(1e-6);
    }
  });
});

const SMALL = [1, 3, 17, 33, 65];
const SHAPES: number[][] = [];
for (const b of [1, 2]) for (const s of SMALL) for (const d of SMALL) SHAPES.push([b, s, d]);
// Long normalised axes (the loop over chunks longer than the workgroup), TRM-like sizes, a large magnitude.
const LONG: { axis: NormAxis; shape: number[]; scale: number }[] = [
  { axis: 'channel', shape: [2, 3, 700], scale: 1 },
  { axis: 'channel', shape: [1, 5, 512], scale: 22.6 },
  { axis: 'channel', shape: [2, 3, 257], scale: 1e3 },
  { axis: 'sequence', shape: [2, 300, 5], scale: 1 },
  { axis: 'sequence', shape: [1, 916, 3], scale: 22.6 },
  { axis: 'sequence', shape: [2, 97, 40], scale: 1 },
  { axis: 'sequence', shape: [1, 512, 1], scale: 1e3 },
];
const CASES = [...AXES.flatMap((axis) => SHAPES.map((shape) => ({ axis, shape, scale: 1 }))), ...LONG];

async function checkParity(axis: NormAxis, shape: Shape, scale: number, threads: NormThreads): Promise<void> {
  const e = await gpuEngine();
  const n = shape.reduce((x, y) => x * y, 1);
  const label = `${axis} [${shape.join(',')}] scale ${scale} ${threads}`;
  const seed = shape[0] * 10007 + shape[1] * 101 + shape[2];
  const [ca, ga] = both(e, randn(n, seed, scale), shape);
  const [cb, gb] = both(e, randn(n, seed + 1, scale), shape);
  const [cdy, gdy] = both(e, randn(n, seed + 2), shape);
  const plainC = addRmsNormForward(cpu, ca, null, { axis }), plainG = addRmsNormForward(e, ga, null, { axis, threads });
  await parity('rmsnorm.forward', `${label} plain y`, plainG.y, plainC.y, TOL_FORWARD);
  await parity('rmsnorm.forward', `${label} plain rstd`, plainG.rstd, plainC.rstd, TOL_FORWARD);
  const resC = addRmsNormForward(cpu, ca, cb, { axis }), resG = addRmsNormForward(e, ga, gb, { axis, threads });
  await parity('rmsnorm.forward', `${label} residual y`, resG.y, resC.y, TOL_FORWARD);
  await parity('rmsnorm.forward', `${label} residual rstd`, resG.rstd, resC.rstd, TOL_FORWARD);
  // Backward from the same (f32-rounded) y and rstd on both sides, so only the backward kernel is measured.
  // A row of length 1 has dx = dy·(1 − y²)·rstd = dy·eps·rstd³: a cancellation of relative condition
  // (x² + eps)/eps (1e5 at eps 1e-5) for any kernel given y in f32, so those rows use eps = 1 here and
  // are checked against the backward-stability bound at eps 1e-5 in their own test below.
  const len = axis === 'channel' ? shape[2] : shape[1];
  const fwd = len === 1 ? addRmsNormForward(cpu, ca, cb, { axis, eps: 1 }) : resC;
  const [cy, gy] = both(e, fwd.y.f64, shape);
  const [cr, gr] = both(e, fwd.rstd.f64, fwd.rstd.shape);
  const [dxC] = addRmsNormBackward(cpu, cdy, cy, cr, axis);
  const [dxG] = addRmsNormBackward(e, gdy, gy, gr, axis, 1, threads);
  await parity('rmsnorm.backward', label, dxG, dxC, TOL_BACKWARD);
  const [daG, dbG] = addRmsNormBackward(e, gdy, gy, gr, axis, 2, threads);
  await parity('rmsnorm.backward_residual', `${label} da`, daG, dxC, TOL_BACKWARD);
  await parity('rmsnorm.backward_residual', `${label} db`, dbG, dxC, TOL_BACKWARD);
  for (const t of [ga, gb, gdy, plainG.y, plainG.rstd, resG.y, resG.rstd, gy, gr, dxG, daG, dbG]) e.release(t);
}

describe('rmsnorm GPU matches the CPU twin (forward 1e-5, backward 1e-5)', () => {
  it.each(CASES)('$axis axis [$shape] scale $scale (parallel and serial threads)', async ({ axis, shape, scale }) => {
    await checkParity(axis, shape, scale, 'parallel');
    await checkParity(axis, shape, scale, 'serial');
  });

  it('rows of length 1 at eps 1e-5: backward error within f32 rounding of rstd·|dy| (backward stable)', async () => {
    const e = await gpuEngine();
    for (const [axis, shape] of [['channel', [2, 17, 1]], ['sequence', [2, 1, 17]]] as [NormAxis, number[]][]) {
      const [cx] = both(e, randn(34, 41), shape);
      const { y, rstd } = addRmsNormForward(cpu, cx, null, { axis });
      const [cy, gy] = both(e, y.f64, shape);
      const [cr, gr] = both(e, rstd.f64, rstd.shape);
      const [cdy, gdy] = both(e, randn(34, 42), shape);
      const [dxC] = addRmsNormBackward(cpu, cdy, cy, cr, axis);
      const [dxG] = addRmsNormBackward(e, gdy, gy, gr, axis);
      const got = await e.read(dxG);
      let err = 0;
      for (let i = 0; i < 34; i++) err = Math.max(err, Math.abs(got[i] - dxC.f64[i]) / (cr.f64[i] * Math.abs(cdy.f64[i])));
      expect(err).toBeLessThan(1e-6);
    }
  });

  it('differentiable addRmsNorm on the GPU: one dispatch each way, gradients equal the CPU', async () => {
    const e = await gpuEngine();
    const shape = [2, 17, 33];
    for (const axis of AXES) {
      const [ca, ga] = both(e, randn(2 * 17 * 33, 21, 4), shape);
      const [cb, gb] = both(e, randn(2 * 17 * 33, 22), shape);
      const [cw, gw] = both(e, randn(2 * 17 * 33, 23), shape);
      const run = (a: Tensor, b: Tensor, w: Tensor) => {
        const tape = new Tape(a.engine);
        tape.watch(a);
        tape.watch(b);
        const d0 = a.engine.stats().dispatches;
        const y = addRmsNorm(tape, a, b, { axis });
        const d1 = a.engine.stats().dispatches;
        const g = tape.backward(y, w);
        return { y, da: g.get(a)!, db: g.get(b)!, fwd: d1 - d0, bwd: a.engine.stats().dispatches - d1 };
      };
      const c = run(ca, cb, cw), g = run(ga, gb, gw);
      expect([g.fwd, g.bwd]).toEqual([1, 1]);
      expect(g.da).not.toBe(g.db);
      await parity('rmsnorm.forward', `tape ${axis} y`, g.y, c.y, TOL_FORWARD);
      await parity('rmsnorm.backward_residual', `tape ${axis} da`, g.da, c.da, TOL_BACKWARD);
      await parity('rmsnorm.backward_residual', `tape ${axis} db`, g.db, c.db, TOL_BACKWARD);
    }
  });

  it('grids folded into y (a small per-dimension limit forced) normalise every row once', async () => {
    const e = await gpuEngine();
    const limit = e as unknown as { maxWorkgroupsPerDim: number };
    const saved = limit.maxWorkgroupsPerDim;
    limit.maxWorkgroupsPerDim = 5;
    try {
      // channel [2,33,17]: 66 rows, 8 per workgroup; sequence [3,17,65]: 195 rows, 32 per workgroup.
      expect([e.grid(66, 8), e.grid(195, 32)]).toEqual([[5, 2], [4, 2]]);
      await checkParity('channel', [2, 33, 17], 1, 'parallel');
      await checkParity('sequence', [3, 17, 65], 1, 'parallel');
    } finally {
      limit.maxWorkgroupsPerDim = saved;
    }
  });

  it('outside a recording tape the forward keeps no rstd', async () => {
    const e = await gpuEngine();
    const a = e.fromArray(randn(12, 31), [1, 3, 4]);
    const tape = new Tape(e);
    tape.watch(a);
    const live = e.stats().liveTensors;
    const y = tape.noGrad(() => addRmsNorm(tape, a, a, { axis: 'sequence' }));
    expect(e.stats().liveTensors).toBe(live + 1);
    expect(tape.length).toBe(0);
    e.release(y);
    e.release(a);
  });
});
