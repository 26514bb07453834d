/**
 * How a cell value looks: the canonical ARC palette (fchollet/ARC-AGI apps/css/common.css) and the symbol sets
 * the grids use for ARC colours, ARC model tokens (PAD / EOS / colour + 2), Sudoku tokens and maze tokens.
 * DOM-free so the mapping is testable; GridView only paints what `look` returns.
 */
import { COLOR_OFFSET, EOS, PAD } from '../../data/arc-encoding';
import { IGNORE_LABEL } from '../../data/dataset';
import { GOAL, MAZE_CHARSET, OPEN, PATH, START, WALL } from '../../data/maze';
import { SUDOKU_BLANK } from '../../data/sudoku';

/** Colours 0..9 exactly as the ARC testing interface writes them. */
export const ARC_PALETTE = ['#000000', '#0074D9', '#FF4136', '#2ECC40', '#FFDC00', '#AAAAAA', '#F012BE', '#FF851B', '#7FDBFF', '#870C25'] as const;

export const ARC_COLOUR_NAMES = ['black', 'blue', 'red', 'green', 'yellow', 'grey', 'fuchsia', 'orange', 'teal', 'brown'] as const;

/** Grid lines, as the ARC interface draws them (#555). */
export const GRID_LINE = '#555555';

export interface CellLook {
  fill: string;
  /** Text colour that stays readable on `fill`. */
  ink: string;
  /** Always drawn (Sudoku digits, maze S/G, EOS marks). */
  mark: string;
  /** Drawn only with "show symbol numbers". */
  number: string;
  /** Tooltip wording, e.g. "colour 3 (green)". */
  name: string;
}

export interface SymbolSet {
  look(v: number): CellLook;
}

/** Black or white, whichever contrasts more with a #rrggbb fill (relative luminance split at 0.5). */
export function inkFor(fill: string): string {
  const n = parseInt(fill.slice(1), 16);
  const lum = (0.2126 * ((n >> 16) & 255) + 0.7152 * ((n >> 8) & 255) + 0.0722 * (n & 255)) / 255;
  return lum > 0.5 ? '#000000' : '#ffffff';
}

const colourLook = (c: number): CellLook => ({ fill: ARC_PALETTE[c], ink: inkFor(ARC_PALETTE[c]), mark: '', number: String(c), name: `colour ${c} (${ARC_COLOUR_NAMES[c]})` });
const COLOUR_LOOKS = ARC_PALETTE.map((_, c) => colourLook(c));

/** A value the set does not know (a model can emit any token of its vocabulary, e.g. PAD where a digit belongs). */
const odd = (v: number, what: string): CellLook => ({ fill: '#3b1f3b', ink: '#ffffff', mark: '?', number: String(v), name: `token ${v} (not ${what})` });
/** A label position excluded from the loss: there is no target there. */
const IGNORED: CellLook = { fill: '#1a1a1a', ink: '#777777', mark: '', number: '', name: 'no target (ignored)' };

/** ARC grid cells: colours 0..9. */
export const arcColours: SymbolSet = { look: (v) => COLOUR_LOOKS[v] ?? odd(v, 'a colour 0..9') };

const PAD_LOOK: CellLook = { fill: '#1a1a1a', ink: '#777777', mark: '', number: '', name: 'PAD (outside the grid)' };
const EOS_LOOK: CellLook = { fill: '#3c3c50', ink: '#c8c8e0', mark: '·', number: 'E', name: 'EOS (grid edge)' };

/** ARC canvas tokens: 0 PAD, 1 EOS, colour c → c + 2 (src/data/arc-encoding.ts); IGNORE_LABEL in targets. */
export const arcTokens: SymbolSet = {
  look(v) {
    if (v === PAD) return PAD_LOOK;
    if (v === EOS) return EOS_LOOK;
    if (v === IGNORE_LABEL) return IGNORED;
    return COLOUR_LOOKS[v - COLOR_OFFSET] ?? odd(v, 'an ARC token 0..11');
  },
};

const SUDOKU_CELL = '#1e1e1e';
const SUDOKU_INK = '#e8e8e8';

/** Sudoku tokens of an N×N board: 1 blank, digit d → d + 1 (src/data/sudoku.ts); PAD 0 is never a valid answer. */
export function sudokuTokens(size: number): SymbolSet {
  const blank: CellLook = { fill: SUDOKU_CELL, ink: SUDOKU_INK, mark: '', number: '·', name: 'blank' };
  const digits = Array.from({ length: size }, (_, i): CellLook => ({ fill: SUDOKU_CELL, ink: SUDOKU_INK, mark: String(i + 1), number: '', name: `digit ${i + 1}` }));
  return {
    look(v) {
      if (v === SUDOKU_BLANK) return blank;
      if (v === IGNORE_LABEL) return IGNORED;
      return digits[v - SUDOKU_BLANK - 1] ?? odd(v, `a ${size}×${size} sudoku token 1..${size + 1}`);
    },
  };
}

/**
 * Sudoku tokens as ARC grids (the viewer): digit d in ARC colour d, blanks black; the digits show with "numbers".
 * Up to 9×9, as the palette has colours 1..9.
 */
export function sudokuColours(size: number): SymbolSet {
  const blank: CellLook = { ...COLOUR_LOOKS[0], number: '·', name: 'blank' };
  const digits = COLOUR_LOOKS.slice(1, size + 1).map((c, i): CellLook => ({ ...c, name: `digit ${i + 1} (${ARC_COLOUR_NAMES[i + 1]})` }));
  return {
    look(v) {
      if (v === SUDOKU_BLANK) return blank;
      if (v === IGNORE_LABEL) return IGNORED;
      return digits[v - SUDOKU_BLANK - 1] ?? odd(v, `a ${size}×${size} sudoku token 1..${size + 1}`);
    },
  };
}

/** Sudoku boards as the editor holds them: 0 blank, 1..N digits. */
export function sudokuDigits(size: number): SymbolSet {
  const tokens = sudokuTokens(size);
  return { look: (v) => tokens.look(v + 1) };
}

/** Maze tokens (cells already are tokens): walls grey, open black, S green, G red, path yellow (ARC colours). */
const MAZE_LOOKS: Record<number, CellLook> = {
  [WALL]: { fill: ARC_PALETTE[5], ink: '#000000', mark: '', number: '#', name: 'wall #' },
  [OPEN]: { fill: ARC_PALETTE[0], ink: '#ffffff', mark: '', number: '·', name: 'open' },
  [START]: { fill: ARC_PALETTE[3], ink: '#000000', mark: 'S', number: '', name: 'start S' },
  [GOAL]: { fill: ARC_PALETTE[2], ink: '#000000', mark: 'G', number: '', name: 'goal G' },
  [PATH]: { fill: ARC_PALETTE[4], ink: '#000000', mark: '', number: 'o', name: 'path o' },
};

export const mazeTokens: SymbolSet = {
  look: (v) => MAZE_LOOKS[v] ?? (v === IGNORE_LABEL ? IGNORED : odd(v, `a maze token 1..${MAZE_CHARSET.length}`)),
};
