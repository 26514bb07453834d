/** An undo/redo history of immutable documents. */
export interface History<T> {
  past: readonly T[];
  present: T;
  future: readonly T[];
}

/** Undo steps kept; older ones are dropped. */
export const HISTORY_LIMIT = 200;

export function startHistory<T>(present: T): History<T> {
  return { past: [], present, future: [] };
}

/** A new undoable state: the present goes onto the undo stack and the redo stack is cleared. */
export function commit<T>(h: History<T>, next: T): History<T> {
  if (next === h.present) return h;
  const past = h.past.length >= HISTORY_LIMIT ? h.past.slice(1 - HISTORY_LIMIT) : h.past;
  return { past: [...past, h.present], present: next, future: [] };
}

/** Change the present without an undo step (the rest of a drag stroke, a selection). */
export function replace<T>(h: History<T>, next: T): History<T> {
  return next === h.present ? h : { ...h, present: next };
}

export function undo<T>(h: History<T>): History<T> {
  if (!h.past.length) return h;
  return { past: h.past.slice(0, -1), present: h.past[h.past.length - 1], future: [h.present, ...h.future] };
}

export function redo<T>(h: History<T>): History<T> {
  if (!h.future.length) return h;
  return { past: [...h.past, h.present], present: h.future[0], future: h.future.slice(1) };
}
