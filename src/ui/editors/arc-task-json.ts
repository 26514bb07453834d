/** ARC task JSON for the editor: export in the ARC file format, import through the validating parser of src/data. */
import { parseArcFiles } from '../../data/arc-json';
import { toRows, type ArcTask, type Pair } from '../../data/grid';
import { InputError } from '../../io/user-error';

const pairJson = (p: Pair) => (p.output ? { input: toRows(p.input), output: toRows(p.output) } : { input: toRows(p.input) });

/** {"train": [{input, output}], "test": [{input[, output]}]}: a per-task file as ARC-AGI ships them. */
export function taskToJson(task: ArcTask): string {
  return JSON.stringify({ train: task.train.map(pairJson), test: task.test.map(pairJson) });
}

/** A file name for the task: its name with characters that are unsafe in file names replaced. */
export function taskFileName(task: ArcTask): string {
  return `${task.id.replace(/[^\w.-]+/g, '_') || 'task'}.json`;
}

/**
 * One task from a file a person picked: a per-task file, or a Kaggle challenges file (its first task; `others`
 * counts the rest). Errors name the file and what is wrong (ArcFormatError from src/data/arc-json.ts).
 */
export function taskFromFile(name: string, text: string): { task: ArcTask; others: number } {
  const tasks = parseArcFiles([{ name: /\.json$/i.test(name) ? name : `${name}.json`, text }]);
  if (!tasks.length) throw new InputError(`${name}: no ARC task in this file`);
  return { task: tasks[0], others: tasks.length - 1 };
}
