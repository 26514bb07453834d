/**
 * Open any checkpoint TRM Lab accepts from random-access bytes, the same way in the CLI (a file handle) and the
 * page (File.slice, HTTP range requests): a TRM Lab safetensors checkpoint (parseCheckpoint, unchanged), or the
 * reference's layout, a torch.save archive (step_N, no extension) or safetensors of the same state_dict, read
 * tensor by tensor, with its all_config.yaml when the caller has one. The page's two sources, files a person picks
 * and a URL, are here too: both are plain Blob and fetch, so the tests run them in Node.
 */
import type { EngineLimits } from '../engine/engine';
import { formatBytes, memoryIssues } from '../trm/memory';
import { parseCheckpoint, type Checkpoint } from './checkpoint';
import { TRAIN_PREFIX } from './checkpoint-layout';
import { LAZY_TABLE_BYTES, staysInFile, type HeldPuzzleRows } from './lazy-puzzle-table';
import { importReference, type ImportOptions } from './reference-checkpoint';
import { parseReferenceConfig } from './reference-config';
import { writeSafetensors } from './safetensors';
import { readSafetensorsLazily, readTorchZip, type LazyTensor } from './torch-checkpoint';
import { httpReader, type HttpReaderOptions } from './http-reader';
import { fileLabel, InputError, quote, userMessage } from './user-error';
import { blobReader, type RandomAccess } from './zip';

/** The file pretrain.py writes beside its checkpoints with the run's config. */
export const REFERENCE_CONFIG_FILE = 'all_config.yaml';

