import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CARD_FILE, INDEX_FILE, LOG_FILE, MODEL_FILE, parseCard, parseIndex } from '../../src/models/catalog';
import { runCli } from '../helpers/cli';
import { expectUserMessage } from '../helpers/user-message';

const modelCard = (args: string[]) => runCli('model-card', args);

describe('npm run model-card', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trm-card-'));
  const about = ['--title', 'Tiny', '--description', 'A test model', '--trained-with', 'npm run train -- …', '--machine', 'the test machine'];

  it('makes a catalog folder whose numbers are the eval CLI’s, with the thinned log', () => {
    const run = join(dir, 'run');
    const tiny = ['--preset', 'sudoku-4x4', '--steps', '6', '--report-every', '2', '--evalEvery', '3', '--evalSamples', '8', '--model.hidden', '16', '--model.puzzleEmbDim', '16', '--model.n', '1', '--model.nSup', '3', '--optim.batchSize', '8', '--data.trainPuzzles', '20', '--data.testPuzzles', '16'];
    const t = runCli('train', [...tiny, '--out', run, '--backend', 'cpu']);
    expect(t.code, t.stderr).toBe(0);
    const out = join(dir, 'models');
    const c = modelCard(['--checkpoint', join(run, 'checkpoint.safetensors'), '--log', join(run, 'metrics.jsonl'), '--id', 'tiny', ...about, '--test-puzzles', '12', '--backend', 'cpu', '--out', out]);
    expect(c.code, c.stderr).toBe(0);
    expect(parseIndex(readFileSync(join(out, INDEX_FILE), 'utf8'))).toEqual(['tiny']);
    const card = parseCard(readFileSync(join(out, 'tiny', CARD_FILE), 'utf8'));
    expect(card.training).toMatchObject({ steps: 6, machine: 'the test machine' });
    expect(card.training.seconds).toBeGreaterThanOrEqual(0);
    expect(card.eval.examples).toBe(12);
    expect(card.eval.haltCounts).toHaveLength(3);
    expect(readFileSync(join(out, 'tiny', LOG_FILE), 'utf8')).toBe(readFileSync(join(run, 'metrics.jsonl'), 'utf8')); // small logs stay whole

    const e = runCli('eval', ['--checkpoint', join(out, 'tiny', MODEL_FILE), '--n', '12', '--backend', 'cpu']);
    expect(e.code, e.stderr).toBe(0);
    expect(e.stdout).toContain(`exact by step       ${card.eval.exactByStep.map((v) => (100 * v).toFixed(1)).join(' ')}`);
    expect(e.stdout).toContain(`token accuracy      ${(100 * card.eval.tokenAccuracy).toFixed(2)}%`);
    expect(e.stdout).toContain(`mean halting step   ${card.eval.meanHaltStep.toFixed(2)} of 3`);
  });

  it('refuses a missing field or a bad id in one line', () => {
    const missing = modelCard(['--checkpoint', 'x', '--id', 'a', '--title', 't']);
    expect(missing.code).toBe(1);
    expectUserMessage(missing.stderr.trim(), /--description is required/);
    const badId = modelCard(['--checkpoint', 'x', '--id', '../up', ...about]);
    expectUserMessage(badId.stderr.trim(), /--id: "\.\.\/up" is not a model id/);
  });
});
