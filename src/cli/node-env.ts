import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { type NamedText, parseArcFileSet, taskLabel } from '../data/arc-json';
import type { ArcTask } from '../data/grid';
import { splitTasks, type ArcTaskSplit } from '../data/sources';
import { CpuEngine } from '../engine/cpu';
import type { Engine } from '../engine/engine';
import { GpuEngine } from '../gpu/engine';
import { requestNodeGpu } from '../gpu/node';
import { InputError, userMessage } from '../io/user-error';

/** The engine the CLI trains on: Dawn's WebGPU (a real GPU, else SwiftShader) or the CPU twin. */
export async function createNodeEngine(backend: string): Promise<{ engine: Engine; description: string }> {
  if (backend === 'cpu') return { engine: new CpuEngine(), description: 'CPU (float64 twin kernels, single thread)' };
  if (backend !== 'gpu') throw new Error(`--backend must be gpu or cpu, got "${backend}"`);
  const e = new GpuEngine(await requestNodeGpu());
  e.onLost((reason) => {
    console.error(`\n${reason}. The last checkpoint is kept; rerun with --resume to continue.`);
    process.exit(3);
  });
  return { engine: e, description: `WebGPU: ${e.adapterDescription}` };
}

/** What is at `path`, or an InputError naming it (Node's own error text never reaches the user). */
function kindOf(path: string): 'file' | 'folder' {
  try {
    return statSync(path).isDirectory() ? 'folder' : 'file';
  } catch (err) {
    throw new InputError(userMessage(err, path));
  }
}

/** A file's bytes; a folder, a missing path or a read failure is an InputError naming the path. */
export function readInputFile(path: string): Buffer {
  if (kindOf(path) === 'folder') throw new InputError(`${path}: is a folder, not a file`);
  try {
    return readFileSync(path);
  } catch (err) {
    throw new InputError(userMessage(err, path));
  }
}

/** A UTF-8 text file as a string, its byte-order mark left for the parsers; read failures name the path. */
export function readTextFile(path: string): string {
  const bytes = readInputFile(path);
  // Windows editors save "Unicode" as UTF-16, which would otherwise read as a string of NULs and odd characters.
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new InputError(`${path}: UTF-16 text; save it as UTF-8`);
  }
  return bytes.toString('utf8');
}

const isJson = (name: string) => /\.json$/i.test(name);

/** Every .json file directly in `dir` (upper-case .JSON too), named by its path, sorted. */
function jsonFiles(dir: string): NamedText[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter(isJson).sort();
  } catch (err) {
    throw new InputError(userMessage(err, dir));
  }
  return names.map((f) => ({ name: join(dir, f), text: readTextFile(join(dir, f)) }));
}

/** A challenges file and, when it lies beside it, its solutions file: Kaggle ships the two as one dataset. */
function withSolutions(path: string): NamedText[] {
  const files = [{ name: path, text: readTextFile(path) }];
  const m = /^(.*)_challenges\.json$/i.exec(basename(path));
  if (!m) return files;
  const want = `${m[1]}_solutions.json`.toLowerCase();
  const solutions = readdirSync(dirname(path)).find((n) => n.toLowerCase() === want);
  if (solutions) files.push({ name: join(dirname(path), solutions), text: readTextFile(join(dirname(path), solutions)) });
  return files;
}

function parseSet(files: NamedText[], where: string): { tasks: ArcTask[]; fileOf: Map<string, string> } {
  if (files.length === 0) throw new InputError(`${where}: no .json task files (expected ARC task JSON or Kaggle combined files)`);
  const set = parseArcFileSet(files);
  if (set.tasks.length === 0) throw new InputError(`${where}: not a .json file (expected ARC task JSON or a Kaggle combined file)`);
  return set;
}

/** ARC tasks read from disk, with the file each came from, for messages that point at it. */
export interface DiskArcTasks extends ArcTaskSplit {
  fileOf: ReadonlyMap<string, string>;
}

/**
 * ARC tasks from local files: a folder with training/ and evaluation/ subfolders (the ARC-AGI layout; a task id
 * in both is refused), a folder of task files or Kaggle combined files (a seeded 20% of tasks held out), or a
 * single file (a challenges file brings the solutions file beside it). The held-out tasks are scored, so they
 * need their test outputs: `targets: 'every'` (eval) refuses any held-out task without them, 'some' (training,
 * which scores what it can) refuses only when none has them. `evalFraction` 1 holds out every task (a reference
 * dataset's test_puzzles.json holds only evaluation tasks).
 */
export function loadArcTasksFromDisk(path: string, seed: number, targets: 'every' | 'some' = 'some', evalFraction = 0.2): DiskArcTasks {
  let split: DiskArcTasks;
  if (kindOf(path) === 'file') {
    const set = parseSet(withSolutions(path), path);
    split = { ...splitTasks(set.tasks, evalFraction, seed), fileOf: set.fileOf };
  } else {
    const sub = (n: string) => join(path, n);
    const isFolder = (p: string) => existsSync(p) && kindOf(p) === 'folder';
    if (isFolder(sub('training')) && isFolder(sub('evaluation'))) {
      const train = parseSet(jsonFiles(sub('training')), sub('training'));
      const held = parseSet(jsonFiles(sub('evaluation')), sub('evaluation'));
      for (const [id, file] of held.fileOf) {
        const other = train.fileOf.get(id);
        if (other !== undefined) throw new InputError(`${file}: task ${taskLabel(id)} is also a training task (${other}); a task in both splits would be scored on what it trained on`);
      }
      split = { train: train.tasks, eval: held.tasks, fileOf: new Map([...train.fileOf, ...held.fileOf]) };
    } else {
      const set = parseSet(jsonFiles(path), path);
      split = { ...splitTasks(set.tasks, evalFraction, seed), fileOf: set.fileOf };
    }
  }
  const missing = split.eval.filter((t) => !t.test.every((p) => p.output));
  if (missing.length > 0 && (targets === 'every' || missing.length === split.eval.length)) throw new InputError(missingOutputs(missing, split.fileOf));
  return split;
}

/** Which held-out tasks lack test outputs, by file, and how to supply them. */
function missingOutputs(tasks: readonly ArcTask[], fileOf: ReadonlyMap<string, string>): string {
  const file = fileOf.get(tasks[0].id)!; // every loaded task has its file
  const here = tasks.filter((t) => fileOf.get(t.id) === file);
  const ids = here.slice(0, 3).map((t) => taskLabel(t.id)).join(', ') + (here.length > 3 ? `, … ${here.length - 3} more` : '');
  const elsewhere = tasks.length - here.length;
  const more = elsewhere > 0 ? `, and ${elsewhere} more in other files` : '';
  const m = /^(.*)_challenges\.json$/i.exec(file);
  const fix = m ? `put its solutions file ${basename(m[1])}_solutions.json beside it` : 'add the test outputs to the task files';
  const one = here.length === 1 && elsewhere === 0;
  return `${file}: ${here.length} held-out task${here.length === 1 ? '' : 's'} without test outputs (${ids})${more}; there is nothing to score ${one ? 'it' : 'them'} against: ${fix}`;
}
