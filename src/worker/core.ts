import type { DataSource } from '../data/source';
import type { ArcTaskSplit } from '../data/sources';
import { parseCheckpoint, restoreCheckpoint, saveCheckpoint } from '../io/checkpoint';
import { bound, quote, userMessage } from '../io/user-error';
import type { TrainConfig } from '../trm/config';
import { canScore, evaluateSource } from '../trm/evaluate';
import { captureTrace, type RecursionTrace } from '../trm/trace';
import type { TrainMetrics } from '../trm/trainer';
import { adaptToTask, voteOnRows, voteOnTask } from './adapt';
import type { OpenEngine, OpenedEngine } from './engines';
import { LiveTrainer } from './live-trainer';
import { answerProbe } from './probes';
import { answerThroughput } from './throughput';
import { DivergenceGuard, NON_FINITE_LIMIT, ReportPacer } from './pacing';
import type { RunState, WorkerEvent, WorkerRequest } from './protocol';
import { exampleProblem, runSource, sampleExamples } from './run-source';

export type Post = (ev: WorkerEvent, transfer?: Transferable[]) => void;

interface Run {
  id: string;
  trainer: LiveTrainer;
  source: DataSource;
  trainable: boolean;
  state: RunState;
  /** Said once per run: its held-out set has no targets, so the loop's evaluations are skipped. */
  unscorableNoted?: boolean;
}

/** Longest stretch of synchronous work (ms) before the loop lets the worker read its messages. */
const BUSY_MS = 25;
/** Memory reports at most this often (ms). */
const MEMORY_EVERY_MS = 1000;

const yieldToEvents = () => new Promise<void>((r) => setTimeout(r, 0));

/** Runs jobs one after another: training chunks, traces, checkpoints and evaluations share one engine. */
class Serial {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T> | T): Promise<T> {
    const r = this.tail.then(fn);
    this.tail = r.catch(() => undefined);
    return r;
  }
}

function ownBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer ? bytes.buffer : (bytes.slice().buffer as ArrayBuffer);
}

/**
 * The worker's logic, free of worker globals so it runs in Node tests on the CPU engine: one engine, one
 * current run, a training loop that never holds the thread for long, and request handlers.
 */
export class WorkerCore {
  private opened: OpenedEngine | null = null;
  private run: Run | null = null;
  /** The model of the last 'adapt' (its own puzzle embeddings), traced with `adapted: true`. */
  private adapted: LiveTrainer | null = null;
  private readonly serial = new Serial();
  /** The current training loop's controls; a paused loop keeps running to the end of its chunk. */
  private ctl: { halt: boolean; stop: boolean } | null = null;
  private loopDone: Promise<void> = Promise.resolve();

  private readonly post: Post;

  constructor(
    post: Post,
    private readonly openEngine: OpenEngine,
  ) {
    // A message that cannot be cloned (not plain data) must still reach the page, as an error naming it.
    this.post = (ev, transfer) => {
      try {
        post(ev, transfer);
      } catch (err) {
        post({ type: 'error', message: userMessage(err, `the worker's "${ev.type}" message`), requestId: 'requestId' in ev ? ev.requestId : undefined });
      }
    };
  }

  /** Handle one request; failures become 'error' events naming the request. */
  async handle(req: WorkerRequest): Promise<void> {
    const requestId = typeof req === 'object' && req !== null && 'requestId' in req ? req.requestId : undefined;
    try {
      if (typeof req !== 'object' || req === null) throw new Error(`the training worker got ${quote(req)} where a request belongs`);
      await this.dispatch(req);
    } catch (err) {
      this.post({ type: 'error', message: userMessage(err), requestId });
    }
  }

