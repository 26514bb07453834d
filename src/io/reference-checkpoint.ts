/**
 * A checkpoint in the reference's layout (torch.save of pretrain.py, or safetensors of the same state_dict) as a
 * TRM Lab Checkpoint, and back. Importing strips the wrappers' prefixes (`_orig_mod.` from torch.compile, `model.`
 * from the loss head), takes the config from all_config.yaml when given and infers the rest from the shapes (each
 * inference said in `notes`), removes SwiGLU units that are zero in both directions (the reference pads widths to
 * 256), then checks everything parseCheckpoint checks. Exporting writes the reference's names with the
 * `_orig_mod.model.` prefix pretrain.py saves and SwiGLU widths zero-padded to a multiple of 256.
 */
import { MAZE_VOCAB_SIZE, mazeDatasetInfo } from '../data/maze';
import { sudokuDatasetInfo, sudokuVocabSize } from '../data/sudoku';
import { ARC_VOCAB_SIZE } from '../data/arc-encoding';
import type { DatasetInfo } from '../data/dataset';
import { prefixLength, swigluWidth, type DataConfig, type TrainConfig } from '../trm/config';
import { modelDims, NAMES } from '../trm/params';
import { getPreset } from '../trm/presets';
import { nonFiniteTensors, type Checkpoint, type ParseOptions } from './checkpoint';
import { checkpointLayout, layoutMismatch, listed } from './checkpoint-layout';
import { CHECKPOINT_FORMAT, parseCheckpointMeta } from './checkpoint-meta';
import type { ReferenceConfig } from './reference-config';
import { fmtShape, tensorName, type SafeTensor } from './safetensors';
import type { LazyTensor } from './torch-checkpoint';
import { BLANK_ROW, LazyPuzzleTable, staysInFile, type HeldPuzzleRows } from './lazy-puzzle-table';
import { InputError } from './user-error';

/** The prefix pretrain.py's state_dict keys carry: torch.compile's wrapper around the loss head around the model. */
export const SAVED_PREFIX = '_orig_mod.model.';
/** The reference rounds every SwiGLU width up to a multiple of this. */
export const REFERENCE_SWIGLU_MULTIPLE = 256;
/** SwiGLU multiples tried, smallest first, when un-padding a checkpoint without TRM Lab's own config. */
const MULTIPLES = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

export interface ImportedCheckpoint {
  checkpoint: Checkpoint;
  /** What was inferred or assumed, one line each, to show the user. */
  notes: string[];
  /** Set when the puzzle embedding was left in the file but for the blank row (see ImportOptions.lazyTableBytes). */
  puzzleRows: HeldPuzzleRows | null;
}

export interface ImportOptions extends ParseOptions {
  /**
   * A puzzle embedding larger than this (bytes as float32) is read only for its blank row, re-indexed as the
   * model's only puzzle id; the rest stays in the file (default: read whole, as training needs it).
   */
  lazyTableBytes?: number;
}

/** `_orig_mod.model.inner.x` → `inner.x`; a bare `x` (the inner model saved alone) → `inner.x`. */
function referenceName(key: string): string {
  let n = key;
  if (n.startsWith('_orig_mod.')) n = n.slice('_orig_mod.'.length);
  if (n.startsWith('model.')) n = n.slice('model.'.length);
  return n.startsWith('inner.') ? n : `inner.${n}`;
}

