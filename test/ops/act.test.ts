import { describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/engine';
import { actContinueTarget, actHalt, actRefill, createCarry, drawMinHalt, type ActCarry } from '../../src/ops/act';
import { mulberry32 } from '../../src/nn/init';
import { both, cpu, gpuEngine, parity, randn } from '../helpers/engines';

const B = 5, L = 3, S = 4, D = 3;

function setup(e: Engine, halted: number[]): { c: ActCarry; batch: { inputs: ReturnType<Engine['empty']>; labels: ReturnType<Engine['empty']>; puzzleIds: ReturnType<Engine['empty']> } } {
  const c = createCarry(e, B, L, S, D);
  e.release(c.halted);
  c.halted = e.fromArray(halted, [B], 'u32');
  e.release(c.inputs);
  c.inputs = e.fromArray(Array.from({ length: B * L }, (_, i) => 100 + i), [B, L], 'i32');
  e.release(c.steps);
  c.steps = e.fromArray([3, 1, 4, 1, 5], [B], 'u32');
  e.release(c.y);
  c.y = e.fromArray(Float32Array.from(randn(B * S * D, 3)), [B, S, D]);
  const batch = {
    inputs: e.fromArray(Array.from({ length: B * L }, (_, i) => i), [B, L], 'i32'),
    labels: e.fromArray(Array.from({ length: B * L }, (_, i) => -i), [B, L], 'i32'),
    puzzleIds: e.fromArray([7, 8, 9, 10, 11], [B], 'i32'),
  };
  return { c, batch };
}

describe('ACT carry', () => {
  it('refills only halted slots: their data, step count and initial y, z', async () => {
    const { c, batch } = setup(cpu, [1, 0, 0, 1, 0]);
    const yInit = cpu.fromArray([0.5, -1, 2], [D]);
    const zInit = cpu.fromArray([9, 8, 7], [D]);
    const yBefore = c.y.f64.slice();
    actRefill(cpu, c, batch, yInit, zInit);
    expect(Array.from(c.inputs.cpu)).toEqual([0, 1, 2, 103, 104, 105, 106, 107, 108, 9, 10, 11, 112, 113, 114]);
    expect(Array.from(c.puzzleIds.cpu)).toEqual([7, 0, 0, 10, 0]);
    expect(Array.from(c.steps.cpu)).toEqual([0, 1, 4, 0, 5]);
    expect(Array.from(c.y.f64.subarray(0, 6))).toEqual([0.5, -1, 2, 0.5, -1, 2]);
    expect(Array.from(c.z.f64.subarray(3 * S * D, 3 * S * D + 3))).toEqual([9, 8, 7]);
    expect(Array.from(c.y.f64.subarray(S * D, 2 * S * D))).toEqual(Array.from(yBefore.subarray(S * D, 2 * S * D)));
  });

  it('halts at N_sup, on q_halt > 0 in training only, never before the exploration minimum', () => {
    const c = createCarry(cpu, 4, 1, 1, 1);
    c.steps.cpu.set([0, 2, 7, 1]);
    const q = cpu.fromArray([1.5, -0.1, -3, 2], [4]);
    actHalt(cpu, c, q, cpu.fromArray([0, 0, 0, 5], [4], 'u32'), 8, true);
    expect(Array.from(c.steps.cpu)).toEqual([1, 3, 8, 2]);
    expect(Array.from(c.halted.cpu)).toEqual([1, 0, 1, 0]);
    c.steps.cpu.set([0, 2, 7, 1]);
    actHalt(cpu, c, q, cpu.fromArray([0, 0, 0, 0], [4], 'u32'), 8, false);
    expect(Array.from(c.halted.cpu)).toEqual([0, 0, 1, 0]);
  });

  it('exploration draws 0 or U{2..N_sup} with the given probability', () => {
    const m = drawMinHalt(20000, 16, 0.1, mulberry32(1));
    const explored = m.filter((v) => v > 0);
    expect(Math.abs(explored.length / m.length - 0.1)).toBeLessThan(0.01);
    expect(Math.min(...explored)).toBe(2);
    expect(Math.max(...explored)).toBe(16);
  });

  it('GPU kernels equal the CPU twin (exact)', async () => {
    const e = await gpuEngine();
    const halted = [1, 0, 1, 1, 0];
    const [gc, cc] = [setup(e, halted), setup(cpu, halted)];
    const inits = [[0.5, -1, 2], [9, 8, 7]];
    actRefill(e, gc.c, gc.batch, e.fromArray(inits[0], [D]), e.fromArray(inits[1], [D]));
    actRefill(cpu, cc.c, cc.batch, cpu.fromArray(inits[0], [D]), cpu.fromArray(inits[1], [D]));
    for (const k of ['inputs', 'labels', 'puzzleIds', 'steps'] as const) await parity('act.refill_data', k, gc.c[k], cc.c[k], 0);
    for (const k of ['y', 'z'] as const) await parity('act.reset_state', k, gc.c[k], cc.c[k], 0);
    const q = [0.3, -2, 5, -0.1, 1];
    const mins = [0, 3, 0, 0, 2];
    actHalt(e, gc.c, e.fromArray(q, [B]), e.fromArray(mins, [B], 'u32'), 4, true);
    actHalt(cpu, cc.c, cpu.fromArray(q, [B]), cpu.fromArray(mins, [B], 'u32'), 4, true);
    await parity('act.halt', 'training', gc.c.halted, cc.c.halted, 0);
    await parity('act.halt', 'steps', gc.c.steps, cc.c.steps, 0);
    expect(Array.from(await e.read(gc.c.halted))).toEqual([1, 0, 1, 0, 1]);
  });

  it('with q_continue (no_ACT_continue false) a slot halts when q_halt > q_continue, in training only', () => {
    const c = createCarry(cpu, 4, 1, 1, 1);
    c.steps.cpu.set([0, 0, 0, 7]);
    const q = cpu.fromArray([1.5, -1, 0.5, -3], [4]);
    const qc = cpu.fromArray([2, -2, 0.5, 9], [4]);
    actHalt(cpu, c, q, cpu.fromArray([0, 0, 0, 0], [4], 'u32'), 8, true, qc);
    expect(Array.from(c.halted.cpu)).toEqual([0, 1, 0, 1]);
  });

  it("the continue target is σ(q_halt') at a slot's last step, else σ(max(q_halt', q_continue'))", () => {
    const steps = cpu.fromArray([0, 2, 3, 1], [4], 'u32');
    const t = actContinueTarget(cpu, steps, cpu.fromArray([0.5, -1, 2, -4], [4]), cpu.fromArray([-3, 1, 7, -5], [4]), 4);
    const sig = (x: number) => 1 / (1 + Math.exp(-x));
    expect(Array.from(t.f64)).toEqual([sig(0.5), sig(1), sig(2), sig(-4)]);
  });

  it('halt with q_continue and continue_target on the GPU equal the CPU twin', async () => {
    const e = await gpuEngine();
    const n = 70, nSup = 4;
    const steps = Array.from({ length: n }, (_, i) => i % nSup);
    const qh = randn(n, 41, 3), qc = randn(n, 42, 3);
    const [cq, gq] = both(e, qh, [n]);
    const [cc, gcq] = both(e, qc, [n]);
    const [cs, gs] = both(e, steps, [n], 'u32');
    await parity('act.continue_target', `n=${n}`, actContinueTarget(e, gs, gq, gcq, nSup), actContinueTarget(cpu, cs, cq, cc, nSup), 1e-6);
    const [gc, cCarry] = [createCarry(e, n, 1, 1, 1), createCarry(cpu, n, 1, 1, 1)];
    e.write(gc.steps, steps);
    cCarry.steps.cpu.set(steps);
    const mins = new Array(n).fill(0).map((_, i) => (i % 5 === 0 ? 3 : 0));
    actHalt(e, gc, gq, e.fromArray(mins, [n], 'u32'), nSup, true, gcq);
    actHalt(cpu, cCarry, cq, cpu.fromArray(mins, [n], 'u32'), nSup, true, cc);
    await parity('act.halt', 'against q_continue', gc.halted, cCarry.halted, 0);
  });
});
