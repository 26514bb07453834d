/**
 * Navigation over a RecursionTrace's frames and what each pane shows at a frame. Frames come in the order the
 * model computes them: per supervision step, per cycle, n latent (z) updates then one answer (y) update.
 */
import { IGNORE_LABEL } from '../../data/dataset';
import type { RecursionTrace, TraceFrame } from '../../trm/trace';

export interface FrameIndex {
  count: number;
  /** Latest frame of each kind at or before frame i (−1 before the first). */
  latest: { y: Int32Array; z: Int32Array };
  /** The frame of the same kind before frame i (−1 for the first of its kind). */
  previousSameKind: Int32Array;
  /** First frame of supervision step s + 1 (index s). */
  stepStart: Int32Array;
}

export function indexTrace(trace: RecursionTrace): FrameIndex {
  const count = trace.frames.length;
  const latest = { y: new Int32Array(count), z: new Int32Array(count) };
  const previousSameKind = new Int32Array(count);
  const stepStart = new Int32Array(trace.nSup).fill(-1);
  const last = { y: -1, z: -1 };
  trace.frames.forEach((f, i) => {
    previousSameKind[i] = last[f.kind];
    last[f.kind] = i;
    latest.y[i] = last.y;
    latest.z[i] = last.z;
    if (f.supStep >= 1 && f.supStep <= trace.nSup && stepStart[f.supStep - 1] < 0) stepStart[f.supStep - 1] = i;
  });
  return { count, latest, previousSameKind, stepStart };
}

/** Whether `next` is `prev` further along: a streamed trace grows by appending frames and keeps the earlier frame objects. */
export function continuesTrace(prev: RecursionTrace, next: RecursionTrace): boolean {
  return prev.frames.length > 0 && next.frames.length > prev.frames.length && next.frames[prev.frames.length - 1] === prev.frames[prev.frames.length - 1];
}

/** "step s/N_sup · cycle c/T · update u/(n+1)", naming what the update computed. */
export function frameReadout(trace: RecursionTrace, f: TraceFrame): string {
  const what = f.kind === 'y' ? 'answer y' : 'latent z';
  return `step ${f.supStep}/${trace.nSup} · cycle ${f.cycle}/${trace.T} · update ${f.update}/${trace.n + 1} (${what})`;
}

/** 1 where the tokens differ; null when there is nothing to compare with. */
export function changedCells(before: ArrayLike<number> | null, after: ArrayLike<number>): Uint8Array | null {
  if (!before || before.length !== after.length) return null;
  const out = new Uint8Array(after.length);
  for (let i = 0; i < after.length; i++) out[i] = before[i] !== after[i] ? 1 : 0;
  return out;
}

/** 1 at supervised positions whose token is not the label. */
export function wrongCells(tokens: ArrayLike<number>, labels: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(tokens.length);
  for (let i = 0; i < tokens.length; i++) out[i] = labels[i] !== IGNORE_LABEL && tokens[i] !== labels[i] ? 1 : 0;
  return out;
}

/** Supervised positions answered right, out of all supervised positions. */
export function scoreCells(tokens: ArrayLike<number>, labels: ArrayLike<number>): { right: number; total: number } {
  let right = 0, total = 0;
  for (let i = 0; i < tokens.length; i++) {
    if (labels[i] === IGNORE_LABEL) continue;
    total++;
    if (tokens[i] === labels[i]) right++;
  }
  return { right, total };
}

export interface PaneFrame {
  frame: TraceFrame;
  /** Cells this kind's latest update changed (vs. the update of the same kind before it); null for the first. */
  changed: Uint8Array | null;
  /** The current frame is this kind's update (the other pane holds still). */
  fresh: boolean;
}

/**
 * What the y or z pane shows at frame i: that kind's latest state, and the cells its last update changed. So the
 * highlight stays while the other kind updates, and always means "what the last update of this one did".
 * Null before the first update of that kind (y before the first cycle ends).
 */
export function paneAt(trace: RecursionTrace, idx: FrameIndex, i: number, kind: 'y' | 'z'): PaneFrame | null {
  const k = idx.latest[kind][i];
  if (k < 0) return null;
  const prev = idx.previousSameKind[k];
  const frame = trace.frames[k];
  return { frame, changed: prev < 0 ? null : changedCells(trace.frames[prev].tokens, frame.tokens), fresh: k === i };
}

/** A key the viewer answers (from a KeyboardEvent: key and shift). */
export interface NavKey {
  key: string;
  shiftKey?: boolean;
}

/**
 * The frame a key moves to, or null when the key is not a navigation key: ←/→ one frame, Shift+←/→ or
 * PageUp/PageDown a supervision step (to the start of the current, previous or next step), Home/End the ends.
 */
export function navigate(idx: FrameIndex, i: number, k: NavKey): number | null {
  const last = idx.count - 1;
  if (last < 0) return null;
  const clamp = (j: number) => Math.max(0, Math.min(last, j));
  const starts = Array.from(idx.stepStart).filter((s) => s >= 0);
  const stepBack = () => [...starts].reverse().find((s) => s < i) ?? 0;
  const stepForward = () => starts.find((s) => s > i) ?? last;
  switch (k.key) {
    case 'ArrowLeft':
      return k.shiftKey ? stepBack() : clamp(i - 1);
    case 'ArrowRight':
      return k.shiftKey ? stepForward() : clamp(i + 1);
    case 'PageUp':
      return stepBack();
    case 'PageDown':
      return stepForward();
    case 'Home':
      return 0;
    case 'End':
      return last;
    default:
      return null;
  }
}

/** The frame that ends supervision step s (1-based): its final answer update. */
export function stepEnd(idx: FrameIndex, s: number): number {
  const next = s < idx.stepStart.length ? idx.stepStart[s] : -1;
  return next > 0 ? next - 1 : idx.count - 1;
}