/** The data config a model of this sequence length and vocabulary was trained on, as far as the shapes tell. */
function tryInferData(seqLen: number, vocab: number, paths: string[], notes: string[]): DataConfig | null {
  const side = Math.round(Math.sqrt(seqLen));
  const path = paths.join(' ').toLowerCase();
  if (side * side === seqLen && side >= 2) {
    if (vocab === ARC_VOCAB_SIZE) {
      const source = /arc2|agi-?2/.test(path) ? 'arc-agi-2' : 'arc-agi-1';
      const aug = /aug-(\d+)/.exec(path);
      notes.push(`data: ARC (${source}) on a ${side}×${side} canvas${paths.length ? ` from data_paths` : ' (vocabulary 12)'}`);
      return { kind: 'arc', source, canvas: side, augmentations: Math.min(aug ? Number(aug[1]) : 1000, 10_000), translate: true };
    }
    const isSudoku = ([4, 6, 9] as const).find((s) => s === side && sudokuVocabSize(s) === vocab);
    if (isSudoku && !path.includes('maze')) {
      notes.push(`data: ${side}×${side} Sudoku (${seqLen} cells, vocabulary ${vocab})`);
      return { kind: 'sudoku', size: isSudoku, difficulty: 1, trainPuzzles: 1000, testPuzzles: 1000, augment: true };
    }
    if (vocab === MAZE_VOCAB_SIZE) {
      notes.push(`data: ${side}×${side} mazes (vocabulary ${vocab})`);
      return { kind: 'maze', size: side, minPathLength: Math.min(111, side * side - 1), trainMazes: 1000, testMazes: 1000, augment: false };
    }
  }
  return null;
}

function dataInfo(d: DataConfig, numPuzzleIds: number): DatasetInfo {
  switch (d.kind) {
    case 'sudoku': return sudokuDatasetInfo(d.size);
    case 'maze': return mazeDatasetInfo(d.size);
    default: return { name: d.kind === 'arc' ? d.source : 'arc-procedural', seqLen: d.canvas * d.canvas, vocabSize: ARC_VOCAB_SIZE, numPuzzleIds };
  }
}

/** Index past the last SwiGLU unit that is non-zero in gate, up or down, over every layer. */
function usedUnits(gateUp: Float32Array[], down: Float32Array[], width: number, inDim: number, outDim: number): number {
  let used = 0;
  for (let l = 0; l < gateUp.length; l++) {
    for (let j = width - 1; j >= used; j--) {
      let nz = false;
      for (let k = 0; k < inDim && !nz; k++) nz = gateUp[l][j * inDim + k] !== 0 || gateUp[l][(width + j) * inDim + k] !== 0;
      for (let k = 0; k < outDim && !nz; k++) nz = down[l][k * width + j] !== 0;
      if (nz) {
        used = j + 1;
        break;
      }
    }
  }
  return used;
}

/** Keep the first `keep` units of a [2·width, inDim] gate-up and a [outDim, width] down projection. */
function cutGateUp(t: Float32Array, width: number, keep: number, inDim: number): Float32Array {
  const out = new Float32Array(2 * keep * inDim);
  out.set(t.subarray(0, keep * inDim));
  out.set(t.subarray(width * inDim, (width + keep) * inDim), keep * inDim);
  return out;
}
function cutDown(t: Float32Array, width: number, keep: number, outDim: number): Float32Array {
  const out = new Float32Array(outDim * keep);
  for (let r = 0; r < outDim; r++) out.set(t.subarray(r * width, r * width + keep), r * keep);
  return out;
}

function setPath(cfg: TrainConfig, path: string, v: number | string): void {
  const [section, field] = path.split('.');
  if (field === undefined) (cfg as unknown as Record<string, unknown>)[section] = v;
  else (cfg as unknown as Record<string, Record<string, unknown>>)[section][field] = v;
}

/**
 * The config of a reference state_dict without TRM Lab's own record: all_config.yaml's fields where given, the
 * shapes for what they fix (hidden, layers, variant, vocabulary, puzzle embedding, the MLP variant's sequence),
 * the reference's defaults for the rest, each assumption pushed to `notes`.
 */
