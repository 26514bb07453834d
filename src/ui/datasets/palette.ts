/**
 * Thumbnail colours from the shared grid symbols (../grid/symbols.ts): ARC cells in the canonical palette, maze
 * cells as the maze views draw them, grid frames in the ARC interface's line colour.
 */
import { ARC_PALETTE, GRID_LINE, mazeTokens } from '../grid/symbols';
import { PATH } from '../../data/maze';

export { ARC_PALETTE, GRID_LINE };

/** Maze cell code (src/data/maze.ts, 1..5) → colour. */
export const MAZE_PALETTE: readonly string[] = Array.from({ length: PATH + 1 }, (_, v) => mazeTokens.look(v).fill);

export function hexToRgb(hex: string): [number, number, number] {
  const v = parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}
