import type { ArcEvalItem } from '../data/arc-source';
import type { ArcTask } from '../data/grid';
import type { DataSource } from '../data/source';
import { VoteBook } from '../data/voting';
import type { EvalResult, Trainer } from './trainer';

export interface FullEvalResult extends EvalResult {
  /** ARC: pass@K over the evaluation tasks after voting across augmented versions. */
  passAtK?: Record<number, number>;
  tasks?: number;
}

type ArcLike = DataSource & { evalItems: ArcEvalItem[]; evalTasks: readonly ArcTask[] };

function isArc(s: DataSource): s is ArcLike {
  return 'evalItems' in s && 'evalTasks' in s;
}

/**
 * Evaluate on the source's held-out set (first `limit` examples): exact and token accuracy after all N_sup
 * steps and, for ARC, votes over augmented versions ranked by count then mean σ(q_halt) → pass@1, pass@2.
 */
export async function evaluateSource(trainer: Trainer, source: DataSource, limit?: number): Promise<FullEvalResult> {
  const examples = source.evalExamples();
  if (!isArc(source)) return trainer.evaluate(limit ? examples.slice(0, limit) : examples);
  // Voting needs every version of a task: limit whole tasks, not examples.
  const tasks = limit ? source.evalTasks.slice(0, Math.max(1, Math.ceil((limit * source.evalTasks.length) / Math.max(1, examples.length)))) : source.evalTasks;
  const keep = new Set(tasks.map((t) => t.id));
  const idx = source.evalItems.map((it, i) => (keep.has(it.taskId) ? i : -1)).filter((i) => i >= 0);
  const res = await trainer.evaluate(idx.map((i) => examples[i]), { predictions: true });
  const side = Math.round(Math.sqrt(source.info.seqLen));
  const book = new VoteBook();
  idx.forEach((i, k) => {
    const it = source.evalItems[i];
    book.addCanvas(it.versionName, it.testIndex, res.predictions!.subarray(k * source.info.seqLen, (k + 1) * source.info.seqLen), side, res.confidence![k]);
  });
  const voted = book.evaluate(tasks, [1, 2]);
  return { ...res, predictions: undefined, confidence: undefined, passAtK: voted.passAtK, tasks: tasks.length };
}
