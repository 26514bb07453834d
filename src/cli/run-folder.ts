/**
 * Where a training run writes, decided before anything is written: a new run never goes into a folder that holds
 * another run (an explicit --out is refused, the default runs/<preset> moves on to runs/<preset>-2, -3 …), and a
 * resumed run continues beside the checkpoint it resumes. Files are replaced atomically (tmp + rename), so a write
 * cut short leaves the previous version, never a torn one.
 */
import { closeSync, fsyncSync, linkSync, lstatSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InputError, quote } from '../io/user-error';

export const CONFIG_FILE = 'config.json';
export const CHECKPOINT_FILE = 'checkpoint.safetensors';
export const METRICS_FILE = 'metrics.jsonl';

/** The files a run writes: any one of them in a folder means a run lives there. */
export const RUN_FILES = [CONFIG_FILE, CHECKPOINT_FILE, METRICS_FILE] as const;

/** Default folders tried for one preset before giving up (runs/<preset>, runs/<preset>-2 … -MAX). */
const MAX_DEFAULT_FOLDERS = 1000;

export interface RunFolder {
  dir: string;
  /** The folder already holds this very run (a resume beside its own checkpoint): its files are continued. */
  continues: boolean;
  /** What to tell the user when the run writes somewhere other than the folder they would expect. */
  note?: string;
}

export interface RunRequest {
  /** --out, when given. */
  out?: string;
  /** --resume, when given: the checkpoint file the run continues from. */
  resume?: string;
  /** --preset: names the default folder of a new run. */
  preset?: string;
  /** Where default folders go (runs/). */
  root?: string;
}

const present = (path: string) => lstatSync(path, { throwIfNoEntry: false }) !== undefined;

/** The run files in `dir` (a value of --out or a checkpoint's folder): none when it does not exist. */
export function runFilesIn(dir: string): string[] {
  const st = statSync(dir, { throwIfNoEntry: false });
  if (!st) return [];
  if (!st.isDirectory()) throw new InputError(`--out ${quote(dir, 120)}: is a file, not a folder`);
  return RUN_FILES.filter((f) => present(join(dir, f)));
}

/** Whether two paths name the same file (through links and different spellings); false when either is missing. */
export function sameFile(a: string, b: string): boolean {
  const sa = statSync(a, { throwIfNoEntry: false }), sb = statSync(b, { throwIfNoEntry: false });
  return !!sa && !!sb && sa.dev === sb.dev && sa.ino === sb.ino;
}

/** Whether `dir` can take a new run: missing, or a folder without run files. */
function freeForNewRun(dir: string): boolean {
  const st = statSync(dir, { throwIfNoEntry: false });
  return !st || (st.isDirectory() && RUN_FILES.every((f) => !present(join(dir, f))));
}

function refuseNewRun(dir: string, files: readonly string[]): never {
  const how = files.includes(CHECKPOINT_FILE) ? `continue it with --resume ${join(dir, CHECKPOINT_FILE)} or choose another --out` : 'choose another --out';
  throw new InputError(`--out ${quote(dir, 120)} holds another run (${files.join(', ')}); ${how} (an empty or new folder)`);
}

/** Where the run asked for writes; refuses (InputError) when that would write over another run. Touches nothing. */
export function planRunFolder(req: RunRequest): RunFolder {
  if (req.out === '') throw new InputError('--out: the folder name is empty');
  if (req.resume !== undefined) {
    const dir = req.out ?? dirname(req.resume);
    const files = runFilesIn(dir);
    if (files.length === 0) return { dir, continues: false };
    if (sameFile(join(dir, CHECKPOINT_FILE), req.resume)) return { dir, continues: true };
    const where = req.out === undefined ? `${quote(dir, 120)} (the folder of --resume ${quote(req.resume, 120)})` : `--out ${quote(dir, 120)}`;
    throw new InputError(`${where} holds another run (${files.join(', ')}) whose checkpoint is not the one resumed; write the resumed run elsewhere with --out DIR (an empty or new folder)`);
  }
  if (req.out !== undefined) {
    const files = runFilesIn(req.out);
    if (files.length) refuseNewRun(req.out, files);
    return { dir: req.out, continues: false };
  }
  if (req.preset === undefined) throw new InputError('--preset is required (or --resume)');
  const base = join(req.root ?? 'runs', req.preset);
  for (let i = 1; i <= MAX_DEFAULT_FOLDERS; i++) {
    const dir = i === 1 ? base : `${base}-${i}`;
    if (!freeForNewRun(dir)) continue;
    return { dir, continues: false, note: i === 1 ? undefined : `${base} holds another run, so this run writes to ${dir}` };
  }
  throw new InputError(`${base} and ${base}-2 … -${MAX_DEFAULT_FOLDERS} all hold runs; choose a folder with --out DIR`);
}

/**
 * Create the run's folder and write its config: the run's first write, made once everything that can fail at start
 * has passed. A new run takes its folder only if no run appeared there since it was planned (config.json is
 * created exclusively); if one did, the plan is made again: the next default folder, or the refusal of an explicit
 * one. A continued run replaces its config. Returns the folder the run writes to.
 */
export function claimRunFolder(req: RunRequest, planned: RunFolder, configJson: string): RunFolder {
  for (let folder = planned; ; folder = planRunFolder(req)) {
    mkdirSync(folder.dir, { recursive: true });
    const path = join(folder.dir, CONFIG_FILE);
    if (folder.continues) {
      writeFileAtomic(path, configJson);
      return folder;
    }
    if (runFilesIn(folder.dir).length === 0 && createFileAtomic(path, configJson)) return folder;
  }
}

/** The hidden file beside `path` that a write to it goes through. */
const tmpFor = (path: string) => join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);

/** Write `data` to `file` and flush it to disk. */
function writeDurably(file: string, data: string | Uint8Array): void {
  const fd = openSync(file, 'w');
  try {
    writeFileSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Replace `path` with `data` all or nothing: written beside it, then moved over it in one step. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = tmpFor(path);
  try {
    writeDurably(tmp, data);
    renameSync(tmp, path);
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** Create `path` holding `data`, all or nothing, unless it exists (then false, and it is left alone). */
export function createFileAtomic(path: string, data: string | Uint8Array): boolean {
  const tmp = tmpFor(path);
  try {
    writeDurably(tmp, data);
    try {
      linkSync(tmp, path); // unlike rename, fails rather than replace an existing file
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      // A file system without hard links: the closest check, then the atomic move.
      if (present(path)) return false;
      renameSync(tmp, path);
    }
    return true;
  } finally {
    rmSync(tmp, { force: true });
  }
}
