/**
 * What a person sees when their input is wrong: one short message that names the file, field or flag and the
 * problem, never the input echoed whole, a stack frame or a runtime's own error text. Every boundary (CLI, worker,
 * page) turns what it caught into text through `userMessage`.
 */

/** Longest message shown for one problem, in characters (the issue tracker's bound is 500 bytes). */
export const MAX_MESSAGE = 400;

/** Cut `text` to `max` characters, saying how much was left out. */
export function bound(text: string, max = MAX_MESSAGE): string {
  if (text.length <= max) return text;
  const tail = ` … (${text.length - max} more characters)`;
  return text.slice(0, Math.max(0, max - tail.length)) + tail;
}

/** A value from the input, quoted for a message and cut short: `"abc"`, `"aaaa…" (5000000 characters)`, `null`. */
export function quote(value: unknown, max = 40): string {
  if (typeof value === 'string') {
    const s = JSON.stringify(value.length > max ? value.slice(0, max) : value);
    return value.length > max ? `${s.slice(0, -1)}…" (${value.length} characters)` : s;
  }
  if (value === null || value === undefined || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `a list of ${value.length}`;
  return typeof value === 'object' ? 'an object' : typeof value;
}

/** A file name short enough that a message about the file still has room for the problem: its start and its end. */
export function fileLabel(name: string, max = 80): string {
  return name.length <= max ? name : `${name.slice(0, max - 30)}…${name.slice(-29)}`;
}

/** An input a person gave is wrong; the message is already bounded and names where. */
export class InputError extends Error {
  override name = 'InputError';
  constructor(message: string) {
    super(bound(message));
  }
}

const NODE_CODES: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EISDIR: 'is a folder, not a file',
  ENOTDIR: 'is not a folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is exceeded',
  EROFS: 'the file system is read-only',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'the path is too long',
};

/**
 * The one line to show for anything a boundary caught: our own errors as they are (bounded), Node's file errors
 * as "PATH: what went wrong" (the error's own path, else `context`: pass the path, as some codes carry none), a stack overflow as input nested too deeply; anything else is a bug of ours and
 * says so, with its message but without the runtime's error class or stack.
 */
export function userMessage(err: unknown, context?: string): string {
  const prefix = context ? `${context}: ` : '';
  if (!(err instanceof Error)) return bound(prefix + (typeof err === 'string' ? err : quote(err)));
  const code = (err as NodeJS.ErrnoException).code;
  if (code && code in NODE_CODES) {
    const path = (err as NodeJS.ErrnoException).path;
    return bound(`${path ? `${path}: ` : prefix}${NODE_CODES[code]}`);
  }
  if (err instanceof RangeError && /call stack/i.test(err.message)) return bound(`${prefix}the input is nested too deeply to read`);
  if (/could not be cloned/i.test(err.message)) return bound(`${prefix}the data could not be passed to the worker (it holds something that is not plain data)`);
  if (err.name === 'TypeError' || err.name === 'ReferenceError')
    return bound(`${prefix}unexpected failure (a bug in TRM Lab, please report it): ${err.message}`);
  return bound(prefix + err.message);
}
