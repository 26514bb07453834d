// Nothing without a target is scored: evaluateSource leaves target-less examples (and ARC tasks missing a test
// output) out of every accuracy, and with nothing left it refuses rather than report an accuracy over nothing.
import { describe, expect, it } from 'vitest';
import { arcSource } from '../../src/data/arc-source';
import { IGNORE_LABEL, type Example } from '../../src/data/dataset';
import type { ArcTask } from '../../src/data/grid';
import type { DataSource } from '../../src/data/source';
import { sudokuSource } from '../../src/data/sudoku-source';
import { CpuEngine } from '../../src/engine/cpu';
import type { TrainConfig } from '../../src/trm/config';
import { evaluateSource } from '../../src/trm/evaluate';
import { getPreset } from '../../src/trm/presets';
import { Trainer } from '../../src/trm/trainer';
import { rejectionMessage } from '../helpers/user-message';

function tiny(data: TrainConfig['data']): TrainConfig {
  const cfg = getPreset('sudoku-4x4');
  cfg.model = { ...cfg.model, hidden: 16, puzzleEmbDim: 16, T: 1, n: 1, nSup: 1, expansion: 2 };
  cfg.optim = { ...cfg.optim, batchSize: 4 };
  cfg.data = data;
  return cfg;
}

const untargeted = (ex: Example): Example => ({ ...ex, labels: new Int32Array(ex.labels.length).fill(IGNORE_LABEL) });

describe('evaluation scores only what has a target', () => {
  const cfg = tiny({ kind: 'sudoku', size: 4, difficulty: 0.3, trainPuzzles: 8, testPuzzles: 6, augment: false });
  const base = sudokuSource({ ...(cfg.data as Extract<TrainConfig['data'], { kind: 'sudoku' }>), seed: 1 });
  const held = base.evalExamples();
  const withEval = (examples: Example[]): DataSource => ({ ...base, evalExamples: () => examples });
  const trainer = new Trainer(new CpuEngine(), cfg, base);

  it('examples without a target are left out of the count and every accuracy', async () => {
    const all = await evaluateSource(trainer, withEval(held.slice(0, 2)));
    const mixed = await evaluateSource(trainer, withEval([untargeted(held[2]), held[0], untargeted(held[3]), held[1]]));
    expect(mixed.examples).toBe(2);
    expect(mixed.exactAccuracy).toBe(all.exactAccuracy);
    expect(mixed.tokenAccuracy).toBe(all.tokenAccuracy);
  });

  it('a held-out set with no target at all is refused, not scored 100%', async () => {
    const m = await rejectionMessage(evaluateSource(trainer, withEval(held.map(untargeted))));
    expect(m).toBe(`${base.info.name}: has 6 held-out examples, none with a target (e.g. ARC test inputs without outputs); there is nothing to score`);
  });

  it('an empty held-out set is refused, not scored 0%', async () => {
    expect(await rejectionMessage(evaluateSource(trainer, withEval([])))).toBe(`${base.info.name}: has no held-out examples; there is nothing to score`);
  });

  it('ARC: tasks whose test pairs lack outputs are not voted on or counted', async () => {
    const g = (v: number) => ({ h: 2, w: 2, cells: new Uint8Array(4).fill(v) });
    const t = (id: string, output: boolean): ArcTask => ({ id, train: [{ input: g(1), output: g(2) }], test: [output ? { input: g(3), output: g(4) } : { input: g(3) }] });
    const arcCfg = tiny({ kind: 'arc', source: 'mini-arc', canvas: 3, augmentations: 0, translate: false });
    const opts = { name: 'tasks', canvas: 3, augmentations: 0, translate: false, seed: 0 };
    const scored = arcSource([t('a', true)], [t('b', true), t('c', false)], opts);
    const arcTrainer = new Trainer(new CpuEngine(), arcCfg, scored);
    const r = await evaluateSource(arcTrainer, scored);
    expect(r.tasks).toBe(1);
    expect(r.examples).toBe(1);
    const none = arcSource([t('a', true)], [t('c', false)], opts);
    expect(await rejectionMessage(evaluateSource(new Trainer(new CpuEngine(), arcCfg, none), none))).toBe(
      'tasks: has 1 held-out example, none with a target (e.g. ARC test inputs without outputs); there is nothing to score',
    );
  });
});
