import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openEvalModel } from '../../src/cli/eval-model';
import { toRows, type ArcTask } from '../../src/data/grid';
import { VoteBook } from '../../src/data/voting';
import { createTrainStore, solveRows } from '../../src/state/train-store';
import { evaluateSource, scoredExamples } from '../../src/trm/evaluate';
import { IDS, writeArcReferenceCheckpoint, type ArcReferenceFiles } from '../helpers/arc-reference-checkpoint';
import { workerHarness } from '../ui/train-harness';

// The page leaves a puzzle table over LAZY_TABLE_BYTES in the file; the hand-made one is 512 bytes, so a test that
// wants it left there lowers the bound.
const lazy = vi.hoisted(() => ({ bytes: 64 << 20 }));
vi.mock('../../src/io/lazy-puzzle-table', async (importOriginal) => {
  const mod = await importOriginal<typeof import('../../src/io/lazy-puzzle-table')>();
  return {
    ...mod,
    get LAZY_TABLE_BYTES() {
      return lazy.bytes;
    },
  };
});

const dir = mkdtempSync(join(tmpdir(), 'trm-solve-ids-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files: ArcReferenceFiles;

interface Shown {
  grid: number[][];
  votes: number;
  confidence: number;
}

/** What `npm run eval -- --checkpoint step_10 --identifiers identifiers.json` votes: its tasks and, per test input, the top two candidates. */
let cli: { tasks: readonly ArcTask[]; candidates: Map<string, Shown[][]> };

beforeAll(async () => {
  files = writeArcReferenceCheckpoint(dir);
  const flags = new Map([['checkpoint', files.checkpoint], ['identifiers', files.identifiers], ['backend', 'cpu']]);
  const { trainer, source } = await openEvalModel('eval', flags, []);
  // evaluateSource's votes, kept per test input rather than scored.
  const { examples, arc } = scoredExamples(source);
  const res = await trainer.evaluate(examples, { predictions: true });
  const book = new VoteBook().addPredictions(arc!.items, res.predictions!, res.confidence!, source.info.seqLen);
  // The same votes as the CLI's: its pass@1 / pass@2 (50% / 83.33%, test/cli/eval-identifiers.test.ts).
  expect(book.evaluate(arc!.tasks).passAtK).toEqual((await evaluateSource(trainer, source)).passAtK);
  expect((await evaluateSource(trainer, source)).passAtK).toEqual({ 1: 0.5, 2: 5 / 6 });
  const candidates = new Map(arc!.tasks.map((t) => [t.id, t.test.map((_, i) => book.ranked(t.id, i).slice(0, 2).map((c) => ({ grid: toRows(c.grid), votes: c.count, confidence: c.meanConfidence })))]));
  cli = { tasks: arc!.tasks, candidates };
  trainer.release();
}, 120_000);

/** The page's store on the worker core (CPU engine), with the checkpoint and all_config.yaml opened as picked files. */
async function openInPage() {
  const h = workerHarness();
  const store = createTrainStore({ client: h.client, storage: Promise.resolve(null) });
  await store.getState().initEngine('cpu');
  const picked = [new File([readFileSync(files.checkpoint)], 'step_10'), new File([readFileSync(files.config)], 'all_config.yaml')];
  const opened = await store.getState().openCheckpoint({ files: picked });
  expect(opened, store.getState().errors.checkpoint).not.toBeNull();
  return { store, opened: opened! };
}

const identifiersFile = (ids: unknown, name = 'identifiers.json') => new File([JSON.stringify(ids)], name);

describe("the page solves a reference ARC checkpoint's tasks on its own rows (identifiers.json)", () => {
  for (const inFile of [false, true]) {
    it(inFile ? 'with the puzzle table left in the file: the rows are read and sent to the worker' : 'with the whole table held by the model', async () => {
      lazy.bytes = inFile ? 0 : 64 << 20;
      const { store, opened } = await openInPage();
      // Left in the file, the model holds only the blank row; either way identifiers.json must name all 8.
      expect(opened.info.numPuzzleIds).toBe(inFile ? 1 : IDS.length);
      const s0 = store.getState();
      expect(s0.referenceArc).toEqual({ runId: s0.run!.id, rows: IDS.length, identifiers: null });

      // A wrong file is refused with its name and the problem; nothing picked before is lost.
      await expect(s0.pickIdentifiers(identifiersFile(IDS.slice(0, 7), 'short.json'))).rejects.toThrow(
        "short.json: names 7 puzzle ids, but the checkpoint's puzzle embedding has 8 rows; use the identifiers.json of the dataset it was trained on",
      );
      expect(store.getState().referenceArc!.identifiers).toBeNull();
      await s0.pickIdentifiers(identifiersFile(IDS));
      await expect(store.getState().pickIdentifiers(identifiersFile({ a: 1 }, 'other.json'))).rejects.toThrow(/^other\.json: holds an object/);
      const runId = store.getState().run!.id;
      expect(solveRows(store.getState().referenceArc, runId, 't1')!.versions.map((v) => v.row)).toEqual([1, 3, 4, 6]);
      expect(solveRows(store.getState().referenceArc, runId, 't2')).toMatchObject({ named: false, versions: [{ name: 't2', row: 0 }] });

      for (const task of cli.tasks) {
        const solved = await store.getState().solveArc(task, false);
        expect(solved.candidates, task.id).toEqual(cli.candidates.get(task.id));
        expect(solved.versions, task.id).toBe({ t1: 4, t2: 1, t3: 2 }[task.id]);
      }
      // As worked out in test/io/reference-identifiers.test.ts: t1's 2–2 tie goes to its input, which the two
      // versions whose colour maps move 1 and 2 elsewhere predict with the more confident rows (0.9, 0.8).
      const t1 = cli.candidates.get('t1')![0];
      expect(t1.map((c) => [c.grid, c.votes])).toEqual([[[[1, 2], [3, 0]], 2], [[[2, 1], [3, 0]], 2]]);
      expect(t1[0].confidence).toBeCloseTo(0.85, 5);
      expect(t1[1].confidence).toBeCloseTo(0.25, 5);
    }, 120_000);
  }

  it('without identifiers.json: the blank row under every augmentation; a model that is no reference ARC checkpoint takes none', async () => {
    lazy.bytes = 64 << 20;
    const { store } = await openInPage();
    const t1 = cli.tasks.find((t) => t.id === 't1')!;
    expect(solveRows(store.getState().referenceArc, store.getState().run!.id, 't1')).toBeNull();
    const blank = await store.getState().solveArc(t1, false);
    // TRM Lab's own versions (the config's augmentations), every one on row 0, the only row with σ(q_halt) = 0.5.
    expect(blank.versions).toBeGreaterThan(1);
    expect(blank.candidates[0].length).toBeGreaterThan(0);
    for (const c of blank.candidates[0]) expect(c.confidence).toBeCloseTo(0.5, 5);
    // Another checkpoint replaces the reference one: identifiers.json has nothing to name.
    await store.getState().importCheckpoint(Uint8Array.from(readFileSync('public/models/sudoku-4x4/model.safetensors')).buffer, 'sudoku-4x4.safetensors');
    await expect(store.getState().pickIdentifiers(identifiersFile(IDS))).rejects.toThrow('"identifiers.json": open a reference ARC checkpoint first; identifiers.json names its puzzle-embedding rows');
  }, 120_000);
});
