/**
 * The training store: engine status, the current run with its chart history, the runs table, live settings,
 * the draft config (shared in the URL), autosave. Actions talk to the worker through a TrainClient; the state
 * transitions are the pure functions of train-model.ts.
 */
import { useEffect, useState } from 'react';
import { createStore, useStore, type StoreApi } from 'zustand';
import type { Example } from '../data/dataset';
import type { ArcTask } from '../data/grid';
import type { ArcTaskSplit } from '../data/sources';
import type { DatasetInfo } from '../data/dataset';
import { checkpointBytes, openCheckpointFiles, openCheckpointUrl, type OpenedCheckpoint, type OpenProgress } from '../io/open-checkpoint';
import { openBrowserStorage, type RunStorage } from '../io/browser-storage';
import type { HeldPuzzleRows } from '../io/lazy-puzzle-table';
import { checkIdentifierRows, parseIdentifiers, versionsByTask, versionsOf, type TaskVersion } from '../io/reference-identifiers';
import { decodeUrlState, linkBanner, nearestPreset, writeHash } from '../io/url-state';
import { fileLabel, InputError, quote, userMessage } from '../io/user-error';
import type { TrainConfig } from '../trm/config';
import { estimateMemory } from '../trm/memory';
import { getPreset, type PresetName } from '../trm/presets';
import type { RecursionTrace } from '../trm/trace';
import { createWorkerClient, type TrainClient } from '../worker/client';
import type { ArcSolution, Backend, TaskRows, WorkerEvent } from '../worker/protocol';
import { draftIssues, setConfigField, type FieldValue } from './config-edit';
import { readRunsTable, savedMetaProblem, type SavedRunMeta } from './stored-runs';
import { applyEvent, autosaveDue, initialState, runCreated, setError, type ErrorSlot, type TrainState } from './train-model';

export type { SavedRunMeta } from './stored-runs';

export interface BootOptions {
  /** A checkpoint to open when there is no autosave (the bundled trained model). */
  fallback?: () => Promise<{ bytes: ArrayBuffer; name: string } | null>;
  backend?: 'auto' | Backend;
}

export interface TrainActions {
  /** Start the engine, read the URL, restore the autosaved run (or open `fallback`). Safe to call twice. */
  boot(opts?: BootOptions): Promise<void>;
  /** (Re)open the engine, e.g. after the GPU device was lost; reopens the last autosave when there is one. */
  initEngine(backend?: 'auto' | Backend): Promise<void>;
  setPreset(name: PresetName): void;
  setField(path: string, value: FieldValue): void;
  setConfig(config: TrainConfig, preset?: PresetName): void;
  /** ARC tasks for 'arc' configs (the datasets panel loads them). */
  setArcTasks(tasks: ArcTaskSplit | null): void;
  /** Start or resume; builds a run from the draft when there is none or the last one finished. */
  start(): Promise<void>;
  pause(): void;
  stop(): void;
  /** A fresh run (new weights) from the draft config, not started. */
  reset(): Promise<void>;
  setLiveLr(lr: number): void;
  setLiveEma(ema: number): void;
  /** The run's checkpoint as .safetensors bytes, with a file name. */
  exportCheckpoint(): Promise<{ bytes: Uint8Array; fileName: string } | null>;
  /** Open a checkpoint file (its config and weights); errors show in the 'checkpoint' slot and the run loaded before stays. */
  importCheckpoint(file: ArrayBuffer | Blob, name: string): Promise<boolean>;
  /**
   * Open a TRM Lab or reference checkpoint (torch.save step_N or safetensors, with all_config.yaml when picked
   * alongside or beside the URL), reading only what it needs; null on failure (the error shows in the 'checkpoint'
   * slot and the run loaded before stays).
   */
  openCheckpoint(source: { files: readonly File[] } | { url: string }, onProgress?: (p: OpenProgress) => void): Promise<OpenedSummary | null>;
  /**
   * Run the model on one example capturing every recursion step: the last Adapt's model when `adapted` (by
   * default, when the example was marked with forAdaptedModel). `onProgress` gets the trace so far after each
   * supervision step: each call's trace extends the previous one, keeping its frame objects.
   */
  trace(example: Example, opts?: { adapted?: boolean; onProgress?: (partial: RecursionTrace) => void }): Promise<RecursionTrace>;
  /** Mark an example (one built with the puzzle id Adapt returned) to be traced with the adapted model; returns it. */
  forAdaptedModel(example: Example): Example;
  /** Held-out (or training) examples of the run's data, with targets. */
  examples(split: 'eval' | 'train', limit: number): Promise<Example[]>;
  /** Evaluate on `limit` held-out examples (default: the run's evalSamples); the result lands in the eval history. */
  evaluate(limit?: number): Promise<void>;
  /** ARC test-time training on a new task, then voted pass@2 candidates per test input. */
  adapt(task: ArcTask, steps: number, wholeNetwork: boolean, onProgress?: (step: number, steps: number, loss: number) => void): Promise<ArcSolution & { puzzleId: number }>;
  /**
   * Voted pass@2 candidates per test input of an ARC task, from the run's model or (`adapted`) the last Adapt's;
   * an opened reference ARC checkpoint with its identifiers.json runs the task's own versions (solveRows).
   */
  solveArc(task: ArcTask, adapted: boolean): Promise<ArcSolution>;
  /**
   * Read the identifiers.json of the opened reference ARC checkpoint's dataset and check it names its rows; throws
   * an InputError naming the file and the problem, leaving what was picked before.
   */
  pickIdentifiers(file: File): Promise<void>;
  setPuzzle(puzzle: string | null): void;
  toggleSelected(runId: string): void;
  deleteRun(runId: string): void;
  clearError(slot: ErrorSlot): void;
  /** Autosave now (also runs every `autosaveEvery` steps and on pause/finish). */
  saveNow(): Promise<void>;
}

