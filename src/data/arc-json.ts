/**
 * ARC task JSON at the boundary: per-task files ({train, test}) and the Kaggle "combined" files
 * (challenges: {taskId: {train, test: [{input}]}} plus solutions: {taskId: [outputGrid, ...]}), parsed into
 * ArcTask objects with every field validated. Errors name the file, the task, the pair (0-based index, as in the
 * JSON arrays), the grid and the cell or field, e.g.
 * `tasks.json: task 007bbfb7, train pair 2, output row 3 col 5: value 12 is not an integer 0..9`.
 */
import { InputError, bound, quote } from '../io/user-error';
import { type ArcTask, type Grid, type Pair, MAX_GRID_SIDE, makeGrid } from './grid';
import { isJsonObject } from '../io/json-value';

/** Bounded like every InputError: ids and values from the file are quoted short, never echoed whole. */
export class ArcFormatError extends InputError {
  override name = 'ArcFormatError';
}

export interface ArcParseOptions {
  /** Largest allowed side (default 30, ARC's limit). 1D-ARC needs 93: its grids are 1×N up to N = 93. */
  maxSide?: number;
}

/** A file a user picked or a loader fetched: its name (or URL) and its text. */
export interface NamedText {
  name: string;
  text: string;
}

type Json = unknown;


function fail(where: string, what: string): never {
  throw new ArcFormatError(`${where}: ${what}`);
}

/** Longest task id accepted (a file name's limit; real ids are 5..30 characters). */
const MAX_TASK_ID = 255;

/** A task id as messages show it: as is when short and plain, else quoted and cut (ids come from the input). */
export function taskLabel(id: string): string {
  return id.length <= 40 && /^[\w.-]+$/.test(id) ? id : quote(id);
}

function parseJson(text: string, file: string): Json {
  // Editors on Windows like to start files with a byte-order mark, which JSON.parse rejects.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === '') fail(file, 'empty file (expected ARC task JSON or a Kaggle combined file)');
  try {
    return JSON.parse(body);
  } catch (e) {
    // V8 quotes at most a few characters of the input; the bound keeps other engines' messages short too.
    const why = e instanceof RangeError ? 'nested too deeply' : bound((e as Error).message, 120);
    return fail(file, `invalid JSON (${why})`);
  }
}

/** A grid (list of equal-length rows of integers 0..9, 1..maxSide per side); `where` prefixes every error. */
export function parseGrid(value: Json, where: string, opts: ArcParseOptions = {}): Grid {
  const maxSide = opts.maxSide ?? MAX_GRID_SIDE;
  if (!Array.isArray(value)) fail(where, `expected a grid (a list of rows), got ${describe(value)}`);
  const h = value.length;
  if (h < 1 || h > maxSide) fail(where, `${h} rows (need 1..${maxSide})`);
  const first = value[0];
  if (!Array.isArray(first)) fail(`${where} row 0`, `expected a list of cells, got ${describe(first)}`);
  const w = first.length;
  if (w < 1 || w > maxSide) fail(`${where} row 0`, `${w} cells wide (need 1..${maxSide})`);
  const g = makeGrid(h, w);
  for (let r = 0; r < h; r++) {
    const row = value[r];
    if (!Array.isArray(row)) fail(`${where} row ${r}`, `expected a list of cells, got ${describe(row)}`);
    if (row.length !== w) fail(`${where} row ${r}`, `${row.length} cells, but row 0 has ${w} (grid must be rectangular)`);
    for (let c = 0; c < w; c++) {
      const v = row[c];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 9)
        fail(`${where} row ${r} col ${c}`, `value ${quote(v)} is not an integer 0..9`);
      g.cells[r * w + c] = v;
    }
  }
  return g;
}

