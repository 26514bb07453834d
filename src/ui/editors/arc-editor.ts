/**
 * The ARC task editor as a pure reducer over an immutable state with an undo history: the tools of the ARC
 * testing interface and ARC-Interactive (draw, rectangle select, flood fill, copy/paste, flip, rotate, move,
 * resize, copy from input, reset, undo/redo) plus building a whole task (demonstration and test pairs).
 */
import { makeGrid, type ArcTask, type Grid, type Pair } from '../../data/grid';
import { clipRect, spanRect, type CellRect } from '../grid/rect';
import { dihedralGrid } from '../../data/dihedral';
import { blockOf, fillRect, floodFill, moveRect, resizeGrid, setCell, transformRect, TRANSFORMS, validSide, writeBlock, type TransformName } from './arc-ops';
import { commit, redo, replace, startHistory, undo, type History } from './history';

export type ArcTool = 'draw' | 'select' | 'fill';
export type Section = 'train' | 'test';

/** One grid of the task: a pair's input or output. */
export interface GridRef {
  section: Section;
  index: number;
  side: 'input' | 'output';
}

export interface Selection extends CellRect {
  ref: GridRef;
  /** The cell the rubber band started from. */
  anchor: { r: number; c: number };
}

/** What undo/redo restores: the task, the grid being edited and the selection. */
export interface ArcDoc {
  task: ArcTask;
  active: GridRef;
  selection: Selection | null;
}

export interface ArcEditorState {
  history: History<ArcDoc>;
  /** The task's name (not undoable: typing it should not fill the undo stack). */
  name: string;
  tool: ArcTool;
  colour: number;
  clipboard: Grid | null;
  /** A drag stroke already made its undo step. */
  strokeOpen: boolean;
  /** What the last action reported or could not do, shown next to the tools. */
  notice: string | null;
}

export type ArcAction =
  | { type: 'tool'; tool: ArcTool }
  /** Pick a colour; with the select tool and a selection this also fills the selection (as in the ARC interface). */
  | { type: 'colour'; colour: number }
  | { type: 'activate'; ref: GridRef }
  /** `stroke`: a continuation of the drag that started with the previous paint (one undo step per drag). */
  | { type: 'paint'; ref: GridRef; r: number; c: number; stroke: boolean }
  | { type: 'flood'; ref: GridRef; r: number; c: number }
  | { type: 'selectStart'; ref: GridRef; r: number; c: number }
  | { type: 'selectTo'; r: number; c: number }
  | { type: 'clearSelection' }
  | { type: 'copy' }
  | { type: 'paste' }
  | { type: 'transform'; t: TransformName }
  | { type: 'move'; dr: number; dc: number }
  | { type: 'erase' }
  | { type: 'resize'; h: number; w: number }
  | { type: 'copyFromInput' }
  | { type: 'reset' }
  | { type: 'undo' }
  | { type: 'redo' }
  | { type: 'addPair'; section: Section }
  | { type: 'removePair'; section: Section; index: number }
  | { type: 'testOutput'; index: number; present: boolean }
  | { type: 'rename'; name: string }
  | { type: 'load'; task: ArcTask; notice?: string }
  | { type: 'notice'; notice: string | null };

const DEFAULT_SIDE = 3;

export function blankTask(id = 'untitled'): ArcTask {
  const g = makeGrid(DEFAULT_SIDE, DEFAULT_SIDE);
  return { id, train: [{ input: g, output: g }], test: [{ input: g }] };
}

const FIRST: GridRef = { section: 'train', index: 0, side: 'input' };

export function initialArcEditor(task: ArcTask = blankTask()): ArcEditorState {
  return { history: startHistory({ task, active: FIRST, selection: null }), name: task.id, tool: 'draw', colour: 1, clipboard: null, strokeOpen: false, notice: null };
}

// ---------------------------------------------------------------------------------------------------------------
// Reading the state

export function sameRef(a: GridRef, b: GridRef): boolean {
  return a.section === b.section && a.index === b.index && a.side === b.side;
}

export function gridAt(task: ArcTask, ref: GridRef): Grid | undefined {
  const pair = task[ref.section][ref.index];
  return pair && (ref.side === 'input' ? pair.input : pair.output);
}

/** The task as edited, under its current name. */
export function currentTask(s: ArcEditorState): ArcTask {
  return { ...s.history.present.task, id: s.name };
}

export function activeGrid(s: ArcEditorState): Grid {
  const d = s.history.present;
  return gridAt(d.task, d.active)!;
}

