import { describe, expect, it } from 'vitest';
import { Tape } from '../../src/autograd/tape';
import { gradNorm, mean, partialGroups, reduceFinal, reducePartials, sum, sumBackward, sumForward } from '../../src/ops/reduce';
import { both, cpu, gpuEngine, parity, randn } from '../helpers/engines';
import { gradCheck } from '../helpers/gradcheck';

const SIZES = [1, 3, 17, 65, 1000, 4097, 70_001];
// 70001: 18 pass-1 workgroups, ~16 elements per thread; 10⁷: the 1024-workgroup cap, 38 or 39 per thread.
const LARGE = [70_001, 10_000_000];

/** Values with mean 0.5 so a sum is not a cancellation and its relative error means something. */
function data(n: number, seed: number): Float64Array {
  return randn(n, seed).map((v) => v + 0.5);
}

// Tolerances (normwise relative, f32 on the GPU against float64, positive terms): each element passes through
// at most (serial adds per thread + 8 workgroup-tree levels + log2(G) pass-2 levels) roundings of 2⁻²⁴ ≈ 6e-8:
// 16 + 8 + 5 → 1.7e-6 up to 70001 elements, 39 + 8 + 10 → 3.4e-6 at 10⁷ (worst case; typical errors are ~1e-7).
const TOL_SUM = 2e-6;
const TOL_SUM_1E7 = 4e-6;

describe('reduce', () => {
  it('sum and mean gradients match finite differences (float64)', () => {
    for (const n of [1, 17, 5000]) {
      const x = randn(n, n);
      expect(gradCheck((t, [a]) => sum(t, a), [{ data: x, shape: [n] }])).toBeLessThan(1e-6);
      expect(gradCheck((t, [a]) => mean(t, a), [{ data: x, shape: [n] }])).toBeLessThan(1e-6);
    }
  });

  it('the pass-1 grid matches its documented partition', () => {
    expect(partialGroups(0)).toBe(1);
    expect(partialGroups(1)).toBe(1);
    expect(partialGroups(4096)).toBe(1);
    expect(partialGroups(4097)).toBe(2);
    expect(partialGroups(10_000_000)).toBe(1024);
    const x = cpu.fromArray([1, 2, 3, 4, 5], [5]);
    expect(Array.from(reducePartials(cpu, x, 'sum').f64)).toEqual([15]);
    expect(Array.from(reduceFinal(cpu, reducePartials(cpu, x, 'sumsq'), 'sumsq').f64)).toEqual([Math.sqrt(55), 0]);
  });

  it.each(SIZES)(`sum / mean / backward: GPU matches CPU at n=%i (tol ${TOL_SUM})`, async (n) => {
    const e = await gpuEngine();
    const [cx, gx] = both(e, data(n, n), [n]);
    // n ≤ 4096 is one dispatch of sum_final over x itself; above that, sum_partial then sum_final.
    const kernel = n <= 4096 ? 'reduce.sum_final' : 'reduce.sum_partial';
    await parity(kernel, `sum n=${n}`, sumForward(e, gx), sumForward(cpu, cx), TOL_SUM);
    await parity(kernel, `mean n=${n}`, sumForward(e, gx, 1 / n), sumForward(cpu, cx, 1 / n), TOL_SUM);
    const [cg, gg] = both(e, [-1.7], [1]);
    await parity('reduce.sum_backward', `n=${n}`, sumBackward(e, gg, gx, 1 / n), sumBackward(cpu, cg, cx, 1 / n), 2e-7);
  });

  it.each(LARGE)('pass 1 alone and pass 2 alone match the CPU at n=%i', async (n) => {
    const e = await gpuEngine();
    const x = data(n, 7);
    const [cx, gx] = both(e, x, [n]);
    const tol = n > 1e6 ? TOL_SUM_1E7 : TOL_SUM;
    const cp = reducePartials(cpu, cx, 'sum');
    await parity('reduce.sum_partial', `partials n=${n}`, reducePartials(e, gx, 'sum'), cp, tol);
    const [cp2, gp2] = both(e, cp.f64, cp.shape);
    await parity('reduce.sum_final', `from partials n=${n}`, reduceFinal(e, gp2, 'sum', 0.25), reduceFinal(cpu, cp2, 'sum', 0.25), TOL_SUM);
    // The compositions (each pass-1 grid on SwiftShader costs seconds at the 1024-workgroup cap: once is enough).
    if (n < 1e6) await parity('reduce.sum_partial', `sum n=${n}`, sumForward(e, gx), sumForward(cpu, cx), tol);

    const sq = reducePartials(cpu, cx, 'sumsq');
    await parity('reduce.sumsq_partial', `partials n=${n}`, reducePartials(e, gx, 'sumsq'), sq, tol);
    const [csq, gsq] = both(e, sq.f64, sq.shape);
    await parity('reduce.sumsq_final', `from partials n=${n}`, reduceFinal(e, gsq, 'sumsq'), reduceFinal(cpu, csq, 'sumsq'), TOL_SUM);
    if (n < 1e6) await parity('reduce.sumsq_partial', `norm n=${n}`, gradNorm(e, gx), gradNorm(cpu, cx), tol);
    for (const t of [gx, cx]) t.engine.release(t);
  });

  it.each(SIZES)(`grad norm: GPU matches CPU at n=%i (tol ${TOL_SUM})`, async (n) => {
    const e = await gpuEngine();
    const [cx, gx] = both(e, randn(n, 3 * n), [n]);
    const g = gradNorm(e, gx), c = gradNorm(cpu, cx);
    await parity('reduce.sumsq_final', `norm n=${n}`, g, c, TOL_SUM);
    await parity('reduce.sumsq_partial', `norm n=${n}`, g, c, TOL_SUM);
    expect((await e.read(g))[1]).toBe(0);
  });

  it.each([1, 17, 70_001])('grad norm with a NaN and an Inf injected (n=%i): flag counts them, norm is over the rest', async (n) => {
    const e = await gpuEngine();
    const x = randn(n + 2, 11);
    x[0] = NaN;
    x[n + 1] = -Infinity;
    const [cx, gx] = both(e, x, [n + 2]);
    const g = gradNorm(e, gx), c = gradNorm(cpu, cx);
    await parity('reduce.sumsq_partial', `NaN+Inf n=${n + 2}`, g, c, TOL_SUM);
    const [norm, bad] = await e.read(g);
    expect(bad).toBe(2);
    let ref = 0;
    for (let i = 1; i <= n; i++) ref += Math.fround(x[i]) ** 2;
    expect(Math.abs(norm - Math.sqrt(ref)) / Math.sqrt(ref)).toBeLessThan(TOL_SUM);
    // 1e39 rounds to Inf in f32 and is counted; 3e38 is finite (its square overflows the norm, not the count).
    const [, gy] = both(e, [1, 3e38, 1e39], [3]);
    expect(Array.from(await e.read(gradNorm(e, gy)))[1]).toBe(1);
  });

  it('mean backward through the tape on the GPU equals the CPU', async () => {
    const e = await gpuEngine();
    const n = 4099;
    const [cx, gx] = both(e, randn(n, 5), [n]);
    const grads = await Promise.all([cx, gx].map(async (x) => {
      const tape = new Tape(x.engine);
      tape.watch(x);
      const g = tape.backward(mean(tape, x)).get(x)!;
      return x.engine.read(g);
    }));
    expect(Array.from(grads[1])).toEqual(Array.from(grads[0]).map((v) => Math.fround(v)));
    expect(grads[0][0]).toBe(1 / n);
  });
});
