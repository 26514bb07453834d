/**
 * ARC voting as TRM evaluators/arc.py: every augmented version of a task predicts each test output; predictions are
 * decoded, mapped back to the original frame, and grouped by grid (exact key). Candidates are ranked by vote count,
 * then by mean σ(q_halt), both descending; equal candidates keep first-seen order (Python's stable sort). pass@K =
 * the true grid is among the top K; a task scores the fraction of its test inputs solved; the headline number is
 * the mean over tasks. Unlike the reference (whose votes keep accumulating across evaluations), a VoteBook holds
 * only what was added to it; make a new one per evaluation.
 */
import { type ArcTask, type Grid, gridEquals, gridKey } from './grid';
import { decodeCanvas } from './arc-encoding';
import { invertAugmentationGrid, parseAugmentedName } from './arc-augment';

export interface Vote {
  grid: Grid;
  /** σ(q_halt) of the prediction. */
  confidence: number;
}

export interface Candidate {
  key: string;
  grid: Grid;
  count: number;
  meanConfidence: number;
}

/** Group votes by grid and rank them: count, then mean confidence, descending; ties keep first-seen order. */
export function rankVotes(votes: Iterable<Vote>): Candidate[] {
  const byKey = new Map<string, { grid: Grid; count: number; sum: number }>();
  for (const v of votes) {
    if (!Number.isFinite(v.confidence)) throw new RangeError(`vote confidence ${v.confidence} is not a finite number`);
    const key = gridKey(v.grid);
    const c = byKey.get(key) ?? byKey.set(key, { grid: v.grid, count: 0, sum: 0 }).get(key)!;
    c.count++;
    c.sum += v.confidence;
  }
  return [...byKey]
    .map(([key, c]) => ({ key, grid: c.grid, count: c.count, meanConfidence: c.sum / c.count }))
    .sort((a, b) => b.count - a.count || b.meanConfidence - a.meanConfidence);
}

/** Whether `truth` is among the top k candidates. */
export function passAtK(ranked: readonly Candidate[], truth: Grid, k: number): boolean {
  return ranked.slice(0, k).some((c) => gridEquals(c.grid, truth));
}

/**
 * A predicted canvas of the version named `versionName` (`task|||t{tid}|||{colors}` or a plain task id), cropped
 * as the reference `_crop` and mapped back to the original task's frame.
 */
export function predictionInOriginalFrame(versionName: string, canvas: ArrayLike<number>, side: number): { taskId: string; grid: Grid } {
  const { name, aug } = parseAugmentedName(versionName);
  return { taskId: name, grid: invertAugmentationGrid(decodeCanvas(canvas, side), aug) };
}

export interface TaskVotingResult {
  taskId: string;
  /** Per K: fraction of this task's test inputs whose true output is in the top K. */
  passAtK: Record<number, number>;
  /** Per test input: the top `attempts` grids (padded with the first, as the reference), empty when no votes. */
  attempts: Grid[][];
}

export interface VotingResult {
  /** Per K: mean over tasks of the per-task pass@K. */
  passAtK: Record<number, number>;
  tasks: TaskVotingResult[];
}

/** Votes for (task id, test index), collected over all augmented versions, then scored against the true outputs. */
export class VoteBook {
  private readonly votes = new Map<string, Vote[]>();

  private static key(taskId: string, testIndex: number): string {
    return `${taskId}\u0000${testIndex}`;
  }

  add(taskId: string, testIndex: number, grid: Grid, confidence: number): void {
    const k = VoteBook.key(taskId, testIndex);
    (this.votes.get(k) ?? this.votes.set(k, []).get(k)!).push({ grid, confidence });
  }

  /** Decode and un-augment a predicted canvas of a version, then vote with it. */
  addCanvas(versionName: string, testIndex: number, canvas: ArrayLike<number>, side: number, confidence: number): void {
    const { taskId, grid } = predictionInOriginalFrame(versionName, canvas, side);
    this.add(taskId, testIndex, grid, confidence);
  }

  /**
   * Vote with a batch of predicted canvases ([items × seqLen], one confidence each, as Trainer.evaluate gives them
   * with predictions), item k being the version and test input `items[k]` names.
   */
  addPredictions(items: readonly { versionName: string; testIndex: number }[], predictions: Int32Array, confidence: ArrayLike<number>, seqLen: number): this {
    const side = Math.round(Math.sqrt(seqLen));
    items.forEach((it, k) => this.addCanvas(it.versionName, it.testIndex, predictions.subarray(k * seqLen, (k + 1) * seqLen), side, confidence[k]));
    return this;
  }

  ranked(taskId: string, testIndex: number): Candidate[] {
    return rankVotes(this.votes.get(VoteBook.key(taskId, testIndex)) ?? []);
  }

  /**
   * Score `tasks` (original frame, test outputs known). A test input without votes, or without a known output,
   * counts as unsolved.
   */
  evaluate(tasks: readonly ArcTask[], ks: readonly number[] = [1, 2], attempts = 2): VotingResult {
    const total: Record<number, number> = Object.fromEntries(ks.map((k) => [k, 0]));
    const results = tasks.map((task): TaskVotingResult => {
      const solved: Record<number, number> = Object.fromEntries(ks.map((k) => [k, 0]));
      const tops = task.test.map((pair, i) => {
        const ranked = this.ranked(task.id, i);
        for (const k of ks) if (pair.output && passAtK(ranked, pair.output, k)) solved[k]++;
        const top = ranked.slice(0, attempts).map((c) => c.grid);
        while (top.length > 0 && top.length < attempts) top.push(top[0]);
        return top;
      });
      for (const k of ks) {
        solved[k] /= task.test.length;
        total[k] += solved[k];
      }
      return { taskId: task.id, passAtK: solved, attempts: tops };
    });
    for (const k of ks) total[k] = tasks.length ? total[k] / tasks.length : 0;
    return { passAtK: total, tasks: results };
  }
}
