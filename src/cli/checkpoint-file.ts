/**
 * The CLI's one checkpoint loader: openCheckpoint (TRM Lab or reference layout) through a Node file handle, with
 * all_config.yaml beside the file when present. What was inferred about a reference checkpoint is printed.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Checkpoint, ParseOptions } from '../io/checkpoint';
import { REFERENCE_CONFIG_FILE, openCheckpoint } from '../io/open-checkpoint';
import { InputError, userMessage } from '../io/user-error';
import type { RandomAccess } from '../io/zip';
import { readTextFile } from './node-env';

export { REFERENCE_CONFIG_FILE };

function fileReader(h: FileHandle, size: number, path: string): RandomAccess {
  return {
    size,
    async read(offset, length) {
      const buf = new Uint8Array(length);
      let got = 0;
      while (got < length) {
        const { bytesRead } = await h.read(buf, got, length - got, offset + got);
        if (bytesRead === 0) throw new InputError(`${path}: the file ended at byte ${offset + got} (it changed while being read?)`);
        got += bytesRead;
      }
      return buf;
    },
  };
}

/** Read any checkpoint the CLI accepts; throws InputError naming the path and the problem. */
export async function loadCheckpointFile(path: string, opts: ParseOptions = {}): Promise<Checkpoint> {
  let st;
  try {
    st = statSync(path);
  } catch (err) {
    throw new InputError(userMessage(err, path));
  }
  if (st.isDirectory()) throw new InputError(`${path}: is a folder, not a file`);
  let h: FileHandle;
  try {
    h = await open(path, 'r');
  } catch (err) {
    throw new InputError(userMessage(err, path));
  }
  try {
    const yamlPath = join(dirname(path), REFERENCE_CONFIG_FILE);
    const config = async () => (existsSync(yamlPath) ? { text: readTextFile(yamlPath), name: yamlPath } : null);
    const { checkpoint, notes } = await openCheckpoint(fileReader(h, st.size, path), path, config, opts);
    for (const n of notes) console.error(`[trm] ${basename(path)}: ${n}`);
    return checkpoint;
  } finally {
    await h.close();
  }
}