export function describeRef(ref: GridRef): string {
  return `${ref.section === 'train' ? 'demonstration' : 'test'} ${ref.index + 1} ${ref.side}`;
}

/** The test pair a Solve acts on: the active one, else the first. */
export function solveIndex(s: ArcEditorState): number {
  const a = s.history.present.active;
  return a.section === 'test' ? a.index : 0;
}

// ---------------------------------------------------------------------------------------------------------------
// Updating

function withGrid(task: ArcTask, ref: GridRef, g: Grid): ArcTask {
  const pairs = task[ref.section].map((p, i): Pair => (i === ref.index ? { ...p, [ref.side]: g } : p));
  return { ...task, [ref.section]: pairs };
}

function exists(task: ArcTask, ref: GridRef): boolean {
  return gridAt(task, ref) !== undefined;
}

/** The state after an undoable change of the document (none when `next` is the present one). */
function change(s: ArcEditorState, next: ArcDoc, extra: Partial<ArcEditorState> = {}): ArcEditorState {
  return { ...s, ...extra, history: commit(s.history, next), strokeOpen: false };
}

/** The state after a change that is not its own undo step. */
function view(s: ArcEditorState, next: ArcDoc, extra: Partial<ArcEditorState> = {}): ArcEditorState {
  return { ...s, ...extra, history: replace(s.history, next) };
}

const say = (s: ArcEditorState, notice: string): ArcEditorState => ({ ...s, notice });

/** `ref` as the grid being edited (the same document when it already is). */
function focus(d: ArcDoc, ref: GridRef): ArcDoc {
  return sameRef(d.active, ref) ? d : { ...d, active: ref };
}

/** Set a grid and make it the active one, with the selection given (by default the current one). */
function editGrid(d: ArcDoc, ref: GridRef, g: Grid, selection: Selection | null = d.selection): ArcDoc {
  return { task: withGrid(d.task, ref, g), active: ref, selection };
}

