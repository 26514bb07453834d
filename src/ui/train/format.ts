/** Number formats for the dashboard: compact, fixed width where it matters, honest about missing values. */

export const DASH = '—';

export function fmtDuration(sec: number | null | undefined): string {
  if (sec === null || sec === undefined || !Number.isFinite(sec) || sec < 0) return DASH;
  const s = Math.round(sec);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

export function fmtPct(v: number | null | undefined, digits = 1): string {
  return v === null || v === undefined || !Number.isFinite(v) ? DASH : `${(100 * v).toFixed(digits)}%`;
}

/** 4 significant digits; scientific below 1e-3 (learning rates) and above 1e5. */
export function fmtNum(v: number | null | undefined): string {
  if (v === null || v === undefined) return DASH;
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2);
  return Number(v.toPrecision(4)).toString();
}

/** Axis ticks: at most ~6 characters (1.5e-4, 0.25, 1.2k). */
export function fmtTick(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && a < 1e-3) return v.toExponential(1).replace('.0e', 'e');
  if (a >= 1e4) return fmtCount(v);
  return Number(v.toPrecision(3)).toString();
}

export function fmtCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return DASH;
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e7 ? 0 : 1)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(0)}k`;
  return String(Math.round(n));
}

/** A learning-rate slider works in log10 space: position ↔ rate. */
export const LR_LOG_MIN = -6;
export const LR_LOG_MAX = 0;

export function lrToSlider(lr: number): number {
  return Math.min(LR_LOG_MAX, Math.max(LR_LOG_MIN, Math.log10(lr)));
}

export function sliderToLr(pos: number): number {
  return Number((10 ** pos).toPrecision(3));
}
