// npm run export-data -- --preset NAME | --config run/config.json [--arc-dir PATH] [--sudoku-text FILE] [--num-aug N] [--section.field value …] --out DIR
import { closeSync, fsyncSync, mkdirSync, mkdtempSync, openSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseSudokuText, sudokuAnswer } from '../data/sudoku-text';
import { npyHeader, npyStreamHeaderLength } from '../io/npy';
import { holdOutSudokus, writeReferenceDataset, type DatasetSink, type ExportInputs, type ExportProgress, type PuzzleDatasetMetadata, type RowWriter } from '../io/reference-dataset';
import { referenceOverrides, type ReferenceValue } from '../io/reference-config';
import { InputError, quote, userMessage } from '../io/user-error';
import { MAX_AUGMENTATIONS, MAX_STEPS, swigluWidth, type TrainConfig } from '../trm/config';
import { parseTrainConfig } from '../trm/config-parse';
import { getPreset, PRESET_NAMES } from '../trm/presets';
import { applyOverrides, intFlag, parseArgs } from './args';
import { loadArcTasksFromDisk, readTextFile } from './node-env';

const HELP = `usage: npm run export-data -- (--preset NAME | --config FILE) --out DIR [options] [--section.field value …]
Writes the data a TRM Lab config trains on as a dataset folder of the reference TinyRecursiveModels code
(train/ and test/ with all__*.npy and dataset.json, identifiers.json), and the torchrun line that trains on it.
  --preset NAME       ${PRESET_NAMES.join(', ')}
  --config FILE       a run's config.json (written by npm run train)
  --out DIR           the dataset folder: a new or empty folder
  --arc-dir PATH      ARC tasks for "arc" configs (a folder with training/ and evaluation/, task files, or Kaggle files)
  --sudoku-text FILE  your own Sudokus (one per line, optional ,solution) in place of generated ones; 20% held out
  --num-aug N         shuffled copies of each training Sudoku (default 1000 when data.augment, as the reference's
                      Sudoku-Extreme build; else 0)
  --steps N, --seed S as for npm run train
  config fields, e.g. --data.trainPuzzles 2000 --data.augmentations 100 --model.hidden 128`;

/** The reference's default Sudoku augmentation count (README: build_sudoku_dataset.py --num-aug 1000). */
const REFERENCE_SUDOKU_AUG = 1000;
/** What the reference hard-codes where TRM Lab has a knob. */
const REFERENCE_SWIGLU_MULTIPLE = 256;
const REFERENCE_HALT_LOSS_WEIGHT = 0.5;

function loadConfig(flags: ReadonlyMap<string, string>, overrides: [string, string][]): TrainConfig {
  const preset = flags.get('preset');
  const file = flags.get('config');
  if ((preset === undefined) === (file === undefined)) throw new InputError('give one of --preset NAME or --config FILE');
  let base: TrainConfig;
  if (file !== undefined) {
    let json: unknown;
    try {
      json = JSON.parse(readTextFile(file));
    } catch (err) {
      if (err instanceof SyntaxError) throw new InputError(`${file}: not JSON (${err.message})`);
      throw err;
    }
    base = parseTrainConfig(json, file);
  } else base = getPreset(preset!);
  const set = applyOverrides(base, overrides);
  const steps = intFlag(flags, 'steps', { min: 1, max: MAX_STEPS });
  const seed = intFlag(flags, 'seed', { min: 0, max: 0xffffffff });
  if (steps !== undefined) set.steps = steps;
  if (seed !== undefined) set.seed = seed;
  return parseTrainConfig(set, 'config');
}

