/**
 * The CLI's one checkpoint loader: a TRM Lab safetensors checkpoint (parseCheckpoint, unchanged), or the
 * reference's layout, a torch.save archive (step_N, no extension) or safetensors of the same state_dict, read
 * through a file handle tensor by tensor, with all_config.yaml beside it when present. What was inferred about a
 * reference checkpoint is printed.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseCheckpoint, type Checkpoint, type ParseOptions } from '../io/checkpoint';
import { TRAIN_PREFIX } from '../io/checkpoint-layout';
import { importReference } from '../io/reference-checkpoint';
import { parseReferenceConfig } from '../io/reference-config';
import { readSafetensorsLazily, readTorchZip } from '../io/torch-checkpoint';
import { InputError, userMessage } from '../io/user-error';
import type { RandomAccess } from '../io/zip';
import { readInputFile, readTextFile } from './node-env';

export const REFERENCE_CONFIG_FILE = 'all_config.yaml';

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

/** The step in a reference checkpoint's name (step_1234), or 0. */
export const stepOfName = (path: string): number => Number(/^step_(\d{1,15})(\.\w+)?$/.exec(basename(path))?.[1] ?? 0);

/** Read any checkpoint the CLI accepts; throws InputError naming the path and the problem. */
export async function loadCheckpointFile(path: string, opts: ParseOptions = {}): Promise<Checkpoint> {
  let st;
  try {
    st = statSync(path);
  } catch (err) {
    throw new InputError(userMessage(err, path));
  }
  if (st.isDirectory()) throw new InputError(`${path}: is a folder, not a file`);
  const size = st.size;
  let h: FileHandle;
  try {
    h = await open(path, 'r');
  } catch (err) {
    throw new InputError(userMessage(err, path));
  }
  try {
    const r = fileReader(h, size, path);
    const magic = size >= 4 ? await r.read(0, 4) : new Uint8Array(0);
    const isZip = magic[0] === 0x50 && magic[1] === 0x4b;
    let tensors;
    if (isZip) tensors = await readTorchZip(r, path);
    else {
      // A TRM Lab checkpoint (its metadata, or its training state without the metadata) or anything that is not a
      // reference state_dict takes the strict safetensors path, which names what is wrong with it.
      const lazy = await readSafetensorsLazily(r, path).catch(() => null);
      const names = lazy ? [...lazy.tensors.keys()] : [];
      const reference = lazy && !Object.hasOwn(lazy.metadata, 'trm_lab') && names.some((k) => k.endsWith('embed_tokens.embedding_weight')) && !names.some((k) => k.startsWith(TRAIN_PREFIX));
      if (!reference) return parseCheckpoint(new Uint8Array(readInputFile(path)), path, opts);
      tensors = lazy.tensors;
    }
    const yamlPath = join(dirname(path), REFERENCE_CONFIG_FILE);
    const ref = existsSync(yamlPath) ? parseReferenceConfig(readTextFile(yamlPath), yamlPath) : null;
    const { checkpoint, notes } = await importReference(tensors, ref, path, stepOfName(path), opts);
    for (const n of notes) console.error(`[trm] ${basename(path)}: ${n}`);
    return checkpoint;
  } finally {
    await h.close();
  }
}
