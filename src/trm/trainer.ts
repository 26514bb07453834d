import { Tape } from '../autograd/tape';
import type { Engine } from '../engine/engine';
import type { Tensor } from '../engine/tensor';
import type { Example } from '../data/dataset';
import { stackExamples, type DataSource } from '../data/source';
import { mulberry32 } from '../nn/init';
import type { ParamArena } from '../nn/arena';
import { actContinueTarget, actHalt, actRefill, createCarry, drawMinHalt, releaseCarry, type ActBatch, type ActCarry } from '../ops/act';
import { copyInto, fill } from '../ops/elementwise';
import { crossEntropyForward } from '../ops/losses';
import { Adam, cosineWarmupLr, Ema, SparseSignSgd } from '../ops/optim';
import { gradNorm } from '../ops/reduce';
import { validateConfig, type TrainConfig } from './config';
import { argmaxRow } from './decode';
import { checkMemory } from './memory';
import { trmLoss } from './loss';
import { TrmModel, type StepOutput } from './model';
import type { Weights } from './net';
import { createArena, createBuffers, type TrmBuffers } from './params';

/** One optimizer step's metrics, as the reference logs them (rates over the samples that halted this step). */
export interface TrainMetrics {
  step: number;
  lr: number;
  /** Samples that halted this step (the denominator of the rates). */
  count: number;
  /** Losses averaged over the batch. */
  loss: number;
  lmLoss: number;
  haltLoss: number;
  /** The q_continue BCE averaged over the batch, with actContinue (the reference's q_continue_loss). */
  continueLoss?: number;
  accuracy: number;
  exactAccuracy: number;
  qHaltAccuracy: number;
  /** Mean supervision steps of the samples that halted. */
  meanSteps: number;
  gradNorm: number;
  /** The gradient held Inf/NaN: the update was skipped. */
  nonFinite: boolean;
}

export interface EvalResult {
  examples: number;
  /** Fraction of sequences exactly right after all N_sup steps (the paper's headline number). */
  exactAccuracy: number;
  /** Per-token accuracy over supervised tokens. */
  tokenAccuracy: number;
  /** Exact accuracy after each supervision step 1..N_sup. */
  exactByStep: number[];
  /** Mean first step at which q_halt > 0 (> q_continue with actContinue; N_sup when never): when the model would stop. */
  meanHaltStep: number;
  /** Predicted tokens [n·L] after the last step, when asked for (ARC voting). */
  predictions?: Int32Array;
  /** σ(q_halt) after the last step per example, when predictions are asked for. */
  confidence?: Float64Array;
  /** Per supervision step, when asked for (byStep). */
  byStep?: StepDetail;
}

/** What evaluation sees after each supervision step (model cards and the page's accuracy-by-step). */
export interface StepDetail {
  /** Token accuracy after each supervision step 1..N_sup. */
  tokenAccuracy: number[];
  /** Examples whose first halting step (first q_halt > 0, N_sup when never) is s + 1, at index s. */
  haltCounts: number[];
  /** 1 where example i is exactly right after step s + 1, at [i·N_sup + s]. */
  exact: Uint8Array;
}

/** The reference training loop: carry with slot refill, deep supervision, AdamATan2/AdamW, sign-SGD puzzle embeddings, EMA. */
export class Trainer {
  readonly model: TrmModel;
  readonly arena: ParamArena;
  readonly buffers: TrmBuffers;
  readonly adam: Adam;
  readonly ema: Ema | null;
  readonly puzzleOpt: SparseSignSgd | null;
  readonly carry: ActCarry;
  step = 0;
  private readonly batchT: { inputs: Tensor; labels: Tensor; puzzleIds: Tensor };
  private readonly minHalt: Tensor;
  private readonly seedGrad: Tensor;
  private readonly targets: Map<Tensor, Tensor>;
  private readonly rand: () => number;
  private readonly evalCarries = new Map<number, ActCarry>();
  private emaWeights: Weights | null = null;