/** What the page shows beside an opened checkpoint's config. */
export interface OpenedSummary {
  /** The run it was opened as (the page shows the summary while that run is the current one). */
  runId: string;
  name: string;
  kind: OpenedCheckpoint['kind'];
  /** The file's size in bytes, how many of them were read to open it, and of those how many the browser cache served. */
  bytes: number;
  bytesRead: number;
  bytesCached: number;
  notes: string[];
  config: TrainConfig;
  info: DatasetInfo;
  step: number;
  paramCount: number;
  /** The training memory estimateMemory gives on this engine (null before the engine reported its limits). */
  memoryBytes: number | null;
}

/** The opened reference ARC checkpoint with a puzzle embedding, whose rows its dataset's identifiers.json names. */
export interface ReferenceArc {
  /** The run it was opened as. */
  runId: string;
  /** Rows of its puzzle embedding (in the file when the table stayed there). */
  rows: number;
  /** The identifiers.json picked for it: its name and the versions it names per task. */
  identifiers: { fileName: string; byTask: ReadonlyMap<string, TaskVersion[]> } | null;
}

export type TrainStore = TrainState & TrainActions & { arcTasks: ArcTaskSplit | null; autosaveEvery: number; referenceArc: ReferenceArc | null };

/**
 * The versions Solve runs an ARC task under on the current model's own puzzle rows, as `eval --identifiers` does
 * (versionsOf: those identifiers.json names, else the task once on the blank row; `named` says which), or null
 * when the current model is no opened reference ARC checkpoint with its identifiers.json picked.
 */
export function solveRows(ref: ReferenceArc | null, runId: string | null, taskId: string): { versions: TaskVersion[]; named: boolean } | null {
  if (!ref?.identifiers || ref.runId !== runId) return null;
  return { versions: versionsOf(taskId, ref.identifiers.byTask), named: ref.identifiers.byTask.has(taskId) };
}

export interface StoreDeps {
  client: TrainClient;
  /** Null: no browser storage (autosave off, said in the UI). */
  storage: Promise<RunStorage<SavedRunMeta> | null>;
  /** Initial URL hash ('' for none). */
  hash?: string;
  /** Called with the view to share whenever the draft or puzzle changes. */
  onShare?: (s: { preset: PresetName; config: TrainConfig; puzzle: string | null }) => void;
  /** Autosave every this many steps (default 200) … */
  autosaveEvery?: number;
  /** … but not sooner than this after the previous save (default AUTOSAVE_MIN_MS). */
  autosaveMinMs?: number;
  now?: () => number;
}

