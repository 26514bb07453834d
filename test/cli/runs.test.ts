/**
 * Runs are never lost, through the real CLI (`npm run train` on the CPU twin, a tiny model, a few steps): a new
 * run never writes into another run's folder, a resume continues beside its checkpoint and never over another
 * run, a failed start leaves the folder as it was, a NaN stop keeps the last finite checkpoint and says where, and
 * Ctrl-C saves before it exits.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCheckpoint } from '../../src/io/checkpoint';
import { cliScript, runCli, type CliResult } from '../helpers/cli';
import { snapshot } from '../helpers/files';
import { expectUserMessage, INTERNALS } from '../helpers/user-message';

/** A new run's flags: a tiny sudoku-4x4 model on the CPU twin, with `o` in place of (or beside) the defaults. */
const TINY: Record<string, string> = {
  preset: 'sudoku-4x4', 'report-every': '2', evalEvery: '0', evalSamples: '8', 'model.hidden': '16', 'model.puzzleEmbDim': '16',
  'model.T': '2', 'model.n': '1', 'model.nSup': '2', 'optim.batchSize': '8', 'data.trainPuzzles': '20', 'data.testPuzzles': '16', backend: 'cpu',
};
const NEW = (o: Record<string, string>) => Object.entries({ ...TINY, ...o }).flatMap(([k, v]) => [`--${k}`, v]);
const ARC = (dir: string, ...more: string[]) => ['--preset', 'mini-arc', '--steps', '2', '--backend', 'cpu', '--arc-dir', dir, ...more];
/** Weight decay 100 at lr 10 scales every weight by about −999 a step: Inf within 20 steps, NaN gradients after. */
const DIVERGING = { 'optim.lr': '10', 'optim.weightDecay': '100', steps: '40', 'report-every': '1' };

let work: string;

/** A run of train in `cwd` (the shared work folder by default), killed after 60 s. */
const train = (args: string[], cwd = work, env?: NodeJS.ProcessEnv) => runCli('train', args, { cwd, env, timeout: 60_000 });

/** The one error line a failed run prints, checked to be a bounded user message. */
function errorOf(r: CliResult): string {
  expect(r.code).toBe(1);
  expect(r.stderr).not.toMatch(INTERNALS);
  const m = /\[trm\] error: (.*)\n$/.exec(r.stderr);
  expect(m, r.stderr).not.toBeNull();
  expectUserMessage(m![1]);
  return m![1];
}

/** A copy of the run made once in beforeAll (4 steps), in a fresh folder of its own. */
function aRun(name: string): string {
  const dir = join(mkdtempSync(join(work, 'case-')), name);
  cpSync(join(work, 'base'), dir, { recursive: true });
  return dir;
}

const readCheckpoint = (file: string) => parseCheckpoint(new Uint8Array(readFileSync(file)), file);
const metrics = (dir: string) => readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; step: number; final?: boolean });
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Every value of every tensor is finite (parseCheckpoint refuses such files too; this says so by itself). */
function allFinite(file: string): boolean {
  for (const t of readCheckpoint(file).tensors.values()) for (const v of t.data) if (!Number.isFinite(v)) return false;
  return true;
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'trm-runs-'));
  const base = train(NEW({ steps: '4', out: join(work, 'base') }));
  expect(base.code, base.stderr).toBe(0);
});

describe('a new run', () => {
  it('refuses an explicit --out that holds another run, naming it and how to go on; the run stays byte-identical', () => {
    const dir = aRun('run');
    const before = snapshot(dir);
    const r = train(NEW({ steps: '2', out: dir }));
    expect(errorOf(r)).toBe(`--out "${dir}" holds another run (config.json, checkpoint.safetensors, metrics.jsonl); continue it with --resume ${join(dir, 'checkpoint.safetensors')} or choose another --out (an empty or new folder)`);
    expect(snapshot(dir)).toEqual(before);
  });

  it('refuses an --out holding what a cut-short run left (metrics, config): no --resume is offered', () => {
    const dir = join(work, 'partial');
    mkdirSync(dir);
    writeFileSync(join(dir, 'metrics.jsonl'), '{"type":"train","step":2}\n');
    writeFileSync(join(dir, 'config.json'), '{}');
    const before = snapshot(dir);
    expect(errorOf(train(NEW({ steps: '2', out: dir })))).toBe(`--out "${dir}" holds another run (config.json, metrics.jsonl); choose another --out (an empty or new folder)`);
    expect(snapshot(dir)).toEqual(before);
  });

  it('without --out picks runs/<preset>-2 when runs/<preset> holds a run, and says so on stderr', () => {
    const cwd = mkdtempSync(join(work, 'cwd-'));
    cpSync(join(work, 'base'), join(cwd, 'runs', 'sudoku-4x4'), { recursive: true });
    const before = snapshot(join(cwd, 'runs', 'sudoku-4x4'));
    const r = train(NEW({ steps: '2' }), cwd);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`[trm] ${join('runs', 'sudoku-4x4')} holds another run, so this run writes to ${join('runs', 'sudoku-4x4-2')}\n`);
    expect(r.stdout).toContain(`checkpoint: ${join('runs', 'sudoku-4x4-2', 'checkpoint.safetensors')}`);
    expect(snapshot(join(cwd, 'runs', 'sudoku-4x4'))).toEqual(before);
    expect(readdirSync(join(cwd, 'runs', 'sudoku-4x4-2')).sort()).toEqual(['checkpoint.safetensors', 'config.json', 'metrics.jsonl']);
    expect(readCheckpoint(join(cwd, 'runs', 'sudoku-4x4-2', 'checkpoint.safetensors')).meta.step).toBe(2);
  });

  it('started three at once without --out (a sweep), each gets a folder of its own', async () => {
    const cwd = mkdtempSync(join(work, 'cwd-'));
    const seeds = ['1', '2', '3'];
    const codes = await Promise.all(seeds.map((seed) => new Promise<number | null>((resolve, reject) => {
      const child = spawn('node', [cliScript('train'), ...NEW({ steps: '2', seed })], { cwd, stdio: 'ignore' });
      child.on('error', reject);
      child.on('close', resolve);
    })));
    expect(codes).toEqual([0, 0, 0]);
    expect(readdirSync(join(cwd, 'runs')).sort()).toEqual(['sudoku-4x4', 'sudoku-4x4-2', 'sudoku-4x4-3']);
    const ran = readdirSync(join(cwd, 'runs')).map((d) => readCheckpoint(join(cwd, 'runs', d, 'checkpoint.safetensors')).meta.config.seed);
    expect(ran.sort()).toEqual([1, 2, 3]);
  });
});

