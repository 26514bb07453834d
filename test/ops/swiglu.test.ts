import { describe, expect, it } from 'vitest';
import { Tape } from '../../src/autograd/tape';
import { swiglu, swigluBackward, swigluForward } from '../../src/ops/swiglu';
import { both, cpu, gpuEngine, parity, randn } from '../helpers/engines';
import { gradCheck } from '../helpers/gradcheck';

// GPU tolerance (normwise relative, f32 against the float64 twin): a handful of roundings per element plus
// WGSL's exp (error ≤ 3 + 2·|x| ulp relative, and it only ever sees −|x|, so its error is damped by e^−|x|).
const TOL = 1e-5;

/** Gate halves spread from 0 to far past where exp(−|x|) underflows f32, up halves ordinary. */
function largeGate(rows: number, inter: number, seed: number): Float64Array {
  const u = randn(rows * 2 * inter, seed);
  const big = [-1e4, -200, -104, -88, -40, -17, 17, 40, 88, 104, 200, 1e4];
  for (let m = 0; m < rows; m++) for (let i = 0; i < inter; i++) u[m * 2 * inter + i] = big[(m * inter + i) % big.length] * (1 + 0.01 * u[m * 2 * inter + i]);
  return u;
}

describe('swiglu CPU twin', () => {
  it('matches silu(gate)·up and its derivatives written the obvious way', () => {
    const rows = 4, inter = 5, u = randn(rows * 2 * inter, 1, 3), g = randn(rows * inter, 2);
    const out = swigluForward(cpu, cpu.fromArray(u, [rows, 2 * inter])).f64;
    const du = swigluBackward(cpu, cpu.fromArray(u, [rows, 2 * inter]), cpu.fromArray(g, [rows, inter])).f64;
    const sig = (x: number) => 1 / (1 + Math.exp(-x));
    for (let m = 0; m < rows; m++) for (let i = 0; i < inter; i++) {
      const x = u[m * 2 * inter + i], up = u[m * 2 * inter + inter + i], dy = g[m * inter + i];
      expect(out[m * inter + i]).toBeCloseTo(x * sig(x) * up, 14);
      expect(du[m * 2 * inter + i]).toBeCloseTo(dy * up * (sig(x) + x * sig(x) * (1 - sig(x))), 14);
      expect(du[m * 2 * inter + inter + i]).toBeCloseTo(dy * x * sig(x), 14);
    }
  });

  it('is finite and saturates correctly for huge |gate|', () => {
    const u = cpu.fromArray([-1e300, -800, 800, 1e300, 2, 2, 2, 2], [1, 8]);
    expect(Array.from(swigluForward(cpu, u).f64)).toEqual([-0, -0, 1600, 2e300]);
    expect(Array.from(swigluBackward(cpu, u, cpu.fromArray([1, 1, 1, 1], [1, 4])).f64)).toEqual([-0, -0, 2, 2, -0, -0, 800, 1e300]);
  });

  it('accepts any leading shape and rejects bad ones with clear errors', () => {
    expect(swigluForward(cpu, cpu.zeros([2, 3, 8])).shape).toEqual([2, 3, 4]);
    expect(swigluForward(cpu, cpu.zeros([6])).shape).toEqual([3]);
    expect(() => swigluForward(cpu, cpu.zeros([3, 5]))).toThrow(/even, non-zero last dimension, got \[3,5\]/);
    expect(() => swigluForward(cpu, cpu.zeros([3, 0]))).toThrow(/even, non-zero/);
    expect(() => swigluForward(cpu, cpu.zeros([3, 4], 'i32'))).toThrow(/must be f32/);
    expect(() => swigluBackward(cpu, cpu.zeros([3, 4]), cpu.zeros([3, 4]))).toThrow(/dOut.*\[3,2\].*\[3,4\]/);
  });
});

describe('swiglu gradients match finite differences (float64, < 1e-6)', () => {
  it.each([
    { name: 'moderate', shape: [3, 8], data: randn(24, 3, 3) },
    { name: 'rank 3', shape: [2, 3, 6], data: randn(36, 4, 2) },
    { name: 'large |gate|', shape: [3, 8], data: largeGate(3, 4, 5).map((v) => Math.max(-60, Math.min(60, v))) },
  ])('$name', ({ shape, data }) => {
    expect(gradCheck((t, [u]) => swiglu(t, u), [{ data, shape }])).toBeLessThan(1e-6);
  });
});

describe(`swiglu GPU matches the CPU twin (tol ${TOL})`, () => {
  const cases: { rows: number; inter: number; large: boolean }[] = [];
  for (const rows of [1, 3, 17, 33]) for (const inter of [1, 3, 17, 65]) for (const large of [false, true]) cases.push({ rows, inter, large });
  cases.push({ rows: 97, inter: 512, large: false }, { rows: 5, inter: 1536, large: true });

  it.each(cases)('M=$rows I=$inter large=$large', async ({ rows, inter, large }) => {
    const e = await gpuEngine();
    const label = `M=${rows} I=${inter}${large ? ' large gate' : ''}`;
    const [cu, gu] = both(e, large ? largeGate(rows, inter, rows + inter) : randn(rows * 2 * inter, rows * 7 + inter, 2), [rows, 2 * inter]);
    const [cg, gg] = both(e, randn(rows * inter, rows + 3 * inter), [rows, inter]);
    const outG = swigluForward(e, gu), duG = swigluBackward(e, gu, gg);
    await parity('swiglu.forward', label, outG, swigluForward(cpu, cu), TOL);
    await parity('swiglu.backward', label, duG, swigluBackward(cpu, cu, cg), TOL);
    for (const t of [gu, gg, outG, duG]) e.release(t);
  });

  it('through the tape on the GPU: one dispatch each way, gradient equals the CPU', async () => {
    const e = await gpuEngine();
    const [cu, gu] = both(e, randn(2 * 17 * 34, 9, 3), [2, 17, 34]);
    const [cw, gw] = both(e, randn(2 * 17 * 17, 10), [2, 17, 17]);
    const grads = [cu, gu].map((u, k) => {
      const tape = new Tape(u.engine);
      tape.watch(u);
      const d0 = u.engine.stats().dispatches;
      const out = swiglu(tape, u);
      const d1 = u.engine.stats().dispatches;
      const g = tape.backward(out, [cw, gw][k]).get(u)!;
      if (u.engine === e) expect([d1 - d0, e.stats().dispatches - d1]).toEqual([1, 1]);
      return g;
    });
    await parity('swiglu.backward', 'tape [2,17,34]', grads[1], grads[0], TOL);
  });

  it('grids folded into y (a small per-dimension limit forced) index every element once', async () => {
    const e = await gpuEngine();
    const limit = e as unknown as { maxWorkgroupsPerDim: number };
    const saved = limit.maxWorkgroupsPerDim;
    limit.maxWorkgroupsPerDim = 5;
    try {
      const [cu, gu] = both(e, randn(33 * 130, 12), [33, 130]);
      const [cg, gg] = both(e, randn(33 * 65, 13), [33, 65]);
      expect(e.grid(33 * 65, 256)).toEqual([5, 2]);
      await parity('swiglu.forward', 'folded grid M=33 I=65', swigluForward(e, gu), swigluForward(cpu, cu), TOL);
      await parity('swiglu.backward', 'folded grid M=33 I=65', swigluBackward(e, gu, gg), swigluBackward(cpu, cu, cg), TOL);
    } finally {
      limit.maxWorkgroupsPerDim = saved;
    }
  });
});