function inferConfig(src: Map<string, LazyTensor>, ref: ReferenceConfig | null, step: number, notes: string[], fileName: string): { cfg: TrainConfig; data: DatasetInfo } {
  const shape = (name: string) => src.get(name)?.shape;
  const layer0 = (what: string) => shape(NAMES.layer(0, what));
  const [vocab, hidden] = shape(NAMES.embed)!;
  const pe = shape(NAMES.puzzleEmb);
  const rows = pe?.length === 2 ? pe[0] : 0;
  const cfg = getPreset('paper-arc-agi-1-att');
  cfg.model.n = 6; // config/arch/trm.yaml's L_cycles
  const assumed: string[] = [];
  const given = ref?.fields ?? new Map<string, number | string>();
  for (const [path, v] of given) setPath(cfg, path, v);
  const m = cfg.model;
  m.hidden = hidden;
  m.variant = layer0('mlp_t.down_proj.weight') ? 'mlp' : 'attention';
  // A learned position table is in the weights; RoPE only means something to attention.
  const posTable = shape(NAMES.embedPos);
  if (posTable) m.posEncoding = 'learned';
  else if (m.variant === 'mlp' || m.posEncoding === 'learned') m.posEncoding = 'none';
  if (ref?.actContinue) m.actContinue = true;
  let layers = 0;
  while (src.has(NAMES.layer(layers, 'mlp.down_proj.weight'))) layers++;
  m.layers = layers;
  m.puzzleEmbDim = pe?.length === 2 ? pe[1] : 0;
  if (!given.has('model.heads') && m.variant === 'attention') {
    m.heads = Math.max(1, Math.round(hidden / 64));
    assumed.push(`heads ${m.heads} (head dim 64, as the reference)`);
  }
  for (const [path, what] of [['model.T', 'T (H_cycles)'], ['model.n', 'n (L_cycles)'], ['model.nSup', 'N_sup (halt_max_steps)'], ['model.expansion', 'expansion']] as const)
    if (!given.has(path)) assumed.push(`${what} ${cfg.model[path.slice(6) as 'T' | 'n' | 'nSup' | 'expansion']}`);
  // The sequence: the MLP token mixer's width or the position table's rows say S = prefix + seqLen (the prefix
  // length, TRM's 16 or HRM's ceil(puzzle_emb_ndim / D), that leaves a dataset's sequence is taken); otherwise the
  // vocabulary says which dataset, hence its length.
  const S = layer0('mlp_t.down_proj.weight')?.[0] ?? posTable?.[0];
  const dataNotes: string[] = [];
  let seqLen: number;
  let dataCfg: DataConfig | null = null;
  if (S !== undefined) {
    const lens = given.has('model.puzzleEmbLen') ? [m.puzzleEmbLen] : [16, Math.ceil(m.puzzleEmbDim / hidden)];
    m.puzzleEmbLen = lens[0];
    for (const p of lens) {
      const rest = S - prefixLength({ ...m, puzzleEmbLen: p });
      dataCfg = rest >= 4 ? tryInferData(rest, vocab, ref?.dataPaths ?? [], dataNotes) : null;
      if (dataCfg) {
        m.puzzleEmbLen = p;
        break;
      }
    }
    if (!given.has('model.puzzleEmbLen')) assumed.push(`puzzleEmbLen ${m.puzzleEmbLen} (the ${posTable ? 'position table' : 'token mixer'}'s ${S} positions less a dataset's sequence)`);
    seqLen = S - prefixLength(m);
  } else {
    if (!given.has('model.puzzleEmbLen')) assumed.push(`puzzleEmbLen ${m.puzzleEmbLen}`);
    // data_paths such as data/maze-30x30-hard-1k name the grid; else the reference datasets' sizes by vocabulary.
    const named = /(\d{1,2})x\1(?!\d)/.exec(ref?.dataPaths.join(' ') ?? '');
    const side = named ? Number(named[1]) : vocab === ARC_VOCAB_SIZE || vocab === MAZE_VOCAB_SIZE ? 30 : ([4, 6, 9].find((s) => s + 2 === vocab) ?? 30);
    seqLen = side * side;
    dataNotes.push(`sequence: ${seqLen} tokens (from ${named ? 'data_paths' : `the vocabulary of ${vocab}`}; the attention weights do not fix it)`);
  }
  dataCfg ??= tryInferData(seqLen, vocab, ref?.dataPaths ?? [], dataNotes);
  if (!dataCfg) throw new InputError(`${fileName}: a sequence of ${seqLen} tokens over ${vocab} symbols matches no dataset TRM Lab has (Sudoku s×s: s² tokens, s + 2 symbols; mazes: 6 symbols; ARC: 12 symbols, a square canvas)`);
  notes.push(...dataNotes);
  cfg.data = dataCfg;
  const data = dataInfo(dataCfg, Math.max(rows, 1));
  cfg.steps = Math.max(1, step);
  if (m.actContinue) notes.push('no_ACT_continue: false: q_continue is trained on its bootstrapped target and halting compares q_halt with it');
  notes.push(ref ? 'config: all_config.yaml' : 'config: no all_config.yaml beside the checkpoint, so inferred from the shapes');
  if (assumed.length) notes.push(`assumed (not in the weights${ref ? ' or all_config.yaml' : ''}): ${assumed.join(', ')}`);
  notes.push(`model: ${m.variant === 'mlp' ? 'TRM-MLP' : 'TRM-Att'}, hidden ${hidden}, ${layers} layers, vocabulary ${vocab}, ${seqLen} tokens + ${prefixLength(m)} prefix, ${m.posEncoding === 'none' ? 'no' : m.posEncoding} positions, puzzle embedding ${rows}×${m.puzzleEmbDim}`);
  return { cfg, data };
}

