import { describe, expect, it } from 'vitest';
import { mazeSource } from '../../src/data/maze-source';
import { parseCheckpoint, saveCheckpoint } from '../../src/io/checkpoint';
import { importReference, referenceStateDict } from '../../src/io/reference-checkpoint';
import { parseReferenceConfig, referenceConfigYaml, referenceFields, referenceOverrides } from '../../src/io/reference-config';
import type { LazyTensor } from '../../src/io/torch-checkpoint';
import type { TrainConfig } from '../../src/trm/config';
import { NAMES } from '../../src/trm/params';
import { getPreset } from '../../src/trm/presets';
import { Trainer } from '../../src/trm/trainer';
import { cpu } from '../helpers/engines';
import { refusal } from '../helpers/user-message';

/**
 * The reference options beyond TRM's defaults in all_config.yaml and checkpoints: pos_encodings learned,
 * puzzle_emb_len 0 (= ceil(puzzle_emb_ndim / hidden)) and no_ACT_continue false.
 */
const ARCH = 'arch:\n  name: recursive_reasoning.trm@TinyRecursiveReasoningModel_ACTV1\n';

/** TRM-Att on 5×5 mazes with all three options: ceil(24 / 16) = 2 prefix positions, a [27, 16] position table. */
function optionsConfig(): TrainConfig {
  const cfg = getPreset('maze');
  cfg.model = { ...cfg.model, hidden: 16, heads: 4, puzzleEmbDim: 24, puzzleEmbLen: 0, posEncoding: 'learned', actContinue: true, T: 2, n: 1, nSup: 2 };
  cfg.optim = { ...cfg.optim, batchSize: 4 };
  cfg.data = { kind: 'maze', size: 5, minPathLength: 2, trainMazes: 4, testMazes: 2, augment: false };
  return cfg;
}

const lazyOf = (state: Map<string, { shape: number[]; data: Float32Array }>) =>
  new Map([...state].map(([n, t]) => [n, { dtype: 'F32', shape: t.shape, read: async () => t.data.slice() } as LazyTensor]));
const weightsOf = (tensors: Map<string, { data: ArrayLike<number> }>) => new Map([...tensors].filter(([n]) => !n.startsWith('_train.')).map(([n, t]) => [n, t.data]));

describe('all_config.yaml: the reference options', () => {
  it('reads pos_encodings learned (attention and MLP mixer) and no_ACT_continue false', () => {
    const att = parseReferenceConfig(`${ARCH}  pos_encodings: learned\n  mlp_t: false\n  no_ACT_continue: false\n  puzzle_emb_len: 0\n`, 'all_config.yaml');
    expect(att.fields.get('model.posEncoding')).toBe('learned');
    expect(att.fields.get('model.puzzleEmbLen')).toBe(0);
    expect(att.actContinue).toBe(true);
    const mlp = parseReferenceConfig(`${ARCH}  pos_encodings: learned\n  mlp_t: true\n`, 'all_config.yaml');
    expect(mlp.fields.get('model.posEncoding')).toBe('learned');
    expect(mlp.actContinue).toBe(false);
    // RoPE means nothing to the MLP mixer.
    expect(parseReferenceConfig(`${ARCH}  pos_encodings: rope\n  mlp_t: true\n`, 'all_config.yaml').fields.get('model.posEncoding')).toBe('none');
    expect(refusal(() => parseReferenceConfig(`${ARCH}  pos_encodings: alibi\n`, 'all_config.yaml'))).toBe('all_config.yaml: arch.pos_encodings is "alibi", not rope, none, learned');
    expect(refusal(() => parseReferenceConfig(`${ARCH}  no_ACT_continue: 0\n`, 'all_config.yaml'))).toBe('all_config.yaml: arch.no_ACT_continue is 0, not true or false');
  });

  it('writes them back, and the torchrun overrides say no_ACT_continue only where it differs from trm.yaml', () => {
    const cfg = optionsConfig();
    const fields = new Map(referenceFields(cfg).map((f) => [f.name, f.value]));
    expect([fields.get('arch.pos_encodings'), fields.get('arch.puzzle_emb_len'), fields.get('arch.no_ACT_continue')]).toEqual(['learned', 0, false]);
    expect(referenceOverrides(cfg, { epochs: 1 }).find((f) => f.name === 'arch.no_ACT_continue')).toEqual({ name: 'arch.no_ACT_continue', value: false, add: false });
    cfg.model.actContinue = false;
    expect(referenceOverrides(cfg, { epochs: 1 }).some((f) => f.name === 'arch.no_ACT_continue')).toBe(false);
    expect(new Map(referenceFields(cfg).map((f) => [f.name, f.value])).get('arch.no_ACT_continue')).toBe(true);
  });
});

describe('a reference checkpoint with the options', () => {
  it('round trips through the export and imports from its shapes alone', async () => {
    const cfg = optionsConfig();
    const tr = new Trainer(cpu, cfg, mazeSource({ ...(cfg.data as Extract<TrainConfig['data'], { kind: 'maze' }>), seed: 0 }));
    const metrics = (await tr.trainStep(true))!;
    expect(metrics.continueLoss).toBeGreaterThan(0);
    const ck = parseCheckpoint(await saveCheckpoint(tr), 'run.safetensors');
    tr.release();
    const state = referenceStateDict(ck);
    expect(state.get(`_orig_mod.model.${NAMES.embedPos}`)!.shape).toEqual([27, 16]);

    const yaml = parseReferenceConfig(referenceConfigYaml(ck.meta.config, ck.meta.data, 1), 'all_config.yaml');
    const exported = await importReference(lazyOf(state), yaml, 'step_1', 1);
    expect(exported.checkpoint.meta.config).toEqual(ck.meta.config);
    expect(weightsOf(exported.checkpoint.tensors)).toEqual(weightsOf(ck.tensors));

    // Without all_config.yaml: the position table's 27 rows are 25 maze cells after ceil(24 / 16) = 2 prefix positions.
    const { checkpoint, notes } = await importReference(lazyOf(state), null, 'step_1', 1);
    expect(checkpoint.meta.config.model).toMatchObject({ variant: 'attention', posEncoding: 'learned', puzzleEmbLen: 2, puzzleEmbDim: 24, actContinue: false });
    expect(checkpoint.meta.config.data).toMatchObject({ kind: 'maze', size: 5 });
    expect(weightsOf(checkpoint.tensors)).toEqual(weightsOf(ck.tensors));
    expect(notes.join('\n')).toMatch(/puzzleEmbLen 2 \(the position table's 27 positions less a dataset's sequence\)/);
    expect(notes.join('\n')).toMatch(/25 tokens \+ 2 prefix, learned positions/);
  });
});
