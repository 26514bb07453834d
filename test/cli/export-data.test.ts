import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseNpy } from '../../src/io/npy';
import { MemorySink, writeReferenceDataset } from '../../src/io/reference-dataset';
import { getPreset } from '../../src/trm/presets';
import { runCli } from '../helpers/cli';
import { PYTHON, runPython } from '../helpers/python';
import { ARC_FIXTURES } from '../helpers/datasets';
import { expectUserMessage } from '../helpers/user-message';

const tmp = mkdtempSync(join(tmpdir(), 'export-data-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const exportData = (args: string[]) => runCli('export-data', args);

/** A `torchrun` on PATH that prints the arguments it was given, one JSON list: what bash made of a line. */
const fakeBin = join(tmp, 'bin');
mkdirSync(fakeBin);
writeFileSync(join(fakeBin, 'torchrun'), `#!/bin/sh\nexec ${PYTHON} -c 'import json, sys; print(json.dumps(sys.argv[1:]))' "$@"\n`);
chmodSync(join(fakeBin, 'torchrun'), 0o755);
const env = { ...process.env, PATH: `${fakeBin}:${process.env.PATH}` };
const argsOfLine = (line: string) => JSON.parse(spawnSync('bash', ['-c', line], { encoding: 'utf8', env }).stdout) as string[];
const argsOfScript = (script: string, ...extra: string[]) => JSON.parse(spawnSync('bash', [script, ...extra], { encoding: 'utf8', env }).stdout) as string[];

/** The hydra overrides as a map (after "pretrain.py"). */
function overrides(args: string[]): Map<string, string> {
  expect(args.slice(0, 4)).toEqual(['--nproc-per-node', '1', 'pretrain.py', 'arch=trm']);
  return new Map(args.slice(4).map((a) => [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]));
}

/** Nothing but `expected` (sorted names) directly in tmp/`parent`: no half-written temporary folder. */
const entries = (dir: string) => readdirSync(dir).sort();

describe('npm run export-data', () => {
  it('a Sudoku preset: the folder numpy loads, the same arrays as the library writes, and the torchrun line with the config mapped', () => {
    const parent = join(tmp, "it's sudoku"); // a quote in the path: hydra and bash must both read it back
    const out = join(parent, 'data');
    const r = exportData(['--preset', 'sudoku-4x4', '--data.trainPuzzles', '40', '--data.testPuzzles', '9', '--num-aug', '2', '--model.hidden', '48', '--optim.lr', '0.002', '--out', out]);
    expect(r.stderr).toMatch(/train: 120 examples in 120 puzzles, 40 groups/);
    expect(r.code).toBe(0);
    expect(entries(parent)).toEqual(['data']);
    expect(entries(out)).toEqual(['identifiers.json', 'test', 'torchrun.sh', 'train', 'trm-lab-config.json']);
    const files = ['all__group_indices.npy', 'all__inputs.npy', 'all__labels.npy', 'all__puzzle_identifiers.npy', 'all__puzzle_indices.npy', 'dataset.json'];
    expect(entries(join(out, 'train'))).toEqual(files);
    expect(entries(join(out, 'test'))).toEqual(files);

    // The streamed arrays load in numpy (memory-mapped, as the reference's loader reads them) …
    const shapes = JSON.parse(runPython(['-c', `
import json, sys, numpy as np
d = sys.argv[1]
print(json.dumps({s + '/' + k: [np.load('%s/%s/all__%s.npy' % (d, s, k), mmap_mode='r').dtype.str, list(np.load('%s/%s/all__%s.npy' % (d, s, k)).shape)]
                  for s in ('train', 'test') for k in ('inputs', 'labels', 'puzzle_identifiers', 'puzzle_indices', 'group_indices')}))`, out]));
    expect(shapes).toEqual({
      'train/inputs': ['|u1', [120, 16]], 'train/labels': ['|u1', [120, 16]], 'train/puzzle_identifiers': ['<i4', [120]], 'train/puzzle_indices': ['<i4', [121]], 'train/group_indices': ['<i4', [41]],
      'test/inputs': ['|u1', [9, 16]], 'test/labels': ['|u1', [9, 16]], 'test/puzzle_identifiers': ['<i4', [9]], 'test/puzzle_indices': ['<i4', [10]], 'test/group_indices': ['<i4', [10]],
    });
    // … and hold what the library writes for the same config.
    const cfg = getPreset('sudoku-4x4');
    cfg.model.hidden = 48;
    cfg.optim.lr = 0.002;
    cfg.data = { ...cfg.data, trainPuzzles: 40, testPuzzles: 9 } as typeof cfg.data;
    const sink = new MemorySink();
    writeReferenceDataset(cfg, { sudokuAugmentations: 2 }, sink);
    for (const [path, content] of sink.files) {
      const disk = new Uint8Array(readFileSync(join(out, path)));
      if (path.endsWith('.npy')) expect(parseNpy(disk, path)).toEqual(parseNpy(content as Uint8Array, path));
      else expect(Buffer.from(disk).toString()).toBe(content);
    }

    // The printed line, as bash hands it to torchrun: every mapped hyper-parameter, and epochs for the same steps.
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const o = overrides(argsOfLine(lines[0]).slice(0));
    expect(o.get('data_paths')).toBe(`['${out.replace(/'/g, "\\'")}']`);
    expect(Object.fromEntries(o)).toMatchObject({
      evaluators: '[]', 'arch.hidden_size': '48', 'arch.num_heads': '4', 'arch.expansion': '4', 'arch.L_layers': '2',
      'arch.H_cycles': '2', 'arch.L_cycles': '2', 'arch.halt_max_steps': '4', 'arch.halt_exploration_prob': '0.1',
      'arch.mlp_t': 'True', 'arch.pos_encodings': 'none', 'arch.puzzle_emb_ndim': '32', 'arch.puzzle_emb_len': '1',
      'arch.loss.loss_type': 'stablemax_cross_entropy', global_batch_size: '64', lr: '0.002', lr_min_ratio: '1',
      lr_warmup_steps: '50', beta1: '0.9', beta2: '0.95', weight_decay: '0.1', puzzle_emb_lr: '0.01',
      puzzle_emb_weight_decay: '0.1', ema: 'True', ema_rate: '0.99', seed: '0',
      // 2000 steps × 64 = 128,000 examples = 3200 epochs of 40 groups × 1 example; 8 evaluations, as the run makes.
      epochs: '3200', eval_interval: '400', checkpoint_every_eval: 'True',
    });
    expect(r.stderr).toMatch(/the reference takes 2000 optimizer steps/);
    expect(r.stderr).toMatch(/its MLP has 256 hidden units where this config \(multiple 8\) has 128/);

    // torchrun.sh runs the same line on the folder it lies in, wherever the folder goes, with extra overrides.
    const script = join(out, 'torchrun.sh');
    expect(statSync(script).mode & 0o111).not.toBe(0);
    const moved = join(tmp, 'moved data \\ here'); // a backslash not before a quote: hydra keeps it as it is
    renameSync(out, moved);
    const fromScript = argsOfScript(join(moved, 'torchrun.sh'), '+run_name=mine');
    expect(fromScript.at(-1)).toBe('+run_name=mine');
    const so = overrides(fromScript.slice(0, -1));
    expect(so.get('data_paths')).toBe(`['${moved}']`);
    expect(new Map([...so].filter(([k]) => k !== 'data_paths'))).toEqual(new Map([...o].filter(([k]) => k !== 'data_paths')));
    // A path the script cannot escape in bash: it says so rather than hand hydra a broken value.
    const quoted = join(tmp, "it's moved");
    renameSync(moved, quoted);
    const refused = spawnSync('bash', [join(quoted, 'torchrun.sh')], { encoding: 'utf8', env });
    expect(refused.status).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/hydra cannot read the path .*it's moved/);
  });

  it('a run\'s config.json with a maze, and ARC task files with --arc-dir', () => {
    const cfg = getPreset('maze');
    cfg.data = { kind: 'maze', size: 6, minPathLength: 4, trainMazes: 10, testMazes: 3, augment: true };
    const configFile = join(tmp, 'config.json');
    writeFileSync(configFile, JSON.stringify(cfg, null, 2));
    mkdirSync(join(tmp, 'maze')); // an empty folder takes the dataset
    const maze = exportData(['--config', configFile, '--out', join(tmp, 'maze')]);
    expect(maze.code, maze.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(tmp, 'maze', 'train', 'dataset.json'), 'utf8'))).toMatchObject({ seq_len: 36, vocab_size: 6, total_groups: 10, total_puzzles: 80 });
    // The folder names the config it was made from, and exporting that config again gives the same folder.
    expect(JSON.parse(readFileSync(join(tmp, 'maze', 'trm-lab-config.json'), 'utf8'))).toEqual(cfg);
    const again = exportData(['--config', join(tmp, 'maze', 'trm-lab-config.json'), '--out', join(tmp, 'maze-again')]);
    expect(again.code, again.stderr).toBe(0);
    for (const f of ['train/all__inputs.npy', 'train/all__labels.npy', 'test/all__inputs.npy', 'train/all__group_indices.npy', 'identifiers.json']) {
      expect(readFileSync(join(tmp, 'maze-again', f))).toEqual(readFileSync(join(tmp, 'maze', f)));
    }
    const mo = overrides(argsOfLine(maze.stdout.trim()));
    expect(Object.fromEntries(mo)).toMatchObject({ evaluators: '[]', 'arch.mlp_t': 'False', 'arch.pos_encodings': 'rope' });

    const arc = exportData(['--preset', 'mini-arc', '--arc-dir', join(ARC_FIXTURES, 'arc-agi-1'), '--data.augmentations', '2', '--out', join(tmp, 'arc')]);
    expect(arc.code, arc.stderr).toBe(0);
    expect(entries(join(tmp, 'arc'))).toEqual(['identifiers.json', 'test', 'test_puzzles.json', 'torchrun.sh', 'train', 'trm-lab-config.json']);
    expect(JSON.parse(readFileSync(join(tmp, 'arc', 'test', 'dataset.json'), 'utf8'))).toMatchObject({ seq_len: 900, vocab_size: 12, total_groups: 3 });
    // ARC keeps the reference's default evaluator (arc@ARC), which reads identifiers.json and test_puzzles.json.
    expect(overrides(argsOfLine(arc.stdout.trim())).has('evaluators')).toBe(false);
    expect(arc.stderr).toMatch(/30×30 canvas \(this config trains on 6×6\)/);
  });

  it('your own Sudoku text: 20% held out, the rest trained on', () => {
    const lines = [
      '1.3.3.1.2.4.4.2.,1234341221434321',
      '.2.4...2..4.4...,1234341221434321',
      '2143..........21,2143341212344321',
      '12..34..........,1243341221344321',
      '....3412........,2143341212344321',
    ];
    const file = join(tmp, 'mine.txt');
    writeFileSync(file, lines.join('\n') + '\n');
    const r = exportData(['--preset', 'sudoku-4x4', '--sudoku-text', file, '--num-aug', '0', '--out', join(tmp, 'mine')]);
    expect(r.code, r.stderr).toBe(0);
    const rows = (split: string) => {
      const a = parseNpy(new Uint8Array(readFileSync(join(tmp, 'mine', split, 'all__inputs.npy'))), split);
      return Array.from({ length: a.shape[0] }, (_, i) => Array.from((a.data as Uint8Array).subarray(i * 16, i * 16 + 16), (t) => (t === 1 ? '.' : String(t - 1))).join(''));
    };
    const train = rows('train');
    const test = rows('test');
    expect(train).toHaveLength(4);
    expect(test).toHaveLength(1);
    expect([...train, ...test].sort()).toEqual(lines.map((l) => l.split(',')[0]).sort());
  });

  describe('refuses, in one line, and leaves nothing behind', () => {
    const busy = join(tmp, 'busy');
    mkdirSync(busy);
    writeFileSync(join(busy, 'keep.txt'), 'mine');
    const aFile = join(tmp, 'a-file');
    writeFileSync(aFile, 'x');
    const badConfig = join(tmp, 'bad-config.json');
    writeFileSync(badConfig, JSON.stringify({ ...getPreset('maze'), steps: -3 }));
    const notJson = join(tmp, 'not-json.json');
    writeFileSync(notJson, '{"model": ');
    const sixBySix = join(tmp, 'six.txt');
    writeFileSync(sixBySix, '1234561234561234561234561234561234..\n');
    const out = join(tmp, 'refused', 'data');
    const cases: [string, string[], (string | RegExp)[]][] = [
      ['a folder that is not empty', ['--preset', 'sudoku-4x4', '--out', busy], [busy, /not empty/]],
      ['a file as --out', ['--preset', 'sudoku-4x4', '--out', aFile], [aFile, /is a file/]],
      ['no --out', ['--preset', 'sudoku-4x4'], [/--out DIR is required/]],
      ['both --preset and --config', ['--preset', 'maze', '--config', badConfig, '--out', out], [/one of --preset NAME or --config FILE/]],
      ['an unknown preset', ['--preset', 'nope', '--out', out], [/unknown preset "nope"/]],
      ['a config with a bad field', ['--config', badConfig, '--out', out], [badConfig, /steps/]],
      ['a config that is not JSON', ['--config', notJson, '--out', out], [notJson, /not JSON/]],
      ['ARC without its tasks', ['--preset', 'mini-arc', '--out', out], [/needs --arc-dir/]],
      ['--arc-dir for a Sudoku config', ['--preset', 'sudoku-4x4', '--arc-dir', ARC_FIXTURES, '--out', out], [/--arc-dir is for ARC configs/]],
      ['--num-aug for a maze', ['--preset', 'maze', '--num-aug', '3', '--out', out], [/--num-aug is for Sudoku/]],
      ['a negative --num-aug', ['--preset', 'sudoku-4x4', '--num-aug', '-1', '--out', out], [/--num-aug: "-1" is not an integer from 0 to 10000/]],
      ['Sudoku text of another size', ['--preset', 'sudoku-4x4', '--sudoku-text', sixBySix, '--out', out], [sixBySix, /line 1/]],
      ['a bad config override', ['--preset', 'maze', '--data.size', '99', '--out', out], [/data\.size/]],
      ['data the generator cannot make, found only while writing', ['--preset', 'maze', '--data.size', '2', '--data.minPathLength', '3', '--out', out], [/2×2/]],
    ];
    for (const [what, args, patterns] of cases) {
      it(what, () => {
        const r = exportData(args);
        expect(r.code).toBe(1);
        expect(r.stdout).toBe('');
        const message = r.stderr.trim();
        expect(message.split('\n')).toHaveLength(1);
        expect(message.startsWith('[trm] error: ')).toBe(true);
        expectUserMessage(message.slice('[trm] error: '.length), ...patterns);
        expect(readFileSync(join(busy, 'keep.txt'), 'utf8')).toBe('mine');
        expect(existsSync(out)).toBe(false);
        if (existsSync(join(tmp, 'refused'))) expect(entries(join(tmp, 'refused'))).toEqual([]);
      });
    }
  });
});