describe('a resumed run', () => {
  it('continues beside its checkpoint: the checkpoint moves on, metrics are appended, nothing is written elsewhere', () => {
    const cwd = mkdtempSync(join(work, 'cwd-'));
    const dir = join(cwd, 'mine');
    cpSync(join(work, 'base'), dir, { recursive: true });
    const ckpt = join('mine', 'checkpoint.safetensors');
    const r = train(['--resume', ckpt, '--steps', '8', '--report-every', '2', '--backend', 'cpu'], cwd);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`checkpoint: ${ckpt}\n`);
    expect(readdirSync(cwd)).toEqual(['mine']);
    expect(readdirSync(dir).sort()).toEqual(['checkpoint.safetensors', 'config.json', 'metrics.jsonl']);
    const lines = metrics(dir);
    expect(lines.filter((l) => l.type === 'train').map((l) => l.step)).toEqual([2, 4, 6, 8]);
    expect(lines.filter((l) => l.final).map((l) => l.step)).toEqual([4, 8]);
    expect(readCheckpoint(join(dir, 'checkpoint.safetensors')).meta.step).toBe(8);
    expect((JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { steps: number }).steps).toBe(8);
  });

  it('refuses an --out that holds a different run; both runs stay byte-identical', () => {
    const mine = aRun('mine');
    const other = aRun('other');
    const before = [snapshot(mine), snapshot(other)];
    const r = train(['--resume', join(mine, 'checkpoint.safetensors'), '--steps', '6', '--out', other, '--backend', 'cpu']);
    expect(errorOf(r)).toBe(`--out "${other}" holds another run (config.json, checkpoint.safetensors, metrics.jsonl) whose checkpoint is not the one resumed; write the resumed run elsewhere with --out DIR (an empty or new folder)`);
    expect([snapshot(mine), snapshot(other)]).toEqual(before);
  });

  it('refuses to continue beside a copied checkpoint whose folder holds another run', () => {
    const dir = aRun('run');
    const copy = join(dir, 'backup.safetensors');
    cpSync(join(dir, 'checkpoint.safetensors'), copy);
    const before = snapshot(dir);
    const r = train(['--resume', copy, '--steps', '6', '--backend', 'cpu']);
    expect(errorOf(r)).toBe(`"${dir}" (the folder of --resume "${copy}") holds another run (config.json, checkpoint.safetensors, metrics.jsonl) whose checkpoint is not the one resumed; write the resumed run elsewhere with --out DIR (an empty or new folder)`);
    expect(snapshot(dir)).toEqual(before);
  });
});

