// npm run eval -- --checkpoint CKPT [--data FILE|DIR|test] [--identifiers FILE] [--n N] [--backend gpu|cpu]
import { userMessage } from '../io/user-error';
import { MAX_PUZZLES } from '../trm/config';
import { evaluateSource } from '../trm/evaluate';
import { intFlag, parseArgs } from './args';
import { EVAL_MODEL_FLAGS, openEvalModel } from './eval-model';

const HELP = `usage: npm run eval -- --checkpoint CKPT [--data SPEC] [--identifiers FILE] [--n N] [--backend gpu|cpu]
  --data test        the held-out split the checkpoint's config generates (default)
  --data FILE.txt    Sudoku puzzles, one per line (. or 0 blank, optional ,solution; without one, the unique solution)
  --data FILE.maze   one maze in the "# SGo" charset (its drawn 'o' path, else its only shortest path)
  --data DIR|FILE    ARC: a folder of task JSON (or training/ + evaluation/), or Kaggle combined files
                     (X_challenges.json reads X_solutions.json beside it; held-out tasks need their test outputs)
  --identifiers DIR/identifiers.json
                     an ARC checkpoint of the reference: its dataset's row names; every task of --data (default:
                     DIR/test_puzzles.json) runs under each augmented version with a row, inverted and voted
  --n N              evaluate the first N examples (ARC: about N examples' worth of whole tasks)
  --data.FIELD V     change how the test split is generated, e.g. --data.testPuzzles 1000
  --non-finite load  evaluate a checkpoint whose weights hold NaN or Inf (refused by default), with a warning`;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.length === 0) {
    console.log(HELP);
    return;
  }
  const { flags, overrides } = parseArgs(argv, [...EVAL_MODEL_FLAGS, 'n']);
  const n = intFlag(flags, 'n', { min: 1, max: MAX_PUZZLES });
  const { trainer, source, cfg, description } = await openEvalModel('eval', flags, overrides);
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
