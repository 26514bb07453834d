// The worker's side of the research probes: check a 'probe' request, run it on the current run's model in the
// worker's queue of engine jobs (between training chunks), and answer it.
import type { DataSource } from '../data/source';
import { runProbe, type ProbeRequest } from '../probes';
import { MAX_PUZZLES } from '../trm/config';
import type { Trainer } from '../trm/trainer';
import type { Post } from './core';
import { exampleProblem } from './run-source';

/** Why `req` cannot run on a model reading `trainer`'s data, or null. */
function problem(req: ProbeRequest, trainer: Trainer): string | null {
  if ('example' in req) return exampleProblem(req.example, trainer.data.info);
  const n = req.puzzles;
  return Number.isInteger(n) && n >= 1 && n <= MAX_PUZZLES ? null : `the number of puzzles must be an integer from 1 to ${MAX_PUZZLES}, got ${n}`;
}

export async function answerProbe(
  req: { requestId: number; probe: ProbeRequest },
  run: { trainer: Trainer; source: DataSource },
  exclusive: <T>(fn: () => Promise<T>) => Promise<T>,
  post: Post,
): Promise<void> {
  const why = problem(req.probe, run.trainer);
  if (why) throw new Error(`${req.probe.probe}: ${why}`);
  const result = await exclusive(() => runProbe(run.trainer, run.source, req.probe));
  post({ type: 'probe', requestId: req.requestId, result });
}