  private async dispatch(req: WorkerRequest): Promise<void> {
    switch (req.type) {
      case 'init':
        return this.init(req.backend, req.requestId);
      case 'create-run':
        return this.createRun(req.runId, req.config, req.arcTasks, req.requestId);
      case 'load-checkpoint':
        return this.loadCheckpoint(req.runId, req.bytes, req.name, req.arcTasks, req.requestId);
      case 'start':
        return this.start();
      case 'pause':
        if (this.ctl) this.ctl.halt = true;
        return;
      case 'stop':
        return this.stop();
      case 'set-live':
        return this.setLive(req.lr, req.ema);
      case 'save-checkpoint': {
        const run = this.need();
        const bytes = await this.serial.run(() =>
          saveCheckpoint(run.trainer, { puzzleIds: puzzleIdsOf(run.source), notes: { runId: run.id, live: { lr: run.trainer.baseLr, ema: run.trainer.emaDecay } } }),
        );
        const buf = ownBuffer(bytes);
        this.post({ type: 'checkpoint', requestId: req.requestId, bytes: buf }, [buf]);
        return;
      }
      case 'trace': {
        const run = this.need();
        const trainer = req.adapted ? this.adapted : run.trainer;
        if (!trainer) throw new Error('no adapted model yet: run Adapt on the task first');
        const problem = exampleProblem(req.example, trainer.data.info);
        if (problem) throw new Error(problem);
        let sent = 0;
        const onStep = (t: RecursionTrace) => {
          this.post({ type: 'trace-progress', requestId: req.requestId, trace: { ...t, frames: t.frames.slice(sent), steps: t.steps.slice(-1) } });
          sent = t.frames.length;
        };
        const trace = await this.serial.run(() => captureTrace(trainer, req.example, { onStep }));
        this.post({ type: 'trace', requestId: req.requestId, trace });
        return;
      }
      case 'solve-arc': {
        const run = this.need();
        const trainer = req.adapted ? this.adapted : run.trainer;
        if (!trainer) throw new Error('no adapted model yet: run Adapt on the task first');
        if (req.rows && req.adapted) throw new Error("solve with the adapted model's rows or the checkpoint's, not both");
        const exclusive = <T>(fn: () => Promise<T>) => this.serial.run(fn);
        const solution = req.rows ? await voteOnRows(trainer, req.task, req.rows, exclusive) : await voteOnTask(trainer, req.task, !req.adapted, exclusive);
        this.post({ type: 'arc-solved', requestId: req.requestId, ...solution });
        return;
      }
      case 'examples': {
        const run = this.need();
        this.post({ type: 'examples', requestId: req.requestId, examples: sampleExamples(run.source, req.split, req.limit, run.trainer.cfg.seed) });
        return;
      }
      case 'evaluate': {
        const run = this.need();
        if (!run.trainable) throw new Error('this checkpoint was opened without its ARC tasks: load them to evaluate');
        const result = await this.serial.run(() => evaluateSource(run.trainer, run.source, req.limit));
        this.post({ type: 'eval', runId: run.id, step: run.trainer.step, result, requestId: req.requestId });
        return;
      }
      case 'probe':
        return answerProbe(req, this.need(), (fn) => this.serial.run(fn), this.post);
      case 'throughput':
        return answerThroughput(req.requestId, this.engineOrThrow().engine, (fn) => this.serial.run(fn), this.post);
      case 'adapt':
        return this.adapt(req.requestId, req.task, req.steps, req.wholeNetwork);
      default:
        // Unanswered, the page would wait for ever.
        throw new Error(`the training worker has no request ${quote((req as { type?: unknown } | null)?.type)}`);
    }
  }

  private need(): Run {
    if (!this.run) throw new Error(this.opened ? 'no run yet: create a run or open a checkpoint' : 'the engine is not initialised');
    return this.run;
  }

  private engineOrThrow(): OpenedEngine {
    if (!this.opened) throw new Error('the engine is not initialised (or its device was lost): initialise it first');
    return this.opened;
  }

  private async init(backend: 'auto' | 'gpu' | 'cpu', requestId?: number): Promise<void> {
    if (!this.opened || (backend !== 'auto' && backend !== this.opened.backend)) {
      await this.halt();
      this.dropRun();
      this.opened?.destroy?.();
      this.opened = null;
      const opened = await this.openEngine(backend);
      opened.onLost?.((reason) => this.lost(opened, reason));
      this.opened = opened;
    }
    const o = this.opened;
    this.post({ type: 'ready', backend: o.backend, adapter: o.adapter, features: o.features, fallbackReason: o.fallbackReason, limits: o.engine.limits(), requestId });
    this.postMemory();
  }

  private lost(opened: OpenedEngine, reason: string): void {
    if (this.opened !== opened) return;
    if (this.ctl) this.ctl.halt = true;
    const run = this.run;
    this.opened = null;
    this.run = null;
    this.adapted = null;
    if (run) this.post({ type: 'state', runId: run.id, state: 'error', step: run.trainer.step, steps: run.trainer.cfg.steps });
    this.post({ type: 'error', message: `${bound(reason, 200)}. Training stopped; the last autosaved checkpoint is intact. Initialise the engine again to continue from it.` });
  }

