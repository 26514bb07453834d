import { describe, expect, it } from 'vitest';
import { ArcFormatError } from '../../src/data/arc-json';
import { fromRows, makeGrid, toRows, type ArcTask, type Grid } from '../../src/data/grid';
import {
  activeGrid, arcEditorReducer, arcKeyAction, arcPointerAction, blankTask, currentTask, gridAt, initialArcEditor, parseSizeField, solveIndex,
  type ArcAction, type ArcEditorState, type GridRef,
} from '../../src/ui/editors/arc-editor';
import { blockOf, floodFill, moveRect, resizeGrid, transformRect, writeBlock } from '../../src/ui/editors/arc-ops';
import { taskFileName, taskFromFile, taskToJson } from '../../src/ui/editors/arc-task-json';
import { commit, HISTORY_LIMIT, redo, startHistory, undo } from '../../src/ui/editors/history';
import { readArc } from '../helpers/datasets';

const run = (s: ArcEditorState, ...actions: ArcAction[]) => actions.reduce(arcEditorReducer, s);
const rows = (s: ArcEditorState, ref?: GridRef) => toRows(ref ? gridAt(s.history.present.task, ref)! : activeGrid(s));
const IN: GridRef = { section: 'train', index: 0, side: 'input' };
const OUT: GridRef = { section: 'train', index: 0, side: 'output' };
const TEST_IN: GridRef = { section: 'test', index: 0, side: 'input' };

/** An editor on a task whose first demonstration input is `g`. */
function editorOn(g: Grid, output: Grid = makeGrid(3, 3)): ArcEditorState {
  return initialArcEditor({ id: 't', train: [{ input: g, output }], test: [{ input: makeGrid(2, 2) }] });
}

const G = fromRows([
  [1, 2, 3],
  [4, 5, 6],
  [7, 8, 9],
]);

describe('draw', () => {
  it('paints with the picked colour; a whole drag is one undo step', () => {
    let s = run(initialArcEditor(), { type: 'colour', colour: 4 });
    s = run(s, { type: 'paint', ref: OUT, r: 0, c: 0, stroke: false }, { type: 'paint', ref: OUT, r: 0, c: 1, stroke: true }, { type: 'paint', ref: OUT, r: 1, c: 1, stroke: true });
    expect(rows(s, OUT)).toEqual([[4, 4, 0], [0, 4, 0], [0, 0, 0]]);
    expect(s.history.present.active).toEqual(OUT);
    expect(s.history.past.length).toBe(1);
    s = run(s, { type: 'undo' });
    expect(rows(s, OUT)).toEqual([[0, 0, 0], [0, 0, 0], [0, 0, 0]]);
    s = run(s, { type: 'redo' });
    expect(rows(s, OUT)).toEqual([[4, 4, 0], [0, 4, 0], [0, 0, 0]]);
  });

  it('a drag whose first cell already had the colour still makes its undo step', () => {
    let s = run(editorOn(G), { type: 'colour', colour: 1 });
    s = run(s, { type: 'paint', ref: IN, r: 0, c: 0, stroke: false }, { type: 'paint', ref: IN, r: 0, c: 1, stroke: true });
    expect(rows(s, IN)[0]).toEqual([1, 1, 3]);
    expect(s.history.past.length).toBe(1);
    expect(rows(run(s, { type: 'undo' }), IN)).toEqual(toRows(G));
  });

  it('a new press starts a new undo step; cells outside the grid are ignored', () => {
    let s = run(initialArcEditor(), { type: 'colour', colour: 2 }, { type: 'paint', ref: IN, r: 0, c: 0, stroke: false }, { type: 'paint', ref: IN, r: 2, c: 2, stroke: false });
    expect(s.history.past.length).toBe(2);
    const same = run(s, { type: 'paint', ref: IN, r: 3, c: 0, stroke: true });
    expect(same.history).toBe(s.history);
    s = run(s, { type: 'undo' });
    expect(rows(s, IN)).toEqual([[2, 0, 0], [0, 0, 0], [0, 0, 0]]);
  });

  it('colours outside 0..9 are refused', () => {
    const s = initialArcEditor();
    expect(run(s, { type: 'colour', colour: 10 }).colour).toBe(1);
  });
});

