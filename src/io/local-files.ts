/**
 * Files a user drops or picks, turned into puzzles: ARC per-task JSON and Kaggle combined challenges (+ solutions)
 * files (../data/arc-json), sudoku puzzle text (../data/sudoku-text) and maze text (../data/maze). Every file
 * stands or falls alone: a malformed one becomes an error in the parser's own words (which name the file and
 * what is wrong), and the others still load.
 */
import { parseArcFiles, taskLabel, type NamedText } from '../data/arc-json';
import type { ArcTask, Grid } from '../data/grid';
import { MAZE_CHARSET, mazeTarget, parseMazeText } from '../data/maze';
import { parseSudokuText, type SudokuTextEntry } from '../data/sudoku-text';
import { bound, userMessage } from './user-error';

/** Which side of a train/eval split a group belongs to, read from its path (the ARC-AGI folder and Kaggle names). */
export type SplitRole = 'train' | 'eval' | 'none';

export interface LocalMaze {
  id: string;
  input: Grid;
  /** The maze with a shortest path drawn in: the file's own 'o' cells, else found by BFS; absent when G is unreachable. */
  label?: Grid;
}

export type LocalGroup =
  | { kind: 'arc'; name: string; files: string[]; role: SplitRole; tasks: ArcTask[] }
  | { kind: 'sudoku'; name: string; files: string[]; role: SplitRole; puzzles: SudokuTextEntry[] }
  | { kind: 'maze'; name: string; files: string[]; role: SplitRole; mazes: LocalMaze[] };

export interface FileError {
  /** The file's path as given (relative to a dropped folder, else its name). */
  file: string;
  message: string;
}

export interface LocalLoad {
  groups: LocalGroup[];
  errors: FileError[];
}

/** A browser File fits; `path` (or webkitRelativePath) keeps the folder a file came from. */
export interface FileLike {
  name: string;
  path?: string;
  webkitRelativePath?: string;
  text(): Promise<string>;
}

const TEXT_EXTENSIONS = new Set(['txt', 'text', 'sdk', 'sudoku', 'maze', '']);

const baseName = (path: string) => path.slice(path.lastIndexOf('/') + 1);
const dirName = (path: string) => path.slice(0, Math.max(0, path.lastIndexOf('/')));
const extension = (path: string) => {
  const base = baseName(path);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
};

export function roleOfPath(path: string): SplitRole {
  if (/(^|[/_\-.])evaluation/i.test(path)) return 'eval';
  if (/(^|[/_\-.])training/i.test(path)) return 'train';
  return 'none';
}

/** Read then parse; a file that cannot be read becomes an error like a malformed one. */
export async function readLocalFiles(files: readonly FileLike[]): Promise<LocalLoad> {
  const texts: NamedText[] = [];
  const errors: FileError[] = [];
  await Promise.all(
    files.map(async (f) => {
      const name = f.path || f.webkitRelativePath || f.name;
      try {
        texts.push({ name, text: await f.text() });
      } catch (e) {
        errors.push({ file: name, message: `${name}: could not be read (${bound(userMessage(e), 200)})` });
      }
    }),
  );
  const load = parseLocalFiles(texts.sort((a, b) => a.name.localeCompare(b.name)));
  return { groups: load.groups, errors: [...errors, ...load.errors] };
}

export function parseLocalFiles(input: readonly NamedText[]): LocalLoad {
  // Editors on Windows like to start files with a byte-order mark, which JSON.parse rejects.
  const files = input.map((f) => ({ name: f.name, text: f.text.replace(/^\uFEFF/, '') }));
  const groups: LocalGroup[] = [];
  const errors: FileError[] = [];
  const json = files.filter((f) => extension(f.name) === 'json');
  for (const f of files) {
    const ext = extension(f.name);
    if (ext === 'json') continue;
    if (!TEXT_EXTENSIONS.has(ext)) {
      errors.push({ file: f.name, message: `${f.name}: unsupported file type ".${ext}" (expected ARC task or Kaggle combined .json, sudoku puzzle text or maze text .txt)` });
      continue;
    }
    if (f.text.trim() === '') {
      errors.push({ file: f.name, message: `${f.name}: empty file (no puzzles)` });
      continue;
    }
    try {
      groups.push(isMazeText(f) ? mazeGroup(f) : sudokuGroup(f));
    } catch (e) {
      errors.push({ file: f.name, message: userMessage(e) });
    }
  }
  const arc = arcGroups(json);
  return { groups: [...arc.groups, ...groups], errors: [...arc.errors, ...errors] };
}

/**
 * Maze text is "# SGo" only; sudoku text has digits, and a comment line (#, then words) has letters a maze
 * cannot. The name decides first when it says which.
 */
