import { useEffect, useState } from 'react';
import { getTrainStore, type TrainStore } from '../../state/train-store';

/**
 * A slice of the training store, shown at most every `ms` and at least `delay` ms after it changed (the latest
 * value always lands). The component re-renders only when a value lands, not on every metrics message, so charts
 * redraw a few times a second however often metrics arrive; different delays spread the charts' redraws over
 * separate tasks. `select` is read once per mount (pass a constant selector).
 */
export function useThrottledTrain<T>(select: (s: TrainStore) => T, ms: number, delay = 0): T {
  const store = getTrainStore();
  const [shown, setShown] = useState(() => select(store.getState()));
  useEffect(() => {
    let last = -Infinity;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const land = () => {
      timer = undefined;
      last = performance.now();
      setShown(select(store.getState()));
    };
    const unsubscribe = store.subscribe((s, prev) => {
      if (timer === undefined && select(s) !== select(prev)) timer = setTimeout(land, Math.max(last + ms - performance.now(), delay));
    });
    land(); // a change between the first render and the subscription
    return () => {
      unsubscribe();
      clearTimeout(timer);
    };
  }, [store, ms, delay]);
  return shown;
}
