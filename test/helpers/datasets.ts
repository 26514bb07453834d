/**
 * Where tests find ARC data. The full public copies live outside the repository (TRM_LAB_DATASETS, else
 * ../shared/datasets beside it; see that folder's README); a clone without them tests on the few upstream
 * tasks committed under test/fixtures/arc/, laid out the same way. Every test that reads a dataset file goes
 * through here, so `.ci/run` can prove the suite passes with the copies out of reach.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** Where the full copies are looked for. */
export const DATASETS = process.env.TRM_LAB_DATASETS ? resolve(process.env.TRM_LAB_DATASETS) : resolve(REPO, '..', 'shared', 'datasets');

/** The full copies are there (their README marks a complete checkout of the shared folder). */
export const hasDatasets = existsSync(join(DATASETS, 'README.md'));

/** The committed upstream tasks (see test/fixtures/arc/README.md): the same folder layout, a few files each. */
export const ARC_FIXTURES = join(REPO, 'test', 'fixtures', 'arc');

/** The root tests read ARC files from: the full copies when present, else the fixtures. */
export const ARC_DATA = hasDatasets ? DATASETS : ARC_FIXTURES;

/** Suffix for the titles of tests that only make sense on the full copies (they skip without them). */
export const NEEDS_DATASETS = '[needs ../shared/datasets or TRM_LAB_DATASETS: the full public ARC copies; see README]';

/** Absolute path of a file under the ARC root (`rel` as in the datasets README, e.g. arc-agi-1/training/x.json). */
export const arcPath = (rel: string) => join(ARC_DATA, rel);

export const readArc = (rel: string) => readFileSync(arcPath(rel), 'utf8');

/** The task ids of a Kaggle combined challenges file, read as plain JSON (independent of the parsers under test). */
export const combinedIds = (split: string): string[] => Object.keys(JSON.parse(readArc(`arc-kaggle/arc-agi_${split}_challenges.json`)) as object);

/** A file for a server standing in for the network: the copies first, else the fixtures, else null (a 404). */
export function servedFile(rel: string): string | null {
  for (const root of [DATASETS, ARC_FIXTURES]) {
    const p = join(root, rel);
    if (existsSync(p)) return p;
  }
  return null;
}