describe('flood fill', () => {
  it('fills the 4-connected region of the clicked colour', () => {
    const g = fromRows([
      [0, 0, 1],
      [1, 0, 1],
      [0, 1, 0],
    ]);
    expect(toRows(floodFill(g, 0, 0, 3))).toEqual([[3, 3, 1], [1, 3, 1], [0, 1, 0]]);
    expect(floodFill(g, 0, 0, 0)).toBe(g); // same colour: nothing to do
  });

  it('through the reducer with the fill tool, undoable', () => {
    let s = run(editorOn(fromRows([[0, 0], [5, 0]])), { type: 'tool', tool: 'fill' }, { type: 'colour', colour: 8 });
    const a = arcPointerAction(s, IN, 0, 0, 'down')!;
    expect(a).toEqual({ type: 'flood', ref: IN, r: 0, c: 0 });
    expect(arcPointerAction(s, IN, 0, 1, 'drag')).toBeNull();
    s = run(s, a);
    expect(rows(s, IN)).toEqual([[8, 8], [5, 8]]);
    expect(rows(run(s, { type: 'undo' }), IN)).toEqual([[0, 0], [5, 0]]);
  });
});

describe('rectangle select', () => {
  it('spans the anchor and the dragged-to cell in any direction, clamped to the grid', () => {
    let s = run(editorOn(G), { type: 'tool', tool: 'select' });
    s = run(s, arcPointerAction(s, IN, 2, 2, 'down')!);
    s = run(s, arcPointerAction(s, IN, 1, 0, 'drag')!);
    expect(s.history.present.selection).toMatchObject({ ref: IN, r0: 1, c0: 0, r1: 2, c1: 2 });
    s = run(s, { type: 'selectTo', r: 9, c: -4 });
    expect(s.history.present.selection).toMatchObject({ r0: 2, c0: 0, r1: 2, c1: 2 });
    expect(s.history.past.length).toBe(0); // selecting is not an edit
  });

  it('dragging over another grid does not stretch the selection', () => {
    let s = run(editorOn(G), { type: 'tool', tool: 'select' }, { type: 'selectStart', ref: IN, r: 0, c: 0 });
    expect(arcPointerAction(s, OUT, 1, 1, 'drag')).toBeNull();
  });

  it('picking a colour with the select tool fills the selection (ARC interface)', () => {
    let s = run(editorOn(G), { type: 'tool', tool: 'select' }, { type: 'selectStart', ref: IN, r: 0, c: 1 }, { type: 'selectTo', r: 1, c: 2 }, { type: 'colour', colour: 0 });
    expect(rows(s, IN)).toEqual([[1, 0, 0], [4, 0, 0], [7, 8, 9]]);
    expect(s.colour).toBe(0);
    // With the draw tool, picking a colour only picks it.
    s = run(s, { type: 'tool', tool: 'draw' }, { type: 'colour', colour: 6 });
    expect(rows(s, IN)).toEqual([[1, 0, 0], [4, 0, 0], [7, 8, 9]]);
  });

  it('Delete clears the selection to 0; Escape drops it', () => {
    let s = run(editorOn(G), { type: 'selectStart', ref: IN, r: 1, c: 1 }, { type: 'selectTo', r: 2, c: 2 });
    s = run(s, arcKeyAction({ key: 'Delete' }, s)!);
    expect(rows(s, IN)).toEqual([[1, 2, 3], [4, 0, 0], [7, 0, 0]]);
    s = run(s, arcKeyAction({ key: 'Escape' }, s)!);
    expect(s.history.present.selection).toBeNull();
    expect(arcKeyAction({ key: 'Escape' }, s)).toBeNull();
  });
});

