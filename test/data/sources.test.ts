import { describe, expect, it } from 'vitest';
import { createSource, splitTasks } from '../../src/data/sources';
import { arcSource } from '../../src/data/arc-source';
import { decodeCanvas } from '../../src/data/arc-encoding';
import { generateTasks } from '../../src/data/procedural';
import { sudokuToString } from '../../src/data/sudoku-text';
import { decodeSudoku, findRuleViolation } from '../../src/data/sudoku';
import { sudokuSource } from '../../src/data/sudoku-source';
import { augmentGrid, parseAugmentedName } from '../../src/data/arc-augment';
import { mulberry32 } from '../../src/nn/init';
import { gridKey } from '../../src/data/grid';

describe('data sources', () => {
  it('sudoku: held-out puzzles never repeat a training puzzle; batches are valid augmented puzzles', () => {
    const s = sudokuSource({ size: 4, difficulty: 1, trainPuzzles: 300, testPuzzles: 300, augment: true, seed: 3 });
    const train = new Set(s.train.map((p) => sudokuToString(p.puzzle)));
    expect(s.test.some((p) => train.has(sudokuToString(p.puzzle)))).toBe(false);
    const b = s.trainBatch(32, mulberry32(1));
    expect(b.inputs.length).toBe(32 * 16);
    for (let i = 0; i < 32; i++) {
      const sol = decodeSudoku(b.labels.subarray(i * 16, (i + 1) * 16), 4);
      expect(findRuleViolation(sol)).toBeNull();
    }
  });

  it('ARC: evaluation tasks train on their demonstrations only; their test inputs are held out in every version', () => {
    const tasks = generateTasks(10, { seed: 5, maxSide: 5, difficulty: 0.3 });
    const { train, eval: evalTasks } = splitTasks(tasks, 0.2, 5);
    expect(evalTasks.length).toBe(2);
    const src = arcSource(train, evalTasks, { name: 't', canvas: 6, augmentations: 3, translate: true, seed: 1 });
    expect(src.info.numPuzzleIds).toBe(src.registry.count);
    const byId = new Map(evalTasks.map((t) => [t.id, t]));
    // For each puzzle id of an evaluation task's version: the keys of that version's (augmented) test inputs.
    const heldOut = new Map<number, Set<string>>();
    for (const it of src.evalItems) {
      const { name, aug } = parseAugmentedName(it.versionName);
      const task = byId.get(name)!;
      const id = src.registry.get(it.versionName)!;
      const set = heldOut.get(id) ?? heldOut.set(id, new Set()).get(id)!;
      set.add(gridKey(augmentGrid(task.test[it.testIndex].input, aug)));
    }
    expect(heldOut.size).toBeGreaterThan(2);
    const rand = mulberry32(2);
    let checked = 0;
    for (let k = 0; k < 200; k++) {
      const b = src.trainBatch(16, rand);
      for (let i = 0; i < 16; i++) {
        const keys = heldOut.get(b.puzzleIds[i]);
        if (!keys) continue;
        const tokens = Array.from(b.inputs.subarray(i * 36, (i + 1) * 36));
        expect(keys.has(gridKey(decodeCanvas(tokens, 6, firstCell(tokens))))).toBe(false);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('procedural preset source builds and reports a 6×6 canvas', () => {
    const src = createSource({ kind: 'arc-procedural', families: ['gravity', 'recolour'], tasks: 10, difficulty: 0.2, maxSide: 5, canvas: 6, augmentations: 2, translate: false }, 1);
    expect(src.info).toMatchObject({ seqLen: 36, vocabSize: 12 });
    expect(src.evalExamples().length).toBeGreaterThan(0);
  });
});

/** Top-left colour cell of a translated canvas (first non-PAD, non-EOS token). */
function firstCell(tokens: number[]): { row: number; col: number } {
  const i = tokens.findIndex((v) => v >= 2);
  return { row: Math.floor(Math.max(0, i) / 6), col: Math.max(0, i) % 6 };
}
