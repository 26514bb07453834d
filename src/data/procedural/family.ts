/**
 * What a rule family is, and how one task is assembled from it: hidden parameters drawn once, then 3–4
 * demonstration pairs and 1 test pair under those parameters, with degenerate and duplicate pairs rejected.
 */
import { mulberry32 } from '../../nn/init';
import { gridEquals, gridKey, MAX_GRID_SIDE, type ArcTask, type Grid } from '../grid';
import { isUniform, Sampler } from './helpers';

/** A pair whose output is known (procedural pairs always have one). */
export interface SolvedPair {
  input: Grid;
  output: Grid;
}

/**
 * One rule family. Methods (not function properties) so a family with specific parameters is assignable to
 * RuleFamily<unknown> in the registry.
 */
export interface RuleFamily<P> {
  readonly name: string;
  readonly description: string;
  /** The smallest maxSide for which the family can build tasks. */
  readonly minMaxSide: number;
  /** Draw the task's hidden parameters (plain JSON data), shared by all its pairs. */
  sampleParams(s: Sampler): P;
  /** One pair obeying the rule under `params`, or null when this draw is unusable (the caller retries). */
  samplePair(s: Sampler, params: P): SolvedPair | null;
  /**
   * Independent checker: null when the pair obeys the rule under `params`, else why not. Written apart from
   * samplePair's construction (it recomputes the rule another way), so tests can trust it.
   */
  check(input: Grid, output: Grid, params: P): string | null;
}

export interface TaskOptions {
  seed: number;
  /** 0 (small, sparse, few colours) .. 1 (large, dense, more objects); default 0.5. */
  difficulty?: number;
  /** Largest grid side of any input or output, 1..30; default 10. */
  maxSide?: number;
  /** Demonstration pairs; default 3 or 4, drawn from the seed. */
  trainPairs?: number;
}

/** An ArcTask made by a rule family, with what produced it. */
export interface ProceduralTask<P = unknown> extends ArcTask {
  family: string;
  params: P;
  seed: number;
  difficulty: number;
  maxSide: number;
}

const PARAM_TRIES = 20;
const PAIR_TRIES_PER_PAIR = 60;

/** Why a generated pair is unusable in any family, or null: bounds, colours, empty input, identity. */
export function degenerate(p: SolvedPair, maxSide: number): string | null {
  for (const [name, g] of [['input', p.input], ['output', p.output]] as const) {
    if (g.h < 1 || g.w < 1 || g.h > maxSide || g.w > maxSide) return `${name} is ${g.h}x${g.w}, outside 1..${maxSide}`;
    if (g.cells.some((v) => v > 9)) return `${name} has a colour outside 0..9`;
  }
  if (isUniform(p.input)) return 'input is a single colour';
  if (gridEquals(p.input, p.output)) return 'output equals input';
  return null;
}

export function buildTask<P>(family: RuleFamily<P>, opts: TaskOptions): ProceduralTask<P> {
  const { seed } = opts;
  const difficulty = opts.difficulty ?? 0.5;
  const maxSide = opts.maxSide ?? 10;
  const where = `${family.name} (seed ${seed})`;
  if (!Number.isInteger(seed)) throw new Error(`${where}: seed must be an integer`);
  if (!(difficulty >= 0 && difficulty <= 1)) throw new Error(`${where}: difficulty ${difficulty} is not in 0..1`);
  if (!Number.isInteger(maxSide) || maxSide < family.minMaxSide || maxSide > MAX_GRID_SIDE)
    throw new Error(`${where}: maxSide ${maxSide} is not an integer in ${family.minMaxSide}..${MAX_GRID_SIDE}`);
  const s = new Sampler(mulberry32(seed), difficulty, maxSide);
  const trainPairs = opts.trainPairs ?? s.int(3, 4);
  if (!Number.isInteger(trainPairs) || trainPairs < 1) throw new Error(`${where}: trainPairs must be a positive integer`);
  const total = trainPairs + 1;

  for (let t = 0; t < PARAM_TRIES; t++) {
    const params = family.sampleParams(s);
    const pairs: SolvedPair[] = [];
    const seen = new Set<string>();
    const demoColours = new Set<number>();
    for (let k = 0; k < PAIR_TRIES_PER_PAIR * total && pairs.length < total; k++) {
      const p = family.samplePair(s, params);
      if (!p || degenerate(p, maxSide)) continue;
      // RE-ARC dedupes by input: a repeated input would make a demonstration (or the test) redundant.
      const key = gridKey(p.input);
      if (seen.has(key)) continue;
      // The test shows no colour the demonstrations did not: a new colour's role (wall? target?) would be a guess.
      const colours = [...p.input.cells, ...p.output.cells];
      if (pairs.length === trainPairs && colours.some((c) => !demoColours.has(c))) continue;
      colours.forEach((c) => demoColours.add(c));
      seen.add(key);
      pairs.push(p);
    }
    if (pairs.length === total) {
      return {
        id: `proc-${family.name}-${seed >>> 0}`,
        train: pairs.slice(0, trainPairs),
        test: pairs.slice(trainPairs),
        family: family.name,
        params,
        seed,
        difficulty,
        maxSide,
      };
    }
  }
  throw new Error(`${where}: no task after ${PARAM_TRIES} parameter draws at difficulty ${difficulty}, maxSide ${maxSide}`);
}
