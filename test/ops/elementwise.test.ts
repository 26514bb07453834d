import { describe, expect, it } from 'vitest';
import { Tape } from '../../src/autograd/tape';
import { add, addForward, addInto, column, columnBackward, columnForward, fill, scale, scaleForward } from '../../src/ops/elementwise';
import { both, cpu, gpuEngine, parity, randn } from '../helpers/engines';
import { gradCheck } from '../helpers/gradcheck';

const SIZES = [1, 3, 17, 65, 1000, 70_001];

describe('elementwise', () => {
  it('gradients match finite differences (float64)', () => {
    const a = randn(17, 1), b = randn(17, 2);
    expect(gradCheck((t, [x, y]) => scale(t, add(t, x, add(t, x, y)), -1.5), [{ data: a, shape: [17] }, { data: b, shape: [17] }])).toBeLessThan(1e-7);
  });

  it.each(SIZES)('GPU matches CPU twin at n=%i (tol 1e-6)', async (n) => {
    const e = await gpuEngine();
    const [ca, ga] = both(e, randn(n, n), [n]);
    const [cb, gb] = both(e, randn(n, n + 1), [n]);
    await parity('elementwise.add', `n=${n}`, addForward(e, ga, gb), addForward(ca.engine, ca, cb), 1e-6);
    await parity('elementwise.scale', `n=${n}`, scaleForward(e, ga, 0.37), scaleForward(ca.engine, ca, 0.37), 1e-6);
    addInto(e, ga, gb, -2);
    addInto(ca.engine, ca, cb, -2);
    await parity('elementwise.axpy', `n=${n}`, ga, ca, 1e-6);
    fill(e, gb, 2.5);
    fill(cb.engine, cb, 2.5);
    await parity('elementwise.fill', `n=${n}`, gb, cb, 0);
  });

  it('backward through the tape on the GPU equals the CPU', async () => {
    const e = await gpuEngine();
    const [ca, ga] = both(e, randn(33, 5), [33]);
    const [cb, gb] = both(e, randn(33, 6), [33]);
    const grads = await Promise.all([ca, ga].map(async (x, i) => {
      const y = [cb, gb][i];
      const tape = new Tape(x.engine);
      tape.watch(x);
      tape.watch(y);
      const out = scale(tape, add(tape, x, add(tape, x, y)), 3);
      const g = tape.backward(out);
      return [await x.engine.read(g.get(x)!), await x.engine.read(g.get(y)!)];
    }));
    expect(Array.from(grads[1][0])).toEqual(Array.from(grads[0][0]));
    expect(Array.from(grads[1][1])).toEqual(Array.from(grads[0][1]));
    expect(grads[0][0][0]).toBe(6);
    expect(grads[0][1][0]).toBe(3);
  });

  it('column picks one column of [R, C]; its gradient lands in that column only (float64)', () => {
    const x = cpu.fromArray([1, 2, 3, 4, 5, 6], [3, 2]);
    expect(Array.from(columnForward(cpu, x, 1).f64)).toEqual([2, 4, 6]);
    expect(Array.from(columnBackward(cpu, cpu.fromArray([7, 8, 9], [3, 1]), 2, 0).f64)).toEqual([7, 0, 8, 0, 9, 0]);
    expect(gradCheck((t, [a]) => add(t, column(t, a, 0), scale(t, column(t, a, 2), 2)), [{ data: randn(12, 3), shape: [4, 3] }])).toBeLessThan(1e-7);
    expect(() => columnForward(cpu, x, 2)).toThrow('no column 2');
  });

  it.each([[1, 2], [17, 2], [65, 3], [1000, 5]])('column and column_grad on the GPU equal the CPU twin exactly (R=%i, C=%i)', async (R, C) => {
    const e = await gpuEngine();
    const [cx, gx] = both(e, randn(R * C, R + C), [R, C]);
    const [cg, gg] = both(e, randn(R, R), [R, 1]);
    for (let col = 0; col < C; col++) {
      await parity('elementwise.column', `R=${R} C=${C} col=${col}`, columnForward(e, gx, col), columnForward(cpu, cx, col), 0);
      await parity('elementwise.column_grad', `R=${R} C=${C} col=${col}`, columnBackward(e, gg, C, col), columnBackward(cpu, cg, C, col), 0);
    }
  });
});
