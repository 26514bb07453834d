/**
 * The same TRM and training step as src/trm (model.ts, net.ts, loss.ts, trainer.ts), written the way a
 * TensorFlow.js user would: tf ops on the WebGPU backend, tf.variableGrads for the backward pass, one
 * tf.Variable per weight. It exists only as the other side of the speed benchmark (issue 5) and must compute
 * what our engine computes (test/bench/tfjs-trm.test.ts checks the losses step by step).
 */
import type * as TF from '@tensorflow/tfjs-core';
import type { DatasetInfo } from '../../src/data/dataset';
import type { Batch } from '../../src/data/source';
import type { TrainConfig } from '../../src/trm/config';
import { modelDims, NAMES, parameterSpecs, type ModelDims } from '../../src/trm/params';
import type { Trainer } from '../../src/trm/trainer';
import { relError } from '../../src/engine/rel-error';

export interface TfjsTrmInit {
  cfg: TrainConfig;
  info: DatasetInfo;
  /** Reference state_dict names (src/trm/params.ts NAMES) → initial values, incl. H_init, L_init, puzzle_emb. */
  weights: ReadonlyMap<string, Float32Array>;
}

type Tensor = TF.Tensor;
type Weights = (name: string) => TF.Tensor2D;

const IGNORE_LABEL = -100;

/** Deep-supervision carry: each batch slot's sample, step count and y, z, resident on the GPU. */
interface Carry {
  halted: TF.Variable<TF.Rank.R1>; // bool [B]
  steps: TF.Variable<TF.Rank.R1>; // int32 [B]
  inputs: TF.Variable<TF.Rank.R2>; // int32 [B, L]
  labels: TF.Variable<TF.Rank.R2>; // int32 [B, L]
  puzzleIds: TF.Variable<TF.Rank.R1>; // int32 [B]
  y: TF.Variable<TF.Rank.R3>; // [B, S, D]
  z: TF.Variable<TF.Rank.R3>;
}

export class TfjsTrainer {
  private readonly cfg: TrainConfig;
  private readonly info: DatasetInfo;
  private readonly dims: ModelDims;
  /** Trained by Adam(ATan2/W), with their moments and EMA copies. */
  private readonly params = new Map<string, TF.Variable>();
  private readonly m = new Map<string, TF.Variable>();
  private readonly v = new Map<string, TF.Variable>();
  private readonly ema = new Map<string, TF.Variable>();
  /** [numPuzzleIds, E], trained by sparse sign-SGD; null without a puzzle embedding. */
  private readonly puzzleEmb: TF.Variable | null;
  private readonly yInit: Tensor;
  private readonly zInit: Tensor;
  /** RoPE cos/sin [S, headDim] (attention with RoPE only). */
  private readonly rope: { cos: Tensor; sin: Tensor } | null;
  private readonly carry: Carry;
  private readonly exactMatch: (logits: Tensor, labels: Tensor) => Tensor;
  /** Optimizer steps taken (Adam's t). */
  private t = 0;