export function createTrainStore(deps: StoreDeps): StoreApi<TrainStore> {
  const { client } = deps;
  const now = deps.now ?? Date.now;
  const url = decodeUrlState(deps.hash ?? '');
  let runCounter = 0;
  let booted: Promise<void> | null = null;
  /** Checkpoint loads started so far (the boot fallback yields to any started while it downloaded). */
  let loadsStarted = 0;
  let saveAgain = false;
  const adaptedExamples = new WeakSet<Example>();
  /** The opened checkpoint's puzzle table left in its file (the page holds the File or URL it reads from). */
  let fileRows: { runId: string; rows: HeldPuzzleRows } | null = null;
  const newRunId = () => `run-${now().toString(36)}-${(runCounter++).toString(36)}`;

  const store = createStore<TrainStore>()((set, get) => {
    const update = (f: (s: TrainState) => TrainState) => set((s) => f(s));
    // Every failure the dashboard shows is one bounded line (no runtime class names or stack frames).
    const fail = (slot: ErrorSlot, err: unknown) => update((s) => setError(s, slot, userMessage(err)));
    const storage = () => deps.storage.catch(() => null);

    const saveRuns = async () => {
      const st = await storage();
      await st?.saveRuns(get().runs).catch((err: unknown) => fail('storage', err));
    };

    async function save(): Promise<void> {
      const s = get(), run = s.run;
      if (!run || !run.trainable) return;
      const st = await storage();
      if (!st) return;
      if (get().storage.saving) {
        saveAgain = true;
        return;
      }
      update((x) => ({ ...x, storage: { ...x.storage, saving: true } }));
      try {
        const { bytes } = await client.request({ type: 'save-checkpoint' });
        const cur = get().run;
        if (!cur || cur.id !== run.id) return;
        const meta: SavedRunMeta = { version: 1, runId: cur.id, name: cur.name, createdAt: cur.createdAt, step: cur.step, wasRunning: cur.state === 'running', history: cur.history, evals: cur.evals };
        await st.save({ checkpoint: new Uint8Array(bytes), meta }, `the autosave at step ${cur.step}`);
        update((x) => setError({ ...x, storage: { ...x.storage, lastSavedStep: cur.step, lastSavedAt: now() } }, 'storage', null));
        await saveRuns();
      } catch (err) {
        fail('storage', err);
      } finally {
        update((x) => ({ ...x, storage: { ...x.storage, saving: false } }));
        if (saveAgain) {
          saveAgain = false;
          void save();
        }
      }
    }

    const onEvent = (ev: WorkerEvent) => {
      const before = get();
      update((s) => applyEvent(s, ev));
      const after = get();
      if (ev.type === 'metrics' && autosaveDue(after, after.autosaveEvery, now(), deps.autosaveMinMs)) void save();
      if (ev.type === 'state' && after.run?.id === ev.runId && before.run?.state !== ev.state) {
        if (ev.state === 'paused' || ev.state === 'done') void save();
        else void saveRuns();
      }
    };
    client.on(onEvent);

    const installed = (ev: Extract<WorkerEvent, { type: 'run-created' }>, opts: { name?: string; restored?: Parameters<typeof runCreated>[2]['restored'] } = {}) => {
      const { restored } = opts;
      update((s) => {
        const next = runCreated(s, ev, { now: now(), ...opts });
        return { ...next, storage: { ...next.storage, lastSavedStep: restored ? ev.step : null }, errors: { ...next.errors, run: undefined, checkpoint: undefined } };
      });
      void saveRuns();
    };

    const createRun = async (): Promise<boolean> => {
      const { draft, arcTasks, engine } = get();
      const issues = draftIssues(draft.config, engine.limits);
      if (issues.length) {
        fail('config', `Fix the config first: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`);
        return false;
      }
      if (draft.config.data.kind === 'arc' && !arcTasks) {
        fail('config', `Load the ${draft.config.data.source} tasks (Datasets) before training on them.`);
        return false;
      }
      try {
        const ev = await client.request({ type: 'create-run', runId: newRunId(), config: draft.config, arcTasks: draft.config.data.kind === 'arc' ? arcTasks ?? undefined : undefined });
        installed(ev);
        update((s) => setError(s, 'config', null));
        return true;
      } catch (err) {
        fail('config', err);
        return false;
      }
    };

    /**
     * Open checkpoint bytes as the run (throws why not; the run loaded before stays). The form follows the
     * checkpoint when `follow`: always for a file the user opens, on page open only when the link set no config.
     */
    const loadBytes = async (bytes: ArrayBuffer, name: string, follow: boolean, restored?: SavedRunMeta): Promise<void> => {
      loadsStarted++;
      const { arcTasks } = get();
      const ev = await client.request({ type: 'load-checkpoint', runId: restored?.runId ?? newRunId(), bytes, name, arcTasks: arcTasks ?? undefined }, [bytes]);
      const r = restored && { history: restored.history, evals: restored.evals, createdAt: restored.createdAt, name: restored.name };
      installed(ev, { restored: r, name: name.replace(/\.safetensors$/i, '') });
      if (follow) {
        update((s) => ({ ...s, draft: { preset: nearestPreset(ev.config).preset, config: ev.config } }));
        share();
      }
    };

    /** The autosaved run, when there is one and it opens; a damaged one is reported and left in storage. */
    const restoreAutosave = async (): Promise<boolean> => {
      const st = await storage();
      if (!st) return false;
      try {
        const saved = await st.load();
        if (!saved) return false;
        // A damaged record costs the charts, not the weights.
        const problem = savedMetaProblem(saved.meta);
        const meta = problem ? undefined : (saved.meta as SavedRunMeta);
        await loadBytes(saved.checkpoint.slice().buffer as ArrayBuffer, 'autosave.safetensors', !url.configured, meta);
        if (problem) fail('storage', `The autosaved run's record is damaged (${problem}): its weights were opened without its charts.`);
        if (meta?.wasRunning && get().run?.state === 'paused') await get().start();
        return true;
      } catch (err) {
        fail('storage', `The autosaved run could not be opened, so it was not restored (it stays in storage until the next save): ${userMessage(err)}`);
        return false;
      }
    };

    return {
      ...initialState({ preset: url.preset, config: url.config }),
      puzzle: url.puzzle,
      errors: url.errors.length || url.issues.length ? { url: linkBanner(url.errors, draftIssues(url.config)).join('\n') } : {},
      arcTasks: null,
      referenceArc: null,
      autosaveEvery: deps.autosaveEvery ?? 200,

      boot(opts = {}) {
        booted ??= (async () => {
          void storage().then(async (st) => {
            update((s) => ({ ...s, storage: { ...s.storage, kind: st?.store.kind ?? 'none' } }));
            if (!st) return;
            try {
              const { runs, problem } = readRunsTable(await st.loadRuns());
              if (problem) fail('storage', problem);
              update((s) => ({ ...s, runs: [...s.runs, ...runs.filter((r) => !s.runs.some((x) => x.id === r.id))] }));
            } catch (err) {
              fail('storage', `The stored runs table could not be read, so it is not shown (the next save replaces it): ${userMessage(err)}`);
            }
          });
          await get().initEngine(opts.backend ?? 'auto');
          if (get().engine.status !== 'ready' || get().run) return;
          if (await restoreAutosave()) return;
          const before = loadsStarted;
          const fb = await opts.fallback?.().catch((err: unknown) => {
            fail('checkpoint', err);
            return null;
          });
          // A model the person opened (or a run built) while the fallback downloaded is theirs: keep it.
          if (fb && loadsStarted === before && !get().run) await loadBytes(fb.bytes, fb.name, !url.configured).catch((err: unknown) => fail('checkpoint', err));
        })();
        return booted;
      },

      async initEngine(backend = 'auto') {
        update((s) => ({ ...s, engine: { ...s.engine, status: 'starting' }, errors: { ...s.errors, engine: undefined } }));
        try {
          await client.request({ type: 'init', backend });
        } catch (err) {
          update((s) => setError({ ...s, engine: { ...s.engine, status: 'error' } }, 'engine', userMessage(err)));
          return;
        }
        // After a lost device the run is gone from the worker: bring back its last autosave.
        if (get().run && get().run!.state === 'error') await restoreAutosave();
      },

      setPreset(name) {
        // A preset replaces everything a link set, so the link's banner no longer applies.
        update((s) => ({ ...s, draft: { preset: name, config: getPreset(name) }, errors: { ...s.errors, config: undefined, url: undefined } }));
        share();
      },

      setField(path, value) {
        try {
          update((s) => ({ ...s, draft: { ...s.draft, config: setConfigField(s.draft.config, path, value) } }));
          share();
        } catch (err) {
          fail('config', err);
        }
      },

      setConfig(config, preset) {
        update((s) => ({ ...s, draft: { preset: preset ?? s.draft.preset, config: structuredClone(config) } }));
        share();
      },

      setArcTasks(tasks) {
        set({ arcTasks: tasks });
      },

      async start() {
        const { run } = get();
        update((s) => setError(s, 'run', null));
        if (!run || run.state === 'done' || run.state === 'error') {
          if (!(await createRun())) return;
        }
        client.send({ type: 'start' });
      },

      pause() {
        client.send({ type: 'pause' });
      },

      stop() {
        client.send({ type: 'stop' });
      },

      async reset() {
        const { run } = get();
        if (run?.state === 'running') client.send({ type: 'pause' });
        await createRun();
      },

      setLiveLr(lr) {
        if (!Number.isFinite(lr) || lr <= 0 || lr > 10) return fail('live', `learning rate must be in (0, 10], got ${lr}`);
        update((s) => setError({ ...s, live: { ...s.live, lr } }, 'live', null));
        if (get().run) client.send({ type: 'set-live', lr });
      },

      setLiveEma(ema) {
        if (!Number.isFinite(ema) || ema < 0 || ema >= 1) return fail('live', `EMA decay must be in [0, 1), got ${ema}`);
        const run = get().run;
        if (run && run.config.optim.ema === 0) return fail('live', 'EMA is off in this run (optim.ema = 0): set it in the config and Reset to use it');
        update((s) => setError({ ...s, live: { ...s.live, ema } }, 'live', null));
        if (run) client.send({ type: 'set-live', ema });
      },

      async exportCheckpoint() {
        const run = get().run;
        if (!run) {
          fail('checkpoint', 'No run to export: start or open one first.');
          return null;
        }
        try {
          const { bytes } = await client.request({ type: 'save-checkpoint' });
          update((s) => setError(s, 'checkpoint', null));
          const { preset, changes } = nearestPreset(run.config);
          return { bytes: new Uint8Array(bytes), fileName: `trm-${preset}${changes ? '-custom' : ''}-step${run.step}.safetensors` };
        } catch (err) {
          fail('checkpoint', err);
          return null;
        }
      },

      async importCheckpoint(file, name) {
        // A file that cannot be read or does not open leaves the run loaded before as it was.
        let bytes: ArrayBuffer;
        try {
          bytes = file instanceof ArrayBuffer ? file : await file.arrayBuffer();
        } catch (err) {
          fail('checkpoint', userMessage(err, `${quote(name, 80)} could not be read`));
          return false;
        }
        try {
          await loadBytes(bytes, fileLabel(name), true);
          return true;
        } catch (err) {
          fail('checkpoint', err);
          return false;
        }
      },

      async openCheckpoint(source, onProgress) {
        try {
          // Fitted to this engine: a published run's batch is far larger than a browser GPU holds.
          const limits = get().engine.limits;
          const opts = { fitTo: limits ?? undefined, onProgress };
          const opened = 'url' in source ? await openCheckpointUrl(source.url, opts) : await openCheckpointFiles(source.files, opts);
          const bytes = checkpointBytes(opened.checkpoint);
          await loadBytes(bytes.buffer.byteLength === bytes.byteLength ? (bytes.buffer as ArrayBuffer) : bytes.slice().buffer, fileLabel(opened.name), true);
          const { meta } = opened.checkpoint;
          const runId = get().run?.id ?? '';
          const arc = opened.kind === 'reference' && (meta.config.data.kind === 'arc' || meta.config.data.kind === 'arc-procedural') && meta.config.model.puzzleEmbDim > 0;
          fileRows = opened.puzzleRows && { runId, rows: opened.puzzleRows };
          set({ referenceArc: arc ? { runId, rows: opened.puzzleRows?.table.rows ?? meta.data.numPuzzleIds, identifiers: null } : null });
          return {
            runId: get().run?.id ?? '', name: opened.name, kind: opened.kind, bytes: opened.bytes, bytesRead: opened.bytesRead, bytesCached: opened.bytesCached, notes: opened.notes, config: meta.config, info: meta.data, step: meta.step,
            paramCount: get().run?.paramCount ?? 0,
            memoryBytes: limits ? estimateMemory(meta.config, meta.data, limits.bytesPerFloat).total : null,
          };
        } catch (err) {
          fail('checkpoint', err);
          return null;
        }
      },

      async trace(example, opts = {}) {
        let sofar = null as RecursionTrace | null;
        const onEvent = (ev: WorkerEvent) => {
          if (ev.type !== 'trace-progress') return;
          sofar = sofar ? { ...ev.trace, frames: [...sofar.frames, ...ev.trace.frames], steps: [...sofar.steps, ...ev.trace.steps] } : ev.trace;
          opts.onProgress?.(sofar);
        };
        try {
          const { trace } = await client.request({ type: 'trace', example, adapted: opts.adapted ?? adaptedExamples.has(example) }, [], onEvent);
          update((s) => setError(s, 'trace', null));
          // The streamed frames stand for the first ones, so a viewer sees the same trace grow to its end.
          const shown = sofar?.frames ?? [];
          return { ...trace, frames: [...shown, ...trace.frames.slice(shown.length)] };
        } catch (err) {
          fail('trace', err);
          throw err;
        }
      },

      forAdaptedModel(example) {
        adaptedExamples.add(example);
        return example;
      },

      async examples(split, limit) {
        return (await client.request({ type: 'examples', split, limit })).examples;
      },

      async evaluate(limit) {
        try {
          await client.request({ type: 'evaluate', limit: limit ?? get().run?.config.evalSamples });
        } catch (err) {
          fail('run', err);
        }
      },

      async adapt(task, steps, wholeNetwork, onProgress) {
        try {
          const done = await client.request({ type: 'adapt', task, steps, wholeNetwork }, [], (ev) => ev.type === 'adapt-progress' && onProgress?.(ev.step, ev.steps, ev.loss));
          update((s) => setError(s, 'adapt', null));
          return { puzzleId: done.puzzleId, candidates: done.candidates, versions: done.versions };
        } catch (err) {
          fail('adapt', err);
          throw err;
        }
      },

      async solveArc(task, adapted) {
        try {
          const rows = adapted ? null : await taskRows(task.id);
          const transfer = rows?.embeddings ? [rows.embeddings.buffer] : [];
          const { candidates, versions } = await client.request({ type: 'solve-arc', task, adapted, ...(rows && { rows }) }, transfer);
          update((s) => setError(s, 'adapt', null));
          return { candidates, versions };
        } catch (err) {
          fail('adapt', err);
          throw err;
        }
      },

      async pickIdentifiers(file) {
        const ref = get().referenceArc;
        if (!ref || ref.runId !== get().run?.id) throw new InputError(`${quote(file.name, 80)}: open a reference ARC checkpoint first; identifiers.json names its puzzle-embedding rows`);
        let text: string;
        try {
          text = await file.text();
        } catch (err) {
          throw new InputError(userMessage(err, `${quote(file.name, 80)} could not be read`));
        }
        const ids = parseIdentifiers(text, fileLabel(file.name));
        checkIdentifierRows(ids, ref.rows, fileLabel(file.name));
        // The checkpoint may have been replaced while the file was read.
        if (get().referenceArc !== ref) throw new InputError(`${quote(file.name, 80)}: the checkpoint it was picked for is no longer open`);
        set({ referenceArc: { ...ref, identifiers: { fileName: file.name, byTask: versionsByTask(ids) } } });
      },

      setPuzzle(puzzle) {
        set({ puzzle });
        share();
      },

      toggleSelected(runId) {
        update((s) => ({ ...s, selected: s.selected.includes(runId) ? s.selected.filter((x) => x !== runId) : [...s.selected, runId] }));
      },

      deleteRun(runId) {
        if (get().run?.id === runId) return;
        update((s) => ({ ...s, runs: s.runs.filter((r) => r.id !== runId), selected: s.selected.filter((x) => x !== runId) }));
        void saveRuns();
      },

      clearError(slot) {
        update((s) => setError(s, slot, null));
      },

      saveNow: save,
    };

    /** The task's versions on the checkpoint's own rows, with the rows' floats when its table stayed in the file. */
    async function taskRows(taskId: string): Promise<TaskRows | null> {
      const s = get(), found = solveRows(s.referenceArc, s.run?.id ?? null, taskId);
      if (!found) return null;
      const versions = found.versions.map(({ name, row }) => ({ name, row }));
      const inFile = fileRows?.runId === s.run?.id ? fileRows!.rows : null;
      return inFile ? { versions, embeddings: await inFile.table.read(versions.map((v) => v.row)) } : { versions };
    }

    function share() {
      const s = get();
      deps.onShare?.({ preset: s.draft.preset, config: s.draft.config, puzzle: s.puzzle });
    }
  });
  return store;
}