  /** Stop the loop and wait until it has let go of the engine. */
  private async halt(): Promise<void> {
    if (this.ctl) this.ctl.halt = true;
    await this.loopDone;
  }

  private dropRun(): void {
    this.adapted?.release();
    this.adapted = null;
    this.run?.trainer.release();
    this.run = null;
  }

  private async install(id: string, build: () => { trainer: LiveTrainer; source: DataSource; trainable: boolean }, requestId?: number): Promise<void> {
    this.engineOrThrow();
    await this.halt();
    await this.serial.run(() => {
      // Build first: a bad config or checkpoint leaves the current run in place.
      const next = build();
      this.dropRun();
      const t = next.trainer;
      const state: RunState = t.step >= t.cfg.steps ? 'done' : t.step > 0 ? 'paused' : 'idle';
      this.run = { id, ...next, state };
      this.post({
        type: 'run-created', runId: id, config: t.cfg, info: next.source.info, paramCount: t.arena.total, step: t.step,
        trainable: next.trainable, live: { lr: t.baseLr, ema: t.emaDecay }, requestId,
      });
      this.setState(state);
    });
    this.postMemory();
  }

  private createRun(id: string, config: TrainConfig, arcTasks: ArcTaskSplit | undefined, requestId?: number): Promise<void> {
    const { engine } = this.engineOrThrow();
    return this.install(id, () => {
      const { source, trainable } = runSource(config, arcTasks);
      return { trainer: new LiveTrainer(engine, config, source), source, trainable };
    }, requestId);
  }

  private loadCheckpoint(id: string, bytes: ArrayBuffer, name: string, arcTasks: ArcTaskSplit | undefined, requestId?: number): Promise<void> {
    const { engine } = this.engineOrThrow();
    return this.install(id, () => {
      const ck = parseCheckpoint(new Uint8Array(bytes), name);
      const { source, trainable } = runSource(ck.meta.config, arcTasks, ck.meta.data);
      const trainer = new LiveTrainer(engine, ck.meta.config, source);
      try {
        restoreCheckpoint(trainer, ck, name);
        const live = (ck.meta.notes?.live ?? {}) as { lr?: unknown; ema?: unknown };
        if (typeof live.lr === 'number' && live.lr > 0) trainer.baseLr = live.lr;
        if (typeof live.ema === 'number' && trainer.ema && live.ema >= 0 && live.ema < 1) trainer.ema.decay = live.ema;
      } catch (err) {
        trainer.release();
        throw err;
      }
      return { trainer, source, trainable };
    }, requestId);
  }

  private setState(state: RunState): void {
    const run = this.run;
    if (!run) return;
    run.state = state;
    this.post({ type: 'state', runId: run.id, state, step: run.trainer.step, steps: run.trainer.cfg.steps });
  }

  private postMemory(): void {
    if (!this.opened) return;
    const s = this.opened.engine.stats();
    this.post({ type: 'memory', bytes: s.bytesAllocated, buffers: s.buffersCreated, liveTensors: s.liveTensors });
  }

  private start(): void {
    const run = this.need();
    if (this.ctl && !this.ctl.halt) return;
    if (!run.trainable) throw new Error(`this checkpoint was opened without its ARC tasks (${run.trainer.cfg.data.kind === 'arc' ? run.trainer.cfg.data.source : 'data'}): load them, then open it again to train`);
    if (run.trainer.step >= run.trainer.cfg.steps) throw new Error(`the run has finished its ${run.trainer.cfg.steps} steps: Reset to train again`);
    const ctl = { halt: false, stop: false };
    this.ctl = ctl;
    // A loop paused a moment ago may still be finishing its chunk: start after it.
    this.loopDone = this.loopDone.then(() => (ctl.halt ? undefined : this.loop(run, ctl)));
  }

  private async stop(): Promise<void> {
    if (this.ctl && !this.ctl.halt) {
      this.ctl.stop = true;
      await this.halt();
      return;
    }
    await this.loopDone;
    if (this.run && this.run.state !== 'done') this.setState('done');
  }

  private setLive(lr?: number, ema?: number): void {
    const run = this.need();
    const t = run.trainer;
    if (lr !== undefined) {
      if (!Number.isFinite(lr) || lr <= 0 || lr > 10) throw new Error(`learning rate must be in (0, 10], got ${lr}`);
      t.baseLr = lr;
    }
    if (ema !== undefined) {
      if (!t.ema) throw new Error('EMA is off in this run (optim.ema = 0): set optim.ema in the config and Reset to use it');
      if (!Number.isFinite(ema) || ema < 0 || ema >= 1) throw new Error(`EMA decay must be in [0, 1), got ${ema}`);
      t.ema.decay = ema;
    }
  }

