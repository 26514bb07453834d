import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli';

describe('headless CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trm-cli-'));
  const tiny = ['--preset', 'sudoku-4x4', '--steps', '6', '--report-every', '2', '--evalEvery', '3', '--evalSamples', '8', '--model.hidden', '16', '--model.puzzleEmbDim', '16', '--model.T', '2', '--model.n', '1', '--model.nSup', '2', '--optim.batchSize', '8', '--data.trainPuzzles', '20', '--data.testPuzzles', '16'];

  it('trains on WebGPU with metrics, evaluations and a checkpoint, then evaluates and resumes from it', () => {
    const out = join(dir, 'run');
    const t = runCli('train', [...tiny, '--out', out]);
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout).toMatch(/final eval on 16: exact [\d.]+% token [\d.]+% mean halt step/);
    const lines = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; step: number });
    expect(lines.filter((l) => l.type === 'train').map((l) => l.step)).toEqual([2, 4, 6]);
    expect(lines.filter((l) => l.type === 'eval').map((l) => l.step)).toEqual([3, 6]);
    const ckpt = join(out, 'checkpoint.safetensors');
    expect(existsSync(ckpt)).toBe(true);

    const e = runCli('eval', ['--checkpoint', ckpt, '--n', '16']);
    expect(e.code).toBe(0);
    expect(e.stdout).toMatch(/exact accuracy\s+[\d.]+%/);
    expect(e.stdout).toMatch(/mean halting step\s+[\d.]+ of 2/);
    const final = /final eval on 16: exact ([\d.]+)%/.exec(t.stdout)![1];
    expect(e.stdout).toContain(`exact accuracy      ${final}%`);

    const puzzles = join(dir, 'puzzles.txt');
    writeFileSync(puzzles, '# two puzzles: one with a unique solution, one carrying its own\n1.3.3..2.1....21\n1.3.....2.......,1234341221434321\n');
    const f = runCli('eval', ['--checkpoint', ckpt, '--data', puzzles, '--backend', 'cpu']);
    expect(f.code).toBe(0);
    expect(f.stdout).toMatch(/examples\s+2/);

    const r = runCli('train', ['--resume', ckpt, '--steps', '8', '--report-every', '2', '--out', join(dir, 'resumed'), '--backend', 'cpu']);
    expect(r.code).toBe(0);
    const resumed = readFileSync(join(dir, 'resumed', 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; step: number });
    expect(resumed.filter((l) => l.type === 'train').map((l) => l.step)).toEqual([8]);
  });

  it('the shipped sudoku-4x4 checkpoint solves fresh held-out puzzles (≥ 95% exact)', () => {
    const e = runCli('eval', ['--checkpoint', 'public/models/sudoku-4x4/model.safetensors', '--n', '200', '--backend', 'cpu']);
    expect(e.code).toBe(0);
    expect(e.stdout).toMatch(/examples\s+200/);
    const exact = Number(/exact accuracy\s+([\d.]+)%/.exec(e.stdout)![1]);
    expect(exact).toBeGreaterThanOrEqual(95);
  });

  it('bad input gets a clear error naming the problem', () => {
    expect(runCli('train', ['--preset', 'nope']).stderr).toMatch(/unknown preset "nope"; choose one of: .*sudoku-4x4/);
    expect(runCli('train', ['--preset', 'maze', '--model.heads', '5', '--steps', '1']).stderr).toMatch(/model\.heads: hidden size 64 is not divisible by 5 heads/);
    expect(runCli('train', ['--preset', 'sudoku-4x4', '--optim.lr', 'fast']).stderr).toMatch(/--optim\.lr: "fast" is not a number/);
    const bad = join(dir, 'bad.txt');
    writeFileSync(bad, '1234\n');
    const ck = join(dir, 'run', 'checkpoint.safetensors');
    expect(runCli('eval', ['--checkpoint', ck, '--data', bad, '--backend', 'cpu']).stderr).toMatch(/bad\.txt: line 1/);
    expect(runCli('eval', ['--checkpoint', bad]).stderr).toMatch(/bad\.txt: not a valid safetensors file/);
  });
});
