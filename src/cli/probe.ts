// npm run probe -- --checkpoint CKPT --probe NAME [--puzzles N | --puzzle I] [--data SPEC] [--backend gpu|cpu]
import { InputError, quote, userMessage } from '../io/user-error';
import { PROBES, isBatchProbe, runProbe, type ProbeName, type ProbeRequest } from '../probes';
import { probeReport } from '../probes/report';
import { MAX_PUZZLES } from '../trm/config';
import { scoredExamples } from '../trm/evaluate';
import { intFlag, parseArgs } from './args';
import { EVAL_MODEL_FLAGS, openEvalModel } from './eval-model';

const HELP = `usage: npm run probe -- --checkpoint CKPT --probe NAME [--puzzles N | --puzzle I] [--data SPEC] [--backend gpu|cpu]
  The research probes of the page's recursion viewer, with the same numbers:
  --probe accuracy-by-step   exact and token accuracy after each supervision step, halting-step counts
  --probe task-ablation      accuracy with the puzzle embedding as trained, blanked (id 0) and swapped
          (both over the first N held-out puzzles as \`eval --n N\` scores them; --puzzles N, default 100)
  --probe answer-changes     per cell, the last supervision step at which the answer changed, and whether it is right
  --probe latent-trajectory  ‖Δz‖ and ‖Δy‖ at every update of the recursion
          (both on held-out puzzle I, counting from 0; --puzzle I, default 0)
  --data, --data.FIELD, --backend, --non-finite: as for eval (npm run eval -- --help)`;

const DEFAULT_PUZZLES = 100;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.length === 0) {
    console.log(HELP);
    return;
  }
  const { flags, overrides } = parseArgs(argv, [...EVAL_MODEL_FLAGS, 'probe', 'puzzles', 'puzzle']);
  const name = flags.get('probe');
  if (!name) throw new InputError(`--probe is required: one of ${PROBES.join(', ')}`);
  if (!PROBES.includes(name as ProbeName)) throw new InputError(`--probe: unknown probe ${quote(name)}; choose one of ${PROBES.join(', ')}`);
  const probe = name as ProbeName;
  const batch = isBatchProbe(probe);
  const wrong = batch ? 'puzzle' : 'puzzles';
  if (flags.has(wrong)) throw new InputError(`--${wrong}: ${probe} takes --${batch ? 'puzzles N' : 'puzzle I'}`);
  const puzzles = intFlag(flags, 'puzzles', { min: 1, max: MAX_PUZZLES }) ?? DEFAULT_PUZZLES;
  const puzzle = intFlag(flags, 'puzzle', { min: 0, max: MAX_PUZZLES - 1 }) ?? 0;
  const { trainer, source, description } = await openEvalModel('probe', flags, overrides);
  let req: ProbeRequest;
  if (isBatchProbe(probe)) req = { probe, puzzles };
  else {
    const { examples } = scoredExamples(source, puzzle + 1);
    if (puzzle >= examples.length) throw new InputError(`--puzzle ${puzzle}: the held-out set has ${examples.length} puzzle${examples.length === 1 ? '' : 's'} with a target (0 to ${examples.length - 1})`);
    req = { probe, example: examples[puzzle] };
  }
  const t0 = performance.now();
  const result = await runProbe(trainer, source, req);
  console.error(`[trm] ${probe} on ${description} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  for (const line of probeReport(result)) console.log(line);
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(`[trm] error: ${userMessage(err)}`);
  process.exit(1);
});