/**
 * The TRM Lab checkpoint a reference state_dict holds. `ref` is its all_config.yaml when there is one; `step` the N
 * of its step_N name. Throws InputError naming the file and every tensor that is missing, unknown or mis-shaped.
 */
export async function importReference(file: Map<string, LazyTensor>, ref: ReferenceConfig | null, fileName: string, step: number, opts: ImportOptions = {}): Promise<ImportedCheckpoint> {
  const notes: string[] = [];
  const src = new Map<string, LazyTensor>();
  let stripped = 0;
  for (const [key, t] of file) {
    const name = referenceName(key);
    if (src.has(name)) throw new InputError(`${fileName}: two tensors both read as ${tensorName(name)} once their prefixes are stripped`);
    if (name !== key) stripped++;
    src.set(name, t);
  }
  const prefixes = new Set([...file.keys()].map((k) => k.slice(0, Math.max(0, k.indexOf('inner.')))).filter(Boolean));
  if (stripped) notes.push(`names: ${[...prefixes].join(', ') || 'inner.'} ${prefixes.size ? 'stripped from' : 'added to'} ${stripped} tensors`);
  const embed = src.get(NAMES.embed)?.shape;
  if (!embed || embed.length !== 2) throw new InputError(`${fileName}: no ${NAMES.embed} of shape [vocab, hidden], so the model cannot be read (tensors: ${listed([...src.keys()].map(tensorName), 6)})`);

  let cfg: TrainConfig;
  let data: DatasetInfo;
  let stepOut = step;
  if (ref?.trmLab !== undefined) {
    // An export of ours: its exact config, checked as a TRM Lab checkpoint's metadata is.
    if (typeof ref.trmLab !== 'object' || ref.trmLab === null || Array.isArray(ref.trmLab)) throw new InputError(`${fileName}: all_config.yaml's trm_lab is not a mapping`);
    const meta = parseCheckpointMeta({ trm_lab: JSON.stringify({ format: CHECKPOINT_FORMAT, adamStep: 0, ...(ref.trmLab as object) }) }, `${fileName} (all_config.yaml trm_lab)`);
    cfg = meta.config;
    data = meta.data;
    stepOut = meta.step;
    notes.push('config: the TRM Lab config recorded in all_config.yaml');
  } else ({ cfg, data } = inferConfig(src, ref, step, notes, fileName));

  // A large puzzle embedding stays in the file but for the blank row, which becomes the model's puzzle id 0.
  const pe = src.get(NAMES.puzzleEmb);
  const table = pe && staysInFile(pe.shape, opts.lazyTableBytes ?? Infinity) ? new LazyPuzzleTable(pe, fileName) : null;
  const tensors = new Map<string, SafeTensor>();
  for (const [name, t] of src) {
    const held = table && t === pe ? { shape: [1, table.dim], data: await table.read([BLANK_ROW]) } : { shape: t.shape, data: await t.read() };
    tensors.set(name, { dtype: 'F32', ...held });
  }
  if (table) {
    data = { ...data, numPuzzleIds: 1 };
    notes.push(`puzzle embedding: row ${BLANK_ROW} (the blank one) of ${table.rows.toLocaleString('en')} read; the rest (${table.rows.toLocaleString('en')} × ${table.dim} floats) stays in the file, so puzzles run with the blank embedding`);
  }
  // The reference keeps H_init and L_init in its forward dtype (bfloat16) even in a float32 checkpoint.
  const converted = new Map<string, number>();
  for (const t of src.values()) if (t.dtype !== 'F32') converted.set(t.dtype, (converted.get(t.dtype) ?? 0) + 1);
  if (converted.size) notes.push(`dtypes: ${[...converted].map(([d, n]) => `${n} ${d} tensor${n > 1 ? 's' : ''}`).join(', ')} of ${src.size} converted to float32`);
  unpad(tensors, cfg, data, !ref?.trmLab, notes, fileName);

  // The same checks parseCheckpoint makes, on the config and tensors read here.
  const meta = parseCheckpointMeta({ trm_lab: JSON.stringify({ format: CHECKPOINT_FORMAT, config: cfg, data, step: stepOut, adamStep: 0 }) }, fileName);
  const mismatch = layoutMismatch(tensors, checkpointLayout(meta.config, meta.data));
  if (mismatch) throw new InputError(`${fileName}: ${mismatch} (names with the ${SAVED_PREFIX} prefix stripped)`);
  const bad = nonFiniteTensors(tensors);
  if (bad.length && !opts.allowNonFinite) throw new InputError(`${fileName}: ${bad.length} tensor${bad.length > 1 ? 's hold' : ' holds'} non-finite values: ${listed(bad, 3)}`);
  const warnings = bad.length ? [`${fileName}: loaded non-finite values as asked, outputs from them are not meaningful: ${listed(bad, 3)}`] : [];
  return { checkpoint: { meta, tensors, warnings }, notes, puzzleRows: table && { table, held: [BLANK_ROW] } };
}

