import { describe, expect, it } from 'vitest';
import { ParamArena } from '../../src/nn/arena';
import { mulberry32, truncNormal } from '../../src/nn/init';
import { cpu, gpuEngine } from '../helpers/engines';

describe('truncated normal init', () => {
  it('has the requested std and never exceeds 2σ′ (σ′ = 1.1368·std)', () => {
    const x = truncNormal(200_000, 0.05, mulberry32(1));
    const mean = x.reduce((a, b) => a + b, 0) / x.length;
    const std = Math.sqrt(x.reduce((a, b) => a + (b - mean) ** 2, 0) / x.length);
    expect(Math.abs(mean)).toBeLessThan(0.001);
    expect(Math.abs(std / 0.05 - 1)).toBeLessThan(0.01);
    expect(x.reduce((m, v) => Math.max(m, Math.abs(v)), 0)).toBeLessThanOrEqual(2 * 0.05 * 1.13684 + 1e-12);
  });

  it('is reproducible from the seed', () => {
    expect(truncNormal(5, 1, mulberry32(3))).toEqual(truncNormal(5, 1, mulberry32(3)));
  });
});

describe('parameter arena', () => {
  it('lays tensors out 64-element aligned in one buffer, on the CPU and the GPU', async () => {
    for (const e of [cpu, await gpuEngine()]) {
      const arena = new ParamArena(e, [
        { name: 'a', shape: [3], init: [1, 2, 3] },
        { name: 'b', shape: [2, 65], init: new Array(130).fill(7), decay: false },
        { name: 'c', shape: [1], init: [9] },
      ]);
      expect(arena.slots.map((s) => s.offset)).toEqual([0, 64, 256]);
      expect(arena.total).toBe(320);
      expect(Array.from(await e.read(arena.param('c')))).toEqual([9]);
      expect(Array.from(await e.read(arena.param('a')))).toEqual([1, 2, 3]);
      const mask = arena.decayMask();
      expect([mask[0], mask[2], mask[64], mask[193], mask[256]]).toEqual([1, 1, 0, 0, 1]);
      expect(() => arena.param('zz')).toThrow(/no parameter named zz/);
      arena.release();
    }
  });
});