describe('a start that fails after parsing', () => {
  it('creates no folder: missing or unreadable ARC data, an unknown backend', () => {
    const cwd = mkdtempSync(join(work, 'cwd-'));
    const missing = join(cwd, 'no-such-arc');
    expect(errorOf(train(ARC(missing, '--out', 'new'), cwd))).toContain('no-such-arc');
    const junk = join(cwd, 'junk');
    mkdirSync(junk);
    writeFileSync(join(junk, 'task.json'), '{"train": 5}');
    expect(errorOf(train(ARC(junk), cwd))).toContain('task.json');
    expect(errorOf(train(NEW({ steps: '2', backend: 'tpu', out: 'new' }), cwd))).toMatch(/--backend.*"tpu"/);
    // Neither --out new nor the default runs/mini-arc was created.
    expect(readdirSync(cwd)).toEqual(['junk']);
  });

  // Dawn reaches the GPU through Vulkan only on Linux; elsewhere VK_ICD_FILENAMES cannot take the adapter away.
  it.runIf(process.platform === 'linux')('creates no folder when the GPU engine cannot start (no Vulkan driver to be found)', () => {
    const cwd = mkdtempSync(join(work, 'cwd-'));
    const r = train(NEW({ steps: '2', backend: 'gpu' }), cwd, { ...process.env, VK_ICD_FILENAMES: join(cwd, 'no-driver.json') });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('[trm] error: WebGPU is present but no GPU adapter was found.');
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('leaves an existing folder exactly as it was, without a config for a run that never ran', () => {
    const dir = join(work, 'mine-already');
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'my notes');
    const before = snapshot(dir);
    expect(errorOf(train(ARC(join(work, 'nowhere'), '--out', dir)))).toContain('nowhere');
    expect(snapshot(dir)).toEqual(before);
  });

  it('a resume refused at restore or for a bad flag leaves its run folder byte-identical', () => {
    const dir = aRun('run');
    const before = snapshot(dir);
    const ckpt = join(dir, 'checkpoint.safetensors');
    // A wider model than the checkpoint's: the trainer is built, the restore refuses.
    expect(errorOf(train(['--resume', ckpt, '--steps', '6', '--model.hidden', '32', '--backend', 'cpu']))).toContain(ckpt);
    expect(errorOf(train(['--resume', ckpt, '--steps', '6', '--backend', 'tpu']))).toMatch(/--backend.*"tpu"/);
    expect(snapshot(dir)).toEqual(before);
  });
});

describe('a diverging run', () => {
  it('stops without saving NaN weights and names the last finite checkpoint, which holds only finite values', () => {
    const dir = join(work, 'diverged');
    const msg = errorOf(train(NEW({ ...DIVERGING, evalEvery: '4', out: dir })));
    const ckpt = join(dir, 'checkpoint.safetensors');
    const m = new RegExp(`^training diverged by step (\\d+): the weights hold NaN/Inf \\((.+)\\), so they were not saved; the last finite checkpoint is ${escape(ckpt)} \\(step (\\d+)\\)\\. Try a lower --optim\\.lr\\.$`).exec(msg);
    expect(m, msg).not.toBeNull();
    // The refusal lists tensors as `"name": counts`; the first is one the kept checkpoint holds, finite.
    const [stoppedAt, tensor, keptStep] = [Number(m![1]), /^"([^"]+)": \d+ (NaN|infinite)/.exec(m![2])![1], Number(m![3])];
    // Saved every 4 steps: the save that found NaN/Inf wrote nothing over the one before it.
    expect(keptStep).toBe(stoppedAt - 4);
    const kept = readCheckpoint(ckpt);
    expect(kept.meta.step).toBe(keptStep);
    expect(kept.tensors.has(tensor)).toBe(true);
    expect(allFinite(ckpt)).toBe(true);
  });

  it('that never saved finite weights writes no checkpoint and says so', () => {
    const dir = join(work, 'diverged-early');
    const msg = errorOf(train(NEW({ ...DIVERGING, out: dir })));
    expect(msg).toMatch(new RegExp(`^training diverged at step \\d+: the gradient held Inf/NaN at 5 reports in a row; the weights hold NaN/Inf \\(.+\\), so they were not saved; no checkpoint with finite weights was written to ${escape(dir)}\\. Try a lower --optim\\.lr\\.$`));
    expect(readdirSync(dir).sort()).toEqual(['config.json', 'metrics.jsonl']);
  });
});

describe('a signal during training', () => {
  /** Start a long run, send `signal` once it has reported step 6, and collect how it ended. */
  function interrupt(dir: string, signal: NodeJS.Signals): Promise<CliResult & { signal: NodeJS.Signals | null }> {
    return new Promise((resolve, reject) => {
      const child = spawn('node', [cliScript('train'), ...NEW({ steps: '100000', out: dir })], { cwd: work });
      let stdout = '', stderr = '', sent = false;
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (!sent && /step 6\/100000/.test(stderr)) {
          sent = true;
          child.kill(signal);
        }
      });
      child.on('error', reject);
      child.on('close', (code, sig) => resolve({ code, signal: sig, stdout, stderr }));
    });
  }

  it.each([['SIGINT', 130], ['SIGTERM', 143]] as const)('%s saves a checkpoint of the step it stopped at and says where', async (signal, code) => {
    const dir = join(work, `stopped-${signal}`);
    const r = await interrupt(dir, signal);
    expect(r.code, r.stderr).toBe(code);
    const ckpt = join(dir, 'checkpoint.safetensors');
    const m = new RegExp(`\\[trm\\] stopped by ${signal} at step (\\d+)/100000: checkpoint ${escape(ckpt)} \\(step \\1\\); continue with --resume ${escape(ckpt)}\\n$`).exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    const step = Number(m![1]);
    expect(step).toBeGreaterThanOrEqual(6);
    expect(readCheckpoint(ckpt).meta.step).toBe(step);
    expect(allFinite(ckpt)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['checkpoint.safetensors', 'config.json', 'metrics.jsonl']);
  });
});
