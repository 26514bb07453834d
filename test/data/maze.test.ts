import { describe, expect, it } from 'vitest';
import { IGNORE_LABEL } from '../../src/data/dataset';
import { fromRows, toRows, type Grid } from '../../src/data/grid';
import { DIHEDRAL_INVERSE } from '../../src/data/dihedral';
import {
  decodeMaze,
  encodeMaze,
  generateMaze,
  generateMazes,
  mazeDatasetInfo,
  mazeDihedral,
  mazeExample,
  mazeToText,
  parseMazeText,
  solveMaze,
  type Maze,
  type MazeOptions,
} from '../../src/data/maze';
import { mulberry32 } from '../../src/nn/init';

// ---- Independent checker: plain BFS and path walking over the characters, sharing no code with the module ----

/** The maze as rows of characters of "# SGo". */
function chars(g: Grid): string[][] {
  return toRows(g).map((row) => row.map((v) => '# SGo'[v - 1] ?? '?'));
}

function find(rows: string[][], ch: string): [number, number][] {
  const out: [number, number][] = [];
  rows.forEach((row, r) => row.forEach((x, c) => x === ch && out.push([r, c])));
  return out;
}

function neighbours(rows: string[][], [r, c]: [number, number]): [number, number][] {
  return (
    [
      [r - 1, c],
      [r + 1, c],
      [r, c - 1],
      [r, c + 1],
    ] as [number, number][]
  ).filter(([y, x]) => y >= 0 && y < rows.length && x >= 0 && x < rows[0].length && rows[y][x] !== '#');
}

/** BFS distance from S to G over non-wall cells, and the number of distinct shortest paths; Infinity if none. */
function reference(input: Grid): { dist: number; paths: number } {
  const rows = chars(input);
  const [s] = find(rows, 'S');
  const [g] = find(rows, 'G');
  const dist = new Map<string, number>([[String(s), 0]]);
  const count = new Map<string, number>([[String(s), 1]]);
  let frontier = [s];
  for (let d = 1; frontier.length; d++) {
    const next: [number, number][] = [];
    for (const u of frontier) {
      for (const v of neighbours(rows, u)) {
        const k = String(v);
        if (!dist.has(k)) {
          dist.set(k, d);
          count.set(k, 0);
          next.push(v);
        }
        if (dist.get(k) === d) count.set(k, count.get(k)! + count.get(String(u))!);
      }
    }
    frontier = next;
  }
  const k = String(g);
  return dist.has(k) ? { dist: dist.get(k)!, paths: count.get(k)! } : { dist: Infinity, paths: 0 };
}

/**
 * Checks that `label` is `input` plus a simple 4-connected S→G path of 'o' cells through open cells, and returns
 * its length in moves.
 */
function checkPath(input: Grid, label: Grid): number {
  const inp = chars(input);
  const lab = chars(label);
  expect(lab.length).toBe(inp.length);
  expect(find(inp, 'S')).toHaveLength(1);
  expect(find(inp, 'G')).toHaveLength(1);
  expect(find(inp, 'o')).toHaveLength(0);
  // Only open cells may become 'o'; every other cell is unchanged.
  const changed = inp.flatMap((row, r) =>
    row.flatMap((x, c) => (lab[r][c] === x || (x === ' ' && lab[r][c] === 'o') ? [] : [`${r},${c}: '${x}' became '${lab[r][c]}'`])),
  );
  expect(changed).toEqual([]);
  const [s] = find(inp, 'S');
  const [g] = find(inp, 'G');
  const onPath = (p: [number, number]) => ['S', 'G', 'o'].includes(lab[p[0]][p[1]]);
  const total = find(lab, 'o').length + 2;
  // Walk from S: each step must have exactly one unvisited path neighbour, until G.
  const visited = new Set([String(s)]);
  let cur = s;
  let moves = 0;
  while (String(cur) !== String(g)) {
    const next = neighbours(lab, cur).filter((p) => onPath(p) && !visited.has(String(p)));
    expect(next).toHaveLength(1);
    cur = next[0];
    visited.add(String(cur));
    moves++;
  }
  expect(visited.size).toBe(total);
  return moves;
}

/** The label is a shortest path: valid, and as long as the independent BFS distance. */
function expectShortest(m: Maze): void {
  const moves = checkPath(m.input, m.label);
  const ref = reference(m.input);
  expect(moves).toBe(ref.dist);
  expect(m.pathLength).toBe(ref.dist);
}