/**
 * Remove SwiGLU units beyond the config's width when they are zero in both directions (exact), choosing the config's
 * swigluMultiple (the smallest that keeps every non-zero unit) when `choose`; refuse to drop a non-zero unit.
 */
function unpad(tensors: Map<string, SafeTensor>, cfg: TrainConfig, data: DatasetInfo, choose: boolean, notes: string[], fileName: string): void {
  const m = cfg.model;
  const S = modelDims(m, data).positions;
  const kinds = [{ what: 'mlp', inDim: m.hidden, h: m.hidden }, ...(m.variant === 'mlp' ? [{ what: 'mlp_t', inDim: S, h: S }] : [])];
  const found = kinds.map(({ what, inDim, h }) => {
    const gu: Float32Array[] = [], dn: Float32Array[] = [];
    let width = -1;
    for (let i = 0; i < m.layers; i++) {
      const g = tensors.get(NAMES.layer(i, `${what}.gate_up_proj.weight`)), d = tensors.get(NAMES.layer(i, `${what}.down_proj.weight`));
      // Mis-shaped tensors are left for the layout check to name.
      if (!g || !d || g.shape.length !== 2 || d.shape.length !== 2 || g.shape[1] !== inDim || d.shape[0] !== inDim || g.shape[0] !== 2 * d.shape[1]) return null;
      if (width >= 0 && d.shape[1] !== width) return null;
      width = d.shape[1];
      gu.push(g.data as Float32Array);
      dn.push(d.data as Float32Array);
    }
    return { what, inDim, h, width, gu, dn, used: usedUnits(gu, dn, width, inDim, inDim) };
  });
  if (found.some((f) => f === null || f.width < 0)) return;
  const all = found as NonNullable<(typeof found)[number]>[];
  const fits = (mult: number) => all.every((f) => {
    const w = swigluWidth(f.h, m.expansion, mult);
    return w >= f.used && w <= f.width;
  });
  if (choose) {
    const mult = MULTIPLES.find(fits);
    if (mult === undefined) {
      const f = all[0];
      throw new InputError(`${fileName}: SwiGLU width ${f.width} of ${f.what} is not round(${m.expansion}·${f.h}·2/3) rounded up to any multiple; set arch.expansion in all_config.yaml`);
    }
    m.swigluMultiple = mult;
    const cut = all.filter((f) => swigluWidth(f.h, m.expansion, mult) < f.width);
    notes.push(cut.length
      ? `SwiGLU: ${cut.map((f) => `${f.what} ${f.width} → ${swigluWidth(f.h, m.expansion, mult)}`).join(', ')} (the dropped units are zero in both directions), so swigluMultiple ${mult}`
      : `SwiGLU: width${all.length > 1 ? 's' : ''} ${all.map((f) => f.width).join(', ')} with every unit in use, so swigluMultiple ${mult}`);
  } else if (!fits(m.swigluMultiple)) {
    const f = all.find((x) => swigluWidth(x.h, m.expansion, m.swigluMultiple) < x.used || swigluWidth(x.h, m.expansion, m.swigluMultiple) > x.width)!;
    const want = swigluWidth(f.h, m.expansion, m.swigluMultiple);
    if (want > f.width) return; // narrower than the config: the layout check names it
    throw new InputError(`${fileName}: ${f.what} units up to ${f.used} are in use, but swigluMultiple ${m.swigluMultiple} keeps ${want}; this model needs swigluMultiple ${REFERENCE_SWIGLU_MULTIPLE}`);
  }
  for (const f of all) {
    const keep = swigluWidth(f.h, m.expansion, m.swigluMultiple);
    if (keep === f.width) continue;
    for (let i = 0; i < m.layers; i++) {
      const g = NAMES.layer(i, `${f.what}.gate_up_proj.weight`), d = NAMES.layer(i, `${f.what}.down_proj.weight`);
      tensors.set(g, { dtype: 'F32', shape: [2 * keep, f.inDim], data: cutGateUp(f.gu[i], f.width, keep, f.inDim) });
      tensors.set(d, { dtype: 'F32', shape: [f.inDim, keep], data: cutDown(f.dn[i], f.width, keep, f.inDim) });
    }
  }
}

