/**
 * Every TRM knob, named after the paper with the reference code's name in the comment. Defaults follow the
 * reference code (trm-spec.md); where the paper differs, the other behaviour is a switch.
 */
export interface ModelConfig {
  /** 'attention' = TRM-Att (RoPE self-attention); 'mlp' = TRM-MLP (token-mixing SwiGLU over the sequence, arch.mlp_t). */
  variant: 'attention' | 'mlp';
  /** D, hidden_size. */
  hidden: number;
  /** L_layers: blocks in the one network. */
  layers: number;
  /** Attention heads (attention variant); head_dim = hidden / heads. */
  heads: number;
  /** SwiGLU expansion e: inter = roundUp(round(e·h·2/3), swigluMultiple). */
  expansion: number;
  /** The reference rounds SwiGLU widths up to 256, which inflates tiny models; small presets use 8 or 16. */
  swigluMultiple: number;
  /** T, H_cycles: T−1 cycles without gradient, then one with. */
  T: number;
  /** n, L_cycles: latent updates per cycle. */
  n: number;
  /** N_sup, halt_max_steps: supervision steps. */
  nSup: number;
  /** halt_exploration_prob. */
  haltExplorationProb: number;
  /** puzzle_emb_len: prefix positions (only the first ceil(puzzleEmbDim/D) carry the learned vector). */
  puzzleEmbLen: number;
  /** puzzle_emb_ndim: 0 = no puzzle embedding. Must fit in puzzleEmbLen·D. */
  puzzleEmbDim: number;
  /** pos_encodings: 'rope' (attention default) or 'none' (MLP variant). */
  posEncoding: 'rope' | 'none';
  ropeBase: number;
  rmsEps: number;
}

export interface OptimConfig {
  /** 'adam-atan2' is the reference code; 'adamw' is what the paper text says. */
  optimizer: 'adam-atan2' | 'adamw';
  lr: number;
  beta1: number;
  beta2: number;
  weightDecay: number;
  warmupSteps: number;
  /** The reference's cosine schedule with lr_min_ratio = 1 is constant after warmup. */
  schedule: 'constant' | 'cosine';
  lrMinRatio: number;
  puzzleEmbLr: number;
  puzzleEmbWeightDecay: number;
  /** EMA decay for evaluation/checkpoint weights; 0 disables EMA. */
  ema: number;
  batchSize: number;
  loss: 'stablemax' | 'softmax';
  haltLossWeight: number;
}

export type DataConfig =
  | { kind: 'sudoku'; size: 4 | 6 | 9; difficulty: number; trainPuzzles: number; testPuzzles: number; augment: boolean }
  | { kind: 'maze'; size: number; minPathLength: number; trainMazes: number; testMazes: number; augment: boolean }
  | { kind: 'arc-procedural'; families: string[]; tasks: number; difficulty: number; maxSide: number; canvas: number; augmentations: number; translate: boolean }
  | { kind: 'arc'; source: 'mini-arc' | 'arc-agi-1' | 'arc-agi-2' | 'concept-arc'; canvas: number; augmentations: number; translate: boolean };

export interface TrainConfig {
  model: ModelConfig;
  optim: OptimConfig;
  data: DataConfig;
  steps: number;
  evalEvery: number;
  /** Samples evaluated at each periodic evaluation. */
  evalSamples: number;
  seed: number;
}

/** What a dataset fixes about the model's input and output. */
export interface DataShape {
  seqLen: number;
  vocabSize: number;
  numPuzzleIds: number;
}

export function swigluWidth(h: number, expansion: number, multiple: number): number {
  return Math.ceil(Math.round((expansion * h * 2) / 3) / multiple) * multiple;
}

/** A problem with one field: `field` is a dotted path such as "model.heads". */
export interface ConfigIssue {
  field: string;
  message: string;
}

export class ConfigError extends Error {
  constructor(readonly issues: ConfigIssue[]) {
    super(issues.map((i) => `${i.field}: ${i.message}`).join('\n'));
    this.name = 'ConfigError';
  }
}

const isInt = (v: number) => Number.isInteger(v);