describe('copy / paste', () => {
  it('copies the selection and pastes with its top-left at the selected cell', () => {
    let s = run(editorOn(G), { type: 'selectStart', ref: IN, r: 0, c: 0 }, { type: 'selectTo', r: 1, c: 1 }, { type: 'copy' });
    expect(toRows(s.clipboard!)).toEqual([[1, 2], [4, 5]]);
    expect(s.notice).toMatch(/copied 2×2/);
    s = run(s, { type: 'selectStart', ref: OUT, r: 1, c: 1 }, { type: 'paste' });
    expect(rows(s, OUT)).toEqual([[0, 0, 0], [0, 1, 2], [0, 4, 5]]);
    expect(s.history.present.selection).toMatchObject({ ref: OUT, r0: 1, c0: 1, r1: 2, c1: 2 });
    expect(s.history.present.active).toEqual(OUT);
    expect(rows(run(s, { type: 'undo' }), OUT)).toEqual([[0, 0, 0], [0, 0, 0], [0, 0, 0]]);
  });

  it('cells beyond the edge are dropped and the new selection is clipped', () => {
    let s = run(editorOn(G), { type: 'selectStart', ref: IN, r: 0, c: 0 }, { type: 'selectTo', r: 2, c: 2 }, { type: 'copy' });
    s = run(s, { type: 'selectStart', ref: OUT, r: 2, c: 1 }, { type: 'paste' });
    expect(rows(s, OUT)).toEqual([[0, 0, 0], [0, 0, 0], [0, 1, 2]]);
    expect(s.history.present.selection).toMatchObject({ r0: 2, c0: 1, r1: 2, c1: 2 });
    expect(s.notice).toMatch(/dropped/);
  });

  it('without a selection C copies the whole active grid; V needs a target cell', () => {
    let s = run(editorOn(G), { type: 'copy' });
    expect(toRows(s.clipboard!)).toEqual(toRows(G));
    const before = s.history;
    s = run(s, { type: 'paste' });
    expect(s.history).toBe(before);
    expect(s.notice).toMatch(/select the cell/);
    expect(run(initialArcEditor(), { type: 'paste' }).notice).toMatch(/nothing copied/);
  });

  it('writeBlock drops cells outside the grid on every side', () => {
    const g = makeGrid(2, 2);
    expect(toRows(writeBlock(g, G, -1, -1))).toEqual([[5, 6], [8, 9]]);
    expect(toRows(writeBlock(g, G, 1, 1))).toEqual([[0, 0], [0, 1]]);
  });
});

