import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const run = (script: string, args: string[]) => {
  try {
    return { out: execFileSync('node', [`dist-cli/${script}.js`, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }), code: 0, err: '' };
  } catch (e) {
    const x = e as { stdout: string; stderr: string; status: number };
    return { out: x.stdout, err: x.stderr, code: x.status };
  }
};

describe('headless CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trm-cli-'));
  const tiny = ['--preset', 'sudoku-4x4', '--steps', '6', '--report-every', '2', '--evalEvery', '3', '--evalSamples', '8', '--model.hidden', '16', '--model.puzzleEmbDim', '16', '--model.T', '2', '--model.n', '1', '--model.nSup', '2', '--optim.batchSize', '8', '--data.trainPuzzles', '20', '--data.testPuzzles', '16'];

  beforeAll(() => {
    execFileSync('npx', ['vite', 'build', '--config', 'vite.cli.config.ts'], { stdio: 'ignore' });
  });

  it('trains on WebGPU with metrics, evaluations and a checkpoint, then evaluates and resumes from it', () => {
    const out = join(dir, 'run');
    const t = run('train', [...tiny, '--out', out]);
    expect(t.err).toBe('');
    expect(t.code).toBe(0);
    expect(t.out).toMatch(/final eval on 16: exact [\d.]+% token [\d.]+% mean halt step/);
    const lines = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; step: number });
    expect(lines.filter((l) => l.type === 'train').map((l) => l.step)).toEqual([2, 4, 6]);
    expect(lines.filter((l) => l.type === 'eval').map((l) => l.step)).toEqual([3, 6]);
    const ckpt = join(out, 'checkpoint.safetensors');
    expect(existsSync(ckpt)).toBe(true);

    const e = run('eval', ['--checkpoint', ckpt, '--n', '16']);
    expect(e.code).toBe(0);
    expect(e.out).toMatch(/exact accuracy\s+[\d.]+%/);
    expect(e.out).toMatch(/mean halting step\s+[\d.]+ of 2/);
    const final = /final eval on 16: exact ([\d.]+)%/.exec(t.out)![1];
    expect(e.out).toContain(`exact accuracy      ${final}%`);

    const puzzles = join(dir, 'puzzles.txt');
    writeFileSync(puzzles, '# two puzzles: one with a unique solution, one carrying its own\n1.3.3..2.1....21\n1.3.....2.......,1234341221434321\n');
    const f = run('eval', ['--checkpoint', ckpt, '--data', puzzles, '--backend', 'cpu']);
    expect(f.code).toBe(0);
    expect(f.out).toMatch(/examples\s+2/);

    const r = run('train', ['--resume', ckpt, '--steps', '8', '--report-every', '2', '--out', join(dir, 'resumed'), '--backend', 'cpu']);
    expect(r.code).toBe(0);
    const resumed = readFileSync(join(dir, 'resumed', 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; step: number });
    expect(resumed.filter((l) => l.type === 'train').map((l) => l.step)).toEqual([8]);
  });

  it('the shipped sudoku-4x4 checkpoint solves fresh held-out puzzles (≥ 95% exact)', () => {
    const e = run('eval', ['--checkpoint', 'public/checkpoints/sudoku-4x4.safetensors', '--n', '200', '--backend', 'cpu']);
    expect(e.code).toBe(0);
    expect(e.out).toMatch(/examples\s+200/);
    const exact = Number(/exact accuracy\s+([\d.]+)%/.exec(e.out)![1]);
    expect(exact).toBeGreaterThanOrEqual(95);
  });

  it('bad input gets a clear error naming the problem', () => {
    expect(run('train', ['--preset', 'nope']).err).toMatch(/unknown preset "nope"; choose one of: .*sudoku-4x4/);
    expect(run('train', ['--preset', 'maze', '--model.heads', '5', '--steps', '1']).err).toMatch(/model\.heads: hidden size 64 is not divisible by 5 heads/);
    expect(run('train', ['--preset', 'sudoku-4x4', '--optim.lr', 'fast']).err).toMatch(/--optim\.lr: "fast" is not a number/);
    const bad = join(dir, 'bad.txt');
    writeFileSync(bad, '1234\n');
    const ck = join(dir, 'run', 'checkpoint.safetensors');
    expect(run('eval', ['--checkpoint', ck, '--data', bad, '--backend', 'cpu']).err).toMatch(/bad\.txt: line 1/);
    expect(run('eval', ['--checkpoint', bad]).err).toMatch(/bad\.txt: not a valid safetensors file/);
  });
});