  constructor(
    private readonly tf: typeof TF,
    init: TfjsTrmInit,
  ) {
    const { cfg, info, weights } = init;
    const m = cfg.model;
    this.cfg = cfg;
    this.info = info;
    this.dims = modelDims(m, info);
    const B = cfg.optim.batchSize, L = info.seqLen, S = this.dims.positions, D = m.hidden;
    const get = (name: string, size: number): Float32Array => {
      const w = weights.get(name);
      if (!w) throw new Error(`TfjsTrainer: missing weight ${name}`);
      if (w.length !== size) throw new Error(`TfjsTrainer: weight ${name} has ${w.length} values, expected ${size}`);
      return w;
    };
    // Variables outlive tidy; the initial tensors and temporaries do not.
    let made!: { puzzleEmb: TF.Variable | null; yInit: Tensor; zInit: Tensor; rope: { cos: Tensor; sin: Tensor } | null; carry: Carry };
    tf.tidy(() => {
      // parameterSpecs gives the trainable tensors' names and shapes (its random initial values are unused).
      for (const spec of parameterSpecs(m, info, 0)) {
        const size = spec.shape.reduce((a, b) => a * b, 1);
        const init = tf.tensor(get(spec.name, size), spec.shape as number[]);
        this.params.set(spec.name, tf.variable(init, true));
        this.m.set(spec.name, tf.variable(tf.zerosLike(init), false));
        this.v.set(spec.name, tf.variable(tf.zerosLike(init), false));
        if (cfg.optim.ema > 0) this.ema.set(spec.name, tf.variable(init, false));
      }
      const E = m.puzzleEmbDim;
      const puzzleEmb = E > 0 ? tf.variable(tf.tensor2d(get(NAMES.puzzleEmb, info.numPuzzleIds * E), [info.numPuzzleIds, E]), true) : null;
      const yInit = tf.keep(tf.tensor1d(get(NAMES.yInit, D)));
      const zInit = tf.keep(tf.tensor1d(get(NAMES.zInit, D)));
      let rope: { cos: Tensor; sin: Tensor } | null = null;
      if (m.variant === 'attention' && m.posEncoding === 'rope') {
        const Dh = this.dims.headDim, half = Dh / 2;
        const cos = new Float32Array(S * Dh), sin = new Float32Array(S * Dh);
        // Rotate-half layout: channels i and i + half share the frequency base^(−i/half) (as ops/attention.ts).
        for (let t = 0; t < S; t++) {
          for (let d = 0; d < Dh; d++) {
            const a = t * Math.pow(m.ropeBase, -(d % half) / half);
            cos[t * Dh + d] = Math.cos(a);
            sin[t * Dh + d] = Math.sin(a);
          }
        }
        rope = { cos: tf.keep(tf.tensor2d(cos, [S, Dh])), sin: tf.keep(tf.tensor2d(sin, [S, Dh])) };
      }
      const carry: Carry = {
        halted: tf.variable(tf.ones([B], 'bool'), false, undefined, 'bool'),
        steps: tf.variable(tf.zeros([B], 'int32'), false, undefined, 'int32'),
        inputs: tf.variable(tf.zeros([B, L], 'int32'), false, undefined, 'int32'),
        labels: tf.variable(tf.zeros([B, L], 'int32'), false, undefined, 'int32'),
        puzzleIds: tf.variable(tf.zeros([B], 'int32'), false, undefined, 'int32'),
        y: tf.variable(tf.zeros([B, S, D]), false),
        z: tf.variable(tf.zeros([B, S, D]), false),
      };
      made = { puzzleEmb, yInit, zInit, rope, carry };
    });
    this.puzzleEmb = made.puzzleEmb;
    this.yInit = made.yInit;
    this.zInit = made.zInit;
    this.rope = made.rope;
    this.carry = made.carry;
    // The halting target (sequence exactly right) is a constant of the loss: argMax/equal have no gradient in
    // tfjs, so they run inside a customGrad whose gradient is zero (ops inside its forward are not taped).
    this.exactMatch = tf.customGrad(((logits: Tensor, labels: Tensor) => ({
      value: tf.cast(tf.all(tf.logicalOr(tf.equal(tf.argMax(logits, -1), labels), tf.equal(labels, IGNORE_LABEL)), 1), 'float32'),
      gradFunc: () => [tf.zerosLike(logits), tf.zerosLike(labels)],
    })) as unknown as Parameters<typeof tf.customGrad>[0]) as (logits: Tensor, labels: Tensor) => Tensor;
  }

  private live: Weights = (name) => this.params.get(name)! as TF.Tensor2D;
  private averaged: Weights = (name) => (this.ema.get(name) ?? this.params.get(name)!) as TF.Tensor2D;

