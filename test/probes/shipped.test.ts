/**
 * The probes on the shipped 4×4 Sudoku model: the numbers `npm run eval` prints for the same puzzles, the same
 * numbers from the reference-format export of the model, and `npm run probe` printing what the page shows.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkpointBytes, openCheckpointFiles } from '../../src/io/open-checkpoint';
import { parseCheckpoint, saveCheckpoint } from '../../src/io/checkpoint';
import { referenceStateDict } from '../../src/io/reference-checkpoint';
import { referenceConfigYaml } from '../../src/io/reference-config';
import { writeTorchZip } from '../../src/io/torch-checkpoint';
import { runProbe } from '../../src/probes';
import { probeReport } from '../../src/probes/report';
import { scoredExamples } from '../../src/trm/evaluate';
import { REPO, runCli } from '../helpers/cli';
import { cpu } from '../helpers/engines';
import { expectUserMessage } from '../helpers/user-message';
import { checkpointTrainer, randomTrainer, SHIPPED, shippedCheckpoint, tinySudoku } from './models';

const PUZZLES = 32;
/** What `npm run eval` prints that accuracy-by-step prints too, word for word. */
const SHARED = /^(examples|exact accuracy|token accuracy|exact by step|mean halting step) /;

const probeCli = (args: string[]) => runCli('probe', args);

describe('probes on the shipped model', () => {
  const { trainer, source } = checkpointTrainer(cpu, shippedCheckpoint(), SHIPPED);
  const { examples } = scoredExamples(source, PUZZLES);

  it('accuracy by step prints the numbers `npm run eval` prints on the same checkpoint and puzzles', async () => {
    // The shipped model, and an untrained one whose numbers are far from 100%.
    const untrained = join(mkdtempSync(join(tmpdir(), 'trm-probe-')), 'untrained.safetensors');
    const tiny = randomTrainer(cpu, tinySudoku());
    writeFileSync(untrained, await saveCheckpoint(tiny.trainer));
    tiny.trainer.release();
    for (const path of [SHIPPED, untrained]) {
      const m = path === SHIPPED ? { trainer, source } : checkpointTrainer(cpu, parseCheckpoint(Uint8Array.from(readFileSync(path)), path), path);
      const probe = probeReport(await runProbe(m.trainer, m.source, { probe: 'accuracy-by-step', puzzles: PUZZLES }));
      const ev = runCli('eval', ['--checkpoint', path, '--n', String(PUZZLES), '--backend', 'cpu']);
      expect(ev.code, ev.stderr).toBe(0);
      const evalLines = ev.stdout.trim().split('\n');
      expect(evalLines.length).toBe(5);
      expect(probe.filter((l) => SHARED.test(l))).toEqual(evalLines);
    }
  }, 300_000);

  it('gives the same numbers on the model opened from the reference format (torch.save step_N + all_config.yaml)', async () => {
    const ck = shippedCheckpoint();
    const zip = Uint8Array.from(Buffer.concat(writeTorchZip(referenceStateDict(ck), `step_${ck.meta.step}`)));
    const opened = await openCheckpointFiles([new File([zip], `step_${ck.meta.step}`), new File([referenceConfigYaml(ck.meta.config, ck.meta.data, ck.meta.step)], 'all_config.yaml')]);
    expect(opened.kind).toBe('reference');
    // As the page hands it to the worker: TRM Lab checkpoint bytes.
    const ref = checkpointTrainer(cpu, parseCheckpoint(checkpointBytes(opened.checkpoint)), 'reference');
    for (const req of [{ probe: 'accuracy-by-step', puzzles: 16 }, { probe: 'answer-changes', example: examples[3] }, { probe: 'latent-trajectory', example: examples[3] }] as const) {
      expect(await runProbe(ref.trainer, ref.source, req)).toEqual(await runProbe(trainer, source, req));
    }
    ref.trainer.release();
  });

  it('shows the recursion settle: the latent moves less and less with every supervision step', async () => {
    const r = await runProbe(trainer, source, { probe: 'latent-trajectory', example: examples[0] });
    if (r.probe !== 'latent-trajectory') throw new Error('wrong probe');
    // How far z travels during each supervision step.
    const travel = (s: number) => r.result.points.filter((p) => p.supStep === s && p.kind === 'z').reduce((a, p) => a + p.delta, 0);
    for (let s = 2; s <= r.result.nSup; s++) expect(travel(s)).toBeLessThan(travel(s - 1));
    expect(travel(r.result.nSup)).toBeLessThan(1e-2 * travel(1));
  });

  it('`npm run probe` prints each probe as the page shows it', async () => {
    for (const probe of ['accuracy-by-step', 'task-ablation'] as const) {
      const r = probeCli(['--checkpoint', SHIPPED, '--probe', probe, '--puzzles', '16', '--backend', 'cpu']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.trimEnd().split('\n')).toEqual(probeReport(await runProbe(trainer, source, { probe, puzzles: 16 })));
    }
    for (const probe of ['answer-changes', 'latent-trajectory'] as const) {
      const r = probeCli(['--checkpoint', SHIPPED, '--probe', probe, '--puzzle', '5', '--backend', 'cpu']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.trimEnd().split('\n')).toEqual(probeReport(await runProbe(trainer, source, { probe, example: examples[5] })));
    }
    const ablation = probeCli(['--checkpoint', SHIPPED, '--probe', 'task-ablation', '--backend', 'cpu']);
    expect(ablation.stdout).toMatch(/^not applicable: this model has a single puzzle identifier/);
  });

  it('refuses bad flags in one line naming the flag', () => {
    const err = (args: string[]) => {
      const r = probeCli(args);
      expect(r.code).toBe(1);
      return r.stderr.trim().replace(/^\[trm\] error: /, '');
    };
    expectUserMessage(err(['--checkpoint', SHIPPED, '--probe', 'nope']), /^--probe: unknown probe "nope"; choose one of accuracy-by-step, answer-changes, latent-trajectory, task-ablation$/);
    expectUserMessage(err(['--checkpoint', SHIPPED]), /^--probe is required/);
    expectUserMessage(err(['--checkpoint', SHIPPED, '--probe', 'answer-changes', '--puzzles', '3']), /^--puzzles: answer-changes takes --puzzle I$/);
    expectUserMessage(err(['--checkpoint', SHIPPED, '--probe', 'accuracy-by-step', '--puzzles', '0']), /^--puzzles: "0" is not an integer from 1/);
    expectUserMessage(err(['--checkpoint', SHIPPED, '--probe', 'latent-trajectory', '--puzzle', '5000', '--backend', 'cpu']), /^--puzzle 5000: the held-out set has 1000 puzzles with a target \(0 to 999\)$/);
  });
});
