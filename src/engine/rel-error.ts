/**
 * Normwise relative error in the max norm: max|a − b| / max(max|b|, floor). One number for "do these agree",
 * used by the kernel parity tests and the benchmark's agreement checks. A non-finite value in `actual` that
 * `expected` does not share makes it Infinity.
 */
export function relError(actual: ArrayLike<number>, expected: ArrayLike<number>, floor = 1e-6): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} vs ${expected.length}`);
  let diff = 0, mag = floor;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i], b = expected[i];
    if (!Number.isFinite(a) && a !== b) return Infinity;
    diff = Math.max(diff, Math.abs(a - b));
    mag = Math.max(mag, Math.abs(b));
  }
  return diff / mag;
}