  /** x = √D · [puzzle prefix | token embeddings] [B, S, D] (ops/embedding.ts). */
  private embed(W: Weights, inputs: Tensor, ids: Tensor): TF.Tensor3D {
    const tf = this.tf, m = this.cfg.model, D = m.hidden, P = m.puzzleEmbLen, E = m.puzzleEmbDim;
    const B = inputs.shape[0];
    const tokens = tf.gather(W(NAMES.embed), inputs); // [B, L, D]
    let prefix: Tensor;
    if (this.puzzleEmb) {
      // The learned vector fills the first E of the P·D prefix values, the rest are zeros.
      const rows = tf.gather(this.puzzleEmb, ids); // [B, E]
      prefix = tf.reshape(E < P * D ? tf.pad(rows, [[0, 0], [0, P * D - E]]) : rows, [B, P, D]);
    } else prefix = tf.zeros([B, P, D]);
    return tf.mul(tf.concat([prefix, tokens], 1), Math.sqrt(D));
  }

  /** RMSNorm without gain over the last axis. */
  private rmsNorm(x: Tensor): Tensor {
    const tf = this.tf;
    return tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), this.cfg.model.rmsEps)));
  }

  /** silu(gate) · up for u = [gate | up] along the last axis. */
  private swiglu(u: Tensor): Tensor {
    const tf = this.tf;
    const [gate, up] = tf.split(u, 2, -1);
    return tf.mul(tf.mul(gate, tf.sigmoid(gate)), up);
  }

  /** x·cos + rotate_half(x)·sin on [B, H, S, Dh]. */
  private applyRope(x: Tensor): Tensor {
    const tf = this.tf;
    const [x1, x2] = tf.split(x, 2, -1);
    return tf.add(tf.mul(x, this.rope!.cos), tf.mul(tf.concat([tf.neg(x2), x1], -1), this.rope!.sin));
  }

  /** One post-norm block (net.ts block) on h [B, S, D]. */
  private block(W: Weights, i: number, h: Tensor): Tensor {
    const tf = this.tf, m = this.cfg.model;
    const [B, S, D] = h.shape;
    const layer = (what: string) => W(NAMES.layer(i, what));
    if (m.variant === 'attention') {
      const H = m.heads, Dh = this.dims.headDim;
      const qkv = tf.matMul(tf.reshape(h, [B * S, D]), layer('self_attn.qkv_proj.weight'), false, true);
      // Packed per token as [q heads | k heads | v heads] (PyTorch's view(B, S, 3H, Dh)).
      let [q, k, v] = tf.split(tf.transpose(tf.reshape(qkv, [B, S, 3 * H, Dh]), [0, 2, 1, 3]), 3, 1); // [B, H, S, Dh]
      if (this.rope) {
        q = this.applyRope(q);
        k = this.applyRope(k);
      }
      const p = tf.softmax(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(Dh)));
      const a = tf.reshape(tf.transpose(tf.matMul(p, v), [0, 2, 1, 3]), [B * S, D]);
      const o = tf.reshape(tf.matMul(a, layer('self_attn.o_proj.weight'), false, true), [B, S, D]);
      h = this.rmsNorm(tf.add(h, o));
    } else {
      // The reference's MLP mixer: transpose to [B, D, S], SwiGLU over the sequence, RMSNorm over S, transpose back.
      const t = tf.transpose(h, [0, 2, 1]);
      const gu = tf.matMul(tf.reshape(t, [B * D, S]), layer('mlp_t.gate_up_proj.weight'), false, true);
      const mixed = tf.reshape(tf.matMul(this.swiglu(gu), layer('mlp_t.down_proj.weight'), false, true), [B, D, S]);
      h = tf.transpose(this.rmsNorm(tf.add(t, mixed)), [0, 2, 1]);
    }
    const gu = tf.matMul(tf.reshape(h, [B * S, D]), layer('mlp.gate_up_proj.weight'), false, true);
    const d = tf.reshape(tf.matMul(this.swiglu(gu), layer('mlp.down_proj.weight'), false, true), [B, S, D]);
    return this.rmsNorm(tf.add(h, d));
  }

  /** net(h, injection) = blocks(h + injection). */
  private net(W: Weights, h: Tensor, injection: Tensor): Tensor {
    let x = this.tf.add(h, injection);
    for (let i = 0; i < this.cfg.model.layers; i++) x = this.block(W, i, x);
    return x;
  }

  /** One recursion cycle: n latent updates z = net(z, y + x), then y = net(y, z). */
  private cycle(W: Weights, x: Tensor, y: Tensor, z: Tensor): [Tensor, Tensor] {
    const yx = this.tf.add(y, x);
    for (let i = 0; i < this.cfg.model.n; i++) z = this.net(W, z, yx);
    return [this.net(W, y, z), z];
  }

  /** lm_head(y[:, P:]) → [B, L, V]. */
  private logits(W: Weights, y: Tensor): TF.Tensor3D {
    const tf = this.tf, P = this.cfg.model.puzzleEmbLen, D = this.cfg.model.hidden, L = this.info.seqLen, B = y.shape[0];
    const rows = tf.reshape(tf.slice(y, [0, P, 0], [B, L, D]), [B * L, D]);
    return tf.reshape(tf.matMul(rows, W(NAMES.lmHead), false, true), [B, L, this.info.vocabSize]);
  }

  /** q_head(y[:, 0])[halt] → [B]: only row 0 of q_head is used (the continue logit has no loss in TRM). */
  private qHalt(W: Weights, y: Tensor): TF.Tensor1D {
    const tf = this.tf, D = this.cfg.model.hidden, B = y.shape[0];
    const a = tf.reshape(tf.slice(y, [0, 0, 0], [B, 1, D]), [B, D]);
    const q = tf.fused.matMul({ a, b: tf.slice(W(NAMES.qHeadW), [0, 0], [1, D]), transposeB: true, bias: tf.slice(W(NAMES.qHeadB) as Tensor, [0], [1]) });
    return tf.reshape(q, [B]);
  }

  /** Per-sample lm CE (stablemax or softmax, mean over supervised tokens) + haltWeight · BCE(q, exact) → [B]. */
  private loss(logits: TF.Tensor3D, labels: Tensor, q: Tensor): TF.Tensor1D {
    const tf = this.tf, o = this.cfg.optim;
    const mask = tf.notEqual(labels, IGNORE_LABEL);
    const maskF = tf.cast(mask, 'float32');
    const target = tf.oneHot(tf.where(mask, labels, tf.zerosLike(labels)) as TF.Tensor2D, this.info.vocabSize, 1, 0, 'float32');
    let logp: Tensor;
    if (o.loss === 'softmax') logp = tf.logSoftmax(logits);
    else {
      // stablemax s(x) = 1/(1−x) for x < 0, x + 1 otherwise, written with relu so no branch produces Inf
      // (a tf.where would, and its zero gradient times Inf is NaN).
      const s = tf.add(tf.reciprocal(tf.add(tf.relu(tf.neg(logits)), 1)), tf.relu(logits));
      logp = tf.sub(tf.log(s), tf.log(tf.sum(s, -1, true)));
    }
    const ce = tf.neg(tf.sum(tf.mul(logp, target), -1)); // [B, L]
    const lm = tf.div(tf.sum(tf.mul(ce, maskF), 1), tf.maximum(tf.sum(maskF, 1), 1));
    const halt = tf.losses.sigmoidCrossEntropy(this.exactMatch(logits, labels), q, undefined, 0, tf.Reduction.NONE);
    return tf.add(lm, tf.mul(halt, o.haltLossWeight));
  }

  step(batch: Batch, minHalt: Uint32Array, lr: number): TF.Tensor1D {
    const tf = this.tf, cfg = this.cfg, m = cfg.model, o = cfg.optim, c = this.carry;
    const B = o.batchSize, L = this.info.seqLen;
    const t = ++this.t;
    // What the differentiated function hands out (kept past its tidy): the loss for the caller, y, z, q for the carry.
    const kept: { total?: TF.Tensor1D; y?: Tensor; z?: Tensor; q?: Tensor } = {};
    try {
      tf.tidy(() => {
        // Halted slots take the new sample, step count 0 and the initial y, z.
        const h = c.halted;
        const inputs = tf.where(tf.reshape(h, [B, 1]), tf.tensor2d(batch.inputs, [B, L], 'int32'), c.inputs);
        const labels = tf.where(tf.reshape(h, [B, 1]), tf.tensor2d(batch.labels, [B, L], 'int32'), c.labels);
        const ids = tf.where(h, tf.tensor1d(batch.puzzleIds, 'int32'), c.puzzleIds);
        const steps = tf.where(h, tf.zerosLike(c.steps), c.steps);
        let y: Tensor = tf.where(tf.reshape(h, [B, 1, 1]), this.yInit, c.y);
        let z: Tensor = tf.where(tf.reshape(h, [B, 1, 1]), this.zInit, c.z);

        // T − 1 cycles without gradient: outside variableGrads nothing is taped.
        const x0 = this.embed(this.live, inputs, ids);
        for (let k = 0; k < m.T - 1; k++) [y, z] = this.cycle(this.live, x0, y, z);

        // The last cycle, differentiated; the mean over the batch seeds each sample with 1/B.
        const { grads } = tf.variableGrads(() => {
          const [y1, z1] = this.cycle(this.live, this.embed(this.live, inputs, ids), y, z);
          const q = this.qHalt(this.live, y1);
          const total = this.loss(this.logits(this.live, y1), labels, q);
          Object.assign(kept, { total: tf.keep(total), y: tf.keep(y1), z: tf.keep(z1), q: tf.keep(q) });
          return tf.mean(total) as TF.Scalar;
        });

        // AdamATan2 (or AdamW) with bias corrections and decoupled weight decay (ops/optim.ts, form 'outer').
        const c1 = 1 - o.beta1 ** t, c2 = 1 - o.beta2 ** t;
        for (const [name, p] of this.params) {
          const g = grads[p.name], mv = this.m.get(name)!, vv = this.v.get(name)!;
          const mt = tf.add(tf.mul(mv, o.beta1), tf.mul(g, 1 - o.beta1));
          const vt = tf.add(tf.mul(vv, o.beta2), tf.mul(tf.square(g), 1 - o.beta2));
          const den = tf.mul(tf.sqrt(vt), 1 / Math.sqrt(c2));
          // atan2(0, 0) is undefined in WGSL; the reference takes 0.
          const u = o.optimizer === 'adamw' ? tf.div(mt, tf.add(den, 1e-8)) : tf.where(tf.equal(mt, 0), tf.zerosLike(mt), tf.atan2(mt, den));
          p.assign(tf.sub(tf.mul(p, 1 - lr * o.weightDecay), tf.mul(u, lr / c1)));
          mv.assign(mt);
          vv.assign(vt);
        }
        // Sign-SGD on the puzzle rows this batch used; gather's gradient already sums samples sharing an id.
        if (this.puzzleEmb) {
          const pe = this.puzzleEmb, plr = o.puzzleEmbLr * (lr / o.lr);
          // Rows used by the batch; counted in float32: tfjs-backend-webgpu 4.22's int32 unsortedSegmentSum returns garbage.
          const used = tf.reshape(tf.greater(tf.unsortedSegmentSum(tf.ones([B]), ids as TF.Tensor1D, this.info.numPuzzleIds), 0), [-1, 1]);
          pe.assign(tf.where(used, tf.sub(tf.mul(pe, 1 - plr * o.puzzleEmbWeightDecay), tf.mul(tf.sign(grads[pe.name]), plr)), pe));
        }
        for (const [name, e] of this.ema) e.assign(tf.add(tf.mul(e, o.ema), tf.mul(this.params.get(name)!, 1 - o.ema)));

        // Carry (detached) and halting: at N_sup, or when q_halt > 0 — either only once steps ≥ minHalt.
        c.inputs.assign(inputs);
        c.labels.assign(labels);
        c.puzzleIds.assign(ids);
        c.y.assign(kept.y as TF.Tensor3D);
        c.z.assign(kept.z as TF.Tensor3D);
        const s = tf.add(steps, tf.scalar(1, 'int32'));
        let halt = tf.greaterEqual(s, m.nSup);
        if (m.nSup > 1) halt = tf.logicalAnd(tf.logicalOr(halt, tf.greater(kept.q!, 0)), tf.greaterEqual(s, tf.tensor1d(Int32Array.from(minHalt), 'int32')));
        c.steps.assign(s as TF.Tensor1D);
        c.halted.assign(halt as TF.Tensor1D);
      });
    } catch (err) {
      if (kept.total) tf.dispose(kept.total);
      throw err;
    } finally {
      tf.dispose([kept.y, kept.z, kept.q].filter((x): x is Tensor => !!x));
    }
    return kept.total!;
  }

  /**
   * All N_sup supervision steps, no gradient, from a fresh carry (yInit, zInit), as Trainer.evaluate runs them;
   * logits [B, L, V] of the last step. Uses the EMA weights when EMA is on (as evaluation does) unless
   * `weights: 'live'`.
   */
  infer(batch: Batch, opts: { weights?: 'ema' | 'live' } = {}): TF.Tensor3D {
    const tf = this.tf, m = this.cfg.model, L = this.info.seqLen, S = this.dims.positions, D = m.hidden;
    const W = opts.weights === 'live' ? this.live : this.averaged;
    return tf.tidy(() => {
      const B = batch.puzzleIds.length;
      const x = this.embed(W, tf.tensor2d(batch.inputs, [B, L], 'int32'), tf.tensor1d(batch.puzzleIds, 'int32'));
      let y: Tensor = tf.broadcastTo(this.yInit, [B, S, D]);
      let z: Tensor = tf.broadcastTo(this.zInit, [B, S, D]);
      for (let s = 0; s < m.nSup; s++) for (let k = 0; k < m.T; k++) [y, z] = this.cycle(W, x, y, z);
      return this.logits(W, y);
    });
  }

  /**
   * Take over a whole training state (ours, read by stateOf): weights, Adam moments and step count, EMA, puzzle
   * embeddings and the carry. The next step then starts exactly where ours does, so the two can be compared one
   * step at a time even where training amplifies rounding (the MLP variant).
   */
  load(state: TrainState): void {
    const tf = this.tf, c = this.carry;
    const into = (vars: Map<string, TF.Variable>, values: ReadonlyMap<string, Float32Array>) => {
      for (const [name, v] of vars) v.assign(tf.tensor(values.get(name)!, v.shape));
    };
    tf.tidy(() => {
      into(this.params, state.params);
      into(this.m, state.m);
      into(this.v, state.v);
      if (state.ema) into(this.ema, state.ema);
      if (this.puzzleEmb) this.puzzleEmb.assign(tf.tensor(state.puzzleEmb!, this.puzzleEmb.shape));
      c.halted.assign(tf.cast(tf.tensor1d(Int32Array.from(state.carry.halted), 'int32'), 'bool'));
      c.steps.assign(tf.tensor1d(Int32Array.from(state.carry.steps), 'int32'));
      c.inputs.assign(tf.tensor(state.carry.inputs, c.inputs.shape, 'int32') as TF.Tensor2D);
      c.labels.assign(tf.tensor(state.carry.labels, c.labels.shape, 'int32') as TF.Tensor2D);
      c.puzzleIds.assign(tf.tensor1d(state.carry.puzzleIds, 'int32'));
      c.y.assign(tf.tensor(state.carry.y, c.y.shape) as TF.Tensor3D);
      c.z.assign(tf.tensor(state.carry.z, c.z.shape) as TF.Tensor3D);
    });
    this.t = state.t;
  }

  /** Current weights by reference name: the live parameters and puzzle_emb, or (kind 'ema') their EMA copies. */
  async read(kind: 'live' | 'ema' = 'live'): Promise<Map<string, Float32Array>> {
    const src = kind === 'ema' ? this.ema : this.params;
    const entries: [string, Tensor][] = [...src];
    if (kind === 'live' && this.puzzleEmb) entries.push([NAMES.puzzleEmb, this.puzzleEmb]);
    const values = await Promise.all(entries.map(([, t]) => t.data() as Promise<Float32Array>));
    return new Map(entries.map(([name], i) => [name, values[i]]));
  }

  dispose(): void {
    const all = [...this.params.values(), ...this.m.values(), ...this.v.values(), ...this.ema.values(), ...Object.values(this.carry)];
    if (this.puzzleEmb) all.push(this.puzzleEmb);
    for (const v of all) v.dispose();
    this.tf.dispose([this.yInit, this.zInit, ...(this.rope ? [this.rope.cos, this.rope.sin] : [])]);
  }
}