function isMazeText(f: NamedText): boolean {
  const base = baseName(f.name);
  if (/maze/i.test(base) || extension(base) === 'maze') return true;
  if (/sudoku/i.test(base) || ['sdk', 'sudoku'].includes(extension(base))) return false;
  for (const ch of f.text) if (!MAZE_CHARSET.includes(ch) && ch !== '\n' && ch !== '\r') return false;
  return true;
}

function sudokuGroup(f: NamedText): LocalGroup {
  const puzzles = parseSudokuText(f.text, { name: f.name });
  return { kind: 'sudoku', name: f.name, files: [f.name], role: roleOfPath(f.name), puzzles };
}

function mazeGroup(f: NamedText): LocalGroup {
  // A label (a maze with its 'o' path) must draw a shortest path; its input is the maze with those cells open.
  const { input, solution } = mazeTarget(parseMazeText(f.text, f.name), f.name);
  const maze: LocalMaze = { id: baseName(f.name), input, label: solution?.label };
  return { kind: 'maze', name: f.name, files: [f.name], role: roleOfPath(f.name), mazes: [maze] };
}

/**
 * ARC JSON, one unit per parse so that one bad file costs only itself: each Kaggle challenges file with its
 * solutions file (paired by the X_challenges.json / X_solutions.json names), and each per-task file. Per-task
 * files are gathered into one group per folder; each combined pair is a group of its own.
 */
function arcGroups(files: readonly NamedText[]): LocalLoad {
  const prefix = (f: NamedText, kind: 'challenges' | 'solutions') => {
    const m = new RegExp(`^(.*)_${kind}\\.json$`, 'i').exec(f.name);
    return m ? m[1] : undefined;
  };
  const solutions = new Map<string, NamedText>();
  for (const f of files) {
    const p = prefix(f, 'solutions');
    if (p !== undefined) solutions.set(p, f);
  }
  const paired = new Set<NamedText>();
  const units: NamedText[][] = [];
  for (const f of files) {
    if (prefix(f, 'solutions') !== undefined) continue;
    const p = prefix(f, 'challenges');
    const s = p === undefined ? undefined : solutions.get(p);
    if (s) paired.add(s);
    units.push(s ? [f, s] : [f]);
  }
  // A solutions file with no challenges file goes through the parser alone, which says exactly that.
  for (const s of solutions.values()) if (!paired.has(s)) units.push([s]);

  const errors: FileError[] = [];
  const parsed: { unit: NamedText[]; tasks: ArcTask[]; role: SplitRole }[] = [];
  for (const unit of units) {
    try {
      parsed.push({ unit, tasks: parseArcFiles(unit), role: roleOfPath(unit[0].name) });
    } catch (e) {
      const text = userMessage(e);
      const culprit = unit.find((f) => text.startsWith(`${f.name}:`)) ?? unit[0];
      errors.push({ file: culprit.name, message: text });
    }
  }
  // A task in both splits would be scored on what it trained on: the evaluation file holding it is refused.
  const trainFile = new Map<string, string>();
  for (const p of parsed) if (p.role === 'train') for (const t of p.tasks) trainFile.set(t.id, p.unit[0].name);
  const kept = parsed.filter((p) => {
    const dup = p.role === 'eval' ? p.tasks.find((t) => trainFile.has(t.id)) : undefined;
    if (dup) {
      const file = p.unit[0].name;
      errors.push({ file, message: `${file}: task ${taskLabel(dup.id)} is also a training task (${trainFile.get(dup.id)}); a task in both splits would be scored on what it trained on` });
    }
    return !dup;
  });

  const groups: LocalGroup[] = [];
  const perTask = new Map<string, { files: string[]; tasks: ArcTask[] }>();
  for (const { unit, tasks } of kept) {
    const names = unit.map((f) => f.name);
    if (unit.length === 2 || prefix(unit[0], 'challenges') !== undefined || tasks.length > 1) {
      groups.push({ kind: 'arc', name: names.join(' + '), files: names, role: roleOfPath(names[0]), tasks });
    } else {
      const dir = dirName(unit[0].name);
      const g = perTask.get(dir) ?? perTask.set(dir, { files: [], tasks: [] }).get(dir)!;
      g.files.push(...names);
      g.tasks.push(...tasks);
    }
  }
  for (const [dir, g] of perTask) {
    const name = dir ? `${dir}/` : g.files.length === 1 ? g.files[0] : `${g.files[0]} + ${g.files.length - 1} more`;
    groups.push({ kind: 'arc', name, files: g.files, role: roleOfPath(dir || g.files[0]), tasks: g.tasks });
  }
  return { groups, errors };
}
