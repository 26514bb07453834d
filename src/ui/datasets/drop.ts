/**
 * Files out of a drop, folders included (walked with the File and Directory Entries API), each with its path
 * relative to what was dropped so "evaluation/" folders are recognised. The entries must be taken during the
 * drop event itself: the DataTransfer is emptied once the handler returns.
 */
import type { FileLike } from '../../io/local-files';

const fileOf = (entry: FileSystemFileEntry) => new Promise<File>((resolve, reject) => entry.file(resolve, reject));

async function walk(entry: FileSystemEntry, prefix: string, out: FileLike[]): Promise<void> {
  if (entry.isFile) {
    const file = await fileOf(entry as FileSystemFileEntry);
    out.push({ name: file.name, path: prefix + file.name, text: () => file.text() });
  } else if (entry.isDirectory) {
    const reader = (entry as FileSystemDirectoryEntry).createReader();
    // readEntries hands out a directory in batches (100 in Chromium) until an empty one.
    for (;;) {
      const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
      if (batch.length === 0) break;
      for (const e of batch) await walk(e, `${prefix}${entry.name}/`, out);
    }
  }
}

/** Call synchronously from the drop handler; the returned promise resolves with every file found. */
export function filesFromDrop(dt: DataTransfer): Promise<FileLike[]> {
  const entries = Array.from(dt.items, (i) => (i.kind === 'file' ? i.webkitGetAsEntry() : null)).filter((e): e is FileSystemEntry => e !== null);
  if (entries.length === 0) return Promise.resolve(Array.from(dt.files));
  const out: FileLike[] = [];
  return Promise.all(entries.map((e) => walk(e, '', out))).then(() => out);
}
