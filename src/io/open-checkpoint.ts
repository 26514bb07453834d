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
import { LAZY_TABLE_BYTES, type HeldPuzzleRows } from './lazy-puzzle-table';
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

export interface OpenedCheckpoint {
  checkpoint: Checkpoint;
  kind: 'trm-lab' | 'reference';
  /** What was inferred or assumed about a reference checkpoint, one line each, to show the user. */
  notes: string[];
  /** The puzzle embedding left in the file but for the rows held (see ImportOptions.lazyTableBytes), else null. */
  puzzleRows: HeldPuzzleRows | null;
}

export interface OpenOptions extends ImportOptions {
  /**
   * The device the model will run on: a reference checkpoint whose saved batch size does not fit it is opened at
   * the largest halved batch that does (said in the notes); one that does not fit even at batch 1 is refused.
   */
  fitTo?: EngineLimits;
}

/** The reference checkpoint's all_config.yaml text with the name to quote in errors, or null when there is none. */
export type ConfigLookup = () => Promise<{ text: string; name: string } | null>;

/**
 * Read the checkpoint `r` holds. `config` is asked only for a reference checkpoint. Throws InputError naming
 * `fileName` (or the config's name) and the problem: hostile pickles, truncated archives, wrong shapes.
 */
export async function openCheckpoint(r: RandomAccess, fileName: string, config: ConfigLookup, opts: OpenOptions = {}): Promise<OpenedCheckpoint> {
  const magic = r.size >= 4 ? await r.read(0, 4) : new Uint8Array(0);
  let tensors: Map<string, LazyTensor>;
  if (magic[0] === 0x50 && magic[1] === 0x4b) tensors = await readTorchZip(r, fileName);
  else {
    // A TRM Lab checkpoint (its metadata, or its training state without the metadata) or anything that is not a
    // reference state_dict takes the strict safetensors path, which names what is wrong with it.
    // A large file that is not even safetensors gets the lazy reader's error: the strict path would read it whole.
    const lazy = await readSafetensorsLazily(r, fileName).catch((err: unknown) => {
      if (r.size > STRICT_READ_LIMIT) throw err;
      return null;
    });
    const names = lazy ? [...lazy.tensors.keys()] : [];
    const reference = lazy && !Object.hasOwn(lazy.metadata, 'trm_lab') && names.some((k) => k.endsWith('embed_tokens.embedding_weight')) && !names.some((k) => k.startsWith(TRAIN_PREFIX));
    if (!reference) return { checkpoint: parseCheckpoint(await r.read(0, r.size), fileName, opts), kind: 'trm-lab', notes: [], puzzleRows: null };
    tensors = lazy.tensors;
  }
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

/** A checkpoint as TRM Lab safetensors bytes, which parseCheckpoint reads back as the same checkpoint. */
export function checkpointBytes(ck: Checkpoint): Uint8Array {
  return writeSafetensors(ck.tensors, { trm_lab: JSON.stringify(ck.meta) });
}

/** Largest all_config.yaml read (pretrain.py's is a few kilobytes). */
const MAX_CONFIG_BYTES = 1 << 20;

export interface OpenedSource extends OpenedCheckpoint {
  /** The checkpoint file's name (the last part of a URL's path), its size in bytes, and how many were read (downloaded). */
  name: string;
  bytes: number;
  bytesRead: number;
}

/** `r`, counting the bytes read through it. */
function counted(r: RandomAccess): RandomAccess & { bytesRead: number } {
  const c = {
    size: r.size,
    bytesRead: 0,
    async read(offset: number, length: number) {
      const b = await r.read(offset, length);
      c.bytesRead += b.length;
      return b;
    },
  };
  return c;
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
  return { ...opened, name: file.name, bytes: file.size, bytesRead: r.bytesRead };
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
  const r = await httpReader(parsed.href, { fetch: get, wholeFileLimit: opts.wholeFileLimit });
  const last = parsed.pathname.split('/').pop() || parsed.hostname;
  let name = last;
  try {
    name = decodeURIComponent(last);
  } catch {
    // A malformed escape: show the name as written.
  }
  const opened = await openCheckpoint(r, parsed.href, config, { lazyTableBytes: LAZY_TABLE_BYTES, ...opts });
  return { ...opened, name, bytes: r.size, bytesRead: r.bytesFetched };
}
