import { InputError, quote } from '../io/user-error';
import type { DataConfig, ModelConfig, OptimConfig, TrainConfig } from './config';

/** The reference model defaults (config/arch/trm.yaml with the paper's D = 512). */
const PAPER_MODEL: ModelConfig = {
  variant: 'attention', hidden: 512, layers: 2, heads: 8, expansion: 4, swigluMultiple: 256,
  T: 3, n: 6, nSup: 16, haltExplorationProb: 0.1, puzzleEmbLen: 16, puzzleEmbDim: 512,
  posEncoding: 'rope', ropeBase: 10000, rmsEps: 1e-5, actContinue: false,
};

/** The reference training defaults (config/cfg_pretrain.yaml). */
const PAPER_OPTIM: OptimConfig = {
  optimizer: 'adam-atan2', lr: 1e-4, beta1: 0.9, beta2: 0.95, weightDecay: 0.1, warmupSteps: 2000,
  schedule: 'constant', lrMinRatio: 1, puzzleEmbLr: 1e-2, puzzleEmbWeightDecay: 0.1, ema: 0.999,
  batchSize: 768, loss: 'stablemax', haltLossWeight: 0.5,
};

/** Small models: same algorithm, sizes for a laptop GPU (SwiGLU widths rounded to 8, not 256). */
const SMALL_MODEL: ModelConfig = {
  ...PAPER_MODEL, variant: 'mlp', posEncoding: 'none', hidden: 64, heads: 4, swigluMultiple: 8,
  T: 2, n: 2, nSup: 4, puzzleEmbLen: 1, puzzleEmbDim: 64,
};

const SMALL_OPTIM: OptimConfig = {
  ...PAPER_OPTIM, lr: 1e-3, warmupSteps: 50, weightDecay: 0.1, puzzleEmbLr: 1e-2, puzzleEmbWeightDecay: 0.1,
  ema: 0.99, batchSize: 64,
};

function preset(model: Partial<ModelConfig>, optim: Partial<OptimConfig>, data: DataConfig, rest: Partial<TrainConfig>, base = { model: SMALL_MODEL, optim: SMALL_OPTIM }): TrainConfig {
  return {
    model: { ...base.model, ...model },
    optim: { ...base.optim, ...optim },
    data,
    steps: 2000,
    evalEvery: 250,
    evalSamples: 256,
    seed: 0,
    ...rest,
  };
}

const PAPER = { model: PAPER_MODEL, optim: PAPER_OPTIM };

export const PRESETS = {
  /** Paper: Sudoku-Extreme, TRM-MLP (5M), 87.4% — 1000 puzzles × 1000 augmentations, 50k epochs. */
  'paper-sudoku-extreme-mlp': preset(
    { variant: 'mlp', posEncoding: 'none' },
    { weightDecay: 1.0, puzzleEmbLr: 1e-4, puzzleEmbWeightDecay: 1.0 },
    { kind: 'sudoku', size: 9, difficulty: 1, trainPuzzles: 1000, testPuzzles: 1000, augment: true },
    { steps: 65104, evalEvery: 6510, evalSamples: 1000 },
    PAPER,
  ),
  /** Paper: Maze-Hard 30×30, TRM-Att (7M), n = 4 as the code README, 85.3%. */
  'paper-maze-hard-att': preset(
    { n: 4 },
    { weightDecay: 1.0, puzzleEmbLr: 1e-4, puzzleEmbWeightDecay: 1.0 },
    { kind: 'maze', size: 30, minPathLength: 111, trainMazes: 1000, testMazes: 1000, augment: false },
    { steps: 65104, evalEvery: 6510, evalSamples: 1000 },
    PAPER,
  ),
  /** Paper: ARC-AGI-1 (+ConceptARC), TRM-Att (7M), n = 4, 1000 augmentations per task, pass@2 44.6%. */
  'paper-arc-agi-1-att': preset(
    { n: 4 },
    {},
    { kind: 'arc', source: 'arc-agi-1', canvas: 30, augmentations: 1000, translate: true },
    { steps: 440000, evalEvery: 44000, evalSamples: 400 },
    PAPER,
  ),
  /** Minimal 4×4 puzzles (as few givens as uniqueness allows); public/models/sudoku-4x4/model.safetensors is this run. */
  'sudoku-4x4': preset({ hidden: 32, puzzleEmbDim: 32 }, { lr: 1e-3, batchSize: 64 }, { kind: 'sudoku', size: 4, difficulty: 1, trainPuzzles: 1000, testPuzzles: 1000, augment: true }, { steps: 2000, evalEvery: 250, evalSamples: 300 }),
  'sudoku-6x6': preset({ hidden: 96 }, {}, { kind: 'sudoku', size: 6, difficulty: 1, trainPuzzles: 2000, testPuzzles: 1000, augment: true }, { steps: 4000, evalEvery: 500 }),
  'sudoku-9x9-small': preset({ hidden: 128, T: 3, n: 4, nSup: 8 }, { batchSize: 128 }, { kind: 'sudoku', size: 9, difficulty: 0.5, trainPuzzles: 5000, testPuzzles: 1000, augment: true }, { steps: 10000, evalEvery: 1000 }),
  maze: preset({ variant: 'attention', posEncoding: 'rope', heads: 4 }, {}, { kind: 'maze', size: 8, minPathLength: 10, trainMazes: 2000, testMazes: 500, augment: true }, { steps: 4000, evalEvery: 500 }),
  'arc-procedural': preset(
    { variant: 'attention', posEncoding: 'rope', heads: 4, puzzleEmbLen: 2 },
    {},
    { kind: 'arc-procedural', families: [], tasks: 200, difficulty: 0.2, maxSide: 5, canvas: 6, augmentations: 8, translate: false },
    { steps: 4000, evalEvery: 500, evalSamples: 200 },
  ),
  'mini-arc': preset(
    { variant: 'attention', posEncoding: 'rope', heads: 4, puzzleEmbLen: 2 },
    {},
    { kind: 'arc', source: 'mini-arc', canvas: 6, augmentations: 32, translate: false },
    { steps: 6000, evalEvery: 1000, evalSamples: 200 },
  ),
} satisfies Record<string, TrainConfig>;

export type PresetName = keyof typeof PRESETS;

export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

/** A name of a preset: own properties of PRESETS only, so "constructor" or "toString" never is one. */
export function isPresetName(name: string): name is PresetName {
  return (PRESET_NAMES as readonly string[]).includes(name);
}

export function getPreset(name: string): TrainConfig {
  if (!isPresetName(name)) throw new InputError(`unknown preset ${quote(name)}; choose one of: ${PRESET_NAMES.join(', ')}`);
  return structuredClone(PRESETS[name]);
}
