import { InputError, quote } from '../io/user-error';
import { MAX_GRID_SIDE } from '../data/grid';
import { FAMILIES } from '../data/procedural';

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
  /**
   * puzzle_emb_len: prefix positions (only the first ceil(puzzleEmbDim/D) carry the learned vector); 0 means
   * ceil(puzzleEmbDim/D), as in the reference (HRM's prefix). See prefixLength.
   */
  puzzleEmbLen: number;
  /** puzzle_emb_ndim: 0 = no puzzle embedding. Must fit in puzzleEmbLen·D. */
  puzzleEmbDim: number;
  /**
   * pos_encodings: 'rope' (attention default), 'none' (MLP variant), or 'learned': a [S, D] table added to the
   * input embedding as x = √D · 0.707106781 · (embedding + table).
   */
  posEncoding: 'rope' | 'none' | 'learned';
  ropeBase: number;
  rmsEps: number;
  /**
   * The inverse of the reference's no_ACT_continue. false (TRM): q_head's continue logit is never trained and a
   * slot halts when q_halt > 0. true (HRM's Q-learning, the paper's "w/ ACT" row): halting compares q_halt with
   * q_continue, and q_continue learns σ of the next step's q (an extra forward pass per training step).
   */
  actContinue: boolean;
}

/** The reference's arch.pos_encodings values. */
export const POS_ENCODINGS = ['rope', 'none', 'learned'] as const;

