import { describe, expect, it } from 'vitest';
import { IGNORE_LABEL } from '../../src/data/dataset';
import type { RecursionTrace, TraceFrame } from '../../src/trm/trace';
import { changedCells, continuesTrace, frameReadout, indexTrace, navigate, paneAt, scoreCells, stepEnd, wrongCells } from '../../src/ui/viewer/frames';
import { initialPlayback, playbackReducer, type Playback } from '../../src/ui/viewer/playback';

/** A trace in captureTrace's frame order; frame k's tokens are [k, k, k, k] except a few kept the same to test diffs. */
function makeTrace(nSup: number, T: number, n: number): RecursionTrace {
  const frames: TraceFrame[] = [];
  for (let s = 1; s <= nSup; s++)
    for (let c = 1; c <= T; c++)
      for (let u = 1; u <= n + 1; u++) {
        const k = frames.length;
        frames.push({ supStep: s, cycle: c, update: u, kind: u <= n ? 'z' : 'y', tokens: Int32Array.from([k, k, 0, k % 2]), confidence: new Float32Array(4).fill(0.5) });
      }
  const steps = Array.from({ length: nSup }, (_, i) => ({ supStep: i + 1, haltProb: 0.1 * (i + 1), correct: null, correctCells: null }));
  return { seqLen: 4, vocabSize: 100, nSup, T, n, frames, steps };
}

describe('frame index', () => {
  const tr = makeTrace(2, 2, 2); // 2 × 2 × 3 = 12 frames: z z y | z z y || z z y | z z y
  const idx = indexTrace(tr);

  it('tracks the latest y and z and the previous frame of the same kind', () => {
    expect(idx.count).toBe(12);
    expect(Array.from(idx.latest.z)).toEqual([0, 1, 1, 3, 4, 4, 6, 7, 7, 9, 10, 10]);
    expect(Array.from(idx.latest.y)).toEqual([-1, -1, 2, 2, 2, 5, 5, 5, 8, 8, 8, 11]);
    expect(Array.from(idx.previousSameKind)).toEqual([-1, 0, -1, 1, 3, 2, 4, 6, 5, 7, 9, 8]);
    expect(Array.from(idx.stepStart)).toEqual([0, 6]);
  });

  it('reads out step, cycle and update out of N_sup, T and n + 1', () => {
    expect(frameReadout(tr, tr.frames[0])).toBe('step 1/2 · cycle 1/2 · update 1/3 (latent z)');
    expect(frameReadout(tr, tr.frames[11])).toBe('step 2/2 · cycle 2/2 · update 3/3 (answer y)');
  });

  it('panes: y is absent before the first answer update, then holds while z updates', () => {
    expect(paneAt(tr, idx, 0, 'y')).toBeNull();
    const z0 = paneAt(tr, idx, 0, 'z')!;
    expect(z0.frame).toBe(tr.frames[0]);
    expect(z0.changed).toBeNull(); // nothing before the first z
    expect(z0.fresh).toBe(true);
    const y3 = paneAt(tr, idx, 3, 'y')!; // a z frame: y is frame 2, not fresh
    expect(y3.frame).toBe(tr.frames[2]);
    expect(y3.fresh).toBe(false);
    const y5 = paneAt(tr, idx, 5, 'y')!; // second y, compared with the first y (frame 2)
    expect(Array.from(y5.changed!)).toEqual([1, 1, 0, 1]); // [5,5,0,1] vs [2,2,0,0]
  });

  it('changed cells are compared with the previous update of the same kind', () => {
    const y5 = paneAt(tr, idx, 5, 'y')!;
    expect(Array.from(y5.changed!)).toEqual(Array.from(changedCells(tr.frames[2].tokens, tr.frames[5].tokens)!));
    const z4 = paneAt(tr, idx, 4, 'z')!; // frame 4 vs frame 3: [4,4,0,0] vs [3,3,0,1]
    expect(Array.from(z4.changed!)).toEqual([1, 1, 0, 1]);
  });

  it('keys: ←/→ one frame, clamped; Home/End; Shift+arrows and PageUp/Down by supervision step', () => {
    expect(navigate(idx, 0, { key: 'ArrowLeft' })).toBe(0);
    expect(navigate(idx, 0, { key: 'ArrowRight' })).toBe(1);
    expect(navigate(idx, 11, { key: 'ArrowRight' })).toBe(11);
    expect(navigate(idx, 4, { key: 'Home' })).toBe(0);
    expect(navigate(idx, 4, { key: 'End' })).toBe(11);
    expect(navigate(idx, 4, { key: 'ArrowRight', shiftKey: true })).toBe(6);
    expect(navigate(idx, 6, { key: 'PageDown' })).toBe(11);
    expect(navigate(idx, 8, { key: 'ArrowLeft', shiftKey: true })).toBe(6);
    expect(navigate(idx, 6, { key: 'PageUp' })).toBe(0);
    expect(navigate(idx, 4, { key: 'a' })).toBeNull();
  });

  it('the end of each supervision step is its last (answer) frame', () => {
    expect(stepEnd(idx, 1)).toBe(5);
    expect(stepEnd(idx, 2)).toBe(11);
    expect(tr.frames[stepEnd(idx, 1)].kind).toBe('y');
  });
});

