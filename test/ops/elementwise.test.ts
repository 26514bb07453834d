import { describe, expect, it } from 'vitest';
import { Tape } from '../../src/autograd/tape';
import { add, addForward, addInto, fill, scale, scaleForward } from '../../src/ops/elementwise';
import { both, gpuEngine, parity, randn } from '../helpers/engines';
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
});