export function arcEditorReducer(state: ArcEditorState, a: ArcAction): ArcEditorState {
  const s = state.notice === null || a.type === 'notice' ? state : { ...state, notice: null };
  const d = s.history.present;
  const sel = d.selection;
  switch (a.type) {
    case 'tool':
      return { ...s, tool: a.tool };
    case 'colour': {
      if (!Number.isInteger(a.colour) || a.colour < 0 || a.colour > 9) return s;
      const picked = { ...s, colour: a.colour };
      if (s.tool !== 'select' || !sel) return picked;
      return change(picked, editGrid(d, sel.ref, fillRect(gridAt(d.task, sel.ref)!, sel, a.colour)));
    }
    case 'activate':
      return exists(d.task, a.ref) ? view(s, focus(d, a.ref)) : s;
    case 'paint': {
      const g = gridAt(d.task, a.ref);
      if (!g || !inside(g, a.r, a.c)) return s;
      const open = a.stroke && s.strokeOpen;
      const painted = setCell(g, a.r, a.c, s.colour);
      if (painted === g) return view(s, focus(d, a.ref), { strokeOpen: open });
      const next = editGrid(d, a.ref, painted);
      // The first cell a drag changes makes the undo step; the rest of the drag joins it.
      return open ? view(s, next) : { ...change(s, next), strokeOpen: true };
    }
    case 'flood': {
      const g = gridAt(d.task, a.ref);
      if (!g || !inside(g, a.r, a.c)) return s;
      const filled = floodFill(g, a.r, a.c, s.colour);
      return filled === g ? view(s, focus(d, a.ref)) : change(s, editGrid(d, a.ref, filled));
    }
    case 'selectStart': {
      const g = gridAt(d.task, a.ref);
      if (!g || !inside(g, a.r, a.c)) return s;
      return view(s, { ...d, active: a.ref, selection: { ref: a.ref, anchor: { r: a.r, c: a.c }, ...spanRect(a.r, a.c, a.r, a.c) } });
    }
    case 'selectTo': {
      if (!sel) return s;
      const g = gridAt(d.task, sel.ref)!;
      const r = Math.max(0, Math.min(g.h - 1, a.r)), c = Math.max(0, Math.min(g.w - 1, a.c));
      return view(s, { ...d, selection: { ...sel, ...spanRect(sel.anchor.r, sel.anchor.c, r, c) } });
    }
    case 'clearSelection':
      return sel ? view(s, { ...d, selection: null }) : s;
    case 'copy': {
      const source = sel ? blockOf(gridAt(d.task, sel.ref)!, sel) : gridAt(d.task, d.active)!;
      const from = sel ? `the selection of ${describeRef(sel.ref)}` : `all of ${describeRef(d.active)}`;
      return { ...s, clipboard: source, notice: `copied ${source.h}×${source.w} from ${from}` };
    }
    case 'paste': {
      if (!s.clipboard) return say(s, 'nothing copied yet: select cells and press C');
      if (!sel) return say(s, 'select the cell where the top-left of the paste goes, then press V');
      const g = gridAt(d.task, sel.ref)!;
      const clip = s.clipboard;
      const rect = clipRect({ r0: sel.r0, c0: sel.c0, r1: sel.r0 + clip.h - 1, c1: sel.c0 + clip.w - 1 }, g.h, g.w)!;
      const selection = { ref: sel.ref, anchor: { r: sel.r0, c: sel.c0 }, ...rect };
      const cut = clip.h > rect.r1 - rect.r0 + 1 || clip.w > rect.c1 - rect.c0 + 1;
      return change(s, editGrid(d, sel.ref, writeBlock(g, clip, sel.r0, sel.c0), selection), cut ? { notice: 'cells beyond the grid edge were dropped' } : {});
    }
    case 'transform': {
      if (!sel) {
        // The whole grid: rotation swaps its height and width.
        return change(s, editGrid(d, d.active, dihedralGrid(gridAt(d.task, d.active)!, TRANSFORMS[a.t])));
      }
      const { grid, rect } = transformRect(gridAt(d.task, sel.ref)!, sel, a.t);
      return change(s, editGrid(d, sel.ref, grid, rect && { ref: sel.ref, anchor: { r: rect.r0, c: rect.c0 }, ...rect }));
    }
    case 'move': {
      if (!sel) return say(s, 'select cells to move first');
      const moved = moveRect(gridAt(d.task, sel.ref)!, sel, a.dr, a.dc);
      if (!moved) return say(s, 'the selection is at the edge of the grid');
      const { r0, c0 } = moved.rect;
      return change(s, editGrid(d, sel.ref, moved.grid, { ref: sel.ref, anchor: { r: r0, c: c0 }, ...moved.rect }));
    }
    case 'erase':
      if (!sel) return say(s, 'select cells to clear first');
      return change(s, editGrid(d, sel.ref, fillRect(gridAt(d.task, sel.ref)!, sel, 0)));
    case 'resize': {
      if (!validSide(a.h) || !validSide(a.w)) return say(s, `size ${a.h}×${a.w}: each side must be a whole number 1..30`);
      const g = gridAt(d.task, d.active)!;
      if (g.h === a.h && g.w === a.w) return s;
      return change(s, editGrid(d, d.active, resizeGrid(g, a.h, a.w), sel && sameRef(sel.ref, d.active) ? null : sel));
    }
    case 'copyFromInput': {
      const out: GridRef = { ...d.active, side: 'output' };
      const input = d.task[d.active.section][d.active.index].input;
      return change(s, editGrid(d, out, input, sel && sameRef(sel.ref, out) ? null : sel));
    }
    case 'reset': {
      const g = gridAt(d.task, d.active)!;
      return change(s, editGrid(d, d.active, makeGrid(g.h, g.w), sel && sameRef(sel.ref, d.active) ? null : sel));
    }
    case 'undo':
    case 'redo': {
      const history = a.type === 'undo' ? undo(s.history) : redo(s.history);
      if (history === s.history) return say(s, `nothing to ${a.type}`);
      return { ...s, history, strokeOpen: false };
    }
    case 'addPair': {
      const pairs = d.task[a.section];
      const last = pairs[pairs.length - 1];
      const input = makeGrid(last.input.h, last.input.w);
      const pair: Pair = a.section === 'train' ? { input, output: makeGrid(last.output?.h ?? input.h, last.output?.w ?? input.w) } : { input };
      const task = { ...d.task, [a.section]: [...pairs, pair] };
      return change(s, { task, active: { section: a.section, index: pairs.length, side: 'input' }, selection: null });
    }
    case 'removePair': {
      const pairs = d.task[a.section];
      if (!pairs[a.index]) return s;
      if (pairs.length === 1) return say(s, `a task needs at least one ${a.section === 'train' ? 'demonstration' : 'test'} pair`);
      const task = { ...d.task, [a.section]: pairs.filter((_, i) => i !== a.index) };
      let active = d.active;
      if (active.section === a.section && active.index >= a.index) {
        active = active.index === a.index ? { section: a.section, index: Math.max(0, a.index - 1), side: 'input' } : { ...active, index: active.index - 1 };
      }
      return change(s, { task, active, selection: null });
    }
    case 'testOutput': {
      const pair = d.task.test[a.index];
      if (!pair || !!pair.output === a.present) return s;
      const test = d.task.test.map((p, i): Pair => (i !== a.index ? p : a.present ? { input: p.input, output: makeGrid(p.input.h, p.input.w) } : { input: p.input }));
      const side = a.present ? 'output' : 'input';
      const selection = sel && sel.ref.section === 'test' && sel.ref.index === a.index && sel.ref.side === 'output' ? null : sel;
      return change(s, { task: { ...d.task, test }, active: { section: 'test', index: a.index, side }, selection });
    }
    case 'rename':
      return { ...s, name: a.name };
    case 'load':
      return { ...change(s, { task: a.task, active: FIRST, selection: null }), name: a.task.id, notice: a.notice ?? null };
    case 'notice':
      return { ...s, notice: a.notice };
  }
}