/** The prefix positions a model really has: puzzle_emb_len, or ceil(puzzle_emb_ndim / D) where it is 0. */
export function prefixLength(m: Pick<ModelConfig, 'puzzleEmbLen' | 'puzzleEmbDim' | 'hidden'>): number {
  return m.puzzleEmbLen === 0 ? Math.ceil(m.puzzleEmbDim / m.hidden) : m.puzzleEmbLen;
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

/** Issues spelled out in a ConfigError's message; the rest are counted (all stay in `issues`). */
const ISSUES_IN_MESSAGE = 6;

/** One or more bad fields; the message lists the first few, prefixed with where the config came from. */
export class ConfigError extends InputError {
  constructor(readonly issues: ConfigIssue[], where?: string) {
    const shown = issues.slice(0, ISSUES_IN_MESSAGE).map((i) => `${i.field}: ${i.message}`).join('; ');
    const more = issues.length > ISSUES_IN_MESSAGE ? ` (and ${issues.length - ISSUES_IN_MESSAGE} more)` : '';
    super(`${where ? `${where}: ` : ''}${shown}${more}`);
    this.name = 'ConfigError';
  }
}

/** Largest count of generated puzzles, mazes or tasks per split: generating is O(count) before step 1 (1e6 9×9 Sudokus take minutes). */
export const MAX_PUZZLES = 1_000_000;
/** Largest augmented versions per ARC task (the paper uses 1000); each is a puzzle-embedding row. */
export const MAX_AUGMENTATIONS = 10_000;
/** Largest step counts (steps, warmup): far beyond any run (the paper's longest is 440k). */
export const MAX_STEPS = 1_000_000_000;
export const DATA_KINDS = ['sudoku', 'maze', 'arc-procedural', 'arc'] as const;
export const ARC_SOURCES = ['mini-arc', 'arc-agi-1', 'arc-agi-2', 'concept-arc'] as const;
export const SUDOKU_SIZES = [4, 6, 9] as const;

const isInt = (v: number) => Number.isSafeInteger(v);

/** Every reason `cfg` (with the dataset's shape) cannot be built or trained; empty when valid. */
export function configIssues(cfg: TrainConfig, data?: DataShape): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const bad = (field: string, message: string) => out.push({ field, message });
  const intIn = (field: string, v: number, lo: number, hi = Infinity) => {
    if (!isInt(v) || v < lo || v > hi) bad(field, `must be an integer in [${lo}, ${hi === Infinity ? '∞' : hi}], got ${quote(v)}`);
  };
  const numIn = (field: string, v: number, lo: number, hi: number, openLo = false) => {
    if (!Number.isFinite(v) || v < lo || v > hi || (openLo && v === lo)) bad(field, `must be a number in ${openLo ? '(' : '['}${lo}, ${hi}], got ${quote(v)}`);
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
  if (m.variant !== 'attention' && m.variant !== 'mlp') bad('model.variant', `must be "attention" or "mlp", got ${quote(m.variant)}`);
  if (!(POS_ENCODINGS as readonly string[]).includes(m.posEncoding)) bad('model.posEncoding', `must be one of ${POS_ENCODINGS.join(', ')}, got ${quote(m.posEncoding)}`);
  if (typeof m.actContinue !== 'boolean') bad('model.actContinue', `must be true or false, got ${quote(m.actContinue)}`);
  if (m.variant === 'attention') {
    intIn('model.heads', m.heads, 1, 256);
    // Head-dimension checks only once intIn has accepted heads.
    const hd = m.hidden / m.heads;
    if (isInt(m.heads) && m.heads >= 1) {
      if (m.hidden % m.heads !== 0) bad('model.heads', `hidden size ${m.hidden} is not divisible by ${m.heads} heads`);
      else if (hd > 64) bad('model.heads', `head dimension ${hd} exceeds the attention kernels' 64; use more heads`);
      else if (m.posEncoding === 'rope' && hd % 2 !== 0) bad('model.heads', `RoPE needs an even head dimension, got ${hd}`);
      // The GPU kernels load each head row as vec4s; without this the run would fail at its first step.
      else if (hd % 4 !== 0) bad('model.heads', `head dimension ${hd} is not a multiple of 4, which the GPU attention kernels need`);
    }
    numIn('model.ropeBase', m.ropeBase, 1, 1e9);
  } else if (m.posEncoding === 'rope') bad('model.posEncoding', 'the MLP variant has no attention to apply RoPE to; use "none"');
  // puzzleEmbLen 0 sizes the prefix to the embedding; with no embedding either, the halting head reads the first
  // token, as the reference's does.
  if (m.puzzleEmbLen > 0 && m.puzzleEmbDim > m.puzzleEmbLen * m.hidden) bad('model.puzzleEmbDim', `${m.puzzleEmbDim} does not fit in ${m.puzzleEmbLen} prefix positions × hidden ${m.hidden}`);
  else if (isInt(m.hidden) && m.hidden >= 1 && prefixLength(m) > 64) bad('model.puzzleEmbDim', `${m.puzzleEmbDim} needs ${prefixLength(m)} prefix positions at hidden ${m.hidden} (puzzleEmbLen 0), more than 64`);

  const o = cfg.optim;
  if (o.optimizer !== 'adam-atan2' && o.optimizer !== 'adamw') bad('optim.optimizer', `must be "adam-atan2" or "adamw", got ${quote(o.optimizer)}`);
  numIn('optim.lr', o.lr, 0, 10, true);
  numIn('optim.beta1', o.beta1, 0, 1);
  numIn('optim.beta2', o.beta2, 0, 1);
  if (o.beta1 === 1 || o.beta2 === 1) bad(o.beta1 === 1 ? 'optim.beta1' : 'optim.beta2', 'must be < 1 (bias correction divides by 1 − β^t)');
  numIn('optim.weightDecay', o.weightDecay, 0, 100);
  intIn('optim.warmupSteps', o.warmupSteps, 0, MAX_STEPS);
  numIn('optim.lrMinRatio', o.lrMinRatio, 0, 1);
  numIn('optim.puzzleEmbLr', o.puzzleEmbLr, 0, 10);
  numIn('optim.puzzleEmbWeightDecay', o.puzzleEmbWeightDecay, 0, 100);
  numIn('optim.ema', o.ema, 0, 1);
  if (o.ema === 1) bad('optim.ema', 'must be < 1 (1 would freeze the EMA copy)');
  intIn('optim.batchSize', o.batchSize, 1, 1 << 16);
  numIn('optim.haltLossWeight', o.haltLossWeight, 0, 100);
  if (o.loss !== 'stablemax' && o.loss !== 'softmax') bad('optim.loss', `must be "stablemax" or "softmax", got ${quote(o.loss)}`);
  if (o.schedule !== 'constant' && o.schedule !== 'cosine') bad('optim.schedule', `must be "constant" or "cosine", got ${quote(o.schedule)}`);

  intIn('steps', cfg.steps, 1, MAX_STEPS);
  intIn('evalEvery', cfg.evalEvery, 0, MAX_STEPS);
  intIn('evalSamples', cfg.evalSamples, 1, MAX_PUZZLES);
  intIn('seed', cfg.seed, 0, 0xffffffff);

  dataIssues(cfg.data, bad, intIn, numIn);
  if (data) {
    const S = data.seqLen + prefixLength(m);
    if (m.variant === 'mlp' && S > 4 * m.hidden) bad('model.variant', `sequence of ${S} positions is too long for the MLP token mixer at hidden ${m.hidden} (the reference uses it only for L ≤ D; use attention)`);
    if (m.puzzleEmbDim > 0 && data.numPuzzleIds < 1) bad('model.puzzleEmbDim', 'the dataset defines no puzzle identifiers');
  }
  return out;
}

type Bad = (field: string, message: string) => void;
type IntIn = (field: string, v: number, lo: number, hi?: number) => void;
type NumIn = (field: string, v: number, lo: number, hi: number, openLo?: boolean) => void;

/** The data section, with the ranges its generator really supports (src/data/sudoku.ts, maze.ts, procedural/). */
function dataIssues(d: DataConfig, bad: Bad, intIn: IntIn, numIn: NumIn): void {
  switch (d.kind) {
    case 'sudoku':
      if (!(SUDOKU_SIZES as readonly number[]).includes(d.size)) bad('data.size', `must be 4, 6 or 9 (the Sudoku sizes with boxes), got ${quote(d.size)}`);
      // The fraction of cells blanked: 0 would leave nothing to solve.
      numIn('data.difficulty', d.difficulty, 0, 1, true);
      intIn('data.trainPuzzles', d.trainPuzzles, 1, MAX_PUZZLES);
      intIn('data.testPuzzles', d.testPuzzles, 1, MAX_PUZZLES);
      return;
    case 'maze':
      intIn('data.size', d.size, 2, MAX_GRID_SIDE);
      // No shortest path in an n×n grid is longer than its n² − 1 moves.
      if (isInt(d.size) && d.size >= 2 && d.size <= MAX_GRID_SIDE) intIn('data.minPathLength', d.minPathLength, 0, d.size * d.size - 1);
      intIn('data.trainMazes', d.trainMazes, 1, MAX_PUZZLES);
      intIn('data.testMazes', d.testMazes, 1, MAX_PUZZLES);
      return;
    case 'arc-procedural': {
      const minSide = Math.min(...FAMILIES.map((f) => f.minMaxSide));
      intIn('data.maxSide', d.maxSide, minSide, MAX_GRID_SIDE);
      numIn('data.difficulty', d.difficulty, 0, 1);
      intIn('data.tasks', d.tasks, 1, MAX_PUZZLES);
      const unknown = d.families.filter((name) => !FAMILIES.some((f) => f.name === name));
      if (unknown.length) bad('data.families', `unknown ${unknown.length === 1 ? 'family' : 'families'} ${unknown.slice(0, 3).map((n) => quote(n)).join(', ')}${unknown.length > 3 ? ` and ${unknown.length - 3} more` : ''}; known: ${FAMILIES.map((f) => f.name).join(', ')}`);
      else if (isInt(d.maxSide)) {
        const small = FAMILIES.filter((f) => d.families.includes(f.name) && f.minMaxSide > d.maxSide);
        if (small.length) bad('data.maxSide', `${small.map((f) => `${f.name} needs ≥ ${f.minMaxSide}`).join(', ')}; got ${d.maxSide}`);
      }
      break;
    }
    case 'arc':
      if (!(ARC_SOURCES as readonly string[]).includes(d.source)) bad('data.source', `must be one of ${ARC_SOURCES.join(', ')}, got ${quote(d.source)}`);
      break;
    default:
      bad('data.kind', `must be one of ${DATA_KINDS.join(', ')}, got ${quote((d as { kind: unknown }).kind)}`);
      return;
  }
  intIn('data.canvas', d.canvas, 2, MAX_GRID_SIDE);
  intIn('data.augmentations', d.augmentations, 0, MAX_AUGMENTATIONS);
  if (d.kind === 'arc-procedural' && isInt(d.maxSide) && isInt(d.canvas) && d.maxSide + 1 > d.canvas) bad('data.canvas', `canvas ${d.canvas} is too small for grids up to ${d.maxSide} per side plus the EOS row/column (needs ≥ ${d.maxSide + 1})`);
}

export function validateConfig(cfg: TrainConfig, data?: DataShape): TrainConfig {
  const issues = configIssues(cfg, data);
  if (issues.length) throw new ConfigError(issues);
  return cfg;
}
