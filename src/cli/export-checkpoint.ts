// npm run export-checkpoint -- --checkpoint CKPT --out DIR
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { referenceStateDict } from '../io/reference-checkpoint';
import { referenceConfigYaml } from '../io/reference-config';
import { writeSafetensors, type SafeTensor } from '../io/safetensors';
import { writeTorchZip } from '../io/torch-checkpoint';
import { InputError, userMessage } from '../io/user-error';
import { parseArgs } from './args';
import { REFERENCE_CONFIG_FILE, loadCheckpointFile } from './checkpoint-file';

const HELP = `usage: npm run export-checkpoint -- --checkpoint CKPT --out DIR
  Writes the checkpoint's evaluation weights in the reference PyTorch layout, so pretrain.py's
  load_checkpoint=DIR/step_N resumes it and torch.load(weights_only=True) reads it:
  DIR/step_N              torch.save zip, keys _orig_mod.model.inner.…, SwiGLU widths zero-padded to 256
  DIR/step_N.safetensors  the same tensors as safetensors
  DIR/${REFERENCE_CONFIG_FILE}         the config in pretrain.py's fields (plus trm_lab: the exact TRM Lab config)
  CKPT is any checkpoint eval reads (TRM Lab safetensors, or a reference step_N / safetensors).`;

/** Write `chunks` to `path` through a temporary file beside it, so a cut-short export leaves no torn file. */
function writeChunks(path: string, chunks: readonly (string | Uint8Array)[]): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    const fd = openSync(tmp, 'w');
    try {
      for (const c of chunks) {
        const bytes = typeof c === 'string' ? new TextEncoder().encode(c) : c;
        for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, Math.min(bytes.length - at, 1 << 30));
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } finally {
    rmSync(tmp, { force: true });
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.length === 0) {
    console.log(HELP);
    return;
  }
  const { flags, overrides } = parseArgs(argv, ['checkpoint', 'out']);
  if (overrides.length) throw new InputError(`--${overrides[0][0]}: export takes no config overrides; the config is the checkpoint's`);
  const path = flags.get('checkpoint');
  const out = flags.get('out');
  if (!path) throw new InputError('--checkpoint is required');
  if (!out) throw new InputError('--out DIR is required');
  const ck = await loadCheckpointFile(path);
  const name = `step_${ck.meta.step}`;
  const files = [name, `${name}.safetensors`, REFERENCE_CONFIG_FILE].map((f) => join(out, f));
  const taken = files.filter((f) => existsSync(f));
  if (taken.length) throw new InputError(`${taken.join(', ')} already exist${taken.length > 1 ? '' : 's'}; export to another --out or remove ${taken.length > 1 ? 'them' : 'it'}`);
  try {
    mkdirSync(out, { recursive: true });
  } catch (err) {
    throw new InputError(userMessage(err, out));
  }
  const state = referenceStateDict(ck);
  writeChunks(files[0], writeTorchZip(state, name));
  const safe = new Map<string, SafeTensor>([...state].map(([k, t]) => [k, { dtype: 'F32', shape: t.shape, data: t.data }]));
  writeChunks(files[1], [writeSafetensors(safe)]);
  writeChunks(files[2], [referenceConfigYaml(ck.meta.config, ck.meta.data, ck.meta.step)]);
  for (const f of files) console.log(f);
}

main().catch((err: unknown) => {
  console.error(`[trm] error: ${userMessage(err)}`);
  process.exit(1);
});