describe('flip / rotate', () => {
  it('without a selection they transform the whole grid (rotation swaps the shape)', () => {
    const wide = fromRows([[1, 2, 3], [4, 5, 6]]);
    const s = editorOn(wide);
    expect(rows(run(s, { type: 'transform', t: 'flipX' }))).toEqual([[3, 2, 1], [6, 5, 4]]);
    expect(rows(run(s, { type: 'transform', t: 'flipY' }))).toEqual([[4, 5, 6], [1, 2, 3]]);
    expect(rows(run(s, { type: 'transform', t: 'rotateCw' }))).toEqual([[4, 1], [5, 2], [6, 3]]);
    expect(rows(run(s, { type: 'transform', t: 'rotateCcw' }))).toEqual([[3, 6], [2, 5], [1, 4]]);
    expect(rows(run(s, { type: 'transform', t: 'rotateCw' }, { type: 'transform', t: 'rotateCcw' }))).toEqual(toRows(wide));
  });

  it('with a selection they transform only the selected block', () => {
    let s = run(editorOn(G), { type: 'selectStart', ref: IN, r: 0, c: 0 }, { type: 'selectTo', r: 1, c: 1 });
    expect(rows(run(s, { type: 'transform', t: 'flipX' }))).toEqual([[2, 1, 3], [5, 4, 6], [7, 8, 9]]);
    expect(rows(run(s, { type: 'transform', t: 'rotateCw' }))).toEqual([[4, 1, 3], [5, 2, 6], [7, 8, 9]]);
    s = run(s, { type: 'transform', t: 'flipY' });
    expect(rows(s)).toEqual([[4, 5, 3], [1, 2, 6], [7, 8, 9]]);
    expect(rows(run(s, { type: 'undo' }))).toEqual(toRows(G));
  });

  it('a non-square selection rotates from its top-left: the old area is cleared, the result clipped', () => {
    const s = run(editorOn(G), { type: 'selectStart', ref: IN, r: 1, c: 0 }, { type: 'selectTo', r: 1, c: 2 }); // [4 5 6]
    const r = run(s, { type: 'transform', t: 'rotateCw' });
    // The 3×1 column [4,5,6] is written down from (1,0); its last cell falls off the bottom.
    expect(rows(r)).toEqual([[1, 2, 3], [4, 0, 0], [5, 8, 9]]);
    expect(r.history.present.selection).toMatchObject({ r0: 1, c0: 0, r1: 2, c1: 0 });
    expect(transformRect(G, { r0: 0, c0: 0, r1: 0, c1: 1 }, 'rotateCcw').rect).toEqual({ r0: 0, c0: 0, r1: 1, c1: 0 });
  });

  it('keys: X, Y, R and Shift+R', () => {
    const s = initialArcEditor();
    expect(arcKeyAction({ key: 'x' }, s)).toEqual({ type: 'transform', t: 'flipX' });
    expect(arcKeyAction({ key: 'Y' }, s)).toEqual({ type: 'transform', t: 'flipY' });
    expect(arcKeyAction({ key: 'r' }, s)).toEqual({ type: 'transform', t: 'rotateCw' });
    expect(arcKeyAction({ key: 'R', shiftKey: true }, s)).toEqual({ type: 'transform', t: 'rotateCcw' });
  });
});

describe('move', () => {
  it('moves the selected block one cell, clearing where it was', () => {
    let s = run(editorOn(G), { type: 'selectStart', ref: IN, r: 0, c: 0 }, { type: 'selectTo', r: 1, c: 1 });
    s = run(s, arcKeyAction({ key: 'ArrowRight' }, s)!);
    expect(rows(s)).toEqual([[0, 1, 2], [0, 4, 5], [7, 8, 9]]);
    expect(s.history.present.selection).toMatchObject({ r0: 0, c0: 1, r1: 1, c1: 2 });
    s = run(s, arcKeyAction({ key: 'ArrowDown' }, s)!);
    expect(rows(s)).toEqual([[0, 0, 0], [0, 1, 2], [7, 4, 5]]);
    expect(rows(run(s, { type: 'undo' }, { type: 'undo' }))).toEqual(toRows(G));
  });

  it('refuses to push the block off the grid', () => {
    const s = run(editorOn(G), { type: 'selectStart', ref: IN, r: 0, c: 0 }, { type: 'selectTo', r: 1, c: 1 });
    const r = run(s, { type: 'move', dr: -1, dc: 0 });
    expect(r.history).toBe(s.history);
    expect(r.notice).toMatch(/edge/);
    expect(moveRect(G, { r0: 2, c0: 2, r1: 2, c1: 2 }, 0, 1)).toBeNull();
  });

  it('arrows without a selection are left to the page', () => {
    expect(arcKeyAction({ key: 'ArrowLeft' }, initialArcEditor())).toBeNull();
  });
});

