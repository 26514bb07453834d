import { describe, expect, it } from 'vitest';
import { Tape } from '../../src/autograd/tape';
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
