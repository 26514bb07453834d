import { rmSync } from 'node:fs';
import { buildCli } from './helpers/cli';
import { DATASETS, hasDatasets } from './helpers/datasets';

/**
 * Once per run, before any test file: a fresh parity log (scripts/parity-report.ts checks it after the run) and
 * the one build of the CLI that every CLI test runs (test/helpers/cli.ts).
 */
export default function setup(): void {
  rmSync('test-results/parity.jsonl', { force: true });
  // One line, once per run, for a clone without the public copies: what skips and what the rest runs on.
  if (!hasDatasets) console.log(`datasets: no public ARC copies at ${DATASETS} (TRM_LAB_DATASETS, else ../shared/datasets): the tests that need them skip, the other ARC tests run on test/fixtures/arc`);
  buildCli();
}
