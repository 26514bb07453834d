/** The pure geometry of MiniChart: value extraction, extents, the y range, round ticks, line paths, hover lookup. */

export type Pt = Record<string, unknown> & { step: number };

export interface Extents {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

/** Spacing of about `n` round ticks (1, 2 or 5 × 10^k, the nearest to an even split) across [lo, hi]. */
export function tickStep(lo: number, hi: number, n: number): number {
  const raw = (hi - lo) / n, mag = 10 ** Math.floor(Math.log10(raw)), e = raw / mag;
  return mag * (e >= Math.sqrt(50) ? 10 : e >= Math.sqrt(10) ? 5 : e >= Math.sqrt(2) ? 2 : 1);
}

/** Round ticks inside [lo, hi]. */
export function niceTicks(lo: number, hi: number, n = 4): number[] {
  if (!(hi > lo)) return [lo];
  const step = tickStep(lo, hi, n), out: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) out.push(Number((k * step).toPrecision(12)));
  return out;
}

/** The point's value for `key` when it can be drawn: a finite number, and positive on a log scale. */
export function valueOf(p: Pt, key: string, log: boolean): number | null {
  const v = p[key];
  return typeof v === 'number' && Number.isFinite(v) && (!log || v > 0) ? v : null;
}

/** The last drawable value of `key` in `pts`. */
export function latestValue(pts: readonly Pt[], key: string): number | null {
  for (let i = pts.length - 1; i >= 0; i--) {
    const v = valueOf(pts[i], key, false);
    if (v !== null) return v;
  }
  return null;
}

/** The point of `pts` (sorted by step) nearest to `step`; ties go to the later point. */
export function nearest(pts: readonly Pt[], step: number): Pt | undefined {
  let lo = 0, hi = pts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (pts[mid].step < step) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 && step - pts[lo - 1].step < pts[lo].step - step ? pts[lo - 1] : pts[lo];
}

/** Step and value extents of the drawable points of all series, or null when there are none; a single step is widened by 1 each way. */
export function extents(series: readonly { key: string; pts: readonly Pt[] }[], log: boolean): Extents | null {
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (const { key, pts } of series) {
    for (const p of pts) {
      const v = valueOf(p, key, log);
      if (v === null) continue;
      x0 = Math.min(x0, p.step);
      x1 = Math.max(x1, p.step);
      y0 = Math.min(y0, v);
      y1 = Math.max(y1, v);
    }
  }
  if (x0 > x1) return null;
  if (x0 === x1) [x0, x1] = [x0 - 1, x1 + 1];
  return { x0, x1, y0, y1 };
}

/**
 * The y range drawn, in scale units (log10 of values on a log scale): `domain` as given, else the values' range
 * (widened by 10% each way, or by 1 around 0, when flat) out to the next round tick (whole decades on a log
 * scale), so curves do not run along the frame.
 */
export function yRange(y0: number, y1: number, opts: { domain?: [number, number]; log?: boolean } = {}): [number, number] {
  const f = opts.log ? Math.log10 : (v: number) => v;
  if (opts.domain) return [f(opts.domain[0]), f(opts.domain[1])];
  let [lo, hi] = [f(y0), f(y1)];
  if (lo === hi) [lo, hi] = [lo - (Math.abs(lo) * 0.1 || 1), hi + (Math.abs(hi) * 0.1 || 1)];
  const step = opts.log ? 1 : tickStep(lo, hi, 4);
  return [Math.floor(lo / step) * step, Math.ceil(hi / step) * step];
}

/** Y-axis tick values for a range from yRange: round values, or whole decades (as values) on a log scale. */
export function yTicks(lo: number, hi: number, log: boolean): number[] {
  // `1e${t}`, not 10 ** t: 10 ** -4 is 0.00009999999999999999.
  return log ? niceTicks(lo, hi, 4).filter(Number.isInteger).map((t) => Number(`1e${t}`)) : niceTicks(lo, hi, 4);
}

/** X-axis ticks: round whole steps, about one per 70 px of plot width (at least 2). */
export function xTicks(x0: number, x1: number, widthPx: number): number[] {
  return niceTicks(x0, x1, Math.max(2, Math.floor(widthPx / 70))).filter((t) => Number.isInteger(t));
}

/**
 * An SVG path through the drawable points of `key` in `pts`, mapped by `sx`/`sy`: a missing point breaks the
 * line unless `connect`. Also the mapped points (for dots).
 */
export function linePath(pts: readonly Pt[], key: string, sx: (step: number) => number, sy: (v: number) => number, opts: { log?: boolean; connect?: boolean } = {}): { d: string; points: [number, number][] } {
  let d = '', open = false;
  const points: [number, number][] = [];
  for (const p of pts) {
    const v = valueOf(p, key, !!opts.log);
    if (v === null) {
      if (!opts.connect) open = false;
      continue;
    }
    const x = sx(p.step), y = sy(v);
    d += `${open ? 'L' : 'M'}${x.toFixed(1)} ${y.toFixed(1)}`;
    open = true;
    points.push([x, y]);
  }
  return { d, points };
}
