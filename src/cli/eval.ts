// npm run eval -- --checkpoint CKPT [--data FILE|DIR|test] [--n N] [--backend gpu|cpu]
import { readFileSync, statSync } from 'node:fs';
import { mazeDatasetInfo, mazeExample, parseMazeText, solveMaze } from '../data/maze';
import { createSource } from '../data/sources';
import type { DataSource } from '../data/source';
import { parseSudokuText } from '../data/sudoku-text';
import { sudokuDatasetInfo, sudokuExample, solveSudoku } from '../data/sudoku';
import { arcSource } from '../data/arc-source';
import { parseCheckpoint, restoreCheckpoint } from '../io/checkpoint';
import { evaluateSource } from '../trm/evaluate';
import { Trainer } from '../trm/trainer';
import { applyOverrides, parseArgs } from './args';
import { createNodeEngine, loadArcTasksFromDisk } from './node-env';

const HELP = `usage: npm run eval -- --checkpoint CKPT [--data SPEC] [--n N] [--backend gpu|cpu]
  --data test        the held-out split the checkpoint's config generates (default)
  --data FILE.txt    Sudoku puzzles, one per line (. or 0 blank, optional ,solution; solved when absent)
  --data FILE.maze   one maze in the "# SGo" charset
  --data DIR|FILE    ARC: a folder of task JSON (or training/ + evaluation/), or Kaggle combined files
  --n N              evaluate the first N examples (ARC: about N examples' worth of whole tasks)
  --data.FIELD V     change how the test split is generated, e.g. --data.testPuzzles 1000`;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.length === 0) {
    console.log(HELP);
    return;
  }
  const { flags, overrides } = parseArgs(argv, ['checkpoint', 'data', 'n', 'backend']);
  const path = flags.get('checkpoint');
  if (!path) throw new Error('--checkpoint is required');
  const ck = parseCheckpoint(new Uint8Array(readFileSync(path)), path);
  if (overrides.some(([k]) => !k.startsWith('data.'))) throw new Error('eval takes overrides of data fields only (e.g. --data.testPuzzles 1000); the model is the checkpoint\'s');
  const cfg = applyOverrides(ck.meta.config, overrides);
  const spec = flags.get('data') ?? 'test';
  let source: DataSource;
  if (spec === 'test') {
    if (cfg.data.kind === 'arc') throw new Error('this checkpoint trained on ARC files: pass them with --data DIR');
    source = createSource(cfg.data, cfg.seed);
  } else if (cfg.data.kind === 'sudoku' && spec.endsWith('.txt')) {
    const size = cfg.data.size;
    const entries = parseSudokuText(readFileSync(spec, 'utf8'), { size, name: spec });
    const puzzles = entries.map((en) => {
      const solution = en.solution ?? solveSudoku(en.puzzle);
      if (!solution) throw new Error(`${spec}: line ${en.line}: the puzzle has no solution`);
      return { puzzle: en.puzzle, solution };
    });
    const info = sudokuDatasetInfo(size);
    const ex = puzzles.map(sudokuExample);
    source = { info, trainBatch: () => { throw new Error('eval only'); }, evalExamples: () => ex };
  } else if (cfg.data.kind === 'maze' && !statSync(spec).isDirectory()) {
    const input = parseMazeText(readFileSync(spec, 'utf8'), spec);
    const sol = solveMaze(input);
    if (!sol) throw new Error(`${spec}: the goal cannot be reached from the start`);
    const ex = [mazeExample({ input, label: sol.label, pathLength: sol.pathLength })];
    source = { info: mazeDatasetInfo(input.h), trainBatch: () => { throw new Error('eval only'); }, evalExamples: () => ex };
  } else if (cfg.data.kind === 'arc' || cfg.data.kind === 'arc-procedural') {
    const split = loadArcTasksFromDisk(spec, cfg.seed);
    source = arcSource(split.train, split.eval, { name: spec, canvas: cfg.data.canvas, augmentations: cfg.data.augmentations, translate: false, seed: cfg.seed });
  } else throw new Error(`--data ${spec}: not a dataset this ${cfg.data.kind} checkpoint can read (see --help)`);
  const info = ck.meta.data;
  if (source.info.seqLen !== info.seqLen || source.info.vocabSize !== info.vocabSize) {
    throw new Error(`--data ${spec}: sequences of ${source.info.seqLen} tokens over ${source.info.vocabSize} symbols, the checkpoint expects ${info.seqLen} over ${info.vocabSize}`);
  }
  const { engine, description } = await createNodeEngine(flags.get('backend') ?? 'gpu');
  const trainer = new Trainer(engine, cfg, { ...source, info });
  restoreCheckpoint(trainer, ck, path);
  const n = flags.has('n') ? Number(flags.get('n')) : undefined;
  const t0 = performance.now();
  const r = await evaluateSource(trainer, source, n);
  console.error(`[trm] evaluated on ${description} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  console.log(`examples            ${r.examples}`);
  console.log(`exact accuracy      ${(100 * r.exactAccuracy).toFixed(2)}%`);
  console.log(`token accuracy      ${(100 * r.tokenAccuracy).toFixed(2)}%`);
  console.log(`exact by step       ${r.exactByStep.map((v) => (100 * v).toFixed(1)).join(' ')}`);
  console.log(`mean halting step   ${r.meanHaltStep.toFixed(2)} of ${cfg.model.nSup}`);
  if (r.passAtK) console.log(`pass@1 / pass@2     ${(100 * r.passAtK[1]).toFixed(2)}% / ${(100 * r.passAtK[2]).toFixed(2)}% over ${r.tasks} tasks`);
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(`[trm] error: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