  constructor(
    readonly engine: Engine,
    readonly cfg: TrainConfig,
    readonly data: DataSource,
  ) {
    validateConfig(cfg, data.info);
    checkMemory(cfg, data.info, engine.limits());
    const e = engine, m = cfg.model, o = cfg.optim, B = o.batchSize, L = data.info.seqLen;
    this.model = new TrmModel(m, data.info);
    this.arena = createArena(e, m, data.info, cfg.seed);
    this.buffers = createBuffers(e, m, data.info, cfg.seed);
    this.adam = new Adam(e, this.arena.total, { kind: o.optimizer, beta1: o.beta1, beta2: o.beta2, weightDecay: o.weightDecay });
    this.ema = o.ema > 0 ? new Ema(e, this.arena.data, o.ema) : null;
    this.puzzleOpt = this.buffers.puzzleEmb ? new SparseSignSgd(e, o.puzzleEmbWeightDecay) : null;
    this.carry = createCarry(e, B, L, this.model.dims.positions, m.hidden);
    this.batchT = { inputs: e.keep(e.zeros([B, L], 'i32')), labels: e.keep(e.zeros([B, L], 'i32')), puzzleIds: e.keep(e.zeros([B], 'i32')) };
    this.minHalt = e.keep(e.zeros([B], 'u32'));
    this.seedGrad = e.keep(e.fromArray(new Array(B).fill(1 / B), [B]));
    this.targets = this.model.gradTargets(this.arena);
    this.rand = mulberry32(cfg.seed + 1);
  }

  get lr(): number {
    const o = this.cfg.optim;
    return cosineWarmupLr(this.step, { baseLr: o.lr, warmupSteps: o.warmupSteps, totalSteps: this.cfg.steps, minRatio: o.schedule === 'constant' ? 1 : o.lrMinRatio });
  }

  /** Weights used for evaluation and checkpoints: the EMA copy when enabled (as the reference), else the live ones. */
  evalWeights(): Weights {
    if (!this.ema) return this.arena.params;
    this.emaWeights ??= this.arena.viewsOver(this.ema.shadow);
    return this.emaWeights;
  }

  /**
   * Record one optimizer step (one supervision step for every slot). With `report`, resolves to its metrics
   * once the GPU has run it; otherwise nothing is read back.
   */
  trainStep(report = true): Promise<TrainMetrics> | null {
    const e = this.engine, cfg = this.cfg, m = cfg.model, o = cfg.optim, B = o.batchSize;
    const batch = this.data.trainBatch(B, this.rand);
    e.write(this.batchT.inputs, batch.inputs);
    e.write(this.batchT.labels, batch.labels);
    e.write(this.batchT.puzzleIds, batch.puzzleIds);
    e.write(this.minHalt, drawMinHalt(B, m.nSup, m.haltExplorationProb, this.rand));
    actRefill(e, this.carry, this.batchT, this.buffers.yInit, this.buffers.zInit);
    this.step++;
    const lr = this.lr;
    const step = this.step;
    const reads = e.scope(() => {
      fill(e, this.arena.grad, 0);
      const tape = new Tape(e);
      for (const p of this.targets.keys()) tape.watch(p);
      if (this.buffers.puzzleEmb) tape.watch(this.buffers.puzzleEmb);
      const out = this.model.step(tape, this.arena.params, this.buffers, this.carry);
      // The reference trains q_continue only where there is a next step to bootstrap from.
      const continueTarget = m.actContinue && m.nSup > 1 ? this.continueTarget(tape, out) : undefined;
      const loss = trmLoss(tape, out, this.carry.labels, { kind: o.loss, haltWeight: o.haltLossWeight, continueTarget });
      const leaves = tape.backward(loss.total, this.seedGrad, this.targets);
      const status = gradNorm(e, this.arena.grad);
      this.adam.step(this.arena.data, this.arena.grad, lr, { status });
      const pg = this.buffers.puzzleEmb && leaves.get(this.buffers.puzzleEmb);
      if (pg) this.puzzleOpt!.step(this.buffers.puzzleEmb!, pg, this.carry.puzzleIds, o.puzzleEmbLr * (lr / o.lr), status);
      this.ema?.update(this.arena.data);
      copyInto(e, this.carry.y, out.y);
      copyInto(e, this.carry.z, out.z);
      actHalt(e, this.carry, out.qHalt, this.minHalt, m.nSup, true, out.qContinue ?? null);
      if (!report) return null;
      return [loss.total, loss.lm, loss.halt, loss.correct, loss.valid, loss.exact, out.qHalt, this.carry.halted, this.carry.steps, status, ...(loss.continue ? [loss.continue] : [])].map((t) => e.read(t));
    });
    e.flush();
    if (!reads) return null;
    return Promise.all(reads).then(([total, lm, halt, correct, valid, exact, q, halted, steps, status, cont]) => {
      let count = 0, acc = 0, ex = 0, qAcc = 0, st = 0, sTotal = 0, sLm = 0, sHalt = 0, sCont = 0;
      for (let b = 0; b < B; b++) {
        sTotal += total[b];
        sLm += lm[b];
        sHalt += halt[b];
        if (cont) sCont += cont[b];
        if (!halted[b] || valid[b] === 0) continue;
        count++;
        acc += correct[b] / valid[b];
        ex += exact[b];
        qAcc += (q[b] >= 0 ? 1 : 0) === exact[b] ? 1 : 0;
        st += steps[b];
      }
      const rate = (v: number) => (count ? v / count : 0);
      return {
        step, lr, count,
        loss: sTotal / B, lmLoss: sLm / B, haltLoss: sHalt / B, ...(cont && { continueLoss: sCont / B }),
        accuracy: rate(acc), exactAccuracy: rate(ex), qHaltAccuracy: rate(qAcc), meanSteps: rate(st),
        gradNorm: status[0], nonFinite: status[1] !== 0,
      };
    });
  }

