/**
 * A reference ARC checkpoint (torch.save zip with pretrain.py's prefixes, all_config.yaml without TRM Lab's block)
 * built by hand so that its behaviour is known exactly: its attention and SwiGLU weights are zero and H_init/L_init
 * too, so every position keeps the direction of its own input embedding through the recursion. Token t embeds as
 * one channel, and the LM head maps it back swapping colours 1 and 2 (tokens 3 and 4): the model swaps 1 and 2 in
 * whatever frame it sees. Position 0 is the puzzle row, (c, √(1−c²), 0, …), and q_halt reads channel 0 there:
 * σ(q_halt) = σ(4c) (4 = √hidden), so each row has its own confidence. Beside it, its dataset's identifiers.json
 * and test_puzzles.json. Used by the CLI's `eval --identifiers` test, the worker's and the page's.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runPython } from './python';

const D = 16;
const V = 12;

// The rows and tasks of test/io/reference-identifiers.test.ts, where the votes are worked out by hand.
export const IDS = ['<blank>', 't1', 't3', 't1|||t1|||0123456789', 't1|||t0|||0345126789', 't3|||t2|||0213456789', 't1|||t5|||0345126789', 'other'];
/** σ(q_halt) of each row. */
export const CONFIDENCE = [0.5, 0.2, 0.6, 0.3, 0.9, 0.6, 0.8, 0.1];
export const TEST_PUZZLES = {
  t1: { train: [{ input: [[1]], output: [[2]] }], test: [{ input: [[1, 2], [3, 0]], output: [[2, 1], [3, 0]] }] },
  t2: { train: [{ input: [[1]], output: [[2]] }], test: [{ input: [[2, 2, 1]], output: [[1, 1, 2]] }] },
  t3: { train: [{ input: [[1]], output: [[2]] }], test: [{ input: [[1], [3]], output: [[2], [3]] }, { input: [[3, 1]], output: [[3, 1]] }] },
};

export const YAML = `arch:
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

export interface ArcReferenceFiles {
  /** run/step_10 and run/all_config.yaml. */
  checkpoint: string;
  config: string;
  /** data/identifiers.json and data/test_puzzles.json. */
  identifiers: string;
  testPuzzles: string;
}

function tensor(shape: number[], fill: (i: number, j: number) => number = () => 0) {
  const [rows, cols] = shape.length === 2 ? shape : [1, shape[0]];
  return { shape, data: Array.from({ length: rows * cols }, (_, k) => fill(Math.floor(k / cols), k % cols)) };
}

/** Write the checkpoint (through Python's torch.save) and its dataset's files under `dir` (which must exist). */
export function writeArcReferenceCheckpoint(dir: string): ArcReferenceFiles {
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
  const run = join(dir, 'run'), data = join(dir, 'data');
  mkdirSync(run, { recursive: true });
  mkdirSync(data, { recursive: true });
  const files = { checkpoint: join(run, 'step_10'), config: join(run, 'all_config.yaml'), identifiers: join(data, 'identifiers.json'), testPuzzles: join(data, 'test_puzzles.json') };
  runPython(['test/python/torch_save.py'], JSON.stringify({ out: files.checkpoint, dtype: 'float32', tensors }));
  writeFileSync(files.config, YAML);
  writeFileSync(files.identifiers, JSON.stringify(IDS));
  writeFileSync(files.testPuzzles, JSON.stringify(TEST_PUZZLES));
  return files;
}
