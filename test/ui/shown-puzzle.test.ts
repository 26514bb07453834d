import { expect, it } from 'vitest';
import { decodeShownPuzzle, encodeShownPuzzle } from '../../src/ui/shown-puzzle';

it('round-trips a puzzle through its link form and rejects malformed links', () => {
  const ex = { inputs: Int32Array.from([1, 2, 11, 0]), labels: Int32Array.from([2, -100, 11, 3]), puzzleId: 7 };
  const s = encodeShownPuzzle(ex);
  expect(s).toBe('12b0.2-b3.7');
  expect(decodeShownPuzzle(s)).toEqual(ex);
  expect(() => decodeShownPuzzle('12.2.x')).toThrow(/malformed/);
  expect(() => decodeShownPuzzle('123.2-.0')).toThrow(/malformed/);
});