function describe(v: Json): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${quote(v)}`;
}

function parsePairs(value: Json, field: 'train' | 'test', where: string, opts: ArcParseOptions): Pair[] {
  if (value === undefined) fail(where, `missing "${field}" (a non-empty list of pairs)`);
  if (!Array.isArray(value)) fail(where, `"${field}" must be a list of pairs, got ${describe(value)}`);
  if (value.length === 0) fail(where, `"${field}" is empty (need at least one pair)`);
  return value.map((p: Json, i: number) => {
    const at = `${where}, ${field} pair ${i}`;
    if (!isJsonObject(p)) fail(at, `expected an object {input, output}, got ${describe(p)}`);
    if (p.input === undefined) fail(at, 'missing "input"');
    const input = parseGrid(p.input, `${at}, input`, opts);
    // Test outputs may be unknown (a Kaggle challenge, or a puzzle a user is solving); demonstrations need them.
    if (p.output === undefined) return field === 'test' ? { input } : fail(at, 'missing "output"');
    return { input, output: parseGrid(p.output, `${at}, output`, opts) };
  });
}

/**
 * A task object ({train, test}, other keys such as ARC-AGI-1's "name" or ConceptARC's "uuid" are ignored).
 * `where` is the file name; the task id goes into messages and into the ArcTask.
 */
export function parseTaskObject(value: Json, file: string, id: string, opts: ArcParseOptions = {}): ArcTask {
  const where = `${file}: task ${taskLabel(id)}`;
  // Ids name tasks in every later message, vote and checkpoint: a runaway one is refused here, once.
  if (id === '' || id.length > MAX_TASK_ID) fail(where, `a task id must be 1..${MAX_TASK_ID} characters, this one has ${id.length}`);
  if (!isJsonObject(value)) fail(where, `expected an object {train, test}, got ${describe(value)}`);
  return { id, train: parsePairs(value.train, 'train', where, opts), test: parsePairs(value.test, 'test', where, opts) };
}

/** The task id of a per-task file: its base name without the .json extension (as the reference uses). */
export function taskIdFromFileName(name: string): string {
  const base = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
  return base.replace(/\.json$/i, '');
}

/** One per-task file ({train, test}); the id is the file's base name unless given. */
export function parseTaskFile(file: NamedText, opts: ArcParseOptions & { id?: string } = {}): ArcTask {
  return parseTaskObject(parseJson(file.text, file.name), file.name, opts.id ?? taskIdFromFileName(file.name), opts);
}

/**
 * Kaggle combined files: challenges {taskId: {train, test: [{input}]}} and, optionally, solutions
 * {taskId: [outputGrid per test input]} which become the test outputs. Solutions must cover exactly the
 * challenge tasks, one grid per test input.
 */
export function parseKaggleCombined(challenges: NamedText, solutions?: NamedText, opts: ArcParseOptions = {}): ArcTask[] {
  const ch = { name: challenges.name, value: parseJson(challenges.text, challenges.name) };
  return combinedTasks(ch, solutions && { name: solutions.name, value: parseJson(solutions.text, solutions.name) }, opts);
}

interface NamedJson {
  name: string;
  value: Json;
}

function combinedTasks(challenges: NamedJson, solutions: NamedJson | undefined, opts: ArcParseOptions): ArcTask[] {
  const { name: chName, value: ch } = challenges;
  if (!isJsonObject(ch)) fail(chName, `expected an object {taskId: {train, test}}, got ${describe(ch)}`);
  const tasks = Object.entries(ch).map(([id, t]) => parseTaskObject(t, chName, id, opts));
  if (tasks.length === 0) fail(chName, 'no tasks');
  if (!solutions) return tasks;

  const { name: soName, value: so } = solutions;
  if (!isJsonObject(so)) fail(soName, `expected an object {taskId: [grid, ...]}, got ${describe(so)}`);
  const known = new Set(tasks.map((t) => t.id));
  for (const id of Object.keys(so)) if (!known.has(id)) fail(`${soName}: task ${taskLabel(id)}`, `not in ${chName}`);
  for (const task of tasks) {
    const where = `${soName}: task ${taskLabel(task.id)}`;
    // Own keys only: a task named "constructor" must not find Object.prototype's.
    const grids = Object.hasOwn(so, task.id) ? so[task.id] : undefined;
    if (grids === undefined) fail(where, 'missing (no solutions for this task)');
    if (!Array.isArray(grids)) fail(where, `expected a list of output grids, got ${describe(grids)}`);
    if (grids.length !== task.test.length) fail(where, `${grids.length} solutions for ${task.test.length} test inputs`);
    task.test = task.test.map((p, i) => ({ input: p.input, output: parseGrid(grids[i], `${where}, test pair ${i}, output`, opts) }));
  }
  return tasks;
}

type Kind = 'task' | 'challenges' | 'solutions';

/**
 * A per-task file has "train"/"test" keys; a solutions file maps ids to lists; any other object is a challenges
 * file. What is no object at all is blamed as the task its name says it holds.
 */
function classify(value: Json, name: string): Kind {
  if (!isJsonObject(value)) return /_solutions\.json$/i.test(name) ? 'solutions' : /_challenges\.json$/i.test(name) ? 'challenges' : 'task';
  if ('train' in value || 'test' in value) return 'task';
  if (Object.keys(value).length > 0 && Object.values(value).every(Array.isArray)) return 'solutions';
  return 'challenges';
}

/**
 * What a user picks: any mix of per-task files (a folder's worth) and Kaggle combined files. Non-.json files are
 * skipped. A solutions file is paired with the challenges file of the same prefix (`X_solutions.json` ↔
 * `X_challenges.json`), or with the only challenges file when exactly one of each is given. Task ids must be unique.
 */
export function parseArcFiles(files: readonly NamedText[], opts: ArcParseOptions = {}): ArcTask[] {
  return parseArcFileSet(files, opts).tasks;
}

/** parseArcFiles, also saying which file each task came from (its challenges file for a combined pair). */
export function parseArcFileSet(files: readonly NamedText[], opts: ArcParseOptions = {}): { tasks: ArcTask[]; fileOf: Map<string, string> } {
  const parsed = files
    .filter((f) => /\.json$/i.test(f.name))
    .map((f) => {
      const value = parseJson(f.text, f.name);
      return { name: f.name, value, kind: classify(value, f.name) };
    });
  const challenges = parsed.filter((p) => p.kind === 'challenges');
  const solutions = parsed.filter((p) => p.kind === 'solutions');
  const solutionsOf = new Map<NamedJson, NamedJson>();
  for (const s of solutions) {
    const prefix = s.name.replace(/_solutions\.json$/i, '');
    const match =
      challenges.find((c) => c.name.replace(/_challenges\.json$/i, '') === prefix) ??
      (challenges.length === 1 && solutions.length === 1 ? challenges[0] : undefined);
    if (!match) fail(s.name, 'a solutions file without its challenges file (expected one named like X_challenges.json)');
    const other = solutionsOf.get(match);
    if (other) fail(s.name, `${match.name} already has its solutions in ${other.name}`);
    solutionsOf.set(match, s);
  }

  const tasks: ArcTask[] = [];
  const seen = new Map<string, string>();
  const add = (t: ArcTask, file: string) => {
    const prev = seen.get(t.id);
    if (prev !== undefined) fail(file, `task ${taskLabel(t.id)} also comes from ${prev} (task ids must be unique)`);
    seen.set(t.id, file);
    tasks.push(t);
  };
  for (const p of parsed) {
    if (p.kind === 'task') add(parseTaskObject(p.value, p.name, taskIdFromFileName(p.name), opts), p.name);
    else if (p.kind === 'challenges') for (const t of combinedTasks(p, solutionsOf.get(p), opts)) add(t, p.name);
  }
  return { tasks, fileOf: seen };
}

