import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEvalData } from '../../src/cli/eval-data';
import { sudokuDatasetInfo } from '../../src/data/sudoku';
import { getPreset } from '../../src/trm/presets';
import { runCli } from '../helpers/cli';
import { IDS, writeArcReferenceCheckpoint } from '../helpers/arc-reference-checkpoint';
import { expectUserMessage, refusal } from '../helpers/user-message';

const dir = mkdtempSync(join(tmpdir(), 'trm-eval-ids-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ckpt = join(dir, 'run', 'step_10');
const data = join(dir, 'data');

// The hand-made checkpoint of test/helpers/arc-reference-checkpoint.ts: it swaps colours 1 and 2 in whatever frame
// it sees, each puzzle row with its own confidence.
beforeAll(() => {
  writeArcReferenceCheckpoint(dir);
}, 60_000);

const evalCli = (...args: string[]) => runCli('eval', ['--checkpoint', ckpt, '--backend', 'cpu', ...args]);

describe('eval --identifiers: a reference ARC checkpoint on its own augmented rows', () => {
  it('runs every version with a row, inverts, votes; a task without rows runs on the blank row, said once', () => {
    const r = evalCli('--identifiers', join(data, 'identifiers.json'));
    expect(r.code, r.stderr).toBe(0);
    // 9 examples: t1 under its 4 versions, t2 once, t3's 2 test inputs under its 2. Exact in each version's frame:
    // t1's identity and rot90 versions, t2, and t3's first input in both versions (5 of 9).
    expect(r.stdout).toMatch(/^examples\s+9$/m);
    expect(r.stdout).toMatch(/^exact accuracy\s+55\.56%$/m);
    // q_halt > 0 (σ > 0.5) on rows 2, 4, 5 and 6 only: halting at step 1 there, at 2 on rows 0, 1 and 3 (12 / 9).
    expect(r.stdout).toMatch(/^mean halting step\s+1\.33 of 2$/m);
    // Worked out in test/io/reference-identifiers.test.ts: t1 0 / 1 (its two right versions have the less confident
    // rows), t2 1 / 1, t3 0.5 / 0.5.
    expect(r.stdout).toMatch(/^pass@1 \/ pass@2\s+50\.00% \/ 83\.33% over 3 tasks$/m);
    const notes = r.stderr.split('\n').filter((l) => l.includes('no row in'));
    expect(notes).toEqual([`[trm] note: 1 of 3 tasks have no row in ${join(data, 'identifiers.json')} (t2): their embedding is unknown to the checkpoint, so each runs once, unaugmented, on the blank row 0`]);
    // --data naming test_puzzles.json is the default made explicit.
    const explicit = evalCli('--identifiers', join(data, 'identifiers.json'), '--data', join(data, 'test_puzzles.json'));
    expect(explicit.stdout).toBe(r.stdout);
  }, 120_000);

  it('bad identifiers or data: one clear line', () => {
    const bad = (name: string, content: unknown, ...more: string[]) => {
      writeFileSync(join(data, name), JSON.stringify(content));
      const r = evalCli('--identifiers', join(data, name), '--data', join(data, 'test_puzzles.json'), ...more);
      expect(r.code).toBe(1);
      const line = r.stderr.trim().split('\n').at(-1)!;
      expectUserMessage(line);
      return line;
    };
    expect(bad('short.json', IDS.slice(0, 7))).toBe(
      `[trm] error: ${join(data, 'short.json')}: names 7 puzzle ids, but the checkpoint's puzzle embedding has 8 rows; use the identifiers.json of the dataset it was trained on`,
    );
    expect(bad('odd.json', [...IDS.slice(0, 7), 't1|||t3'])).toBe(
      `[trm] error: ${join(data, 'odd.json')}: entry 7: puzzle id "t1|||t3": 1 separators (expected name|||t<0..7>|||<10 digits>)`,
    );
    const lone = join(dir, 'lone');
    mkdirSync(lone);
    writeFileSync(join(lone, 'identifiers.json'), JSON.stringify(IDS));
    const r = evalCli('--identifiers', join(lone, 'identifiers.json'));
    expect(r.stderr.trim().split('\n').at(-1)).toBe(`[trm] error: --data: no test_puzzles.json beside ${join(lone, 'identifiers.json')}; pass the tasks to score with --data FILE|DIR`);
    // Without identifiers the tasks' own versions cannot be matched to rows: the message points at the flag.
    const none = evalCli('--data', join(data, 'test_puzzles.json'));
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/learned embeddings for 8; .*identifiers\.json with --identifiers/);
  }, 120_000);

  it('checkpoints that have no rows to name are refused before the file is read', () => {
    const ids = join(data, 'identifiers.json');
    const sudoku = getPreset('sudoku-4x4');
    expect(refusal(() => loadEvalData('test', sudoku, sudokuDatasetInfo(4), ids))).toBe('--identifiers: names ARC puzzle-embedding rows, but this checkpoint reads 4×4 Sudoku');
    const arc = getPreset('mini-arc');
    arc.model.puzzleEmbDim = 0;
    expect(refusal(() => loadEvalData('test', arc, { name: 'mini-arc', seqLen: 36, vocabSize: 12, numPuzzleIds: 1 }, ids))).toBe(
      '--identifiers: this checkpoint has no puzzle embedding, so there are no rows to name; evaluate without it',
    );
  });
});