/** Every reason `cfg` (with the dataset's shape) cannot be built or trained; empty when valid. */
export function configIssues(cfg: TrainConfig, data?: DataShape): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const bad = (field: string, message: string) => out.push({ field, message });
  const intIn = (field: string, v: number, lo: number, hi = Infinity) => {
    if (!isInt(v) || v < lo || v > hi) bad(field, `must be an integer in [${lo}, ${hi === Infinity ? '∞' : hi}], got ${v}`);
  };
  const numIn = (field: string, v: number, lo: number, hi: number, openLo = false) => {
    if (!Number.isFinite(v) || v < lo || v > hi || (openLo && v === lo)) bad(field, `must be a number in ${openLo ? '(' : '['}${lo}, ${hi}], got ${v}`);
  };
  const m = cfg.model;
  intIn('model.hidden', m.hidden, 1, 4096);
  intIn('model.layers', m.layers, 1, 16);
  intIn('model.T', m.T, 1, 64);
  intIn('model.n', m.n, 1, 64);
  intIn('model.nSup', m.nSup, 1, 256);
  intIn('model.swigluMultiple', m.swigluMultiple, 1, 1024);
  numIn('model.expansion', m.expansion, 0, 16, true);
  numIn('model.haltExplorationProb', m.haltExplorationProb, 0, 1);
  intIn('model.puzzleEmbLen', m.puzzleEmbLen, 0, 64);
  intIn('model.puzzleEmbDim', m.puzzleEmbDim, 0, 1 << 16);
  numIn('model.rmsEps', m.rmsEps, 0, 1, true);
  if (m.variant !== 'attention' && m.variant !== 'mlp') bad('model.variant', `must be "attention" or "mlp", got ${String(m.variant)}`);
  if (m.variant === 'attention') {
    intIn('model.heads', m.heads, 1, 256);
    if (isInt(m.heads) && m.heads > 0 && m.hidden % m.heads !== 0) bad('model.heads', `hidden size ${m.hidden} is not divisible by ${m.heads} heads`);
    else if (m.hidden / m.heads > 64) bad('model.heads', `head dimension ${m.hidden / m.heads} exceeds the attention kernels' 64; use more heads`);
    else if (m.posEncoding === 'rope' && (m.hidden / m.heads) % 2 !== 0) bad('model.heads', `RoPE needs an even head dimension, got ${m.hidden / m.heads}`);
    numIn('model.ropeBase', m.ropeBase, 1, 1e9);
  } else if (m.posEncoding === 'rope') bad('model.posEncoding', 'the MLP variant has no attention to apply RoPE to; use "none"');
  if (m.puzzleEmbDim > m.puzzleEmbLen * m.hidden) bad('model.puzzleEmbDim', `${m.puzzleEmbDim} does not fit in ${m.puzzleEmbLen} prefix positions × hidden ${m.hidden}`);
  if (m.puzzleEmbLen === 0) bad('model.puzzleEmbLen', 'must be ≥ 1: the halting head reads prefix position 0');

  const o = cfg.optim;
  if (o.optimizer !== 'adam-atan2' && o.optimizer !== 'adamw') bad('optim.optimizer', `must be "adam-atan2" or "adamw", got ${String(o.optimizer)}`);
  numIn('optim.lr', o.lr, 0, 10, true);
  numIn('optim.beta1', o.beta1, 0, 1);
  numIn('optim.beta2', o.beta2, 0, 1);
  if (o.beta1 === 1 || o.beta2 === 1) bad(o.beta1 === 1 ? 'optim.beta1' : 'optim.beta2', 'must be < 1 (bias correction divides by 1 − β^t)');
  numIn('optim.weightDecay', o.weightDecay, 0, 100);
  intIn('optim.warmupSteps', o.warmupSteps, 0);
  numIn('optim.lrMinRatio', o.lrMinRatio, 0, 1);
  numIn('optim.puzzleEmbLr', o.puzzleEmbLr, 0, 10);
  numIn('optim.puzzleEmbWeightDecay', o.puzzleEmbWeightDecay, 0, 100);
  numIn('optim.ema', o.ema, 0, 1);
  if (o.ema === 1) bad('optim.ema', 'must be < 1 (1 would freeze the EMA copy)');
  intIn('optim.batchSize', o.batchSize, 1, 1 << 16);
  numIn('optim.haltLossWeight', o.haltLossWeight, 0, 100);
  if (o.loss !== 'stablemax' && o.loss !== 'softmax') bad('optim.loss', `must be "stablemax" or "softmax", got ${String(o.loss)}`);
  if (o.schedule !== 'constant' && o.schedule !== 'cosine') bad('optim.schedule', `must be "constant" or "cosine", got ${String(o.schedule)}`);

  intIn('steps', cfg.steps, 1);
  intIn('evalEvery', cfg.evalEvery, 0);
  intIn('evalSamples', cfg.evalSamples, 1);
  intIn('seed', cfg.seed, 0, 0xffffffff);

  const d = cfg.data;
  if (d.kind === 'arc-procedural' || d.kind === 'arc') {
    intIn('data.canvas', d.canvas, 2, 30);
    if (d.kind === 'arc-procedural' && isInt(d.maxSide) && d.maxSide + 1 > d.canvas) bad('data.canvas', `canvas ${d.canvas} is too small for grids up to ${d.maxSide} per side plus the EOS row/column (needs ≥ ${d.maxSide + 1})`);
  }
  if (data) {
    const S = data.seqLen + m.puzzleEmbLen;
    if (m.variant === 'mlp' && S > 4 * m.hidden) bad('model.variant', `sequence of ${S} positions is too long for the MLP token mixer at hidden ${m.hidden} (the reference uses it only for L ≤ D; use attention)`);
    if (m.puzzleEmbDim > 0 && data.numPuzzleIds < 1) bad('model.puzzleEmbDim', 'the dataset defines no puzzle identifiers');
  }
  return out;
}

export function validateConfig(cfg: TrainConfig, data?: DataShape): TrainConfig {
  const issues = configIssues(cfg, data);
  if (issues.length) throw new ConfigError(issues);
  return cfg;
}