/** What the config's data needs besides itself, read and checked before anything is written. */
function loadInputs(cfg: TrainConfig, flags: ReadonlyMap<string, string>): ExportInputs {
  const d = cfg.data;
  const arcDir = flags.get('arc-dir');
  const sudokuText = flags.get('sudoku-text');
  const numAug = intFlag(flags, 'num-aug', { min: 0, max: MAX_AUGMENTATIONS });
  if (d.kind === 'arc' && arcDir === undefined) throw new InputError(`data "${d.source}" needs --arc-dir (this CLI reads local files)`);
  if (d.kind !== 'arc' && arcDir !== undefined) throw new InputError(`--arc-dir is for ARC configs; this one's data is ${d.kind} (set --data.kind arc for your own tasks)`);
  if (d.kind !== 'sudoku' && sudokuText !== undefined) throw new InputError(`--sudoku-text is for Sudoku configs; this one's data is ${d.kind}`);
  if (d.kind !== 'sudoku' && numAug !== undefined) throw new InputError('--num-aug is for Sudoku; ARC takes --data.augmentations N, mazes --data.augment true');
  const inputs: ExportInputs = { sudokuAugmentations: numAug ?? (d.kind === 'sudoku' && d.augment ? REFERENCE_SUDOKU_AUG : 0) };
  if (arcDir !== undefined) inputs.arcTasks = loadArcTasksFromDisk(arcDir, cfg.seed);
  if (sudokuText !== undefined && d.kind === 'sudoku') {
    const entries = parseSudokuText(readTextFile(sudokuText), { size: d.size, name: sudokuText, sizeOf: 'the config (data.size)' });
    if (entries.length < 2) throw new InputError(`${sudokuText}: ${entries.length} puzzle; a training and a test split need at least 2`);
    inputs.sudokus = holdOutSudokus(entries.map((e) => ({ puzzle: e.puzzle, solution: sudokuAnswer(e, sudokuText) })), cfg.seed);
  }
  return inputs;
}

/** `out` may take the dataset: it does not exist, or is an empty folder. */
function checkOut(out: string): void {
  const st = statSync(out, { throwIfNoEntry: false });
  if (!st) return;
  if (!st.isDirectory()) throw new InputError(`--out ${quote(out, 120)}: is a file, not a folder`);
  if (readdirSync(out).length > 0) throw new InputError(`--out ${quote(out, 120)}: the folder is not empty; choose a new or empty folder`);
}

/** Buffered bytes per streamed array before a write. */
const CHUNK = 1 << 20;

/** Writes into a folder; streamed arrays reserve room for their header and fill it in once their length is known. */
class FolderSink implements DatasetSink {
  readonly open = new Set<number>();
  bytes = 0;

  constructor(private readonly root: string) {}

  private path(rel: string): string {
    const p = join(this.root, rel);
    mkdirSync(dirname(p), { recursive: true });
    return p;
  }

  rows(rel: string, rowLength: number): RowWriter {
    const fd = openSync(this.path(rel), 'w');
    this.open.add(fd);
    const headerLength = npyStreamHeaderLength('uint8', [rowLength]);
    writeSync(fd, new Uint8Array(headerLength));
    const buf = new Uint8Array(Math.max(CHUNK, rowLength));
    let used = 0;
    let rows = 0;
    const flush = () => {
      writeSync(fd, buf, 0, used);
      used = 0;
    };
    return {
      append: (row) => {
        if (row.length !== rowLength) throw new Error(`${rel}: a row of ${row.length}, expected ${rowLength}`);
        if (used + rowLength > buf.length) flush();
        buf.set(row, used);
        used += rowLength;
        rows++;
      },
      end: (n) => {
        if (n !== rows) throw new Error(`${rel}: ${rows} rows written, ${n} announced`);
        flush();
        const header = npyHeader('uint8', [n, rowLength], headerLength);
        if (header.length !== headerLength) throw new Error(`${rel}: the header outgrew its reserved ${headerLength} bytes`);
        writeSync(fd, header, 0, header.length, 0);
        fsyncSync(fd);
        closeSync(fd);
        this.open.delete(fd);
        this.bytes += headerLength + n * rowLength;
      },
    };
  }

  file(rel: string, content: Uint8Array | string): void {
    writeFileSync(this.path(rel), content);
    this.bytes += typeof content === 'string' ? Buffer.byteLength(content) : content.length;
  }
}

