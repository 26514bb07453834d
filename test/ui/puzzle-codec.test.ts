import { describe, expect, it } from 'vitest';
import { CanvasFitError, encodePair } from '../../src/data/arc-encoding';
import { IGNORE_LABEL } from '../../src/data/dataset';
import { fromRows, toRows } from '../../src/data/grid';
import { encodeMaze, GOAL, OPEN, PATH, START, WALL } from '../../src/data/maze';
import { encodeSudoku, generateSudoku } from '../../src/data/sudoku';
import { mulberry32 } from '../../src/nn/init';
import { getPreset } from '../../src/trm/presets';
import { arcTokens, mazeTokens, sudokuTokens } from '../../src/ui/grid/symbols';
import { arcPairToExample, checkSeqLen, decodeAnswer, hasTarget, mazeToExample, puzzleViewOf, sudokuToExample, viewBoxes, viewSide, viewSymbols, viewVocabSize } from '../../src/ui/puzzle-codec';

const allIgnored = (a: Int32Array) => a.every((v) => v === IGNORE_LABEL);

describe('sudoku', () => {
  it('a unique puzzle: inputs are digit+1 tokens, labels its solution', () => {
    const { puzzle, solution } = generateSudoku({ size: 4 }, mulberry32(3));
    const enc = sudokuToExample(puzzle);
    expect(enc.solutions).toBe(1);
    expect(enc.violation).toBeNull();
    expect(Array.from(enc.example.inputs)).toEqual(Array.from(puzzle.cells, (d) => d + 1));
    expect(Array.from(enc.example.labels)).toEqual(Array.from(encodeSudoku(solution)));
    expect(enc.example.puzzleId).toBe(0);
  });

  it('an empty board has several solutions: every label ignored', () => {
    const enc = sudokuToExample(fromRows([[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]));
    expect(enc.solutions).toBe(2);
    expect(allIgnored(enc.example.labels)).toBe(true);
    expect(hasTarget(enc.example.labels)).toBe(false);
    expect(Array.from(enc.example.inputs)).toEqual(new Array(16).fill(1));
  });

  it('a broken rule: no solution, the rule named, labels ignored', () => {
    const enc = sudokuToExample(fromRows([[1, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]));
    expect(enc.solutions).toBe(0);
    expect(enc.violation).toBe('row 1 has 1 twice');
    expect(allIgnored(enc.example.labels)).toBe(true);
  });

  it('decodes tokens back to digits, 0 where a token is no digit', () => {
    const view = { kind: 'sudoku', size: 4 } as const;
    const tokens = [2, 3, 4, 5, 1, 0, 6, 11, 2, 2, 2, 2, 3, 3, 3, 3];
    expect(toRows(decodeAnswer(view, tokens))[0]).toEqual([1, 2, 3, 4]);
    expect(toRows(decodeAnswer(view, tokens))[1]).toEqual([0, 0, 0, 0]);
  });
});

describe('maze', () => {
  const maze = fromRows([
    [START, OPEN, OPEN],
    [WALL, WALL, OPEN],
    [GOAL, OPEN, OPEN],
  ]);

  it('inputs are the cells ("# SGo" index + 1), labels the BFS path', () => {
    const { example, solution } = mazeToExample(maze);
    expect(Array.from(example.inputs)).toEqual(Array.from(encodeMaze(maze)));
    expect(solution!.pathLength).toBe(6);
    expect(toRows({ h: 3, w: 3, cells: Uint8Array.from(example.labels) })).toEqual([
      [START, PATH, PATH],
      [WALL, WALL, PATH],
      [GOAL, PATH, PATH],
    ]);
  });

  it('an unreachable goal: labels ignored', () => {
    const walled = fromRows([[START, WALL], [WALL, GOAL]]);
    const { example, solution } = mazeToExample(walled);
    expect(solution).toBeNull();
    expect(allIgnored(example.labels)).toBe(true);
  });

  it('a maze without its goal is refused, naming it', () => {
    expect(() => mazeToExample(fromRows([[START, OPEN], [OPEN, OPEN]]))).toThrow(/no goal/);
  });
});

describe('arc', () => {
  const pair = { input: fromRows([[1, 2], [3, 4]]), output: fromRows([[5]]) };

  it('encodes exactly like the training data (encodePair at the origin), with the puzzle id', () => {
    const ex = arcPairToExample(pair, 6, { puzzleId: 7 });
    const ref = encodePair(pair, 6, { puzzleId: 7 });
    expect(Array.from(ex.inputs)).toEqual(Array.from(ref.inputs));
    expect(Array.from(ex.labels)).toEqual(Array.from(ref.labels));
    expect(ex.puzzleId).toBe(7);
    // colour + 2, EOS bars right of and below the grid, PAD elsewhere
    expect(Array.from(ex.inputs.slice(0, 6))).toEqual([3, 4, 1, 0, 0, 0]);
    expect(Array.from(ex.inputs.slice(12, 18))).toEqual([1, 1, 0, 0, 0, 0]);
  });

  it('a test input without an output has no target', () => {
    const ex = arcPairToExample({ input: pair.input }, 6);
    expect(hasTarget(ex.labels)).toBe(false);
  });

  it('a grid larger than the canvas is refused with a CanvasFitError that says so', () => {
    const big = { input: fromRows(Array.from({ length: 7 }, () => new Array(7).fill(0))) };
    expect(() => arcPairToExample(big, 6)).toThrow(CanvasFitError);
    expect(() => arcPairToExample(big, 6, { where: 'test 1' })).toThrow('test 1, input: grid 7x7 at offset (0, 0) does not fit the 6x6 canvas');
  });

  it('decodes a predicted canvas by the reference crop', () => {
    const ex = arcPairToExample(pair, 6);
    expect(toRows(decodeAnswer({ kind: 'arc', canvas: 6 }, ex.inputs))).toEqual([[1, 2], [3, 4]]);
    expect(toRows(decodeAnswer({ kind: 'arc', canvas: 6 }, ex.labels.map((t) => (t < 0 ? 0 : t))))).toEqual([[5]]);
  });
});

describe('views', () => {
  it('follow the data config of each preset kind', () => {
    expect(puzzleViewOf(getPreset('sudoku-4x4').data)).toEqual({ kind: 'sudoku', size: 4 });
    expect(puzzleViewOf({ kind: 'maze', size: 8, minPathLength: 1, trainMazes: 1, testMazes: 1, augment: false })).toEqual({ kind: 'maze', size: 8 });
    expect(puzzleViewOf({ kind: 'arc', source: 'mini-arc', canvas: 6, augmentations: 0, translate: false })).toEqual({ kind: 'arc', canvas: 6 });
  });

  it('give side, vocabulary, symbols and boxes', () => {
    expect(viewSide({ kind: 'arc', canvas: 10 })).toBe(10);
    expect(viewVocabSize({ kind: 'sudoku', size: 9 })).toBe(11);
    expect(viewVocabSize({ kind: 'maze', size: 5 })).toBe(6);
    expect(viewVocabSize({ kind: 'arc', canvas: 6 })).toBe(12);
    expect(viewSymbols({ kind: 'maze', size: 3 })).toBe(mazeTokens);
    expect(viewSymbols({ kind: 'arc', canvas: 3 })).toBe(arcTokens);
    expect(viewBoxes({ kind: 'sudoku', size: 6 })).toEqual({ rows: 2, cols: 3 });
    expect(viewBoxes({ kind: 'arc', canvas: 6 })).toBeNull();
  });

  it('refuse a sequence of another length, naming both', () => {
    expect(() => checkSeqLen({ kind: 'sudoku', size: 9 }, new Int32Array(16))).toThrow('16 tokens do not make a 9×9 sudoku (81 expected)');
    expect(() => decodeAnswer({ kind: 'arc', canvas: 6 }, new Int32Array(35))).toThrow(/ARC canvas/);
  });
});

describe('symbols', () => {
  it('ARC tokens: PAD and EOS distinct, colour tokens in the canonical palette', () => {
    expect(arcTokens.look(2).fill).toBe('#000000');
    expect(arcTokens.look(3).fill).toBe('#0074D9');
    expect(arcTokens.look(11).fill).toBe('#870C25');
    expect(arcTokens.look(0).name).toMatch(/PAD/);
    expect(arcTokens.look(1).name).toMatch(/EOS/);
    expect(arcTokens.look(1).mark).not.toBe('');
    expect(arcTokens.look(12).mark).toBe('?');
    expect(arcTokens.look(IGNORE_LABEL).name).toMatch(/no target/);
  });

  it('sudoku tokens show digits (token − 1); PAD is flagged as no digit', () => {
    const s = sudokuTokens(4);
    expect(s.look(3).mark).toBe('2');
    expect(s.look(1).mark).toBe('');
    expect(s.look(0).mark).toBe('?');
    expect(s.look(6).mark).toBe('?');
  });

  it('maze tokens: S and G marked, walls grey', () => {
    expect(mazeTokens.look(START).mark).toBe('S');
    expect(mazeTokens.look(GOAL).mark).toBe('G');
    expect(mazeTokens.look(WALL).fill).toBe('#AAAAAA');
    expect(mazeTokens.look(PATH).number).toBe('o');
  });
});
