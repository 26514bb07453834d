import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArcFiles } from '../data/arc-json';
import { splitTasks, type ArcTaskSplit } from '../data/sources';
import { CpuEngine } from '../engine/cpu';
import type { Engine } from '../engine/engine';
import { GpuEngine } from '../gpu/engine';
import { requestNodeGpu } from '../gpu/node';

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

function jsonFiles(dir: string): { name: string; text: string }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ name: f, text: readFileSync(join(dir, f), 'utf8') }));
}

/**
 * ARC tasks from local files: a folder with training/ and evaluation/ subfolders (the ARC-AGI layout), a
 * folder of task files or Kaggle combined files (a seeded 20% of tasks held out), or a single file.
 */
export function loadArcTasksFromDisk(path: string, seed: number): ArcTaskSplit {
  if (!existsSync(path)) throw new Error(`ARC data path ${path} does not exist`);
  if (!statSync(path).isDirectory()) return splitTasks(parseArcFiles([{ name: path, text: readFileSync(path, 'utf8') }]), 0.2, seed);
  const sub = (n: string) => join(path, n);
  if (existsSync(sub('training')) && existsSync(sub('evaluation'))) {
    return { train: parseArcFiles(jsonFiles(sub('training'))), eval: parseArcFiles(jsonFiles(sub('evaluation'))) };
  }
  const files = jsonFiles(path);
  if (files.length === 0) throw new Error(`${path}: no .json task files`);
  return splitTasks(parseArcFiles(files), 0.2, seed);
}