/** Zero-pad a SwiGLU's hidden units from `width` to `padded`: gate rows, up rows and down columns. */
function padGateUp(t: Float32Array, width: number, padded: number, inDim: number): Float32Array {
  const out = new Float32Array(2 * padded * inDim);
  out.set(t.subarray(0, width * inDim));
  out.set(t.subarray(width * inDim), padded * inDim);
  return out;
}
function padDown(t: Float32Array, width: number, padded: number, outDim: number): Float32Array {
  const out = new Float32Array(outDim * padded);
  for (let r = 0; r < outDim; r++) out.set(t.subarray(r * width, (r + 1) * width), r * padded);
  return out;
}

/**
 * A checkpoint's evaluation weights and buffers as the reference's state_dict: `_orig_mod.model.` names, SwiGLU
 * widths zero-padded to a multiple of 256 (exact: a zero unit adds nothing), float32.
 */
export function referenceStateDict(ck: Checkpoint): Map<string, { shape: number[]; data: Float32Array }> {
  const m = ck.meta.config.model;
  const S = modelDims(m, ck.meta.data).positions;
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const spec of checkpointLayout(ck.meta.config, ck.meta.data).weights) {
    const t = ck.tensors.get(spec.name);
    if (!t || !(t.data instanceof Float32Array)) throw new InputError(`checkpoint: ${tensorName(spec.name)} is missing or not float32 (shape ${fmtShape(spec.shape)})`);
    let shape = [...t.shape], data: Float32Array = t.data;
    const swiglu = /\.(mlp|mlp_t)\.(gate_up_proj|down_proj)\.weight$/.exec(spec.name);
    if (swiglu) {
      const inDim = swiglu[1] === 'mlp' ? m.hidden : S;
      const width = swigluWidth(inDim, m.expansion, m.swigluMultiple);
      const padded = swigluWidth(inDim, m.expansion, REFERENCE_SWIGLU_MULTIPLE);
      if (padded < width) throw new InputError(`checkpoint: swigluMultiple ${m.swigluMultiple} makes ${swiglu[1]} ${width} units wide, more than the reference's ${padded}`);
      if (padded !== width) {
        if (swiglu[2] === 'gate_up_proj') [shape, data] = [[2 * padded, inDim], padGateUp(data, width, padded, inDim)];
        else [shape, data] = [[inDim, padded], padDown(data, width, padded, inDim)];
      }
    }
    out.set(SAVED_PREFIX + spec.name, { shape, data });
  }
  return out;
}