describe('streamed traces', () => {
  const full = makeTrace(3, 1, 1); // 3 steps × 2 frames
  const upTo = (k: number): RecursionTrace => ({ ...full, frames: full.frames.slice(0, k), steps: full.steps.slice(0, k / 2) });

  it('a trace grown by appended frames continues the one before', () => {
    expect(continuesTrace(upTo(2), upTo(4))).toBe(true);
    expect(continuesTrace(upTo(2), full)).toBe(true);
    expect(continuesTrace(upTo(4), full)).toBe(true);
  });

  it('the same length, a shorter trace, an empty start or other frame objects are not a continuation', () => {
    expect(continuesTrace(upTo(4), upTo(4))).toBe(false);
    expect(continuesTrace(full, upTo(4))).toBe(false);
    expect(continuesTrace(upTo(0), full)).toBe(false);
    // Equal contents, different objects: another run of the model (a new trace), not more of this one.
    const again = makeTrace(3, 1, 1);
    expect(continuesTrace(upTo(2), again)).toBe(false);
    // Only the old last frame is compared: a trace whose earlier frames differ but that shares it still counts.
    const other = { ...again, frames: [...again.frames.slice(0, 1), full.frames[1], ...again.frames.slice(2)] };
    expect(continuesTrace(upTo(2), other)).toBe(true);
  });
});

describe('target comparison', () => {
  it('marks and counts supervised cells only', () => {
    const labels = Int32Array.from([3, IGNORE_LABEL, 5, 6]);
    const tokens = Int32Array.from([3, 9, 4, 6]);
    expect(Array.from(wrongCells(tokens, labels))).toEqual([0, 0, 1, 0]);
    expect(scoreCells(tokens, labels)).toEqual({ right: 2, total: 3 });
  });

  it('nothing to compare: no change mask', () => {
    expect(changedCells(null, [1, 2])).toBeNull();
    expect(changedCells([1], [1, 2])).toBeNull();
  });
});

describe('playback', () => {
  const run = (p: Playback, ...types: Parameters<typeof playbackReducer>[1][]) => types.reduce(playbackReducer, p);

  it('starts on the final answer, paused', () => {
    expect(initialPlayback(12)).toEqual({ frame: 11, count: 12, playing: false, fps: 4 });
  });

  it('play from the end restarts at 0; ticks advance; the last frame stops playing', () => {
    let p = run(initialPlayback(3), { type: 'toggle' });
    expect(p).toMatchObject({ frame: 0, playing: true });
    p = run(p, { type: 'tick' });
    expect(p).toMatchObject({ frame: 1, playing: true });
    p = run(p, { type: 'tick' });
    expect(p).toMatchObject({ frame: 2, playing: false });
    expect(run(p, { type: 'tick' })).toBe(p);
  });

  it('seek clamps and pauses; toggle pauses; speed must be positive', () => {
    const p = run(initialPlayback(5), { type: 'toggle' }, { type: 'seek', frame: 99 });
    expect(p).toMatchObject({ frame: 4, playing: false });
    expect(run(p, { type: 'seek', frame: -3 }).frame).toBe(0);
    expect(run(p, { type: 'seek', frame: 1 }, { type: 'toggle' }, { type: 'toggle' })).toMatchObject({ frame: 1, playing: false });
    expect(run(p, { type: 'speed', fps: 16 }).fps).toBe(16);
    expect(run(p, { type: 'speed', fps: 0 }).fps).toBe(4);
  });

  it('a single frame cannot play; a paused tick does nothing', () => {
    const one = initialPlayback(1);
    expect(run(one, { type: 'toggle' })).toBe(one);
    expect(run(initialPlayback(4), { type: 'tick' }).frame).toBe(3);
  });

  it('grow: a view at the old last frame moves to the new last frame, paused', () => {
    const p = run(initialPlayback(6), { type: 'speed', fps: 8 });
    expect(run(p, { type: 'grow', count: 12 })).toEqual({ frame: 11, count: 12, playing: false, fps: 8 });
  });

  it('grow with play: a view that played to the old end plays on from there', () => {
    const p = run(initialPlayback(3), { type: 'toggle' }, { type: 'tick' }, { type: 'tick' });
    expect(p).toMatchObject({ frame: 2, playing: false }); // played out the frames so far
    const q = run(p, { type: 'grow', count: 6, play: true });
    expect(q).toEqual({ frame: 2, count: 6, playing: true, fps: 4 });
    expect(run(q, { type: 'tick' }, { type: 'tick' })).toMatchObject({ frame: 4, playing: true });
  });

  it('grow: a view elsewhere keeps its frame and its playing state', () => {
    const paused = run(initialPlayback(6), { type: 'seek', frame: 2 });
    expect(run(paused, { type: 'grow', count: 12 })).toEqual({ ...paused, count: 12 });
    expect(run(paused, { type: 'grow', count: 12, play: true })).toEqual({ ...paused, count: 12 });
    const playing = run(initialPlayback(6), { type: 'toggle' }, { type: 'tick' });
    expect(run(playing, { type: 'grow', count: 12, play: true })).toEqual({ frame: 1, count: 12, playing: true, fps: 4 });
  });

  it('grow to the same or fewer frames changes nothing', () => {
    const p = run(initialPlayback(6), { type: 'seek', frame: 5 });
    expect(run(p, { type: 'grow', count: 6 })).toBe(p);
    expect(run(p, { type: 'grow', count: 4, play: true })).toBe(p);
  });

  it('a new trace keeps the speed and starts at the end, or at 0 playing', () => {
    const p = run(initialPlayback(5), { type: 'speed', fps: 8 }, { type: 'seek', frame: 2 });
    expect(run(p, { type: 'load', count: 9 })).toEqual({ frame: 8, count: 9, playing: false, fps: 8 });
    expect(run(p, { type: 'load', count: 9, frame: 0, play: true })).toEqual({ frame: 0, count: 9, playing: true, fps: 8 });
  });
});
