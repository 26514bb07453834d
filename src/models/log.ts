/**
 * A shipped model's training log (log.jsonl): the lines of the CLI's metrics.jsonl ({"type":"train",…} every
 * report, {"type":"eval",…} every evaluation), thinned to a size the page fetches in a moment, and read back as
 * the dashboard's chart series.
 */
import { isJsonObject } from '../io/json-value';
import { InputError } from '../io/user-error';
import { pointOf, thin, type MetricPoint } from '../state/history';
import type { EvalPoint } from '../state/train-model';
import { evalPoint } from '../state/train-model';
import type { LiveMetrics } from '../worker/protocol';

/** Train lines kept: as many points as a live chart holds (history.ts's DEFAULT_MAX_POINTS). */
export const LOG_TRAIN_LINES = 400;

export interface ShippedLog {
  history: MetricPoint[];
  evals: EvalPoint[];
}

type Line = Record<string, unknown> & { type: 'train' | 'eval'; step: number };

function parseLines(text: string, file: string): Line[] {
  const out: Line[] = [];
  text.split('\n').forEach((raw, i) => {
    if (!raw.trim()) return;
    let v: unknown;
    try {
      v = JSON.parse(raw);
    } catch {
      throw new InputError(`${file} line ${i + 1}: not JSON`);
    }
    if (!isJsonObject(v) || (v.type !== 'train' && v.type !== 'eval') || typeof v.step !== 'number' || !Number.isFinite(v.step))
      throw new InputError(`${file} line ${i + 1}: expected {"type": "train" | "eval", "step": N, …}`);
    out.push(v as Line);
  });
  return out;
}

/** metrics.jsonl text → log.jsonl text: every eval line, and at most `maxTrain` evenly spaced train lines (first and last kept). */
export function thinLog(text: string, file: string, maxTrain = LOG_TRAIN_LINES): string {
  const lines = parseLines(text, file);
  const train = lines.filter((l) => l.type === 'train');
  const kept = new Set<Line>([...thin(train, maxTrain), ...lines.filter((l) => l.type === 'eval')]);
  return lines.filter((l) => kept.has(l)).map((l) => JSON.stringify(l)).join('\n') + '\n';
}

const finiteOr = (v: unknown, fallback: number) => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);

/** log.jsonl as chart series: train lines as history points (rates undefined where none halted), eval lines as eval points. */
export function parseLog(text: string, file: string): ShippedLog {
  const history: MetricPoint[] = [];
  const evals: EvalPoint[] = [];
  for (const l of parseLines(text, file)) {
    if (l.type === 'train') history.push(pointOf({ ...l, count: finiteOr(l.count, 1) } as unknown as LiveMetrics));
    else {
      const passAtK = isJsonObject(l.passAtK) ? (l.passAtK as Record<number, number>) : undefined;
      evals.push(evalPoint(l.step, { examples: finiteOr(l.examples, 0), exactAccuracy: finiteOr(l.exactAccuracy, NaN), tokenAccuracy: finiteOr(l.tokenAccuracy, NaN), exactByStep: [], meanHaltStep: finiteOr(l.meanHaltStep, NaN), passAtK }));
    }
  }
  return { history, evals };
}
