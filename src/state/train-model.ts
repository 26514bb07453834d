/**
 * The training dashboard's state and its pure transitions (worker events in, new state out). The zustand
 * store in train-store.ts wires these to the worker client and browser storage; tests drive them directly.
 */
import type { DatasetInfo } from '../data/dataset';
import type { EngineLimits } from '../engine/engine';
import { nearestPreset } from '../io/url-state';
import { bound } from '../io/user-error';
import type { TrainConfig } from '../trm/config';
import type { FullEvalResult } from '../trm/evaluate';
import type { PresetName } from '../trm/presets';
import type { Backend, RunState, WorkerEvent } from '../worker/protocol';
import { appendPoint, chartPoints, emptyHistory, pointOf, thin, type History, type MetricKey, type MetricPoint } from './history';

export interface EngineView {
  status: 'off' | 'starting' | 'ready' | 'lost' | 'error';
  backend: Backend | null;
  adapter: string;
  features: string[];
  /** Why the CPU twin runs instead of WebGPU (names the browser and the flags to enable). */
  fallbackReason: string | null;
  memory: { bytes: number; buffers: number; liveTensors: number } | null;
  /** What the engine can hold (for the memory estimate of the form's config); null until it is ready. */
  limits: EngineLimits | null;
}

export interface EvalPoint {
  step: number;
  examples: number;
  exactAccuracy: number;
  tokenAccuracy: number;
  meanHaltStep: number;
  /** ARC voting, when the data is ARC. */
  passAt1: number | null;
  passAt2: number | null;
}

export interface RunView {
  id: string;
  /** Preset name, with the number of changed fields when it differs. */
  name: string;
  config: TrainConfig;
  info: DatasetInfo;
  paramCount: number;
  /** False for an ARC checkpoint opened without its tasks (it can be traced, not trained). */
  trainable: boolean;
  state: RunState;
  step: number;
  steps: number;
  etaSec: number | null;
  samplesPerSec: number | null;
  history: History;
  evals: EvalPoint[];
  createdAt: number;
}

/** One row of the runs table; kept across reloads. */
export interface RunSummary {
  id: string;
  name: string;
  config: TrainConfig;
  createdAt: number;
  state: RunState;
  step: number;
  steps: number;
  final: { loss: number | null; exactAccuracy: number | null; meanSteps: number | null; evalExact: number | null; passAt2: number | null };
  /** Loss against step, thinned for overlaid comparison charts. */
  curve: { step: number; loss: number | null }[];
}

/** Where an error is shown: next to the control that caused it. */
export type ErrorSlot = 'engine' | 'run' | 'config' | 'checkpoint' | 'storage' | 'live' | 'url' | 'trace' | 'adapt';

export interface StorageView {
  kind: 'opfs' | 'indexeddb' | 'memory' | 'none' | null;
  lastSavedStep: number | null;
  lastSavedAt: number | null;
  saving: boolean;
}

export interface TrainState {
  engine: EngineView;
  /** The config the form edits; it becomes a run on Start/Reset and is what the URL shares. */
  draft: { preset: PresetName; config: TrainConfig };
  /** The viewer's puzzle reference, shared in the URL. */
  puzzle: string | null;
  run: RunView | null;
  runs: RunSummary[];
  /** Runs whose loss curves are overlaid. */
  selected: string[];
  live: { lr: number; ema: number };
  storage: StorageView;
  errors: Partial<Record<ErrorSlot, string>>;
  /** Bumps whenever the model's weights change in a way a viewer should re-trace (new run, eval, pause, adapt). */
  modelVersion: number;
}

export const MAX_RUNS = 30;
export const CURVE_POINTS = 120;

export function initialState(draft: TrainState['draft']): TrainState {
  return {
    engine: { status: 'off', backend: null, adapter: '', features: [], fallbackReason: null, memory: null, limits: null },
    draft,
    puzzle: null,
    run: null,
    runs: [],
    selected: [],
    live: { lr: draft.config.optim.lr, ema: draft.config.optim.ema },
    storage: { kind: null, lastSavedStep: null, lastSavedAt: null, saving: false },
    errors: {},
    modelVersion: 0,
  };
}

export function runName(cfg: TrainConfig): string {
  const { preset, changes } = nearestPreset(cfg);
  return changes ? `${preset} (+${changes})` : preset;
}

export function evalPoint(step: number, r: FullEvalResult): EvalPoint {
  return {
    step, examples: r.examples, exactAccuracy: r.exactAccuracy, tokenAccuracy: r.tokenAccuracy, meanHaltStep: r.meanHaltStep,
    passAt1: r.passAtK?.[1] ?? null, passAt2: r.passAtK?.[2] ?? null,
  };
}

/** The newest defined value of a metric (rates are undefined at steps where no sample halted). */
function lastValue(pts: readonly MetricPoint[], key: MetricKey): number | null {
  for (let i = pts.length - 1; i >= 0; i--) if (pts[i][key] !== null) return pts[i][key];
  return null;
}

export function summarize(run: RunView): RunSummary {
  const pts = chartPoints(run.history);
  const ev = run.evals[run.evals.length - 1];
  return {
    id: run.id, name: run.name, config: run.config, createdAt: run.createdAt, state: run.state, step: run.step, steps: run.steps,
    final: { loss: lastValue(pts, 'loss'), exactAccuracy: lastValue(pts, 'exactAccuracy'), meanSteps: lastValue(pts, 'meanSteps'), evalExact: ev?.exactAccuracy ?? null, passAt2: ev?.passAt2 ?? null },
    curve: thin(pts, CURVE_POINTS).map((p) => ({ step: p.step, loss: p.loss })),
  };
}

