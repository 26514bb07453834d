/**
 * Shape checks for what the page reads back from browser storage (the autosave's record and the runs table).
 * Storage outlives page versions and can be damaged or edited, so nothing read back is trusted: a bad record is
 * named and skipped, never rendered.
 */
import { parseTrainConfig } from '../trm/config-parse';
import type { RunState } from '../worker/protocol';
import { isHistory, type History } from './history';
import type { EvalPoint, RunSummary } from './train-model';

/** What an autosave keeps beside the checkpoint. */
export interface SavedRunMeta {
  version: 1;
  runId: string;
  name: string;
  createdAt: number;
  step: number;
  wasRunning: boolean;
  history: History;
  evals: EvalPoint[];
}

const RUN_STATES: readonly RunState[] = ['idle', 'running', 'paused', 'done', 'error'];
/** Longest run id or name kept (ours are under 60 characters). */
const MAX_NAME = 200;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isName = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= MAX_NAME;
const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
const numOrNull = (v: unknown) => v === null || Number.isFinite(v);

function isEvalPoint(v: unknown): v is EvalPoint {
  return isObj(v) && isCount(v.step) && isCount(v.examples) && [v.exactAccuracy, v.tokenAccuracy, v.meanHaltStep].every(Number.isFinite) && numOrNull(v.passAt1) && numOrNull(v.passAt2);
}

/** The first field of an autosave record that is not what the page wrote, or null when all are. */
export function savedMetaProblem(v: unknown): string | null {
  if (!isObj(v)) return 'the record is not an object';
  if (v.version !== 1) return 'version is not 1';
  if (!isName(v.runId)) return 'runId is not a short text';
  if (!isName(v.name)) return 'name is not a short text';
  if (!Number.isFinite(v.createdAt)) return 'createdAt is not a time';
  if (!isCount(v.step)) return 'step is not a count';
  if (typeof v.wasRunning !== 'boolean') return 'wasRunning is not true or false';
  if (!isHistory(v.history)) return 'history is not a chart history';
  if (!Array.isArray(v.evals) || !v.evals.every(isEvalPoint)) return 'evals is not a list of evaluations';
  return null;
}

function isRunSummary(v: unknown): v is RunSummary {
  if (!isObj(v) || !isName(v.id) || !isName(v.name) || !Number.isFinite(v.createdAt) || !RUN_STATES.includes(v.state as RunState)) return false;
  if (!isCount(v.step) || !isCount(v.steps) || !isObj(v.final) || !Array.isArray(v.curve)) return false;
  const f = v.final;
  if (![f.loss, f.exactAccuracy, f.meanSteps, f.evalExact, f.passAt2].every(numOrNull)) return false;
  if (!v.curve.every((p) => isObj(p) && Number.isFinite(p.step) && numOrNull(p.loss))) return false;
  try {
    parseTrainConfig(v.config, `stored run ${v.id}`);
    return true;
  } catch {
    return false;
  }
}

/** The readable rows of a stored runs table, and a message naming how many were skipped (null when none). */
export function readRunsTable(v: unknown): { runs: RunSummary[]; problem: string | null } {
  if (v === null) return { runs: [], problem: null };
  if (!Array.isArray(v)) return { runs: [], problem: 'The stored runs table is not a list: it was skipped (the next save replaces it).' };
  const runs = v.filter(isRunSummary);
  const skipped = v.length - runs.length;
  const problem = skipped ? `${skipped} of ${v.length} stored runs are damaged or from an unknown version: left out of the runs table (the next save drops them).` : null;
  return { runs, problem };
}
