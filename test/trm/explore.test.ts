import { it } from 'vitest';
import { Trainer } from '../../src/trm/trainer';
import { getPreset } from '../../src/trm/presets';
import { sudokuSource } from '../../src/data/sudoku-source';
import { cpu, gpuEngine } from '../helpers/engines';

it('explore', async () => {
  const e = process.env.CPU ? cpu : await gpuEngine();
  const cfg = getPreset('sudoku-4x4');
  cfg.model.hidden = Number(process.env.H ?? 32);
  cfg.model.puzzleEmbDim = cfg.model.hidden;
  cfg.optim.batchSize = Number(process.env.BS ?? 32);
  const d = cfg.data as Extract<typeof cfg.data, { kind: 'sudoku' }>;
  const src = sudokuSource({ ...d, testPuzzles: 100, seed: 0 });
  const tr = new Trainer(e, cfg, src);
  const t0 = performance.now();
  let last = performance.now();
  for (let s = 0; s < Number(process.env.STEPS ?? 20); s++) {
    const m = await tr.trainStep(true)!;
    const now = performance.now();
    console.log('step', s, (now - last).toFixed(0), 'ms');
    last = now;
    if (s % 5 === 0) console.log(JSON.stringify(m), ((performance.now() - t0) / (s + 1)).toFixed(0), 'ms/step', e.stats().dispatches);
  }
  const ev = await tr.evaluate(src.evalExamples());
  console.log(JSON.stringify(ev));
}, 600000);