/** An argument as the shell reads it back unchanged. */
function shellWord(s: string): string {
  if (/^[\w@%+=:,./-]+$/.test(s)) return s;
  if (!/[$`"\\!]/.test(s)) return `"${s}"`;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * A string as a single-quoted hydra value, whatever characters a path holds: a quote is written \' and a run of
 * backslashes before a quote (or the closing one) doubled; other backslashes stay as they are (hydra's grammar).
 */
function hydraString(s: string): string {
  return `'${s.replace(/(\\*)('|$)/g, (_, bs: string, q: string) => bs + bs + (q ? "\\'" : ''))}'`;
}

/** A value as a hydra override writes it: Python's True and False, an empty list as []. */
function hydraValue(v: ReferenceValue): string {
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (Array.isArray(v)) {
    if (v.length > 0) throw new Error(`no hydra override for a list of ${v.length}`);
    return '[]';
  }
  return String(v);
}

interface PretrainPlan {
  /** hydra overrides after `pretrain.py`, data_paths excluded. */
  overrides: string[];
  epochs: number;
  evalInterval?: number;
  /** Optimizer steps the reference will take: int(epochs · total_groups · mean_puzzle_examples / global_batch_size). */
  steps: number;
  notes: string[];
}

/**
 * The config's hyper-parameters as the reference's hydra overrides (config/cfg_pretrain.yaml, config/arch/trm.yaml),
 * mapped by io/reference-config as all_config.yaml is.
 * The reference counts epochs (each group visited once, one random member each), not steps: the run's steps ×
 * batch become epochs of the exported training split, and the run's evaluations as many equal intervals
 * (pretrain.py asserts that eval_interval divides epochs).
 */
function pretrainPlan(cfg: TrainConfig, train: PuzzleDatasetMetadata): PretrainPlan {
  const m = cfg.model;
  const o = cfg.optim;
  const B = o.batchSize;
  const perEpoch = train.total_groups * train.mean_puzzle_examples;
  const wanted = Math.max(1, Math.ceil((cfg.steps * B) / perEpoch));
  // As many evaluations as the run makes; a run that evaluates only at its end needs no interval.
  const evals = cfg.evalEvery > 0 ? Math.round(cfg.steps / cfg.evalEvery) : 0;
  const evalInterval = evals > 1 ? Math.max(1, Math.round(wanted / evals)) : undefined;
  const epochs = evalInterval ? evalInterval * evals : wanted;
  const steps = Math.floor((epochs * perEpoch) / B);
  const overrides = referenceOverrides(cfg, { epochs, evalInterval }).map(({ name, value, add }) => `${add ? '++' : ''}${name}=${hydraValue(value)}`);
  const notes = [
    `${cfg.steps} steps × batch ${B} ≈ ${epochs} epochs of ${train.total_groups} groups × ${+train.mean_puzzle_examples.toFixed(3)} example${train.mean_puzzle_examples === 1 ? '' : 's'}: the reference takes ${steps} optimizer steps`,
  ];
  if (m.swigluMultiple !== REFERENCE_SWIGLU_MULTIPLE) {
    notes.push(`the reference rounds SwiGLU widths up to a multiple of ${REFERENCE_SWIGLU_MULTIPLE}: its MLP has ${swigluWidth(m.hidden, m.expansion, REFERENCE_SWIGLU_MULTIPLE)} hidden units where this config (multiple ${m.swigluMultiple}) has ${swigluWidth(m.hidden, m.expansion, m.swigluMultiple)}`);
  }
  if (o.optimizer !== 'adam-atan2') notes.push(`the reference has only AdamATan2; this config uses ${o.optimizer}`);
  if (o.haltLossWeight !== REFERENCE_HALT_LOSS_WEIGHT) notes.push(`the reference weighs the halting loss ${REFERENCE_HALT_LOSS_WEIGHT}; this config ${o.haltLossWeight}`);
  notes.push('the reference computes in bfloat16; add arch.forward_dtype=float32 for TRM Lab\'s float32');
  return { overrides, epochs, evalInterval, steps, notes };
}

function torchrunLine(dataPaths: string, overrides: readonly string[]): string {
  return ['torchrun --nproc-per-node 1 pretrain.py arch=trm', dataPaths, ...overrides.map(shellWord)].join(' ');
}

