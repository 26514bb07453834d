import type { ArcEvalItem } from '../data/arc-source';
import { IGNORE_LABEL, type Example } from '../data/dataset';
import type { ArcTask } from '../data/grid';
import type { DataSource } from '../data/source';
import { VoteBook } from '../data/voting';
import { InputError } from '../io/user-error';
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

/** An example with no supervised token has nothing to be exact against: every metric leaves it out. */
const hasTarget = (ex: Example) => ex.labels.some((l) => l !== IGNORE_LABEL);

function nothingToScore(source: DataSource, held: number): never {
  const what = held === 0 ? 'has no held-out examples' : `has ${held} held-out example${held === 1 ? '' : 's'}, none with a target (e.g. ARC test inputs without outputs)`;
  throw new InputError(`${source.info.name}: ${what}; there is nothing to score`);
}

/** Whether the held-out set holds anything evaluateSource can score (a training loop skips evaluations otherwise). */
export function canScore(source: DataSource): boolean {
  return isArc(source) ? source.evalTasks.some((t) => t.test.every((p) => p.output)) : source.evalExamples().some(hasTarget);
}

/**
 * What evaluateSource scores for `limit`: the first `limit` held-out examples that have a target; ARC: every
 * augmented version of whole tasks (voting needs them all), about `limit` examples' worth, with the tasks and what
 * each example is (evalItems). Throws when nothing is left to score.
 */
export function scoredExamples(source: DataSource, limit?: number): { examples: Example[]; arc?: { tasks: ArcTask[]; items: ArcEvalItem[] } } {
  const examples = source.evalExamples();
  if (!isArc(source)) {
    const held = limit ? examples.slice(0, limit) : examples;
    const scored = held.filter(hasTarget);
    if (scored.length === 0) nothingToScore(source, held.length);
    return { examples: scored };
  }
  const scorable = source.evalTasks.filter((t) => t.test.every((p) => p.output));
  if (scorable.length === 0) nothingToScore(source, examples.length);
  const tasks = limit ? scorable.slice(0, Math.max(1, Math.ceil((limit * source.evalTasks.length) / Math.max(1, examples.length)))) : scorable;
  const keep = new Set(tasks.map((t) => t.id));
  const idx = source.evalItems.map((it, i) => (keep.has(it.taskId) ? i : -1)).filter((i) => i >= 0);
  return { examples: idx.map((i) => examples[i]), arc: { tasks, items: idx.map((i) => source.evalItems[i]) } };
}

/**
 * Evaluate on the source's held-out set (scoredExamples): exact and token accuracy after all N_sup steps and, for
 * ARC, votes over augmented versions ranked by count then mean σ(q_halt) → pass@1, pass@2. Only examples with a
 * target are scored (`examples` counts them; ARC: tasks with every test output); with none it throws rather than
 * report an accuracy over nothing.
 */
export async function evaluateSource(trainer: Trainer, source: DataSource, limit?: number): Promise<FullEvalResult> {
  const { examples, arc } = scoredExamples(source, limit);
  if (!arc) return trainer.evaluate(examples);
  const res = await trainer.evaluate(examples, { predictions: true });
  const voted = new VoteBook().addPredictions(arc.items, res.predictions!, res.confidence!, source.info.seqLen).evaluate(arc.tasks, [1, 2]);
  return { ...res, predictions: undefined, confidence: undefined, passAtK: voted.passAtK, tasks: arc.tasks.length };
}
