import { describe, expect, it } from 'vitest';
import { drawDistinct } from '../../src/data/random';
import { refusal } from '../helpers/user-message';

describe('drawDistinct', () => {
  it('draws until the count of distinct keys', () => {
    let i = 0;
    expect(drawDistinct(3, () => i++ % 5, String, 'numbers', 'data.n')).toEqual([0, 1, 2]);
  });

  it('a count the generator cannot reach names the config field and how many turned up, in bounded time', () => {
    let i = 0;
    const m = refusal(() => drawDistinct(4, () => i++ % 2, String, '4×4 sudokus', 'data.trainPuzzles'));
    expect(m).toBe('data.trainPuzzles: asks for 4 distinct 4×4 sudokus, but only 2 turned up in 180 draws (there may be no more); ask for fewer');
    expect(i).toBe(180);
  });
});
