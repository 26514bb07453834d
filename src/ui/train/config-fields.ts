/** The config form's layout: every TRM knob with its label, input kind and a one-line explanation. */
import { POS_ENCODINGS, type TrainConfig } from '../../trm/config';
import { getConfigField, type FieldValue } from '../../state/config-edit';

export interface FieldSpec {
  path: string;
  label: string;
  kind: 'int' | 'number' | 'select' | 'bool' | 'list';
  options?: readonly (string | number)[];
  /** Shown as the input's tooltip and accessible description. */
  help: string;
  /** Only shown when it applies to the config. */
  when?: (c: TrainConfig) => boolean;
}

export interface SectionSpec {
  title: string;
  fields: FieldSpec[];
}

const attention = (c: TrainConfig) => c.model.variant === 'attention';
const dataKind = (k: TrainConfig['data']['kind']) => (c: TrainConfig) => c.data.kind === k;
const arcLike = (c: TrainConfig) => c.data.kind === 'arc' || c.data.kind === 'arc-procedural';

export const SECTIONS: readonly SectionSpec[] = [
  {
    title: 'Model',
    fields: [
      { path: 'model.variant', label: 'Variant', kind: 'select', options: ['attention', 'mlp'], help: 'TRM-Att (self-attention with RoPE) or TRM-MLP (token-mixing SwiGLU over the sequence)' },
      { path: 'model.posEncoding', label: 'Positions', kind: 'select', options: POS_ENCODINGS, help: 'rotary position encoding (attention), none (MLP variant), or a learned table added to the input (pos_encodings)' },
      { path: 'model.hidden', label: 'Hidden D', kind: 'int', help: 'hidden size of every position (hidden_size)' },
      { path: 'model.layers', label: 'Layers', kind: 'int', help: 'blocks in the one network (L_layers)' },
      { path: 'model.heads', label: 'Heads', kind: 'int', help: 'attention heads; head dim = D / heads (≤ 64, even for RoPE)', when: attention },
      { path: 'model.expansion', label: 'SwiGLU expansion', kind: 'number', help: 'MLP width factor e: inner = round(e·D·2/3) rounded up to the multiple' },
      { path: 'model.swigluMultiple', label: 'SwiGLU multiple', kind: 'int', help: 'inner width rounded up to this (the reference uses 256)' },
      { path: 'model.ropeBase', label: 'RoPE base', kind: 'number', help: 'rotary frequency base', when: (c) => attention(c) && c.model.posEncoding === 'rope' },
      { path: 'model.rmsEps', label: 'RMSNorm ε', kind: 'number', help: 'epsilon of the post-norm RMSNorm' },
    ],
  },
  {
    title: 'Recursion and halting',
    fields: [
      { path: 'model.n', label: 'n', kind: 'int', help: 'latent updates of z per cycle (L_cycles)' },
      { path: 'model.T', label: 'T', kind: 'int', help: 'cycles per supervision step; T−1 without gradient, then one with (H_cycles)' },
      { path: 'model.nSup', label: 'N_sup', kind: 'int', help: 'deep-supervision steps (halt_max_steps)' },
      { path: 'model.haltExplorationProb', label: 'Halt exploration', kind: 'number', help: 'probability a sample must run a random minimum number of steps (halt_exploration_prob)' },
      { path: 'optim.haltLossWeight', label: 'Halt loss weight', kind: 'number', help: 'weight of the q_halt BCE loss' },
      { path: 'model.actContinue', label: 'Q-continue', kind: 'bool', help: "HRM's Q-learning: train q_continue on the next step's q (an extra forward pass) and halt when q_halt > q_continue (no_ACT_continue: false)" },
    ],
  },
  {
    title: 'Puzzle embedding',
    fields: [
      { path: 'model.puzzleEmbLen', label: 'Prefix length', kind: 'int', help: 'prefix positions (puzzle_emb_len; 0 = ceil(embedding dim / D)); position 0 feeds the halting head' },
      { path: 'model.puzzleEmbDim', label: 'Embedding dim', kind: 'int', help: 'learned vector per puzzle id (puzzle_emb_ndim); 0 = none' },
      { path: 'optim.puzzleEmbLr', label: 'Embedding lr', kind: 'number', help: 'sign-SGD rate of the puzzle embeddings' },
      { path: 'optim.puzzleEmbWeightDecay', label: 'Embedding WD', kind: 'number', help: 'weight decay of the puzzle embeddings' },
    ],
  },
  {
    title: 'Optimizer',
    fields: [
      { path: 'optim.optimizer', label: 'Optimizer', kind: 'select', options: ['adam-atan2', 'adamw'], help: 'AdamATan2 (reference code) or AdamW (paper text)' },
      { path: 'optim.lr', label: 'Learning rate', kind: 'number', help: 'base rate after warmup' },
      { path: 'optim.warmupSteps', label: 'Warmup steps', kind: 'int', help: 'linear warmup from 0' },
      { path: 'optim.schedule', label: 'Schedule', kind: 'select', options: ['constant', 'cosine'], help: 'after warmup: constant, or cosine down to lr·min ratio' },
      { path: 'optim.lrMinRatio', label: 'Min lr ratio', kind: 'number', help: 'cosine floor as a fraction of lr', when: (c) => c.optim.schedule === 'cosine' },
      { path: 'optim.weightDecay', label: 'Weight decay', kind: 'number', help: 'decoupled weight decay' },
      { path: 'optim.beta1', label: 'β1', kind: 'number', help: 'Adam first-moment decay' },
      { path: 'optim.beta2', label: 'β2', kind: 'number', help: 'Adam second-moment decay' },
      { path: 'optim.ema', label: 'EMA', kind: 'number', help: 'decay of the weight average used for eval and checkpoints; 0 = off' },
      { path: 'optim.batchSize', label: 'Batch', kind: 'int', help: 'samples (carry slots) per optimizer step' },
      { path: 'optim.loss', label: 'Loss', kind: 'select', options: ['stablemax', 'softmax'], help: 'stablemax cross-entropy (reference) or softmax' },
    ],
  },
  {
    title: 'Data',
    fields: [
      { path: 'data.kind', label: 'Dataset', kind: 'select', options: ['sudoku', 'maze', 'arc-procedural', 'arc'], help: 'what the model learns to solve' },
      { path: 'data.size', label: 'Sudoku size', kind: 'select', options: [4, 6, 9], help: 'grid side', when: dataKind('sudoku') },
      { path: 'data.size', label: 'Maze size', kind: 'int', help: 'grid side', when: dataKind('maze') },
      { path: 'data.difficulty', label: 'Difficulty', kind: 'number', help: 'Sudoku: fraction of cells blanked; procedural: rule difficulty 0..1', when: (c) => c.data.kind === 'sudoku' || c.data.kind === 'arc-procedural' },
      { path: 'data.trainPuzzles', label: 'Train puzzles', kind: 'int', help: 'distinct training puzzles', when: dataKind('sudoku') },
      { path: 'data.testPuzzles', label: 'Test puzzles', kind: 'int', help: 'held-out puzzles', when: dataKind('sudoku') },
      { path: 'data.minPathLength', label: 'Min path length', kind: 'int', help: 'reject mazes with a shorter solution', when: dataKind('maze') },
      { path: 'data.trainMazes', label: 'Train mazes', kind: 'int', help: 'distinct training mazes', when: dataKind('maze') },
      { path: 'data.testMazes', label: 'Test mazes', kind: 'int', help: 'held-out mazes', when: dataKind('maze') },
      { path: 'data.families', label: 'Families', kind: 'list', help: 'procedural rule families, comma-separated; empty = every family that fits', when: dataKind('arc-procedural') },
      { path: 'data.tasks', label: 'Tasks', kind: 'int', help: 'procedural tasks generated (20% held out)', when: dataKind('arc-procedural') },
      { path: 'data.maxSide', label: 'Max grid side', kind: 'int', help: 'largest generated grid side', when: dataKind('arc-procedural') },
      { path: 'data.source', label: 'ARC source', kind: 'select', options: ['mini-arc', 'arc-agi-1', 'arc-agi-2', 'concept-arc'], help: 'which ARC tasks (load them in Datasets)', when: dataKind('arc') },
      { path: 'data.canvas', label: 'Canvas', kind: 'int', help: 'side N of the N×N canvas grids are placed on (with EOS bars)', when: arcLike },
      { path: 'data.augment', label: 'Augment', kind: 'bool', help: 'random symmetries (and digit relabelling for Sudoku) on training samples', when: (c) => c.data.kind === 'sudoku' || c.data.kind === 'maze' },
      { path: 'data.augmentations', label: 'Augmentations', kind: 'int', help: 'augmented versions per task (dihedral × colour permutation), each its own puzzle id', when: arcLike },
      { path: 'data.translate', label: 'Translate', kind: 'bool', help: 'random placement of training grids inside the canvas', when: arcLike },
    ],
  },
  {
    title: 'Run',
    fields: [
      { path: 'steps', label: 'Steps', kind: 'int', help: 'optimizer steps' },
      { path: 'evalEvery', label: 'Eval every', kind: 'int', help: 'steps between evaluations; 0 = only at the end' },
      { path: 'evalSamples', label: 'Eval samples', kind: 'int', help: 'held-out samples per evaluation' },
      { path: 'seed', label: 'Seed', kind: 'int', help: 'seed for weights and data' },
    ],
  },
];

/** The form text for a field's current value. */
export function fieldText(cfg: TrainConfig, f: FieldSpec): string {
  const v = getConfigField(cfg, f.path);
  if (Array.isArray(v)) return v.join(', ');
  return v === undefined ? '' : String(v);
}

/** The value typed into a field, typed like the config expects (numbers may be NaN: validation says why). */
export function parseField(f: FieldSpec, text: string): FieldValue {
  switch (f.kind) {
    case 'int':
    case 'number':
      return text.trim() === '' ? NaN : Number(text);
    case 'bool':
      return text === 'true';
    case 'list':
      return text.split(',').map((s) => s.trim()).filter(Boolean);
    case 'select':
      return typeof f.options?.[0] === 'number' ? Number(text) : text;
  }
}

/** Field paths shown for a config (each TrainConfig leaf exactly once). */
export function visibleFields(cfg: TrainConfig): { section: SectionSpec; fields: FieldSpec[] }[] {
  return SECTIONS.map((section) => ({ section, fields: section.fields.filter((f) => !f.when || f.when(cfg)) }));
}
