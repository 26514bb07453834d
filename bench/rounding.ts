import type { Engine } from '../src/engine/engine';
import { mulberry32 } from '../src/nn/init';
import type { Trainer } from '../src/trm/trainer';

/** One float32 rounding, relative: half the spacing of floats just above 1. */
export const ROUNDING = 2 ** -24;

/**
 * Scales each of a trainer's live weights by 1 ± ROUNDING (a fixed pseudo-random sign per weight). Our float64
 * twin nudged so, against the unnudged one, measures how far the model itself carries one float32 rounding: two
 * float32 implementations cannot be expected to agree more closely than that.
 */
export async function nudgeWeights(e: Engine, t: Trainer): Promise<void> {
  const w = await e.read(t.arena.data);
  const sign = mulberry32(0x5eed);
  e.write(t.arena.data, Float64Array.from(w, (v) => v * (1 + (sign() < 0.5 ? -ROUNDING : ROUNDING))));
}
