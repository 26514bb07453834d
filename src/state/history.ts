/**
 * Metric history for charts, bounded in size however long a run trains: when full, adjacent points are merged
 * pairwise (means) and later reports are averaged in groups twice as large, so the series stays evenly spaced
 * in reports and a chart never draws more than `max` points.
 */
import type { LiveMetrics } from '../worker/protocol';

/** One chart point. Values are null where the metric was not finite (a gap, not a spike to infinity). */
export interface MetricPoint {
  step: number;
  loss: number | null;
  lmLoss: number | null;
  haltLoss: number | null;
  accuracy: number | null;
  exactAccuracy: number | null;
  qHaltAccuracy: number | null;
  meanSteps: number | null;
  lr: number | null;
  gradNorm: number | null;
  samplesPerSec: number | null;
}

export const METRIC_KEYS = ['loss', 'lmLoss', 'haltLoss', 'accuracy', 'exactAccuracy', 'qHaltAccuracy', 'meanSteps', 'lr', 'gradNorm', 'samplesPerSec'] as const;
export type MetricKey = (typeof METRIC_KEYS)[number];

export interface History {
  points: MetricPoint[];
  /** Reports averaged into each point. */
  stride: number;
  /** Reports waiting to fill the next point. */
  pending: MetricPoint[];
  max: number;
}

/** Points kept per run: enough for a smooth curve, few enough that a chart redraw stays cheap. */
export const DEFAULT_MAX_POINTS = 400;

export function emptyHistory(max = DEFAULT_MAX_POINTS): History {
  if (!Number.isInteger(max) || max < 4) throw new RangeError(`history needs room for at least 4 points, got ${max}`);
  // Even, so a full history halves into whole pairs and the spacing stays uniform.
  return { points: [], stride: 1, pending: [], max: max + (max % 2) };
}

const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** Rates over the samples that halted in a step: undefined (not 0) when none did. */
const HALTED_RATES: readonly MetricKey[] = ['accuracy', 'exactAccuracy', 'qHaltAccuracy', 'meanSteps'];

export function pointOf(m: LiveMetrics): MetricPoint {
  const p = { step: m.step } as MetricPoint;
  for (const k of METRIC_KEYS) p[k] = m.count === 0 && HALTED_RATES.includes(k) ? null : finite(m[k]);
  return p;
}

/** Mean of points per metric (ignoring gaps), at the last point's step. */
export function mergePoints(ps: readonly MetricPoint[]): MetricPoint {
  const out = { step: ps[ps.length - 1].step } as MetricPoint;
  for (const k of METRIC_KEYS) {
    let sum = 0, n = 0;
    for (const p of ps) {
      const v = p[k];
      if (v !== null) {
        sum += v;
        n++;
      }
    }
    out[k] = n ? sum / n : null;
  }
  return out;
}

/** A new history with `p` added (inputs are never mutated, so React sees a new object). */
export function appendPoint(h: History, p: MetricPoint): History {
  const pending = [...h.pending, p];
  if (pending.length < h.stride) return { ...h, pending };
  let points = [...h.points, mergePoints(pending)];
  let stride = h.stride;
  if (points.length >= h.max) {
    const halved: MetricPoint[] = [];
    for (let i = 0; i + 1 < points.length; i += 2) halved.push(mergePoints([points[i], points[i + 1]]));
    points = halved;
    stride *= 2;
  }
  return { points, stride, pending: [], max: h.max };
}

/** Points to draw: the stored ones plus the partial group, so the newest report shows at once. */
export function chartPoints(h: History): MetricPoint[] {
  return h.pending.length ? [...h.points, mergePoints(h.pending)] : h.points;
}

/** At most `n` evenly spaced points of one metric (runs table curves). */
export function thin<T>(xs: readonly T[], n: number): T[] {
  if (xs.length <= n) return xs.slice();
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(xs[Math.round((i * (xs.length - 1)) / (n - 1))]);
  return out;
}

/** Whether a value read from storage is a well-formed History (restore never trusts it blindly). */
export function isHistory(v: unknown): v is History {
  const h = v as History;
  return !!h && typeof h === 'object' && Array.isArray(h.points) && Array.isArray(h.pending) && Number.isInteger(h.stride) && h.stride >= 1
    && Number.isInteger(h.max) && h.max >= 4 && h.points.length <= h.max && h.pending.length <= h.stride && [...h.points, ...h.pending].every(isMetricPoint);
}

function isMetricPoint(p: unknown): p is MetricPoint {
  const m = p as MetricPoint;
  return !!m && typeof m === 'object' && Number.isFinite(m.step) && METRIC_KEYS.every((k) => m[k] === null || Number.isFinite(m[k]));
}
