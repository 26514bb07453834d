// npm run eval -- --checkpoint CKPT [--data FILE|DIR|test] [--n N] [--backend gpu|cpu]
import { restoreCheckpoint } from '../io/checkpoint';
import { InputError, userMessage } from '../io/user-error';
import { MAX_PUZZLES } from '../trm/config';
import { keyName, parseTrainConfig } from '../trm/config-parse';
import { checkMemory, limitsBeforeDevice } from '../trm/memory';
import { evaluateSource } from '../trm/evaluate';
import { Trainer } from '../trm/trainer';
import { applyOverrides, choiceFlag, intFlag, parseArgs } from './args';
import { loadEvalData } from './eval-data';
import { loadCheckpointFile } from './checkpoint-file';
import { createNodeEngine } from './node-env';

const HELP = `usage: npm run eval -- --checkpoint CKPT [--data SPEC] [--n N] [--backend gpu|cpu]
  --data test        the held-out split the checkpoint's config generates (default)
  --data FILE.txt    Sudoku puzzles, one per line (. or 0 blank, optional ,solution; without one, the unique solution)
  --data FILE.maze   one maze in the "# SGo" charset (its drawn 'o' path, else its only shortest path)
  --data DIR|FILE    ARC: a folder of task JSON (or training/ + evaluation/), or Kaggle combined files
                     (X_challenges.json reads X_solutions.json beside it; held-out tasks need their test outputs)
  --n N              evaluate the first N examples (ARC: about N examples' worth of whole tasks)
  --data.FIELD V     change how the test split is generated, e.g. --data.testPuzzles 1000
  --non-finite load  evaluate a checkpoint whose weights hold NaN or Inf (refused by default), with a warning`;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.length === 0) {
    console.log(HELP);
    return;
  }
  const { flags, overrides } = parseArgs(argv, ['checkpoint', 'data', 'n', 'backend', 'non-finite']);
  const backend = choiceFlag(flags, 'backend', ['gpu', 'cpu'] as const, 'gpu');
  const n = intFlag(flags, 'n', { min: 1, max: MAX_PUZZLES });
  const path = flags.get('checkpoint');
  if (!path) throw new InputError('--checkpoint is required');
  const misplaced = overrides.find(([k]) => !k.startsWith('data.'));
  if (misplaced) throw new InputError(`--${keyName(misplaced[0])}: eval takes overrides of data fields only (e.g. --data.testPuzzles 1000); the model is the checkpoint's`);
  const allowNonFinite = choiceFlag(flags, 'non-finite', ['refuse', 'load'] as const, 'refuse') === 'load';
  const ck = await loadCheckpointFile(path, { allowNonFinite });
  for (const w of ck.warnings) console.error(`[trm] warning: ${w}`);
  const cfg = parseTrainConfig(applyOverrides(ck.meta.config, overrides), `${path} with the flags`, ck.meta.data);
  checkMemory(cfg, ck.meta.data, limitsBeforeDevice(backend), path);
  const spec = flags.get('data') ?? 'test';
  const info = ck.meta.data;
  const source = loadEvalData(spec, cfg, info);
  const { engine, description } = await createNodeEngine(backend);
  const trainer = new Trainer(engine, cfg, { ...source, info });
  restoreCheckpoint(trainer, ck, path);
  const t0 = performance.now();
  const r = await evaluateSource(trainer, source, n);
  console.error(`[trm] evaluated on ${description} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  console.log(`examples            ${r.examples}`);
  console.log(`exact accuracy      ${(100 * r.exactAccuracy).toFixed(2)}%`);
  console.log(`token accuracy      ${(100 * r.tokenAccuracy).toFixed(2)}%`);
  console.log(`exact by step       ${r.exactByStep.map((v) => (100 * v).toFixed(1)).join(' ')}`);
  console.log(`mean halting step   ${r.meanHaltStep.toFixed(2)} of ${cfg.model.nSup}`);
  if (r.passAtK) console.log(`pass@1 / pass@2     ${(100 * r.passAtK[1]).toFixed(2)}% / ${(100 * r.passAtK[2]).toFixed(2)}% over ${r.tasks} tasks`);
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(`[trm] error: ${userMessage(err)}`);
  process.exit(1);
});
