import { describe, expect, it } from 'vitest';
import { extents, latestValue, linePath, nearest, niceTicks, tickStep, valueOf, xTicks, yRange, yTicks, type Pt } from '../../src/ui/train/chart-scale';

const pts = (...rows: [number, number | null | undefined][]): Pt[] => rows.map(([step, v]) => (v === undefined ? { step } : { step, v }));

describe('chart ticks', () => {
  it('tick spacing is 1, 2 or 5 × 10^k, the nearest round value to an even split', () => {
    expect(tickStep(0, 1, 4)).toBe(0.2); // 0.25 → 0.2
    expect(tickStep(0, 100, 4)).toBe(20); // 25 → 20
    expect(tickStep(0, 14, 4)).toBe(5); // 3.5 → 5 (3.5 ≥ √10)
    expect(tickStep(0, 12, 4)).toBe(2); // 3 → 2 (3 < √10)
    expect(tickStep(0, 36, 4)).toBe(10); // 9 → 10 (9 ≥ √50)
    expect(tickStep(0, 4, 4)).toBe(1);
    expect(tickStep(0, 0.004, 4)).toBeCloseTo(0.001, 15);
  });

  it('round ticks inside the range, free of floating-point dust', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0.13, 0.91)).toEqual([0.2, 0.4, 0.6, 0.8]);
    expect(niceTicks(-3, 0)).toEqual([-3, -2, -1, 0]);
    expect(niceTicks(1, 1000, 4)).toEqual([200, 400, 600, 800, 1000]);
    expect(niceTicks(0.1, 0.3, 4)).toEqual([0.1, 0.15, 0.2, 0.25, 0.3]);
  });

  it('an empty or inverted range has its one value as the only tick', () => {
    expect(niceTicks(5, 5)).toEqual([5]);
    expect(niceTicks(5, 3)).toEqual([5]);
  });

  it('y ticks on a log scale are whole decades, as values', () => {
    expect(yTicks(-4, 0, true)).toEqual([1e-4, 1e-3, 1e-2, 1e-1, 1]);
    // Two decades: the half-decade ticks are dropped.
    expect(yTicks(-1, 1, true)).toEqual([0.1, 1, 10]);
    expect(yTicks(0, 1, false)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
  });

  it('x ticks are whole steps, about one per 70 px', () => {
    expect(xTicks(0, 1000, 280)).toEqual([0, 200, 400, 600, 800, 1000]); // 4 ticks wanted: 250 → 200
    expect(xTicks(0, 1000, 700)).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
    expect(xTicks(1, 3, 700)).toEqual([1, 2, 3]); // never fractional steps
    expect(xTicks(0, 10, 10)).toEqual([0, 5, 10]); // at least 2 ticks wanted, however narrow
  });
});

describe('chart scale', () => {
  it('values: finite numbers only, and positive ones on a log scale', () => {
    expect(valueOf({ step: 1, v: 0.5 }, 'v', true)).toBe(0.5);
    expect(valueOf({ step: 1, v: 0 }, 'v', false)).toBe(0);
    expect(valueOf({ step: 1, v: 0 }, 'v', true)).toBeNull();
    expect(valueOf({ step: 1, v: -1 }, 'v', true)).toBeNull();
    expect(valueOf({ step: 1, v: NaN }, 'v', false)).toBeNull();
    expect(valueOf({ step: 1, v: Infinity }, 'v', false)).toBeNull();
    expect(valueOf({ step: 1, v: '3' }, 'v', false)).toBeNull();
    expect(valueOf({ step: 1 }, 'v', false)).toBeNull();
  });

  it('the latest value skips missing and non-finite points', () => {
    expect(latestValue(pts([1, 3], [2, 4], [3, undefined], [4, NaN]), 'v')).toBe(4);
    expect(latestValue(pts([1, undefined]), 'v')).toBeNull();
    expect(latestValue([], 'v')).toBeNull();
  });

  it('extents span the drawable points of all series; a single step is widened; none gives null', () => {
    const a = pts([10, 2], [20, 5], [30, undefined]);
    const b = pts([5, 0], [25, 8]);
    expect(extents([{ key: 'v', pts: a }, { key: 'v', pts: b }], false)).toEqual({ x0: 5, x1: 25, y0: 0, y1: 8 });
    // On a log scale the 0 at step 5 cannot be drawn.
    expect(extents([{ key: 'v', pts: a }, { key: 'v', pts: b }], true)).toEqual({ x0: 10, x1: 25, y0: 2, y1: 8 });
    expect(extents([{ key: 'v', pts: pts([7, 1]) }], false)).toEqual({ x0: 6, x1: 8, y0: 1, y1: 1 });
    expect(extents([{ key: 'v', pts: pts([7, undefined]) }], false)).toBeNull();
    expect(extents([], false)).toBeNull();
  });

  it('the y range reaches out to round ticks around the data', () => {
    expect(yRange(0.13, 0.91)).toEqual([0, 1]);
    expect(yRange(12, 87)).toEqual([0, 100]);
    expect(yRange(-0.3, 0.7)).toEqual([-0.4, 0.8]);
  });

  it('a flat series gets a range around it: 10% each way, or ±1 around 0', () => {
    const [lo, hi] = yRange(5, 5);
    expect(lo).toBeLessThanOrEqual(4.5);
    expect(hi).toBeGreaterThanOrEqual(5.5);
    expect(hi - lo).toBeLessThan(2);
    expect(yRange(0, 0)).toEqual([-1, 1]);
  });

  it('a log scale covers whole decades of log10(value); a fixed domain is used as given', () => {
    expect(yRange(0.003, 2, { log: true })).toEqual([-3, 1]);
    expect(yRange(0.01, 0.01, { log: true })[0]).toBe(-3); // flat at 10^-2: widened, then floored
    expect(yRange(0.2, 0.3, { domain: [0, 1] })).toEqual([0, 1]);
    expect(yRange(0.2, 0.3, { domain: [1e-3, 10], log: true })).toEqual([-3, 1]);
  });

  it('line paths break at missing points unless connected, and map every drawn point', () => {
    const sx = (s: number) => s * 10, sy = (v: number) => 100 - v;
    const data = pts([1, 5], [2, 6], [3, null], [4, 8], [5, 9]);
    const gap = linePath(data, 'v', sx, sy);
    expect(gap.d).toBe('M10.0 95.0L20.0 94.0M40.0 92.0L50.0 91.0');
    expect(gap.points).toEqual([[10, 95], [20, 94], [40, 92], [50, 91]]);
    expect(linePath(data, 'v', sx, sy, { connect: true }).d).toBe('M10.0 95.0L20.0 94.0L40.0 92.0L50.0 91.0');
    // On a log scale a non-positive value is a missing point.
    expect(linePath(pts([1, 1], [2, 0], [3, 2]), 'v', sx, sy, { log: true }).d).toBe('M10.0 99.0M30.0 98.0');
    expect(linePath([], 'v', sx, sy)).toEqual({ d: '', points: [] });
  });

  it('hover finds the nearest point by step; ties go to the later one', () => {
    const data = pts([0, 1], [10, 2], [20, 3], [40, 4]);
    expect(nearest(data, -5)?.step).toBe(0);
    expect(nearest(data, 4)?.step).toBe(0);
    expect(nearest(data, 6)?.step).toBe(10);
    expect(nearest(data, 5)?.step).toBe(10);
    expect(nearest(data, 29)?.step).toBe(20);
    expect(nearest(data, 31)?.step).toBe(40);
    expect(nearest(data, 99)?.step).toBe(40);
    expect(nearest([], 3)).toBeUndefined();
  });
});