describe('maze generator', () => {
  const configs: MazeOptions[] = [
    { n: 5 },
    { n: 8, wallDensity: 0.45 },
    { n: 13, style: 'backtracker' },
    { n: 30 },
    { n: 30, style: 'backtracker' },
    { n: 16, wallDensity: 0 },
  ];
  for (const opts of configs) {
    it(`${JSON.stringify(opts)}: labels are valid shortest paths (independent BFS)`, () => {
      const ms = generateMazes(100, opts, 7);
      expect(new Set(ms.map((m) => m.input.cells.join(''))).size).toBe(100);
      for (const m of ms) {
        expect(m.input.h).toBe(opts.n);
        expect(m.input.w).toBe(opts.n);
        expectShortest(m);
        const solved = solveMaze(m.input)!;
        expect(solved.pathLength).toBe(m.pathLength);
        expect(solved.unique).toBe(reference(m.input).paths === 1);
      }
    });
  }

  it('backtracker mazes are perfect (a tree of open cells), so every path is unique', () => {
    for (const n of [5, 6, 11, 30]) {
      for (const m of generateMazes(20, { n, style: 'backtracker' }, n)) {
        const rows = chars(m.input);
        const cells = rows.flatMap((row, r) => row.map((_, c) => [r, c] as [number, number])).filter(([r, c]) => rows[r][c] !== '#');
        const edges = cells.reduce((e, p) => e + neighbours(rows, p).length, 0) / 2;
        expect(edges).toBe(cells.length - 1);
        expect(reference(m.input).paths).toBe(1);
      }
    }
  });

  it('the hard filter: shortest paths are at least minPathLength, at 30×30 as Maze-Hard (> 110)', () => {
    for (const opts of [
      { n: 30, minPathLength: 111 },
      { n: 30, minPathLength: 111, style: 'backtracker' as const },
      { n: 10, minPathLength: 20, wallDensity: 0.4 },
    ]) {
      const ms = generateMazes(20, opts, 3);
      for (const m of ms) {
        expectShortest(m);
        expect(reference(m.input).dist).toBeGreaterThanOrEqual(opts.minPathLength);
      }
    }
  });

  it('uniquePath keeps only mazes with one shortest path', () => {
    for (const m of generateMazes(50, { n: 12, minPathLength: 10, uniquePath: true }, 4)) {
      expectShortest(m);
      expect(reference(m.input).paths).toBe(1);
    }
  });

  it('gives up with a clear error when the filter cannot be met, and never returns an unsolvable maze', () => {
    expect(() => generateMaze({ n: 5, minPathLength: 30, maxTries: 50 }, mulberry32(1))).toThrow(/5×5 'walls' maze .* ≥ 30 moves .* 50 tries/);
    // Near-solid walls: most layouts have no two connected cells; what comes out is still solvable.
    for (const m of generateMazes(20, { n: 6, wallDensity: 0.7 }, 5)) expect(reference(m.input).dist).toBeLessThan(Infinity);
    expect(() => generateMaze({ n: 1 }, mulberry32(1))).toThrow(/side 1/);
    expect(() => generateMaze({ n: 31 }, mulberry32(1))).toThrow(/side 31/);
  });

  it('is reproducible from its seed', () => {
    for (const style of ['walls', 'backtracker'] as const) {
      const key = (ms: Maze[]) => ms.map((m) => mazeToText(m.label)).join('|');
      expect(key(generateMazes(10, { n: 12, style }, 42))).toBe(key(generateMazes(10, { n: 12, style }, 42)));
      expect(key(generateMazes(10, { n: 12, style }, 42))).not.toBe(key(generateMazes(10, { n: 12, style }, 43)));
      const a = generateMaze({ n: 9, style, minPathLength: 8 }, mulberry32(5));
      const b = generateMaze({ n: 9, style, minPathLength: 8 }, mulberry32(5));
      expect(mazeToText(a.label)).toBe(mazeToText(b.label));
    }
  });
});

describe('maze solver', () => {
  it('returns null when G is walled off and names a missing or doubled S/G', () => {
    const cut = parseMazeText(['S  #  ', '## #G ', '   ###'].join('\n'));
    expect(reference(cut).dist).toBe(Infinity);
    expect(solveMaze(cut)).toBeNull();
    const open = parseMazeText(['S  #  ', '## #G ', '     #'].join('\n'));
    expect(solveMaze(open)!.pathLength).toBe(reference(open).dist);
    expect(checkPath(open, solveMaze(open)!.label)).toBe(7);
    const noGoal = fromRows([[3, 2, 2]]);
    expect(() => solveMaze(noGoal)).toThrow(/no goal 'G'/);
    expect(() => solveMaze(fromRows([[3, 4, 3]]))).toThrow(/more than one start 'S'/);
  });
});