  /** The training loop: chunks of k steps with one readback each, evaluations on schedule, state changes. */
  private async loop(run: Run, ctl: { halt: boolean; stop: boolean }): Promise<void> {
    const t = run.trainer, cfg = t.cfg;
    const pacer = new ReportPacer();
    const guard = new DivergenceGuard();
    let lastMemory = 0;
    this.setState('running');
    try {
      while (!ctl.halt && this.run === run && t.step < cfg.steps) {
        const n = pacer.chunk(t.step, cfg.steps, cfg.evalEvery);
        const t0 = performance.now();
        const m = await this.serial.run(() => this.chunk(t, n));
        pacer.observe(n, performance.now() - t0);
        this.post({ type: 'metrics', runId: run.id, metrics: { ...m, samplesPerSec: pacer.samplesPerSec(cfg.optim.batchSize), etaSec: pacer.etaSec(cfg.steps - t.step) } });
        if (performance.now() - lastMemory > MEMORY_EVERY_MS) {
          lastMemory = performance.now();
          this.postMemory();
        }
        if (guard.observe(m)) {
          ctl.halt = true;
          this.setState('paused');
          this.post({
            type: 'error',
            message: `Training paused at step ${t.step}: the gradient held Inf/NaN at ${NON_FINITE_LIMIT} reports in a row (loss ${m.loss}). Those updates were skipped; the autosave never takes weights that hold NaN/Inf, so the last one is intact. Lower the learning rate (live) or raise warmup, then resume.`,
          });
          return;
        }
        if (cfg.evalEvery > 0 && t.step % cfg.evalEvery === 0 && t.step < cfg.steps && this.run === run) await this.evalNow(run, cfg.evalSamples);
      }
      if (this.run !== run) return;
      if (t.step >= cfg.steps) {
        await this.evalNow(run, cfg.evalSamples);
        this.setState('done');
      } else this.setState(ctl.stop ? 'done' : 'paused');
    } catch (err) {
      if (this.run !== run) return;
      this.setState('error');
      this.post({ type: 'error', message: userMessage(err, `Training stopped at step ${t.step}`) });
    } finally {
      ctl.halt = true;
    }
  }

  /** Record n steps, reading back only the last; hand the thread back whenever it has been busy too long. */
  private async chunk(t: LiveTrainer, n: number): Promise<TrainMetrics> {
    let busySince = performance.now();
    let last: Promise<TrainMetrics> | null = null;
    for (let i = 0; i < n; i++) {
      last = t.trainStep(i === n - 1);
      if (i < n - 1 && performance.now() - busySince > BUSY_MS) {
        await yieldToEvents();
        busySince = performance.now();
      }
    }
    return last!;
  }

  private async evalNow(run: Run, limit: number): Promise<void> {
    if (!canScore(run.source)) {
      if (!run.unscorableNoted) this.post({ type: 'error', message: `${bound(run.source.info.name, 80)}: no held-out example has a target (e.g. ARC test inputs without outputs), so evaluations are skipped; training goes on` });
      run.unscorableNoted = true;
      return;
    }
    const result = await this.serial.run(() => evaluateSource(run.trainer, run.source, limit));
    this.post({ type: 'eval', runId: run.id, step: run.trainer.step, result });
  }

  private async adapt(requestId: number, task: Parameters<typeof adaptToTask>[1], steps: number, wholeNetwork: boolean): Promise<void> {
    const run = this.need();
    const res = await adaptToTask(run.trainer, task, steps, wholeNetwork, {
      exclusive: (fn) => this.serial.run(fn),
      progress: (step, total, loss) => this.post({ type: 'adapt-progress', requestId, step, steps: total, loss }),
      yieldNow: yieldToEvents,
      cancelled: () => this.run !== run,
    });
    if (this.run !== run) {
      res.trainer.release();
      throw new Error('adaptation finished after its run was replaced; run it again');
    }
    this.adapted?.release();
    this.adapted = res.trainer;
    this.post({ type: 'adapt-done', requestId, puzzleId: res.puzzleId, candidates: res.candidates, versions: res.versions });
    this.postMemory();
  }
}

function puzzleIdsOf(source: DataSource): string[] | undefined {
  const reg = (source as { registry?: { toJSON(): string[] } }).registry;
  return reg?.toJSON();
}