/** The script beside the data: trains on the folder it lies in, wherever that folder is moved. */
function torchrunScript(overrides: readonly string[], notes: readonly string[]): string {
  return [
    '#!/usr/bin/env bash',
    '# Written by TRM Lab (npm run export-data): trains the reference TinyRecursiveModels',
    '# (github.com/SamsungSAILMontreal/TinyRecursiveModels) on the dataset in this folder. Run it from the root of a',
    '# checkout of that repository; more hydra overrides may follow, e.g. bash torchrun.sh +run_name=mine',
    ...notes.map((n) => `# - ${n}`),
    'set -euo pipefail',
    'DATA="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"',
    `case "$DATA" in *\\'* | *\\\\) echo "torchrun.sh: hydra cannot read the path $DATA (a quote, or a backslash at its end); move this folder" >&2; exit 1 ;; esac`,
    `${torchrunLine(`"data_paths=['$DATA']"`, overrides)} "$@"`,
    '',
  ].join('\n');
}

/** On a terminal, one line rewritten at most twice a second: large exports take minutes. */
function progressLine(): ExportProgress | undefined {
  if (!process.stderr.isTTY) return undefined;
  let shown = 0;
  return (done, total) => {
    const now = Date.now();
    if (done < total && now - shown < 500) return;
    shown = now;
    process.stderr.write(`\r[trm] writing: ${done} of ${total} groups (${Math.floor((100 * done) / total)}%)\x1b[K${done === total ? '\n' : ''}`);
  };
}

const fmtBytes = (n: number) => (n >= 1e9 ? `${(n / 1e9).toFixed(2)} GB` : n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${(n / 1e3).toFixed(1)} kB`);

function main(): void {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.length === 0) {
    console.log(HELP);
    return;
  }
  const { flags, overrides } = parseArgs(argv, ['preset', 'config', 'out', 'arc-dir', 'sudoku-text', 'num-aug', 'steps', 'seed']);
  const out = flags.get('out');
  if (out === undefined) throw new InputError('--out DIR is required (a new or empty folder for the dataset)');
  const cfg = loadConfig(flags, overrides);
  checkOut(out);
  const inputs = loadInputs(cfg, flags);

  // Built beside DIR and moved into place in one step: DIR never holds half a dataset.
  const parent = dirname(resolve(out));
  mkdirSync(parent, { recursive: true });
  const tmp = mkdtempSync(join(parent, `${basename(resolve(out))}.tmp-`));
  const sink = new FolderSink(tmp);
  try {
    const summary = writeReferenceDataset(cfg, inputs, sink, progressLine());
    const plan = pretrainPlan(cfg, summary.train.metadata);
    const notes = [...summary.notes, ...plan.notes];
    writeFileSync(join(tmp, 'torchrun.sh'), torchrunScript(plan.overrides, notes), { mode: 0o755 });
    checkOut(out); // again: something may have appeared there meanwhile
    try {
      renameSync(tmp, out);
    } catch (err) {
      throw new InputError(`--out ${quote(out, 120)}: could not move the dataset into place (${userMessage(err)})`);
    }
    const abs = resolve(out);
    for (const split of ['train', 'test'] as const) {
      const s = summary[split];
      console.error(`[trm] ${split}: ${s.examples} examples in ${s.metadata.total_puzzles} puzzles, ${s.metadata.total_groups} groups`);
    }
    console.error(`[trm] ${abs}: ${fmtBytes(sink.bytes)}, seq_len ${summary.train.metadata.seq_len}, vocab ${summary.train.metadata.vocab_size}, ${summary.train.metadata.num_puzzle_identifiers} puzzle ids`);
    for (const n of notes) console.error(`[trm] note: ${n}`);
    console.error(`[trm] run from a TinyRecursiveModels checkout (also in ${join(abs, 'torchrun.sh')}):`);
    console.log(torchrunLine(shellWord(`data_paths=[${hydraString(abs)}]`), plan.overrides));
  } finally {
    for (const fd of sink.open) closeSync(fd);
    rmSync(tmp, { recursive: true, force: true });
  }
}

try {
  main();
} catch (err) {
  console.error(`[trm] error: ${userMessage(err)}`);
  process.exit(1);
}
