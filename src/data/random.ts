// Seeded sampling helpers shared by the puzzle generators (rng: a mulberry32 stream from src/nn/init.ts).
import { InputError } from '../io/user-error';

/** Uniform integer in [0, n). */
export function randInt(rng: () => number, n: number): number {
  return Math.floor(rng() * n);
}

/** Fisher–Yates shuffle in place; returns its argument. */
export function shuffleInPlace<T extends { length: number; [i: number]: unknown }>(rng: () => number, a: T): T {
  for (let i = a.length - 1; i > 0; i--) {
    const j = randInt(rng, i + 1);
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  return a;
}

/**
 * Draws until `count` items with distinct keys, giving up after 20 draws per item plus 100: an InputError naming
 * `field`, the config count that asked for more distinct items than the generator finds.
 */
export function drawDistinct<T>(count: number, draw: () => T, key: (item: T) => string, what: string, field: string): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  const maxDraws = 20 * count + 100;
  for (let draws = 0; out.length < count; draws++) {
    if (draws >= maxDraws) throw new InputError(`${field}: asks for ${count} distinct ${what}, but only ${out.length} turned up in ${maxDraws} draws (there may be no more); ask for fewer`);
    const item = draw();
    const k = key(item);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(item);
  }
  return out;
}
