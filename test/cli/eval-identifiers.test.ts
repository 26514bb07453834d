import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEvalData } from '../../src/cli/eval-data';
import { sudokuDatasetInfo } from '../../src/data/sudoku';
import { getPreset } from '../../src/trm/presets';
import { runCli } from '../helpers/cli';
import { runPython } from '../helpers/python';
import { expectUserMessage, refusal } from '../helpers/user-message';

/**
 * A reference ARC checkpoint (torch.save zip with pretrain.py's prefixes, all_config.yaml without TRM Lab's block)
 * built by hand so that its behaviour is known exactly: its attention and SwiGLU weights are zero and H_init/L_init
 * too, so every position keeps the direction of its own input embedding through the recursion. Token t embeds as
 * one channel, and the LM head maps it back swapping colours 1 and 2 (tokens 3 and 4): the model swaps 1 and 2 in
 * whatever frame it sees. Position 0 is the puzzle row, (c, √(1−c²), 0, …), and q_halt reads channel 0 there:
 * σ(q_halt) = σ(4c) (4 = √hidden), so each row has its own confidence.
 */
const dir = mkdtempSync(join(tmpdir(), 'trm-eval-ids-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const D = 16;
const V = 12;
const ckpt = join(dir, 'run', 'step_10');
const data = join(dir, 'data');

// The rows and tasks of test/io/reference-identifiers.test.ts, where the votes are worked out by hand.
const IDS = ['<blank>', 't1', 't3', 't1|||t1|||0123456789', 't1|||t0|||0345126789', 't3|||t2|||0213456789', 't1|||t5|||0345126789', 'other'];
const CONFIDENCE = [0.5, 0.2, 0.6, 0.3, 0.9, 0.6, 0.8, 0.1];
const TEST_PUZZLES = {
  t1: { train: [{ input: [[1]], output: [[2]] }], test: [{ input: [[1, 2], [3, 0]], output: [[2, 1], [3, 0]] }] },
  t2: { train: [{ input: [[1]], output: [[2]] }], test: [{ input: [[2, 2, 1]], output: [[1, 1, 2]] }] },
  t3: { train: [{ input: [[1]], output: [[2]] }], test: [{ input: [[1], [3]], output: [[2], [3]] }, { input: [[3, 1]], output: [[3, 1]] }] },
};

const YAML = `arch:
  name: recursive_reasoning.trm@TinyRecursiveReasoningModel_ACTV1
  loss:
    name: losses@ACTLossHead
    loss_type: stablemax_cross_entropy
  halt_max_steps: 2
  H_cycles: 1
  L_cycles: 1
  H_layers: 0
  L_layers: 1
  hidden_size: ${D}
  num_heads: 2
  expansion: 4
  puzzle_emb_ndim: ${D}
  pos_encodings: rope
  mlp_t: false
  puzzle_emb_len: 1
data_paths:
- data/arc-6x6-aug-3
global_batch_size: 8
`;

function tensor(shape: number[], fill: (i: number, j: number) => number = () => 0) {
  const [rows, cols] = shape.length === 2 ? shape : [1, shape[0]];
  return { shape, data: Array.from({ length: rows * cols }, (_, k) => fill(Math.floor(k / cols), k % cols)) };
}

beforeAll(() => {
  const swapped = (t: number) => (t === 3 ? 4 : t === 4 ? 3 : t);
  const inner = {
    H_init: tensor([D]),
    L_init: tensor([D]),
    'embed_tokens.embedding_weight': tensor([V, D], (t, c) => (c === t ? 100 : 0)),
    'lm_head.weight': tensor([V, D], (o, c) => (c < V && o === swapped(c) ? 1 : 0)),
    'q_head.weight': tensor([2, D], (q, c) => (q === 0 && c === 0 ? 1 : 0)),
    'q_head.bias': tensor([2]),
    'puzzle_emb.weights': tensor([IDS.length, D], (r, c) => {
      const cos = Math.log(CONFIDENCE[r] / (1 - CONFIDENCE[r])) / 4;
      return 10 * (c === 0 ? cos : c === 1 ? Math.sqrt(1 - cos * cos) : 0);
    }),
    'L_level.layers.0.self_attn.qkv_proj.weight': tensor([3 * D, D]),
    'L_level.layers.0.self_attn.o_proj.weight': tensor([D, D]),
    'L_level.layers.0.mlp.gate_up_proj.weight': tensor([2 * 256, D]),
    'L_level.layers.0.mlp.down_proj.weight': tensor([D, 256]),
  };
  const tensors = Object.fromEntries(Object.entries(inner).map(([k, t]) => [`_orig_mod.model.inner.${k}`, t]));
  mkdirSync(join(dir, 'run'));
  mkdirSync(data);
  runPython(['test/python/torch_save.py'], JSON.stringify({ out: ckpt, dtype: 'float32', tensors }));
  writeFileSync(join(dir, 'run', 'all_config.yaml'), YAML);
  writeFileSync(join(data, 'identifiers.json'), JSON.stringify(IDS));
  writeFileSync(join(data, 'test_puzzles.json'), JSON.stringify(TEST_PUZZLES));
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