/** Everything a training step reads and updates, by reference name (TfjsTrainer.load takes it over). */
export interface TrainState {
  /** Optimizer steps taken (Adam's t). */
  t: number;
  params: Map<string, Float32Array>;
  m: Map<string, Float32Array>;
  v: Map<string, Float32Array>;
  ema: Map<string, Float32Array> | null;
  puzzleEmb: Float32Array | null;
  carry: { halted: Uint32Array; steps: Uint32Array; inputs: Int32Array; labels: Int32Array; puzzleIds: Int32Array; y: Float32Array; z: Float32Array };
}

/** Our Trainer's whole training state, read back from its engine. */
export async function stateOf(trainer: Trainer): Promise<TrainState> {
  const e = trainer.engine, c = trainer.carry;
  const bySlot = async (flat: Parameters<typeof e.read>[0]) => {
    const all = Float32Array.from(await e.read(flat));
    return new Map(trainer.arena.slots.map((s) => [s.name, all.slice(s.offset, s.offset + s.size)]));
  };
  const [params, m, v, ema, puzzleEmb, halted, steps, inputs, labels, puzzleIds, y, z] = await Promise.all([
    bySlot(trainer.arena.data), bySlot(trainer.adam.m), bySlot(trainer.adam.v), trainer.ema ? bySlot(trainer.ema.shadow) : null,
    trainer.buffers.puzzleEmb ? e.read(trainer.buffers.puzzleEmb) : null,
    e.read(c.halted), e.read(c.steps), e.read(c.inputs), e.read(c.labels), e.read(c.puzzleIds), e.read(c.y), e.read(c.z),
  ]);
  return {
    t: trainer.adam.t, params, m, v, ema,
    puzzleEmb: puzzleEmb && Float32Array.from(puzzleEmb),
    carry: {
      halted: Uint32Array.from(halted), steps: Uint32Array.from(steps), inputs: Int32Array.from(inputs), labels: Int32Array.from(labels),
      puzzleIds: Int32Array.from(puzzleIds), y: Float32Array.from(y), z: Float32Array.from(z),
    },
  };
}

/** Our Trainer's weights as Float32Arrays by reference name, incl. H_init/L_init and puzzle_emb. */
export async function weightsOf(trainer: Trainer): Promise<Map<string, Float32Array>> {
  const e = trainer.engine, b = trainer.buffers;
  const tensors: [string, Parameters<typeof e.read>[0]][] = [...trainer.arena.params, [NAMES.yInit, b.yInit], [NAMES.zInit, b.zInit]];
  if (b.puzzleEmb) tensors.push([NAMES.puzzleEmb, b.puzzleEmb]);
  const values = await Promise.all(tensors.map(([, t]) => e.read(t)));
  return new Map(tensors.map(([name], i) => [name, Float32Array.from(values[i])]));
}

/** The tensor that differs most between two sets of weights by name (relError), and by how much. */
export function worstWeightDiff(got: ReadonlyMap<string, ArrayLike<number>>, want: ReadonlyMap<string, ArrayLike<number>>): [string, number] {
  let worst: [string, number] = ['', 0];
  for (const [name, g] of got) {
    const err = relError(g, want.get(name)!);
    if (err > worst[1]) worst = [name, err];
  }
  return worst;
}