  /**
   * The q_continue target of this step (no_ACT_continue false): one more supervision step without gradients from
   * the new y, z on the same data, as the reference's ACT wrapper runs it, then actContinueTarget. Call it after
   * `out` = model.step on this.carry and before actHalt advances the steps.
   */
  continueTarget(tape: Tape, out: StepOutput): Tensor {
    const e = this.engine, c = this.carry;
    return tape.noGrad(() => e.scope(() => {
      const next = this.model.step(tape, this.arena.params, this.buffers, { inputs: c.inputs, puzzleIds: c.puzzleIds, y: out.y, z: out.z });
      return actContinueTarget(e, c.steps, next.qHalt, next.qContinue!, this.cfg.model.nSup);
    }));
  }

  private evalCarry(n: number): ActCarry {
    let c = this.evalCarries.get(n);
    if (!c) {
      c = createCarry(this.engine, n, this.data.info.seqLen, this.model.dims.positions, this.cfg.model.hidden);
      this.evalCarries.set(n, c);
    }
    return c;
  }

  /**
   * N_sup supervision steps without gradients from a fresh carry (every slot of `c` refilled from `batch`), as
   * evaluation runs them. `each(out, s)` sees each step's outputs inside its memory scope, before y and z are
   * carried (keep or read what it returns); the results come back in step order.
   */
  recurse<T>(c: ActCarry, batch: ActBatch, weights: Weights, each: (out: StepOutput, s: number) => T): T[] {
    const e = this.engine;
    e.write(c.halted, new Uint32Array(c.halted.size).fill(1));
    actRefill(e, c, batch, this.buffers.yInit, this.buffers.zInit);
    const tape = new Tape(e);
    const results: T[] = [];
    for (let s = 0; s < this.cfg.model.nSup; s++) {
      results.push(tape.noGrad(() => e.scope(() => {
        const out = this.model.step(tape, weights, this.buffers, c);
        const r = each(out, s);
        copyInto(e, c.y, out.y);
        copyInto(e, c.z, out.z);
        return r;
      })));
    }
    return results;
  }