/** Runs table with `s` replacing its earlier row (newest first, at most MAX_RUNS). */
export function upsertRun(runs: readonly RunSummary[], s: RunSummary): RunSummary[] {
  const i = runs.findIndex((r) => r.id === s.id);
  if (i >= 0) return runs.map((r, k) => (k === i ? s : r));
  return [s, ...runs].slice(0, MAX_RUNS);
}

function withRun(s: TrainState, run: RunView, bump = false): TrainState {
  return { ...s, run, runs: upsertRun(s.runs, summarize(run)), modelVersion: s.modelVersion + (bump ? 1 : 0) };
}

/** A run the worker just created or loaded (`name`: e.g. the checkpoint file's); `restored` brings back an autosaved run's charts. */
export function runCreated(
  s: TrainState,
  ev: Extract<WorkerEvent, { type: 'run-created' }>,
  opts: { now: number; name?: string; restored?: { history: History; evals: EvalPoint[]; createdAt?: number; name?: string } },
): TrainState {
  const run: RunView = {
    id: ev.runId, name: opts.restored?.name ?? opts.name ?? runName(ev.config), config: ev.config, info: ev.info, paramCount: ev.paramCount, trainable: ev.trainable,
    state: ev.step >= ev.config.steps ? 'done' : ev.step > 0 ? 'paused' : 'idle', step: ev.step, steps: ev.config.steps, etaSec: null, samplesPerSec: null,
    history: opts.restored?.history ?? emptyHistory(), evals: opts.restored?.evals ?? [], createdAt: opts.restored?.createdAt ?? opts.now,
  };
  const selected = s.selected.includes(run.id) ? s.selected : [run.id, ...s.selected].slice(0, 6);
  return { ...withRun({ ...s, selected }, run, true), live: { ...ev.live } };
}

/** Apply one streamed worker event (request answers are handled by the actions that asked). */
export function applyEvent(s: TrainState, ev: WorkerEvent): TrainState {
  switch (ev.type) {
    case 'ready':
      return { ...s, engine: { ...s.engine, status: 'ready', backend: ev.backend, adapter: ev.adapter, features: ev.features, fallbackReason: ev.fallbackReason ?? null, limits: ev.limits }, errors: { ...s.errors, engine: undefined } };
    case 'memory':
      return { ...s, engine: { ...s.engine, memory: { bytes: ev.bytes, buffers: ev.buffers, liveTensors: ev.liveTensors } } };
    case 'state': {
      if (!s.run || s.run.id !== ev.runId) return s;
      // The weights changed (the viewer re-traces) when a run settles after running, not when a settled run says so again.
      const changed = (ev.state === 'paused' || ev.state === 'done') && (s.run.state === 'running' || s.run.step !== ev.step);
      const run = { ...s.run, state: ev.state, step: ev.step, steps: ev.steps, etaSec: ev.state === 'running' ? s.run.etaSec : null };
      const errors = ev.state === 'running' ? { ...s.errors, run: undefined } : s.errors;
      return withRun({ ...s, errors }, run, changed);
    }
    case 'metrics': {
      if (!s.run || s.run.id !== ev.runId) return s;
      const m = ev.metrics;
      const run = {
        ...s.run, step: m.step, history: appendPoint(s.run.history, pointOf(m)),
        etaSec: Number.isFinite(m.etaSec) ? m.etaSec : null, samplesPerSec: Number.isFinite(m.samplesPerSec) ? m.samplesPerSec : null,
      };
      return withRun(s, run);
    }
    case 'eval': {
      if (!s.run || s.run.id !== ev.runId) return s;
      const evals = [...s.run.evals.filter((e) => e.step !== ev.step), evalPoint(ev.step, ev.result)].sort((a, b) => a.step - b.step);
      return withRun(s, { ...s.run, evals }, true);
    }
    case 'adapt-done':
      return { ...s, modelVersion: s.modelVersion + 1 };
    case 'error': {
      if (ev.requestId !== undefined) return s; // the request's own promise reports it where it was made
      const message = bound(ev.message);
      if (/device lost/i.test(message)) return { ...s, engine: { ...s.engine, status: 'lost', memory: null }, errors: { ...s.errors, engine: message } };
      return { ...s, errors: { ...s.errors, [s.engine.status === 'ready' ? 'run' : 'engine']: message } };
    }
    default:
      return s;
  }
}

export function setError(s: TrainState, slot: ErrorSlot, message: string | null): TrainState {
  return { ...s, errors: { ...s.errors, [slot]: message ?? undefined } };
}

/** Least time between two autosaves while training, so fast runs of big models are not saving all the time. */
export const AUTOSAVE_MIN_MS = 15_000;

/** Whether to autosave now: `every` steps since the last save and not too soon after it (pause and finish always save). */
export function autosaveDue(s: TrainState, every: number, now: number, minMs = AUTOSAVE_MIN_MS): boolean {
  const run = s.run;
  if (!run || s.storage.saving || !run.trainable || every <= 0) return false;
  if (s.storage.lastSavedAt !== null && now - s.storage.lastSavedAt < minMs) return false;
  return run.step - (s.storage.lastSavedStep ?? 0) >= every;
}