let singleton: StoreApi<TrainStore> | null = null;
let appClient: TrainClient | null = null;

/** The app's worker client, for stores beside this one that ask the same worker (the throughput estimate). */
export function getTrainClient(): TrainClient {
  appClient ??= createWorkerClient();
  return appClient;
}

/** The app's store: one worker, browser storage, the URL hash kept in sync. Created on first use. */
export function getTrainStore(): StoreApi<TrainStore> {
  singleton ??= createTrainStore({
    client: getTrainClient(),
    storage: openBrowserStorage<SavedRunMeta>(),
    hash: typeof location === 'undefined' ? '' : location.hash,
    onShare: debounce(writeHash, 250),
  });
  return singleton;
}

/** The store's actions (stable functions; calling them does not subscribe a component to anything). */
export function trainActions(): TrainActions {
  return getTrainStore().getState();
}

/** React hook over the app's store: `useTrain((s) => s.run?.step)`. */
export function useTrain<T>(selector: (s: TrainStore) => T): T {
  return useStore(getTrainStore(), selector);
}

/**
 * A recursion trace of `example` from the current model, refreshed whenever the model changes (new run, eval,
 * pause, checkpoint, adapt). While it runs, `trace` is the part computed so far (`loading` stays true until it
 * is whole). `example` should be referentially stable (memoise it).
 */
export function useTrace(example: Example | null, opts: { adapted?: boolean } = {}): { trace: RecursionTrace | null; error: string | null; loading: boolean } {
  const version = useTrain((s) => s.modelVersion);
  const hasRun = useTrain((s) => s.run !== null);
  const [out, setOut] = useState<{ trace: RecursionTrace | null; error: string | null; loading: boolean }>({ trace: null, error: null, loading: false });
  useEffect(() => {
    if (!example || !hasRun) return;
    let live = true;
    setOut((o) => ({ ...o, loading: true }));
    const onProgress = (partial: RecursionTrace) => live && setOut({ trace: partial, error: null, loading: true });
    getTrainStore().getState().trace(example, { ...opts, onProgress }).then(
      (trace) => live && setOut({ trace, error: null, loading: false }),
      (err: unknown) => live && setOut({ trace: null, error: userMessage(err), loading: false }),
    );
    return () => {
      live = false;
    };
  }, [example, version, hasRun, opts.adapted]);
  return out;
}

function debounce<A extends unknown[]>(fn: (...a: A) => void, ms: number): (...a: A) => void {
  let t: ReturnType<typeof setTimeout> | undefined;
  return (...a) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...a), ms);
  };
}
