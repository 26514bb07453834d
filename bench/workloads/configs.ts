import { swigluWidth, type TrainConfig } from '../../src/trm/config';
import { getPreset } from '../../src/trm/presets';

/** The sizes of a config's matmuls at a batch size: R = B·S tokens of width D, SwiGLU widths I (channel) and IT (token mixer). */
export interface MidShape {
  B: number;
  S: number;
  R: number;
  D: number;
  I: number;
  IT: number;
}

export function shapeOf(cfg: TrainConfig, seqLen: number, batch = cfg.optim.batchSize): MidShape {
  const m = cfg.model, S = m.puzzleEmbLen + seqLen;
  return { B: batch, S, R: batch * S, D: m.hidden, I: swigluWidth(m.hidden, m.expansion, m.swigluMultiple), IT: swigluWidth(S, m.expansion, m.swigluMultiple) };
}

export interface BenchConfig {
  name: string;
  cfg: TrainConfig;
  /** Tokens per puzzle (the data's seqLen), known without building the source. */
  seqLen: number;
}

/** The shipped 4×4 Sudoku preset (TRM-MLP, D = 32, batch 64). */
export function sudoku4x4(): BenchConfig {
  return { name: 'sudoku-4x4', cfg: getPreset('sudoku-4x4'), seqLen: 16 };
}

/**
 * The mid-size config of the issue: D = 256 on 9×9 Sudoku (81 cells), in both variants, with the small presets'
 * recursion (T = 2, n = 2, N_sup = 4). The batch is 64 on a GPU; on the software adapter (~0.5 GFLOP/s) one
 * step at that batch takes minutes, so it runs at batch 2 there.
 */
export function mid(variant: 'attention' | 'mlp', software: boolean): BenchConfig {
  const base = getPreset('sudoku-9x9-small');
  const cfg: TrainConfig = {
    ...base,
    model: { ...base.model, variant, posEncoding: variant === 'attention' ? 'rope' : 'none', hidden: 256, heads: 4, T: 2, n: 2, nSup: 4 },
    optim: { ...base.optim, batchSize: software ? 2 : 64 },
    // The puzzle count only sets how long generation takes, not the step's cost.
    data: { kind: 'sudoku', size: 9, difficulty: 0.5, trainPuzzles: 256, testPuzzles: 64, augment: true },
  };
  return { name: `mid-${variant} D256 81 cells`, cfg, seqLen: 81 };
}
