import { describe, expect, it } from 'vitest';
import { augmentGrid, generateVersions } from '../../src/data/arc-augment';
import { encodeGrid } from '../../src/data/arc-encoding';
import { parseTaskFile } from '../../src/data/arc-json';
import { type ArcTask, type Grid, fromRows, toRows } from '../../src/data/grid';
import { mulberry32 } from '../../src/nn/init';
import { VoteBook, passAtK, predictionInOriginalFrame, rankVotes } from '../../src/data/voting';
import { readArc } from '../helpers/datasets';

const readTask = (path: string) => parseTaskFile({ name: path, text: readArc(path) });

const A = fromRows([[1, 2], [3, 4]]);
const B = fromRows([[5]]);
const C = fromRows([[1, 2, 3, 4]]);
const D = fromRows([[1], [2], [3], [4]]); // same cells as C, other shape: a different answer
const E = fromRows([[7, 7]]);

describe('ranking votes', () => {
  // A: 3 votes, mean 0.3; B: 3 votes, mean 0.9; C: 1 vote, 1.0; D: 2 votes, mean 0.5; E: 1 vote, 1.0 (after C).
  const votes = [
    { grid: A, confidence: 0.2 }, { grid: C, confidence: 1.0 }, { grid: B, confidence: 0.8 }, { grid: A, confidence: 0.3 },
    { grid: D, confidence: 0.4 }, { grid: B, confidence: 0.9 }, { grid: E, confidence: 1.0 }, { grid: A, confidence: 0.4 },
    { grid: B, confidence: 1.0 }, { grid: D, confidence: 0.6 },
  ];

  it('by count, then mean σ(q_halt), ties in first-seen order', () => {
    const ranked = rankVotes(votes);
    expect(ranked.map((c) => [toRows(c.grid), c.count])).toEqual([
      [toRows(B), 3], [toRows(A), 3], [toRows(D), 2], [toRows(C), 1], [toRows(E), 1],
    ]);
    [0.9, 0.3, 0.5, 1.0, 1.0].forEach((mean, i) => expect(ranked[i].meanConfidence).toBeCloseTo(mean, 12));
  });

  it('pass@K against the true output', () => {
    const ranked = rankVotes(votes);
    expect([1, 2, 3, 4, 5].map((k) => passAtK(ranked, A, k))).toEqual([false, true, true, true, true]);
    expect([1, 2, 3, 4, 5].map((k) => passAtK(ranked, C, k))).toEqual([false, false, false, true, true]);
    expect(passAtK(ranked, B, 1)).toBe(true);
    expect(passAtK(ranked, fromRows([[9]]), 5)).toBe(false);
    expect(passAtK([], A, 2)).toBe(false);
  });

  it('rejects a non-finite confidence', () => {
    expect(() => rankVotes([{ grid: A, confidence: NaN }])).toThrow('vote confidence NaN is not a finite number');
  });
});

describe('voting over augmented versions of a real task', () => {
  // ARC-AGI-1 evaluation 00576224: 2 demonstrations, 1 test (2x2 → 6x6).
  const task = readTask('arc-agi-1/evaluation/00576224.json');
  const versions = generateVersions(task, 11, mulberry32(1));
  const side = 30;
  const truth = task.test[0].output!;
  const wrong = fromRows([[0]]);

  /** Each version "predicts" a grid in its own frame: the canvas the model would emit. */
  const vote = (book: VoteBook, predictInOriginal: (i: number) => Grid, confidence: (i: number) => number) =>
    versions.forEach((v, i) => book.addCanvas(v.name, 0, encodeGrid(augmentGrid(predictInOriginal(i), v.aug), side), side, confidence(i)));

  it('decodes each canvas and maps it back to the original frame', () => {
    expect(versions).toHaveLength(12);
    for (const v of versions) {
      const canvas = encodeGrid(v.task.test[0].output!, side);
      const back = predictionInOriginalFrame(v.name, canvas, side);
      expect(back.taskId).toBe(task.id);
      expect(toRows(back.grid)).toEqual(toRows(truth));
    }
  });

  it('the majority answer wins; a confident minority cannot outvote it', () => {
    const book = new VoteBook();
    vote(book, (i) => (i % 3 === 0 ? wrong : truth), (i) => (i % 3 === 0 ? 0.99 : 0.1));
    const ranked = book.ranked(task.id, 0);
    expect(ranked.map((c) => c.count)).toEqual([8, 4]);
    expect(toRows(ranked[0].grid)).toEqual(toRows(truth));
    const r = book.evaluate([task], [1, 2]);
    expect(r.passAtK).toEqual({ 1: 1, 2: 1 });
    expect(r.tasks[0].attempts[0].map(toRows)).toEqual([toRows(truth), toRows(wrong)]);
  });

  it('equal counts fall back to mean confidence: pass@1 fails, pass@2 holds', () => {
    const book = new VoteBook();
    vote(book, (i) => (i % 2 ? wrong : truth), (i) => (i % 2 ? 0.7 : 0.6));
    const r = book.evaluate([task], [1, 2]);
    expect(r.passAtK).toEqual({ 1: 0, 2: 1 });
  });
});

describe('scoring tasks', () => {
  const two: ArcTask = { id: 't2', train: [{ input: A, output: A }], test: [{ input: A, output: A }, { input: B, output: B }] };
  const one: ArcTask = { id: 't1', train: [{ input: A, output: A }], test: [{ input: C, output: C }] };
  const none: ArcTask = { id: 't0', train: [{ input: A, output: A }], test: [{ input: C, output: C }] };

  it('a task scores the fraction of its test inputs solved; the result is the mean over tasks', () => {
    const book = new VoteBook();
    book.add('t2', 0, A, 0.5);
    book.add('t2', 1, E, 0.5);
    book.add('t2', 1, E, 0.5);
    book.add('t2', 1, B, 0.9);
    book.add('t1', 0, C, 0.1);
    const r = book.evaluate([two, one, none], [1, 2]);
    expect(r.tasks.map((t) => t.passAtK)).toEqual([{ 1: 0.5, 2: 1 }, { 1: 1, 2: 1 }, { 1: 0, 2: 0 }]);
    expect(r.passAtK[1]).toBeCloseTo((0.5 + 1 + 0) / 3, 12);
    expect(r.passAtK[2]).toBeCloseTo(2 / 3, 12);
    // Attempts: top 2, padded with the first when only one candidate; none without votes.
    expect(r.tasks[0].attempts.map((a) => a.map(toRows))).toEqual([[toRows(A), toRows(A)], [toRows(E), toRows(B)]]);
    expect(r.tasks[2].attempts).toEqual([[]]);
  });

  it('a test input without a known output counts as unsolved', () => {
    const book = new VoteBook();
    book.add('u', 0, A, 1);
    const unknown: ArcTask = { id: 'u', train: [{ input: A, output: A }], test: [{ input: A }] };
    expect(book.evaluate([unknown], [1]).passAtK).toEqual({ 1: 0 });
  });
});
