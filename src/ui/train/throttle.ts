import { useEffect, useRef, useState } from 'react';

/**
 * `value`, updated at most every `ms` and at least `delay` ms after it changed (the latest value always lands).
 * Charts redraw a few times a second however often metrics arrive; different delays spread the charts'
 * redraws over separate tasks so no single main-thread task renders them all.
 */
export function useThrottled<T>(value: T, ms: number, delay = 0): T {
  const [shown, setShown] = useState(value);
  const last = useRef(-Infinity);
  useEffect(() => {
    const wait = Math.max(last.current + ms - performance.now(), delay);
    const land = () => {
      last.current = performance.now();
      setShown(value);
    };
    if (wait <= 0) {
      land();
      return;
    }
    const t = setTimeout(land, wait);
    return () => clearTimeout(t);
  }, [value, ms, delay]);
  return shown;
}