describe('maze dihedral augmentation', () => {
  it('keeps the label a valid shortest path under all 8 transforms', () => {
    for (const opts of [{ n: 15 }, { n: 30, minPathLength: 60 }, { n: 9, style: 'backtracker' as const }]) {
      for (const m of generateMazes(10, opts, 11)) {
        const seen = new Set<string>();
        for (let t = 0; t < 8; t++) {
          const a = mazeDihedral(m, t);
          expectShortest(a);
          expect(a.pathLength).toBe(m.pathLength);
          seen.add(a.input.cells.join(''));
          expect(mazeDihedral(a, DIHEDRAL_INVERSE[t])).toEqual(m);
        }
        expect(seen.size).toBe(8); // random mazes have no symmetry
      }
    }
  });
});

describe('maze encoding and text', () => {
  const TOKEN: Record<string, number> = { '#': 1, ' ': 2, S: 3, G: 4, o: 5 };

  it('encodes "# SGo" as tokens 1..5, labels every cell, and round trips', () => {
    for (const n of [5, 30]) {
      const info = mazeDatasetInfo(n);
      expect(info).toEqual({ name: `maze-${n}x${n}`, seqLen: n * n, vocabSize: 6, numPuzzleIds: 1 });
      const m = generateMaze({ n, minPathLength: n }, mulberry32(n));
      const ex = mazeExample(m);
      expect(ex.puzzleId).toBe(0);
      expect(Array.from(ex.inputs)).toEqual(chars(m.input).flat().map((ch) => TOKEN[ch]));
      expect(Array.from(ex.labels)).toEqual(chars(m.label).flat().map((ch) => TOKEN[ch]));
      expect(ex.inputs.every((t) => t >= 1 && t <= 4)).toBe(true);
      expect(ex.labels.every((t) => t >= 1 && t <= 5 && t !== IGNORE_LABEL)).toBe(true);
      expect(ex.labels.filter((t) => t === 5)).toHaveLength(m.pathLength - 1);
      expect(decodeMaze(ex.inputs, n)).toEqual(m.input);
      expect(decodeMaze(ex.labels, n)).toEqual(m.label);
      expect(decodeMaze(encodeMaze(m.label), n)).toEqual(m.label);
    }
    const t = new Int32Array(25).fill(2);
    t[7] = 0;
    expect(() => decodeMaze(t, 5)).toThrow(/token 0 at row 2 col 3/);
    t[7] = 6;
    expect(() => decodeMaze(t, 5)).toThrow(/token 6 at row 2 col 3/);
    expect(() => decodeMaze(t, 4)).toThrow(/25 tokens/);
  });

  it('renders one line per row in "# SGo" and parses it back, with or without the final newline or CRs', () => {
    const m = generateMaze({ n: 12, minPathLength: 12 }, mulberry32(2));
    const text = mazeToText(m.label);
    const lines = text.split('\n');
    expect(lines).toHaveLength(13);
    expect(lines[12]).toBe('');
    lines.slice(0, 12).forEach((line, r) => expect([...line].map((ch) => TOKEN[ch])).toEqual(toRows(m.label)[r]));
    expect(parseMazeText(text)).toEqual(m.label);
    expect(parseMazeText(mazeToText(m.input))).toEqual(m.input);
    expect(parseMazeText(text.slice(0, -1))).toEqual(m.label);
    expect(parseMazeText(text.replace(/\n/g, '\r\n'))).toEqual(m.label);
  });

  const bad: [string, string, RegExp][] = [
    ['a foreign character', 'S  #\n# x \n  G ', /^m\.txt: line 2 col 3: 'x' is not one of '#', ' ', 'S', 'G', 'o'$/],
    ['a short line (trailing spaces lost)', 'S  #\n# \n  G ', /^m\.txt: line 2: 2 characters, expected 4 like line 1 \(were trailing spaces/],
    ['a long line', 'S  #\n#    \n  G ', /^m\.txt: line 2: 5 characters, expected 4 like line 1$/],
    ['a second start', 'S  #\n# S \n  G ', /^m\.txt: line 2 col 3: a second 'S' \(the first is at line 1 col 1\)$/],
    ['a second goal', 'S  G\n#   \n  G ', /^m\.txt: line 3 col 3: a second 'G' \(the first is at line 1 col 4\)$/],
    ['no goal', 'S  #\n#   \n    ', /^m\.txt: no 'G' anywhere$/],
    ['nothing', '', /^m\.txt: line 1: empty/],
    ['too large', ('S' + ' '.repeat(30) + '\n').repeat(1) + ('G' + ' '.repeat(30) + '\n'), /31 is larger than 30×30/],
  ];
  for (const [what, text, message] of bad) {
    it(`rejects ${what}, naming line and column`, () => {
      expect(() => parseMazeText(text, 'm.txt')).toThrow(message);
    });
  }
});