function inside(g: Grid, r: number, c: number): boolean {
  return r >= 0 && r < g.h && c >= 0 && c < g.w;
}

// ---------------------------------------------------------------------------------------------------------------
// Input mapping (pure so the bindings are tested)

/** A pointer on a grid cell, pressed ('down') or dragged over it ('drag'), as the current tool means it. */
export function arcPointerAction(s: ArcEditorState, ref: GridRef, r: number, c: number, phase: 'down' | 'drag'): ArcAction | null {
  switch (s.tool) {
    case 'draw':
      return { type: 'paint', ref, r, c, stroke: phase === 'drag' };
    case 'fill':
      return phase === 'down' ? { type: 'flood', ref, r, c } : null;
    case 'select': {
      if (phase === 'down') return { type: 'selectStart', ref, r, c };
      const sel = s.history.present.selection;
      return sel && sameRef(sel.ref, ref) ? { type: 'selectTo', r, c } : null;
    }
  }
}

/** A size field's text, "HxW" (also "H×W", "H W", "H,W", or one number for a square), or null. */
export function parseSizeField(text: string): { h: number; w: number } | null {
  const m = /^\s*(\d+)\s*(?:[x×*, ]\s*(\d+))?\s*$/i.exec(text);
  if (!m) return null;
  const h = Number(m[1]);
  return { h, w: m[2] === undefined ? h : Number(m[2]) };
}

export interface KeyLike {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  shiftKey?: boolean;
  altKey?: boolean;
}

const ARROWS: Record<string, [number, number]> = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };

/**
 * The editor's keyboard: 0–9 colour, D/S/F draw/select/fill, C/V copy/paste, X/Y flip, R rotate clockwise
 * (Shift+R anticlockwise), arrows move the selection, Delete clears it, Esc drops it, Ctrl+Z undo,
 * Ctrl+Shift+Z or Ctrl+Y redo. Null for keys it leaves to the page (arrows with nothing selected).
 */
export function arcKeyAction(k: KeyLike, s: ArcEditorState): ArcAction | null {
  if (k.altKey) return null;
  const key = k.key.length === 1 ? k.key.toLowerCase() : k.key;
  if (k.ctrlKey || k.metaKey) {
    if (key === 'z') return { type: k.shiftKey ? 'redo' : 'undo' };
    if (key === 'y') return { type: 'redo' };
    if (key === 'c') return { type: 'copy' };
    if (key === 'v') return { type: 'paste' };
    return null;
  }
  if (/^[0-9]$/.test(key)) return { type: 'colour', colour: Number(key) };
  const sel = s.history.present.selection;
  switch (key) {
    case 'd':
      return { type: 'tool', tool: 'draw' };
    case 's':
      return { type: 'tool', tool: 'select' };
    case 'f':
      return { type: 'tool', tool: 'fill' };
    case 'c':
      return { type: 'copy' };
    case 'v':
      return { type: 'paste' };
    case 'x':
      return { type: 'transform', t: 'flipX' };
    case 'y':
      return { type: 'transform', t: 'flipY' };
    case 'r':
      return { type: 'transform', t: k.shiftKey ? 'rotateCcw' : 'rotateCw' };
    case 'Escape':
      return sel ? { type: 'clearSelection' } : null;
    case 'Delete':
    case 'Backspace':
      return sel ? { type: 'erase' } : null;
  }
  const arrow = ARROWS[key];
  return arrow && sel ? { type: 'move', dr: arrow[0], dc: arrow[1] } : null;
}