/** The step in a reference checkpoint's name (step_1234, a path or URL ending in it), or 0. */
export const stepOfName = (name: string): number => Number(/(?:^|[/\\])step_(\d{1,15})(\.\w+)?(?:[?#].*)?$/.exec(name)?.[1] ?? 0);

/** Largest file read whole to say exactly what is wrong with it when it is not a readable safetensors file. */
const STRICT_READ_LIMIT = 64 << 20;
/** A TRM Lab checkpoint, read whole, is read in pieces of this size so that its progress shows. */
const WHOLE_READ_PIECE = 8 << 20;
/** Least time between two progress reports that are not the start of a tensor. */
const PROGRESS_MS = 100;

export interface OpenedCheckpoint {
  checkpoint: Checkpoint;
  kind: 'trm-lab' | 'reference';
  /** What was inferred or assumed about a reference checkpoint, one line each, to show the user. */
  notes: string[];
  /** The puzzle embedding left in the file but for the rows held (see ImportOptions.lazyTableBytes), else null. */
  puzzleRows: HeldPuzzleRows | null;
}

/** How far an open got: bytes read so far, of them `cached` from the browser cache, and what is being read. */
export interface OpenProgress {
  read: number;
  /** The bytes this open expects to read in all, once the zip directory or safetensors header says (else null). */
  total: number | null;
  cached: number;
  /** "zip directory", "safetensors header", "checkpoint" (a TRM Lab one, read whole) or a tensor's name. */
  what: string;
}

export interface OpenOptions extends ImportOptions {
  /**
   * The device the model will run on: a reference checkpoint whose saved batch size does not fit it is opened at
   * the largest halved batch that does (said in the notes); one that does not fit even at batch 1 is refused.
   */
  fitTo?: EngineLimits;
  /** Told how far the open got: as each tensor starts, else at most every PROGRESS_MS, and once when it ends. */
  onProgress?: (p: OpenProgress) => void;
}

/** The reference checkpoint's all_config.yaml text with the name to quote in errors, or null when there is none. */
export type ConfigLookup = () => Promise<{ text: string; name: string } | null>;

/**
 * Read the checkpoint `r` holds. `config` is asked only for a reference checkpoint. Throws InputError naming
 * `fileName` (or the config's name) and the problem: hostile pickles, truncated archives, wrong shapes.
 */
export async function openCheckpoint(r: RandomAccess, fileName: string, config: ConfigLookup, opts: OpenOptions = {}): Promise<OpenedCheckpoint> {
  const progress = tracked(isCounted(r) ? r : counted(r), opts.onProgress);
  try {
    return await openTracked(progress, fileName, config, opts);
  } finally {
    progress.end();
  }
}

async function openTracked(progress: Tracked, fileName: string, config: ConfigLookup, opts: OpenOptions): Promise<OpenedCheckpoint> {
  const r = progress.reader;
  const magic = r.size >= 4 ? await r.read(0, 4) : new Uint8Array(0);
  let tensors: Map<string, LazyTensor>;
  if (magic[0] === 0x50 && magic[1] === 0x4b) {
    progress.phase('zip directory');
    tensors = await readTorchZip(r, fileName);
  } else {
    progress.phase('safetensors header');
    // A TRM Lab checkpoint (its metadata, or its training state without the metadata) or anything that is not a
    // reference state_dict takes the strict safetensors path, which names what is wrong with it.
    // A large file that is not even safetensors gets the lazy reader's error: the strict path would read it whole.
    const lazy = await readSafetensorsLazily(r, fileName).catch((err: unknown) => {
      if (r.size > STRICT_READ_LIMIT) throw err;
      return null;
    });
    const names = lazy ? [...lazy.tensors.keys()] : [];
    const reference = lazy && !Object.hasOwn(lazy.metadata, 'trm_lab') && names.some((k) => k.endsWith('embed_tokens.embedding_weight')) && !names.some((k) => k.startsWith(TRAIN_PREFIX));
    if (!reference) return { checkpoint: parseCheckpoint(await readWhole(progress), fileName, opts), kind: 'trm-lab', notes: [], puzzleRows: null };
    tensors = lazy.tensors;
  }
  tensors = progress.tensors(tensors, opts.lazyTableBytes ?? Infinity);
  const yaml = await config();
  const ref = yaml ? parseReferenceConfig(yaml.text, yaml.name) : null;
  const { checkpoint, notes, puzzleRows } = await importReference(tensors, ref, fileName, stepOfName(fileName), opts);
  if (opts.fitTo) fitBatch(checkpoint, puzzleRows, opts.fitTo, notes, fileName);
  return { checkpoint, kind: 'reference', notes, puzzleRows };
}

/**
 * Halve the batch of a reference run (the paper's 768 needs tens of gigabytes) until the model fits `limits`,
 * noting it; say what training with the whole puzzle embedding would need when only some of its rows are held.
 */
function fitBatch(ck: Checkpoint, rows: HeldPuzzleRows | null, limits: EngineLimits, notes: string[], fileName: string): void {
  const { config: cfg, data } = ck.meta;
  const saved = cfg.optim.batchSize;
  let issues = memoryIssues(cfg, data, limits);
  while (issues.length && cfg.optim.batchSize > 1) {
    cfg.optim.batchSize = Math.floor(cfg.optim.batchSize / 2);
    issues = memoryIssues(cfg, data, limits);
  }
  if (issues.length) throw new InputError(`${fileName}: does not fit ${limits.device} even at batch 1: ${issues.map((i) => i.message).join('; ')}`);
  if (cfg.optim.batchSize !== saved) notes.push(`batch: ${saved} does not fit ${limits.device}, so ${cfg.optim.batchSize} (${memoryIssues({ ...cfg, optim: { ...cfg.optim, batchSize: saved } }, data, limits)[0].message})`);
  if (rows) {
    const whole = { ...data, numPuzzleIds: rows.table.rows };
    const over = memoryIssues(cfg, whole, limits);
    notes.push(`training or resuming needs the whole puzzle embedding (${formatBytes(rows.table.bytes)} as float32), which stays in the file: ${over.length ? `at batch ${cfg.optim.batchSize} it does not fit (${over[0].message})` : 'train --resume in the CLI reads it whole'}`);
  }
}

/** A reader that counts what it delivered: `bytesRead` in all, `bytesCached` of them from a cache. */
type Counted = RandomAccess & { readonly bytesRead: number; readonly bytesCached: number };

const isCounted = (r: RandomAccess): r is Counted => typeof (r as Partial<Counted>).bytesRead === 'number' && typeof (r as Partial<Counted>).bytesCached === 'number';

/** `r`, counting the bytes read through it. */
function counted(r: RandomAccess): Counted {
  const c = {
    size: r.size,
    bytesRead: 0,
    bytesCached: 0,
    async read(offset: number, length: number) {
      const b = await r.read(offset, length);
      c.bytesRead += b.length;
      return b;
    },
  };
  return c;
}

/** One open's progress: a reader that reports what comes in, the phases and tensors it is in, and its end. */
interface Tracked {
  reader: RandomAccess;
  phase(what: string, expected?: number): void;
  /** `tensors`, each reporting as it starts; the total becomes what is read so far plus what they will read. */
  tensors(tensors: Map<string, LazyTensor>, lazyTableBytes: number): Map<string, LazyTensor>;
  /** The last report; nothing is reported after it (a lazy table's rows are read later, through the same reader). */
  end(): void;
}

const itemBytes = (t: LazyTensor) => (t.dtype === 'F32' ? 4 : 2);

function tracked(r: Counted, onProgress: OpenOptions['onProgress']): Tracked {
  let what = 'header', total: number | null = null, last = -Infinity, ended = false;
  const report = (force: boolean) => {
    const now = performance.now();
    if (ended || !onProgress || (!force && now - last < PROGRESS_MS)) return;
    last = now;
    // The total is a forecast: bytes already at hand (a URL's first request) may make the reads fall short of it.
    onProgress({ read: r.bytesRead, total: total === null ? null : Math.max(total, r.bytesRead), cached: r.bytesCached, what });
  };
  const phase = (w: string, expected?: number) => {
    what = w;
    if (expected !== undefined) total = r.bytesRead + expected;
    report(true);
  };
  return {
    reader: {
      size: r.size,
      async read(offset, length) {
        const b = await r.read(offset, length);
        report(false);
        return b;
      },
    },
    phase,
    tensors(tensors, lazyTableBytes) {
      let expected = 0;
      const out = new Map<string, LazyTensor>();
      for (const [name, t] of tensors) {
        const row = t.shape.slice(1).reduce((a, b) => a * b, 1) * itemBytes(t);
        const rows = t.shape.length ? t.shape[0] : 1;
        // importReference reads a puzzle-embedding table that stays in the file by its blank row alone.
        const lazy = name.endsWith('puzzle_emb.weights') && staysInFile(t.shape, lazyTableBytes);
        expected += lazy ? row : rows * row;
        const shown = name.slice(Math.max(0, name.indexOf('inner.')));
        out.set(name, {
          ...t,
          read(first, n) {
            phase(shown);
            return t.read(first, n);
          },
        });
      }
      total = r.bytesRead + expected;
      return out;
    },
    end() {
      report(true);
      ended = true;
    },
  };
}

/** The whole file, read in pieces so that its progress shows. */
async function readWhole(progress: Tracked): Promise<Uint8Array> {
  const { reader: r } = progress;
  progress.phase('checkpoint', r.size);
  const out = new Uint8Array(r.size);
  for (let at = 0; at < r.size; at += WHOLE_READ_PIECE) out.set(await r.read(at, Math.min(WHOLE_READ_PIECE, r.size - at)), at);
  return out;
}

/** A checkpoint as TRM Lab safetensors bytes, which parseCheckpoint reads back as the same checkpoint. */
export function checkpointBytes(ck: Checkpoint): Uint8Array {
  return writeSafetensors(ck.tensors, { trm_lab: JSON.stringify(ck.meta) });
}

/** Largest all_config.yaml read (pretrain.py's is a few kilobytes). */
const MAX_CONFIG_BYTES = 1 << 20;

export interface OpenedSource extends OpenedCheckpoint {
  /** The checkpoint file's name (the last part of a URL's path), its size in bytes, and how many were read to open it. */
  name: string;
  bytes: number;
  bytesRead: number;
  /** Of bytesRead, those served from the browser cache (a URL opened before). */
  bytesCached: number;
}

const isConfigName = (name: string) => name.toLowerCase() === REFERENCE_CONFIG_FILE;

/**
 * A checkpoint a person picked, with all_config.yaml when picked alongside; the rest is read by File.slice, a
 * large puzzle embedding only for the rows held.
 */
export async function openCheckpointFiles(files: readonly File[], opts: OpenOptions = {}): Promise<OpenedSource> {
  const yaml = files.filter((f) => isConfigName(f.name));
  const ckpts = files.filter((f) => !isConfigName(f.name));
  if (ckpts.length !== 1 || yaml.length > 1) {
    throw new InputError(`pick one checkpoint file, and optionally its ${REFERENCE_CONFIG_FILE} with it (got ${files.length} files: ${files.slice(0, 4).map((f) => quote(f.name)).join(', ')})`);
  }
  const [file] = ckpts;
  const config: ConfigLookup = async () => {
    if (!yaml.length) return null;
    if (yaml[0].size > MAX_CONFIG_BYTES) throw new InputError(`${REFERENCE_CONFIG_FILE}: ${yaml[0].size} bytes, more than a config (${MAX_CONFIG_BYTES})`);
    try {
      return { text: await yaml[0].text(), name: REFERENCE_CONFIG_FILE };
    } catch (err) {
      throw new InputError(userMessage(err, `${REFERENCE_CONFIG_FILE} could not be read`));
    }
  };
  const r = counted(blobReader(file));
  const opened = await openCheckpoint(r, fileLabel(file.name), config, { lazyTableBytes: LAZY_TABLE_BYTES, ...opts });
  return { ...opened, name: file.name, bytes: file.size, bytesRead: r.bytesRead, bytesCached: 0 };
}

/**
 * A checkpoint at an http(s) URL, read by range requests (a large puzzle embedding only for the rows held), with
 * the all_config.yaml beside it (same folder) when the server has one; a missing or unreachable config counts as none.
 */
export async function openCheckpointUrl(url: string, opts: OpenOptions & HttpReaderOptions = {}): Promise<OpenedSource> {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new InputError(`${quote(url, 120)} is not a URL`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new InputError(`${quote(url, 120)}: only http and https URLs can be opened`);
  const get = opts.fetch ?? fetch;
  const config: ConfigLookup = async () => {
    const at = new URL(REFERENCE_CONFIG_FILE, parsed).href;
    const res = await get(at).catch(() => null);
    if (!res?.ok) {
      await res?.body?.cancel().catch(() => undefined);
      return null;
    }
    if (Number(res.headers.get('content-length') ?? 0) > MAX_CONFIG_BYTES) throw new InputError(`${quote(at, 120)}: more than a config's ${MAX_CONFIG_BYTES} bytes`);
    const text = await res.text();
    if (text.length > MAX_CONFIG_BYTES) throw new InputError(`${quote(at, 120)}: more than a config's ${MAX_CONFIG_BYTES} bytes`);
    return { text, name: at };
  };
  const r = await httpReader(parsed.href, { fetch: get, wholeFileLimit: opts.wholeFileLimit, cache: opts.cache });
  const last = parsed.pathname.split('/').pop() || parsed.hostname;
  let name = last;
  try {
    name = decodeURIComponent(last);
  } catch {
    // A malformed escape: show the name as written.
  }
  const opened = await openCheckpoint(r, parsed.href, config, { lazyTableBytes: LAZY_TABLE_BYTES, ...opts });
  return { ...opened, name, bytes: r.size, bytesRead: r.bytesRead, bytesCached: r.bytesCached };
}
