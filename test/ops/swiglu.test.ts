import { describe, expect, it } from 'vitest';
import { swigluForward, swigluGrad } from '../../src/ops/swiglu';
import { both, cpu, gpuEngine, parity, randn } from '../helpers/engines';

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
    const sig = (x: number) => 1 / (1 + Math.exp(-x));
    for (let m = 0; m < rows; m++) for (let i = 0; i < inter; i++) {
      const x = u[m * 2 * inter + i], up = u[m * 2 * inter + inter + i], dy = g[m * inter + i];
      expect(out[m * inter + i]).toBeCloseTo(x * sig(x) * up, 14);
      const [dGate, dUp] = swigluGrad(x, up, dy);
      expect(dGate).toBeCloseTo(dy * up * (sig(x) + x * sig(x) * (1 - sig(x))), 14);
      expect(dUp).toBeCloseTo(dy * x * sig(x), 14);
    }
  });

  it('is finite and saturates correctly for huge |gate|', () => {
    const u = cpu.fromArray([-1e300, -800, 800, 1e300, 2, 2, 2, 2], [1, 8]);
    expect(Array.from(swigluForward(cpu, u).f64)).toEqual([-0, -0, 1600, 2e300]);
    expect([-1e300, -800, 800, 1e300].map((x) => swigluGrad(x, 2, 1))).toEqual([[-0, -0], [-0, -0], [2, 800], [2, 1e300]]);
  });

  it('accepts any leading shape and rejects bad ones with clear errors', () => {
    expect(swigluForward(cpu, cpu.zeros([2, 3, 8])).shape).toEqual([2, 3, 4]);
    expect(swigluForward(cpu, cpu.zeros([6])).shape).toEqual([3]);
    expect(() => swigluForward(cpu, cpu.zeros([3, 5]))).toThrow(/even, non-zero last dimension, got \[3,5\]/);
    expect(() => swigluForward(cpu, cpu.zeros([3, 0]))).toThrow(/even, non-zero/);
    expect(() => swigluForward(cpu, cpu.zeros([3, 4], 'i32'))).toThrow(/must be f32/);
  });
});

describe('swiglu gradient twin matches finite differences (float64, < 1e-6)', () => {
  it.each([
    { name: 'moderate', data: randn(24, 3, 3) },
    { name: 'large |gate|', data: largeGate(3, 4, 5).map((v) => Math.max(-60, Math.min(60, v))) },
  ])('$name', ({ data }) => {
    const f = (x: number, up: number) => swigluForward(cpu, cpu.fromArray([x, up], [1, 2])).f64[0];
    const h = 1e-6;
    for (let k = 0; k < data.length; k += 2) {
      const [x, up] = [data[k], data[k + 1]];
      const [dGate, dUp] = swigluGrad(x, up, 1);
      const fdGate = (f(x + h, up) - f(x - h, up)) / (2 * h), fdUp = (f(x, up + h) - f(x, up - h)) / (2 * h);
      expect(Math.abs(dGate - fdGate) / Math.max(1, Math.abs(fdGate))).toBeLessThan(1e-6);
      expect(Math.abs(dUp - fdUp) / Math.max(1, Math.abs(fdUp))).toBeLessThan(1e-6);
    }
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
    const outG = swigluForward(e, gu);
    await parity('swiglu.forward', label, outG, swigluForward(cpu, cu), TOL);
    for (const t of [gu, outG]) e.release(t);
  });

  it('grids folded into y (a small per-dimension limit forced) index every element once', async () => {
    const e = await gpuEngine();
    const limit = e as unknown as { maxWorkgroupsPerDim: number };
    const saved = limit.maxWorkgroupsPerDim;
    limit.maxWorkgroupsPerDim = 5;
    try {
      const [cu, gu] = both(e, randn(33 * 130, 12), [33, 130]);
      expect(e.grid(33 * 65, 256)).toEqual([5, 2]);
      await parity('swiglu.forward', 'folded grid M=33 I=65', swigluForward(e, gu), swigluForward(cpu, cu), TOL);
    } finally {
      limit.maxWorkgroupsPerDim = saved;
    }
  });
});