  /** Evaluate with all N_sup supervision steps (no early halting), as the reference does. */
  async evaluate(examples: readonly Example[], opts: { predictions?: boolean; weights?: Weights; byStep?: boolean } = {}): Promise<EvalResult> {
    const e = this.engine, m = this.cfg.model, L = this.data.info.seqLen;
    const weights = opts.weights ?? this.evalWeights();
    const chunk = Math.min(this.cfg.optim.batchSize, Math.max(1, examples.length));
    const exactByStep = new Array(m.nSup).fill(0);
    let correctTok = 0, validTok = 0, haltSum = 0;
    const predictions = opts.predictions ? new Int32Array(examples.length * L) : undefined;
    const confidence = opts.predictions ? new Float64Array(examples.length) : undefined;
    const tok = { correct: new Array(m.nSup).fill(0), valid: new Array(m.nSup).fill(0) };
    const byStep: StepDetail | undefined = opts.byStep ? { tokenAccuracy: [], haltCounts: new Array(m.nSup).fill(0), exact: new Uint8Array(examples.length * m.nSup) } : undefined;
    for (let start = 0; start < examples.length; start += chunk) {
      const part = examples.slice(start, start + chunk);
      const n = part.length;
      const c = this.evalCarry(n);
      const batch = stackExamples(part, L);
      const bt = e.scope(() => ({ inputs: e.fromArray(batch.inputs, [n, L], 'i32'), labels: e.fromArray(batch.labels, [n, L], 'i32'), puzzleIds: e.fromArray(batch.puzzleIds, [n], 'i32') }));
      const firstHalt = new Array(n).fill(m.nSup);
      const noMin = e.keep(e.zeros([n], 'u32'));
      const steps = this.recurse(c, bt, weights, (out, s) => {
        const last = s === m.nSup - 1;
        const ce = crossEntropyForward(e, out.logits, c.labels, this.cfg.optim.loss, false);
        actHalt(e, c, out.qHalt, noMin, m.nSup, false);
        // A slot would halt where q_halt exceeds q_continue (actContinue), else 0.
        const bar = out.qContinue ? e.read(out.qContinue) : Promise.resolve(new Float64Array(n));
        const r = [e.read(ce.exact), e.read(out.qHalt), bar];
        if (last || byStep) r.push(e.read(ce.correct), e.read(ce.valid));
        if (last && predictions) r.push(e.read(out.logits));
        return r;
      });
      for (const t of [...Object.values(bt), noMin]) e.release(t);
      e.flush();
      for (let s = 0; s < m.nSup; s++) {
        const last = s === m.nSup - 1;
        const [exact, q, bar, correct, valid, logits] = await Promise.all(steps[s]);
        for (let b = 0; b < n; b++) {
          exactByStep[s] += exact[b];
          if (q[b] > bar[b] && firstHalt[b] === m.nSup) firstHalt[b] = s + 1;
          if (byStep) {
            byStep.exact[(start + b) * m.nSup + s] = exact[b];
            tok.correct[s] += correct[b];
            tok.valid[s] += valid[b];
          }
        }
        if (last) {
          for (let b = 0; b < n; b++) {
            correctTok += correct[b];
            validTok += valid[b];
          }
          if (predictions && logits) {
            const V = this.data.info.vocabSize;
            for (let i = 0; i < n * L; i++) predictions[start * L + i] = argmaxRow(logits, i, V);
            for (let b = 0; b < n; b++) confidence![start + b] = 1 / (1 + Math.exp(-q[b]));
          }
        }
      }
      haltSum += firstHalt.reduce((a, b) => a + b, 0);
      if (byStep) for (const h of firstHalt) byStep.haltCounts[h - 1]++;
    }
    const N = Math.max(1, examples.length);
    return {
      examples: examples.length,
      exactAccuracy: exactByStep[m.nSup - 1] / N,
      tokenAccuracy: validTok ? correctTok / validTok : 0,
      exactByStep: exactByStep.map((v) => v / N),
      meanHaltStep: haltSum / N,
      predictions,
      confidence,
      ...(byStep && { byStep: { ...byStep, tokenAccuracy: tok.correct.map((c, s) => (tok.valid[s] ? c / tok.valid[s] : 0)) } }),
    };
  }

  release(): void {
    const e = this.engine;
    this.arena.release();
    this.adam.release();
    this.ema?.release();
    releaseCarry(e, this.carry);
    for (const c of this.evalCarries.values()) releaseCarry(e, c);
    for (const t of [...Object.values(this.batchT), this.minHalt, this.seedGrad, this.buffers.yInit, this.buffers.zInit]) e.release(t);
    if (this.buffers.puzzleEmb) e.release(this.buffers.puzzleEmb);
  }
}