describe('resize / copy from input / reset', () => {
  it('resize keeps the content top-left, pads with 0 and clips', () => {
    let s = run(editorOn(G), { type: 'resize', h: 2, w: 4 });
    expect(rows(s)).toEqual([[1, 2, 3, 0], [4, 5, 6, 0]]);
    s = run(s, { type: 'resize', h: 30, w: 1 });
    expect(activeGrid(s).h).toBe(30);
    expect(rows(s).slice(0, 3)).toEqual([[1], [4], [0]]);
    expect(rows(run(s, { type: 'undo' }, { type: 'undo' }))).toEqual(toRows(G));
    expect(toRows(resizeGrid(G, 1, 1))).toEqual([[1]]);
  });

  it('sizes must be whole numbers 1..30', () => {
    const s = editorOn(G);
    for (const [h, w] of [[0, 3], [31, 3], [3, 2.5], [3, NaN]]) {
      const r = run(s, { type: 'resize', h, w });
      expect(r.history).toBe(s.history);
      expect(r.notice).toMatch(/1\.\.30/);
    }
  });

  it('resizing drops a selection on that grid', () => {
    const s = run(editorOn(G), { type: 'selectStart', ref: IN, r: 2, c: 2 }, { type: 'resize', h: 2, w: 2 });
    expect(s.history.present.selection).toBeNull();
  });

  it('copy from input sets the active pair output (creating a test output)', () => {
    let s = run(editorOn(G), { type: 'copyFromInput' });
    expect(rows(s, OUT)).toEqual(toRows(G));
    expect(s.history.present.active).toEqual(OUT);
    s = run(s, { type: 'activate', ref: TEST_IN }, { type: 'copyFromInput' });
    expect(rows(s, { ...TEST_IN, side: 'output' })).toEqual([[0, 0], [0, 0]]);
    expect(currentTask(s).test[0].output).toBeDefined();
  });

  it('reset clears the active grid at its size', () => {
    const s = run(editorOn(G), { type: 'reset' });
    expect(rows(s)).toEqual([[0, 0, 0], [0, 0, 0], [0, 0, 0]]);
  });

  it('the size field reads HxW, H×W, "H W" or a single side', () => {
    expect(parseSizeField('3x4')).toEqual({ h: 3, w: 4 });
    expect(parseSizeField(' 10 × 2 ')).toEqual({ h: 10, w: 2 });
    expect(parseSizeField('5 6')).toEqual({ h: 5, w: 6 });
    expect(parseSizeField('7')).toEqual({ h: 7, w: 7 });
    expect(parseSizeField('3x')).toBeNull();
    expect(parseSizeField('axb')).toBeNull();
  });
});

describe('undo / redo', () => {
  it('restores the grid, the active grid and the selection; a new edit clears redo', () => {
    let s = run(editorOn(G), { type: 'selectStart', ref: IN, r: 0, c: 0 }, { type: 'transform', t: 'flipX' });
    s = run(s, { type: 'activate', ref: OUT }, { type: 'colour', colour: 3 }, { type: 'paint', ref: OUT, r: 0, c: 0, stroke: false });
    s = run(s, { type: 'undo' });
    expect(rows(s, OUT)).toEqual([[0, 0, 0], [0, 0, 0], [0, 0, 0]]);
    expect(rows(s, IN)[0]).toEqual([1, 2, 3]); // the flip of the 1×1 selection stays
    expect(s.history.present.active).toEqual(OUT);
    s = run(s, { type: 'undo' });
    expect(s.history.present.active).toEqual(IN);
    expect(s.history.present.selection).toMatchObject({ ref: IN, r0: 0, c0: 0 });
    expect(s.history.future.length).toBe(2);
    s = run(s, { type: 'redo' });
    expect(s.history.future.length).toBe(1);
    s = run(s, { type: 'paint', ref: IN, r: 2, c: 2, stroke: false });
    expect(s.history.future.length).toBe(0);
    expect(run(s, { type: 'redo' }).notice).toBe('nothing to redo');
  });

  it('nothing to undo says so', () => {
    expect(run(initialArcEditor(), { type: 'undo' }).notice).toBe('nothing to undo');
  });

  it('Ctrl+Z undoes; Ctrl+Shift+Z and Ctrl+Y redo; Cmd works too', () => {
    const s = initialArcEditor();
    expect(arcKeyAction({ key: 'z', ctrlKey: true }, s)).toEqual({ type: 'undo' });
    expect(arcKeyAction({ key: 'Z', ctrlKey: true, shiftKey: true }, s)).toEqual({ type: 'redo' });
    expect(arcKeyAction({ key: 'y', ctrlKey: true }, s)).toEqual({ type: 'redo' });
    expect(arcKeyAction({ key: 'z', metaKey: true }, s)).toEqual({ type: 'undo' });
    expect(arcKeyAction({ key: 'a', ctrlKey: true }, s)).toBeNull();
  });

  it('the history keeps the last HISTORY_LIMIT steps', () => {
    let h = startHistory(0);
    for (let i = 1; i <= HISTORY_LIMIT + 5; i++) h = commit(h, i);
    expect(h.past.length).toBe(HISTORY_LIMIT);
    expect(h.past[0]).toBe(5);
    expect(redo(undo(h))).toEqual(h);
    expect(commit(h, h.present)).toBe(h);
  });

  it('renaming is not an undo step and survives undo', () => {
    const s = run(initialArcEditor(), { type: 'paint', ref: IN, r: 0, c: 0, stroke: false }, { type: 'rename', name: 'mine' }, { type: 'undo' });
    expect(currentTask(s).id).toBe('mine');
  });
});

