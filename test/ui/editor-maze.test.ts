import { describe, expect, it } from 'vitest';
import { toRows } from '../../src/data/grid';
import { GOAL, OPEN, START, WALL } from '../../src/data/maze';
import { initialMazeEditor, mazeEditorReducer, mazeKeyAction, mazeStatus, openMaze, type MazeAction, type MazeEditorState } from '../../src/ui/editors/maze-editor';

const run = (s: MazeEditorState, ...actions: MazeAction[]) => actions.reduce(mazeEditorReducer, s);
const W = WALL, O = OPEN, S = START, G = GOAL;

describe('maze editor', () => {
  it('starts open with S top-left and G bottom-right, solvable', () => {
    const s = initialMazeEditor(openMaze(3));
    expect(toRows(s.history.present)).toEqual([[S, O, O], [O, O, O], [O, O, G]]);
    expect(mazeStatus(s.history.present)).toMatchObject({ kind: 'solvable', pathLength: 4, unique: false });
  });

  it('a dragged wall is one undo step; painting the same value twice changes nothing', () => {
    let s = initialMazeEditor(openMaze(3));
    s = run(s, { type: 'paint', r: 1, c: 0, stroke: false }, { type: 'paint', r: 1, c: 1, stroke: true }, { type: 'paint', r: 1, c: 1, stroke: true });
    expect(toRows(s.history.present)[1]).toEqual([W, W, O]);
    expect(s.history.past.length).toBe(1);
    expect(mazeStatus(s.history.present)).toMatchObject({ kind: 'solvable', pathLength: 4, unique: true });
    s = run(s, { type: 'paint', r: 1, c: 2, stroke: false });
    expect(mazeStatus(s.history.present)).toEqual({ kind: 'unreachable' });
    s = run(s, { type: 'undo' });
    expect(mazeStatus(s.history.present).kind).toBe('solvable');
    s = run(s, { type: 'undo' });
    expect(toRows(s.history.present)).toEqual(toRows(openMaze(3)));
    expect(toRows(run(s, { type: 'redo' }).history.present)[1]).toEqual([W, W, O]);
  });

  it('placing S or G moves it: there is always at most one of each', () => {
    let s = run(initialMazeEditor(openMaze(3)), { type: 'tool', tool: 'start' }, { type: 'paint', r: 1, c: 1, stroke: false });
    expect(toRows(s.history.present)).toEqual([[O, O, O], [O, S, O], [O, O, G]]);
    s = run(s, { type: 'tool', tool: 'goal' }, { type: 'paint', r: 1, c: 1, stroke: false });
    expect(toRows(s.history.present)).toEqual([[O, O, O], [O, G, O], [O, O, O]]);
    expect(mazeStatus(s.history.present)).toEqual({ kind: 'invalid', message: "maze has no start 'S'" });
  });

  it('painting outside the maze is ignored; clear restores the open maze', () => {
    const s = initialMazeEditor(openMaze(4));
    expect(run(s, { type: 'paint', r: 4, c: 0, stroke: false })).toBe(s);
    const c = run(s, { type: 'paint', r: 0, c: 1, stroke: false }, { type: 'clear' });
    expect(toRows(c.history.present)).toEqual(toRows(openMaze(4)));
    expect(c.history.past.length).toBe(2);
  });

  it('keys: W O S G pick tools; Ctrl+Z / Ctrl+Shift+Z / Ctrl+Y', () => {
    expect(mazeKeyAction({ key: 'w' })).toEqual({ type: 'tool', tool: 'wall' });
    expect(mazeKeyAction({ key: 'O' })).toEqual({ type: 'tool', tool: 'open' });
    expect(mazeKeyAction({ key: 's' })).toEqual({ type: 'tool', tool: 'start' });
    expect(mazeKeyAction({ key: 'g' })).toEqual({ type: 'tool', tool: 'goal' });
    expect(mazeKeyAction({ key: 'z', ctrlKey: true })).toEqual({ type: 'undo' });
    expect(mazeKeyAction({ key: 'z', ctrlKey: true, shiftKey: true })).toEqual({ type: 'redo' });
    expect(mazeKeyAction({ key: 'y', metaKey: true })).toEqual({ type: 'redo' });
    expect(mazeKeyAction({ key: 'q' })).toBeNull();
  });
});
