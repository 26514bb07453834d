import { useCallback, useSyncExternalStore } from 'react';

/**
 * Editor state that outlives its component. The app's tabs unmount the editors, and a task being built, an
 * adaptation running in the worker and its results must survive a look at the recursion tab. State is kept per
 * `key` object (e.g. the task the editor was opened on) for the page's lifetime; work that finishes while the
 * editor is away still lands, and shows when it comes back.
 */
interface Slot {
  values: Map<string, unknown>;
  listeners: Set<() => void>;
}

const slots = new WeakMap<object, Slot>();

function slotOf(key: object): Slot {
  let slot = slots.get(key);
  if (!slot) slots.set(key, (slot = { values: new Map(), listeners: new Set() }));
  return slot;
}

export type KeptSetter<T> = (next: T | ((prev: T) => T)) => void;

/** Like useState, kept under (`key`, `name`); the setter is stable and works after unmount. */
export function useKept<T>(key: object, name: string, init: () => T): [T, KeptSetter<T>] {
  const slot = slotOf(key);
  if (!slot.values.has(name)) slot.values.set(name, init());
  const subscribe = useCallback((l: () => void) => {
    slot.listeners.add(l);
    return () => void slot.listeners.delete(l);
  }, [slot]);
  const value = useSyncExternalStore(subscribe, () => slot.values.get(name) as T);
  const set = useCallback<KeptSetter<T>>((next) => {
    const prev = slot.values.get(name) as T;
    slot.values.set(name, typeof next === 'function' ? (next as (p: T) => T)(prev) : next);
    for (const l of slot.listeners) l();
  }, [slot, name]);
  return [value, set];
}
