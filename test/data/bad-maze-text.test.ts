// Maze text a user hands in: empty, runaway lines, control characters, a drawn path that is not a shortest one.
// Every refusal names the file (and line) and the problem in one short line; BOM and CR-only files load.
import { describe, expect, it } from 'vitest';
import { mazeTarget, mazeToText, parseMazeText, PATH } from '../../src/data/maze';
import { refusal } from '../helpers/user-message';

const target = (rows: string[], name = 'm.txt') => mazeTarget(parseMazeText(rows.join('\n'), name), name);

describe('maze text: bad files are refused naming the file and the problem', () => {
  it('an empty file', () => {
    expect(refusal(() => parseMazeText('', 'e.txt'))).toBe('e.txt: line 1: empty; a maze needs at least one cell (the file holds no maze)');
    expect(refusal(() => parseMazeText('\uFEFF\n', 'b.txt'))).toBe('b.txt: line 1: empty; a maze needs at least one cell (the file holds no maze)');
  });

  it('a 5 MB line is measured, not echoed', () => {
    expect(refusal(() => parseMazeText('#'.repeat(5_000_000), 'wide.txt'))).toBe('wide.txt: 1×5000000 is larger than 30×30');
  });

  it('a control character is escaped', () => {
    expect(refusal(() => parseMazeText('S \u0007G', 'bell.txt'))).toBe('bell.txt: line 1 col 3: "\\u0007" is not one of \'#\', \' \', \'S\', \'G\', \'o\'');
  });

  it("drawn 'o' cells that make a longer path than the shortest", () => {
    // S to G is 2 moves straight down the left column; the drawn path goes around (4 moves).
    const m = refusal(() => target(['Soo', ' #o', 'Goo']));
    expect(m).toBe("m.txt: the 'o' cells (5) are not one shortest path from S to G (2 moves, so 1 'o' cells)");
  });

  it("drawn 'o' cells that do not connect S to G", () => {
    expect(refusal(() => target(['S#G', 'o# ', '   ']))).toBe("m.txt: the 'o' cells (1) are not one shortest path from S to G (6 moves, so 5 'o' cells)");
  });

  it('a drawn path in a maze whose goal cannot be reached', () => {
    expect(refusal(() => target(['So#G', '### ']))).toBe('m.txt: the goal cannot be reached from the start, yet the maze draws a path');
  });
});

describe('maze text: valid files load, and a drawn shortest path is the target', () => {
  it('a byte-order mark and CR-only line ends', () => {
    const g = parseMazeText('\uFEFFS #\r   \r# G\r', 'cr.txt');
    expect([g.h, g.w]).toEqual([3, 3]);
  });

  it('a drawn shortest path is kept as the label, its cells opened in the input', () => {
    const { input, solution } = target(['S  ', 'o# ', 'G  ']);
    expect(solution?.unique).toBe(true);
    expect(solution?.pathLength).toBe(2);
    expect(mazeToText(input)).toBe('S  \n # \nG  \n');
    expect(solution?.label.cells.filter((v) => v === PATH)).toHaveLength(1);
  });

  it('without a drawn path: BFS, and whether its path is the only shortest one', () => {
    expect(target(['S #', '   ', '# G']).solution?.unique).toBe(false);
    expect(target(['S##', ' ##', '  G']).solution?.unique).toBe(true);
    expect(target(['S#G']).solution).toBeNull();
  });
});
