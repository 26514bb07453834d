/**
 * Task identity ablation: the same held-out puzzles scored as trained, with the puzzle embedding blanked (puzzle id
 * 0, the row the reference gives a task it never saw) and with it swapped (each puzzle reads another task's row),
 * through Trainer.evaluate like the CLI's `eval`. It measures how much the model leans on the task ID, which only
 * means something where puzzles have rows of their own (ARC-style models): a model with one identifier shared by
 * every puzzle (Sudoku, mazes) or with no puzzle embedding gets the reason instead of a meaningless zero.
 */
import type { Example } from '../data/dataset';
import type { Trainer } from '../trm/trainer';

export interface AblationScore {
  condition: 'as trained' | 'blank' | 'swapped';
  exactAccuracy: number;
  tokenAccuracy: number;
  exactByStep: number[];
}

export type TaskAblation =
  | { applicable: false; reason: string }
  | {
      applicable: true;
      examples: number;
      /** As trained first, then blank, then swapped when the puzzles span two tasks or more. */
      scores: AblationScore[];
      /** Why a condition is missing, if one is. */
      notes: string[];
    };

/**
 * Each puzzle's id replaced by one of the next task's ids (tasks in order of first appearance, cyclically; the
 * version at the same position within its task, wrapping), or null with fewer than two tasks.
 */
function swappedIds(examples: readonly Example[], taskOf: (i: number) => string): number[] | null {
  const idsOf = new Map<string, number[]>();
  examples.forEach((ex, i) => {
    const ids = idsOf.get(taskOf(i)) ?? [];
    if (!ids.includes(ex.puzzleId)) ids.push(ex.puzzleId);
    idsOf.set(taskOf(i), ids);
  });
  const tasks = [...idsOf.keys()];
  if (tasks.length < 2) return null;
  return examples.map((ex, i) => {
    const t = tasks.indexOf(taskOf(i));
    const next = idsOf.get(tasks[(t + 1) % tasks.length])!;
    return next[idsOf.get(tasks[t])!.indexOf(ex.puzzleId) % next.length];
  });
}

/** `taskOf(i)`: the task puzzle i comes from (ARC: its task id; by default its puzzle id, one task per row). */
export async function taskAblation(trainer: Trainer, examples: readonly Example[], taskOf: (i: number) => string = (i) => String(examples[i].puzzleId)): Promise<TaskAblation> {
  const m = trainer.cfg.model, ids = trainer.data.info.numPuzzleIds;
  if (m.puzzleEmbDim === 0) return { applicable: false, reason: 'this model has no puzzle embedding (model.puzzleEmbDim = 0): there is no task identity to blank or swap' };
  if (ids <= 1) return { applicable: false, reason: 'this model has a single puzzle identifier, one learned row shared by every puzzle (as the reference trains Sudoku and mazes): there is no task identity to blank or swap' };
  const score = async (condition: AblationScore['condition'], puzzleIds: readonly number[]): Promise<AblationScore> => {
    const r = await trainer.evaluate(examples.map((ex, i) => ({ ...ex, puzzleId: puzzleIds[i] })));
    return { condition, exactAccuracy: r.exactAccuracy, tokenAccuracy: r.tokenAccuracy, exactByStep: r.exactByStep };
  };
  const scores = [await score('as trained', examples.map((ex) => ex.puzzleId)), await score('blank', examples.map(() => 0))];
  const notes: string[] = [];
  const swapped = swappedIds(examples, taskOf);
  if (swapped) scores.push(await score('swapped', swapped));
  else notes.push(`swapped: all ${examples.length} puzzles come from one task, so there is no other task's row to swap in; score more puzzles`);
  return { applicable: true, examples: examples.length, scores, notes };
}