describe('keys', () => {
  it('0–9 pick colours; D/S/F tools; C/V copy and paste; Alt is left alone', () => {
    const s = initialArcEditor();
    expect(arcKeyAction({ key: '7' }, s)).toEqual({ type: 'colour', colour: 7 });
    expect(arcKeyAction({ key: 'd' }, s)).toEqual({ type: 'tool', tool: 'draw' });
    expect(arcKeyAction({ key: 'S' }, s)).toEqual({ type: 'tool', tool: 'select' });
    expect(arcKeyAction({ key: 'f' }, s)).toEqual({ type: 'tool', tool: 'fill' });
    expect(arcKeyAction({ key: 'c' }, s)).toEqual({ type: 'copy' });
    expect(arcKeyAction({ key: 'v', ctrlKey: true }, s)).toEqual({ type: 'paste' });
    expect(arcKeyAction({ key: '3', altKey: true }, s)).toBeNull();
    expect(arcKeyAction({ key: 'q' }, s)).toBeNull();
  });
});

describe('building a task', () => {
  it('adds demonstration pairs shaped like the last one and test inputs without outputs', () => {
    let s = run(editorOn(G, makeGrid(1, 2)), { type: 'addPair', section: 'train' });
    const t = currentTask(s);
    expect(t.train.length).toBe(2);
    expect([t.train[1].input.h, t.train[1].input.w, t.train[1].output!.h, t.train[1].output!.w]).toEqual([3, 3, 1, 2]);
    expect(s.history.present.active).toEqual({ section: 'train', index: 1, side: 'input' });
    s = run(s, { type: 'addPair', section: 'test' });
    expect(currentTask(s).test.length).toBe(2);
    expect(currentTask(s).test[1].output).toBeUndefined();
    expect(solveIndex(s)).toBe(1);
  });

  it('removes pairs but keeps at least one of each, fixing the active pair', () => {
    let s = run(initialArcEditor(), { type: 'addPair', section: 'train' }, { type: 'addPair', section: 'train' });
    s = run(s, { type: 'activate', ref: { section: 'train', index: 2, side: 'output' } }, { type: 'removePair', section: 'train', index: 0 });
    expect(s.history.present.active).toEqual({ section: 'train', index: 1, side: 'output' });
    s = run(s, { type: 'removePair', section: 'train', index: 1 });
    expect(s.history.present.active).toEqual({ section: 'train', index: 0, side: 'input' });
    const last = run(s, { type: 'removePair', section: 'train', index: 0 });
    expect(currentTask(last).train.length).toBe(1);
    expect(last.notice).toMatch(/at least one demonstration/);
    expect(run(s, { type: 'removePair', section: 'test', index: 0 }).notice).toMatch(/at least one test/);
    expect(currentTask(run(s, { type: 'undo' })).train.length).toBe(2);
  });

  it('a test output can be added (as the target) and removed', () => {
    let s = run(initialArcEditor(), { type: 'testOutput', index: 0, present: true });
    expect(currentTask(s).test[0].output).toEqual(makeGrid(3, 3));
    expect(s.history.present.active).toEqual({ section: 'test', index: 0, side: 'output' });
    s = run(s, { type: 'testOutput', index: 0, present: false });
    expect(currentTask(s).test[0].output).toBeUndefined();
    expect(s.history.present.active).toEqual(TEST_IN);
  });

  it('activating a missing grid does nothing', () => {
    const s = initialArcEditor();
    expect(run(s, { type: 'activate', ref: { section: 'test', index: 0, side: 'output' } })).toEqual(s);
  });

  it('loading a task is undoable and names the editor', () => {
    const task: ArcTask = { id: 'abc', train: [{ input: G, output: G }], test: [{ input: G }] };
    let s = run(initialArcEditor(), { type: 'load', task });
    expect(currentTask(s)).toEqual(task);
    s = run(s, { type: 'undo' });
    expect(currentTask(s).train[0].input).toEqual(makeGrid(3, 3));
  });
});

