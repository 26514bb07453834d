import { describe, expect, it } from 'vitest';
import { Tape } from '../../src/autograd/tape';
import type { Tensor } from '../../src/engine/tensor';
import { add, scale } from '../../src/ops/elementwise';
import { cpu } from '../helpers/engines';

describe('tape', () => {
  it('records nothing inside noGrad, and results there need no gradient', () => {
    const tape = new Tape(cpu);
    const x = tape.watch(cpu.fromArray([1, 2], [2]));
    const y = tape.noGrad(() => scale(tape, add(tape, x, x), 3));
    expect(tape.length).toBe(0);
    expect(y.requiresGrad).toBe(false);
    const z = scale(tape, x, 2);
    expect(tape.length).toBe(1);
    expect(z.requiresGrad).toBe(true);
  });

  it('detach cuts the graph: gradient flows only through the attached path', () => {
    const tape = new Tape(cpu);
    const x = tape.watch(cpu.fromArray([1, 2], [2]));
    const h = scale(tape, x, 5);
    const out = add(tape, tape.detach(h), scale(tape, x, 2));
    const g = tape.backward(out);
    expect(Array.from(g.get(x)!.f64)).toEqual([2, 2]);
    expect(tape.length).toBe(0);
  });

  it('accumulates gradients of a tensor used twice and across backward calls with `into`', () => {
    const tape = new Tape(cpu);
    const x = tape.watch(cpu.fromArray([1, 2], [2]));
    const acc = cpu.zeros([2]);
    for (let step = 0; step < 3; step++) {
      const out = add(tape, scale(tape, x, 2), x);
      tape.backward(out, cpu.fromArray([1, 10], [2]), new Map([[x, acc]]));
    }
    expect(Array.from(acc.f64)).toEqual([9, 90]);
  });

  it('an op may add its gradient into the tensor offered for an input (once per use, also for an input used twice)', () => {
    const tape = new Tape(cpu);
    const x = tape.watch(cpu.fromArray([1, 2], [2]));
    const acc = cpu.fromArray([100, 200], [2]);
    // out = 3·x + 3·x, as one node whose backward accumulates wherever it is offered a tensor.
    const twice = (a: Tensor) => {
      const out = cpu.fromArray([6 * a.f64[0], 6 * a.f64[1]], [2]);
      tape.record([a, a], [out], ([g], accs) => accs.map((into) => {
        const r = into ?? cpu.zeros([2]);
        for (let i = 0; i < 2; i++) r.f64[i] += 3 * g!.f64[i];
        return r;
      }));
      return out;
    };
    const out = add(tape, twice(x), x);
    const g = tape.backward(out, cpu.fromArray([1, 10], [2]), new Map([[x, acc]]));
    expect(g.get(x)).toBe(acc);
    expect(Array.from(acc.f64)).toEqual([107, 270]);
  });

  it('refuses to backpropagate from a value that depends on nothing watched', () => {
    const tape = new Tape(cpu);
    expect(() => tape.backward(cpu.fromArray([1], [1]))).toThrow(/does not depend/);
  });
});

describe('tape.reshape', () => {
  it('passes gradients through a view and keeps the storage alive while the view is in use', () => {
    const tape = new Tape(cpu);
    const x = tape.watch(cpu.fromArray([1, 2, 3, 4], [2, 2]));
    const flat = tape.reshape(scale(tape, x, 3), [4]);
    const out = add(tape, flat, flat);
    const g = tape.backward(out, cpu.fromArray([1, 2, 3, 4], [4]));
    expect(g.get(x)!.shape).toEqual([2, 2]);
    expect(Array.from(g.get(x)!.f64)).toEqual([6, 12, 18, 24]);
  });
});
