/**
 * The research probes, each in its own file with one entry point, and the one place that runs them on a loaded
 * model (the worker, `npm run probe`): probes over a batch take the first `puzzles` held-out puzzles exactly as the
 * CLI's `eval --n` scores them (scoredExamples); probes of one puzzle take it from the caller.
 */
import type { DataSource } from '../data/source';
import type { Example } from '../data/dataset';
import { scoredExamples } from '../trm/evaluate';
import type { Trainer } from '../trm/trainer';
import { accuracyByStep, type AccuracyByStep } from './accuracy-by-step';
import { answerChanges, type AnswerChanges } from './answer-changes';
import { latentTrajectory, type LatentTrajectory } from './latent-trajectory';
import { taskAblation, type TaskAblation } from './task-ablation';

export const PROBES = ['accuracy-by-step', 'answer-changes', 'latent-trajectory', 'task-ablation'] as const;
export type ProbeName = (typeof PROBES)[number];

/** Probes over the first `puzzles` held-out puzzles, and probes of one puzzle. */
export type BatchProbe = 'accuracy-by-step' | 'task-ablation';
export const isBatchProbe = (p: ProbeName): p is BatchProbe => p === 'accuracy-by-step' || p === 'task-ablation';

export type ProbeRequest = { probe: BatchProbe; puzzles: number } | { probe: Exclude<ProbeName, BatchProbe>; example: Example };

export type ProbeResult =
  | { probe: 'accuracy-by-step'; result: AccuracyByStep }
  | { probe: 'answer-changes'; result: AnswerChanges }
  | { probe: 'latent-trajectory'; result: LatentTrajectory }
  | { probe: 'task-ablation'; result: TaskAblation };

export type { AccuracyByStep, AnswerChanges, LatentTrajectory, TaskAblation };

export async function runProbe(trainer: Trainer, source: DataSource, req: ProbeRequest): Promise<ProbeResult> {
  if (!('puzzles' in req)) {
    if (req.probe === 'answer-changes') return { probe: req.probe, result: await answerChanges(trainer, req.example) };
    return { probe: req.probe, result: await latentTrajectory(trainer, req.example) };
  }
  const { examples, arc } = scoredExamples(source, req.puzzles);
  if (req.probe === 'accuracy-by-step') return { probe: req.probe, result: await accuracyByStep(trainer, examples) };
  return { probe: req.probe, result: await taskAblation(trainer, examples, arc && ((i) => arc.items[i].taskId)) };
}