describe('ARC JSON', () => {
  const task: ArcTask = { id: 'my task/1', train: [{ input: G, output: fromRows([[1]]) }], test: [{ input: fromRows([[0, 1]]) }, { input: G, output: G }] };

  it('exports the ARC file format and imports it back', () => {
    const json = taskToJson(task);
    expect(JSON.parse(json)).toEqual({
      train: [{ input: toRows(G), output: [[1]] }],
      test: [{ input: [[0, 1]] }, { input: toRows(G), output: toRows(G) }],
    });
    const { task: back, others } = taskFromFile(taskFileName(task), json);
    expect(taskFileName(task)).toBe('my_task_1.json');
    expect(back).toEqual({ ...task, id: 'my_task_1' });
    expect(others).toBe(0);
  });

  it('imports a real ARC-AGI file', () => {
    const text = readArc('arc-agi-1/training/007bbfb7.json');
    const { task: t } = taskFromFile('007bbfb7.json', text);
    expect(t.id).toBe('007bbfb7');
    expect(t.train.length).toBeGreaterThan(1);
    expect(JSON.parse(taskToJson(t))).toEqual(JSON.parse(text));
  });

  it('takes the first task of a Kaggle challenges file and counts the rest', () => {
    const text = JSON.stringify({ a: JSON.parse(taskToJson(task)), b: JSON.parse(taskToJson(task)) });
    const r = taskFromFile('arc-agi_x_challenges.json', text);
    expect(r.task.id).toBe('a');
    expect(r.others).toBe(1);
  });

  it('a malformed file names the file and what is wrong', () => {
    expect(() => taskFromFile('bad.json', '{"train": [{"input": [[1, 12]], "output": [[0]]}], "test": [{"input": [[0]]}]}')).toThrow(ArcFormatError);
    expect(() => taskFromFile('bad.json', '{"train": [{"input": [[1, 12]], "output": [[0]]}], "test": [{"input": [[0]]}]}')).toThrow('bad.json: task bad, train pair 0, input row 0 col 1: value 12 is not an integer 0..9');
    expect(() => taskFromFile('x.json', 'not json')).toThrow(/x.json: invalid JSON/);
  });
});

describe('helpers', () => {
  it('blockOf cuts a rectangle', () => {
    expect(toRows(blockOf(G, { r0: 1, c0: 1, r1: 2, c1: 2 }))).toEqual([[5, 6], [8, 9]]);
  });

  it('a blank task is a valid ARC task of 3×3 zeros', () => {
    const t = blankTask();
    expect(JSON.parse(taskToJson(t))).toEqual({ train: [{ input: [[0, 0, 0], [0, 0, 0], [0, 0, 0]], output: [[0, 0, 0], [0, 0, 0], [0, 0, 0]] }], test: [{ input: [[0, 0, 0], [0, 0, 0], [0, 0, 0]] }] });
  });
});
