// npm run train -- --preset <name> [--steps N] [--out DIR] [--resume CKPT] [--backend gpu|cpu] [--model.hidden 64 …]
import { appendFileSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { createSource } from '../data/sources';
import { NonFiniteWeightsError, restoreCheckpoint, saveCheckpoint } from '../io/checkpoint';
import { listed } from '../io/checkpoint-layout';
import { InputError, userMessage } from '../io/user-error';
import { MAX_STEPS } from '../trm/config';
import { parseTrainConfig } from '../trm/config-parse';
import { checkMemory, dataShapeOf, limitsBeforeDevice } from '../trm/memory';
import { PRESET_NAMES, getPreset } from '../trm/presets';
import { evaluateSource, type FullEvalResult } from '../trm/evaluate';
import { Trainer, type TrainMetrics } from '../trm/trainer';
import { applyOverrides, choiceFlag, fmtDuration, intFlag, parseArgs } from './args';
import { loadCheckpointFile } from './checkpoint-file';
import { createNodeEngine, loadArcTasksFromDisk } from './node-env';
import { CHECKPOINT_FILE, METRICS_FILE, claimRunFolder, planRunFolder, writeFileAtomic } from './run-folder';

const HELP = `usage: npm run train -- --preset <name> [options] [--section.field value …]
  --preset NAME      ${PRESET_NAMES.join(', ')}
  --steps N          optimizer steps (default: the preset's)
  --out DIR          run folder for metrics.jsonl, config.json, checkpoint.safetensors; never one holding another
                     run (default runs/<preset>, else runs/<preset>-2, -3 …)
  --resume CKPT      continue from a checkpoint (its config; overrides still apply), writing beside it unless --out
  --backend gpu|cpu  WebGPU through Dawn (default; a real GPU, else SwiftShader) or the float64 CPU twin
  --report-every K   read metrics back every K steps (default 10)
  --arc-dir PATH     local ARC tasks for "arc" presets (a folder with training/ and evaluation/, task files, or Kaggle files)
  --seed S           seed for init and data (default: the preset's)
  config fields, e.g. --model.hidden 64 --optim.lr 0.001 --optim.batchSize 32 --data.trainPuzzles 2000`;

function fmtMetrics(m: TrainMetrics): string {
  return `loss ${m.loss.toFixed(4)} exact ${(100 * m.exactAccuracy).toFixed(1)}% (n=${m.count}) steps ${m.meanSteps.toFixed(2)}`;
}

function fmtEval(r: FullEvalResult): string {
  const arc = r.passAtK ? ` pass@1 ${(100 * r.passAtK[1]).toFixed(1)}% pass@2 ${(100 * r.passAtK[2]).toFixed(1)}% (${r.tasks} tasks)` : '';
  return `eval on ${r.examples}: exact ${(100 * r.exactAccuracy).toFixed(2)}% token ${(100 * r.tokenAccuracy).toFixed(2)}% mean halt step ${r.meanHaltStep.toFixed(2)}${arc}`;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.length === 0) {
    console.log(HELP);
    return;
  }
  const { flags, overrides } = parseArgs(argv, ['preset', 'steps', 'out', 'resume', 'backend', 'report-every', 'arc-dir', 'seed']);
  const backend = choiceFlag(flags, 'backend', ['gpu', 'cpu'] as const, 'gpu');
  const steps = intFlag(flags, 'steps', { min: 1, max: MAX_STEPS });
  const seed = intFlag(flags, 'seed', { min: 0, max: 0xffffffff });
  const reportEvery = intFlag(flags, 'report-every', { min: 1, max: MAX_STEPS }) ?? 10;
  const presetName = flags.get('preset');
  const preset = presetName === undefined ? undefined : getPreset(presetName);
  const resume = flags.get('resume');
  const ck = resume ? await loadCheckpointFile(resume) : null;
  const base = ck ? ck.meta.config : preset ?? (() => { throw new InputError('--preset is required (or --resume)'); })();
  const set = applyOverrides(base, overrides);
  if (steps !== undefined) set.steps = steps;
  if (seed !== undefined) set.seed = seed;
  const cfg = parseTrainConfig(set, 'config');
  // Before any data is generated, device opened or file written: a config that cannot fit is refused with its size.
  checkMemory(cfg, dataShapeOf(cfg.data), limitsBeforeDevice(backend), 'config');
  const name = flags.get('preset') ?? 'resumed';
  const request = { out: flags.get('out'), resume, preset: flags.get('preset') };
  const planned = planRunFolder(request);

  const arcDir = flags.get('arc-dir');
  if (cfg.data.kind === 'arc' && !arcDir) throw new Error(`preset data "${cfg.data.source}" needs --arc-dir (this CLI reads local files; the web app loads public URLs)`);
  const t0 = performance.now();
  const source = createSource(cfg.data, cfg.seed, arcDir ? loadArcTasksFromDisk(arcDir, cfg.seed) : undefined);
  const { engine, description } = await createNodeEngine(backend);
  const trainer = new Trainer(engine, cfg, source);
  if (ck) restoreCheckpoint(trainer, ck, resume);
  // Everything that can fail at start has passed: only now does the run touch its folder.
  const folder = claimRunFolder(request, planned, JSON.stringify(cfg, null, 2));
  const out = folder.dir;
  if (folder.note) console.error(`[trm] ${folder.note}`);
  const metricsFile = join(out, METRICS_FILE);
  const log = (rec: object) => appendFileSync(metricsFile, JSON.stringify(rec) + '\n');
  console.error(`[trm] ${name} → ${out}: ${source.info.name}, ${trainer.arena.total.toLocaleString()} parameter floats, batch ${cfg.optim.batchSize}, ${cfg.steps} steps on ${description}`);

  const ckptFile = join(out, CHECKPOINT_FILE);
  /** The newest checkpoint of this run whose weights are all finite: the resumed one (parseCheckpoint refuses others) until this run saves. */
  let kept: { file: string; step: number } | null = ck && resume ? { file: resume, step: ck.meta.step } : null;
  const lastKept = () => (kept ? `the last finite checkpoint is ${kept.file} (step ${kept.step})` : `no checkpoint with finite weights was written to ${out}`);
  /** Save unless the weights hold NaN/Inf (never over a finite checkpoint); returns the refusal's tensor list. */
  const save = async (notes: Record<string, unknown>): Promise<string | null> => {
    let bytes: Uint8Array;
    try {
      bytes = await saveCheckpoint(trainer, { puzzleIds: 'registry' in source ? (source.registry as { toJSON(): string[] }).toJSON() : undefined, notes });
    } catch (err) {
      if (err instanceof NonFiniteWeightsError) return listed(err.tensors, 1);
      throw err;
    }
    try {
      writeFileAtomic(ckptFile, bytes);
    } catch (err) {
      throw new Error(`${userMessage(err)}, so the checkpoint of step ${trainer.step} was not written; ${lastKept()}`);
    }
    kept = { file: ckptFile, step: trainer.step };
    return null;
  };
  const notSaved = (bad: string) => `the weights hold NaN/Inf (${bad}), so they were not saved; ${lastKept()}`;

  // Ctrl-C / SIGTERM: finish the step, save, exit. A second signal, or one once the checkpoint is current, exits at once.
  const run = { signal: null as NodeJS.Signals | null, settled: false };
  const onSignal = (signal: NodeJS.Signals) => {
    if (run.signal || run.settled) {
      console.error(`\n[trm] ${signal}: stopped${run.settled ? '' : ' without saving'}; ${lastKept()}`);
      process.exit(128 + constants.signals[signal]);
    }
    run.signal = signal;
    console.error(`\n[trm] ${signal}: saving a checkpoint after this step (send it again to stop without saving)`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const startStep = trainer.step;
  const tStart = performance.now();
  let badSteps = 0;
  let last: TrainMetrics | null = null;
  const tty = process.stderr.isTTY;
  while (trainer.step < cfg.steps && !run.signal) {
    const report = (trainer.step + 1) % reportEvery === 0 || trainer.step + 1 === cfg.steps;
    const pending = trainer.trainStep(report);
    if (pending) {
      const m = await pending;
      last = m;
      const elapsed = (performance.now() - tStart) / 1000;
      const done = trainer.step - startStep;
      const sps = (done * cfg.optim.batchSize) / elapsed;
      log({ type: 'train', ...m, samplesPerSec: sps, elapsedSec: elapsed });
      const eta = ((cfg.steps - trainer.step) * elapsed) / done;
      const pct = Math.floor((30 * trainer.step) / cfg.steps);
      const line = `[${'#'.repeat(pct)}${'.'.repeat(30 - pct)}] step ${trainer.step}/${cfg.steps} ${fmtMetrics(m)} ${sps.toFixed(1)} samples/s ETA ${fmtDuration(eta)}`;
      process.stderr.write(tty ? `\r${line}\x1b[K` : `${line}\n`);
      badSteps = m.nonFinite ? badSteps + 1 : 0;
      if (badSteps >= 5) {
        const bad = await save({ stoppedAt: trainer.step, reason: 'non-finite gradients' });
        throw new Error(`training diverged at step ${trainer.step}: the gradient held Inf/NaN at ${badSteps} reports in a row; ${bad ? notSaved(bad) : `the weights are still finite (those updates were skipped): ${lastKept()}`}. Try a lower --optim.lr.`);
      }
    }
    if (cfg.evalEvery > 0 && trainer.step % cfg.evalEvery === 0 && trainer.step < cfg.steps) {
      const r = await evaluateSource(trainer, source, cfg.evalSamples);
      log({ type: 'eval', step: trainer.step, ...r });
      process.stderr.write(`${tty ? '\n' : ''}[eval] step ${trainer.step}: ${fmtEval(r)}\n`);
      const bad = await save({ step: trainer.step, eval: r });
      if (bad) throw new Error(`training diverged by step ${trainer.step}: ${notSaved(bad)}. Try a lower --optim.lr.`);
    }
    // Let a pending SIGINT/SIGTERM handler run: the CPU engine's steps never return to the event loop by themselves.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  if (run.signal) {
    const bad = kept?.file === ckptFile && kept.step === trainer.step ? null : await save({ stoppedAt: trainer.step, signal: run.signal });
    console.error(`\n[trm] stopped by ${run.signal} at step ${trainer.step}/${cfg.steps}: ${bad ? notSaved(bad) : `checkpoint ${ckptFile} (step ${trainer.step}); continue with --resume ${ckptFile}`}`);
    process.exit(128 + constants.signals[run.signal]);
  }
  const trainSec = (performance.now() - tStart) / 1000;
  const trained = { trainSeconds: trainSec, lastTrain: last, backend: description };
  // Saved before the final evaluation too, so a stop during it loses nothing.
  const bad = await save(trained);
  if (bad) throw new Error(`training ended at step ${trainer.step} with broken weights: ${notSaved(bad)}. Try a lower --optim.lr.`);
  run.settled = true;
  const final = await evaluateSource(trainer, source);
  log({ type: 'eval', step: trainer.step, final: true, ...final });
  await save({ ...trained, wallSeconds: (performance.now() - t0) / 1000, final });
  console.error(`${tty ? '\n' : ''}[trm] done: ${trainer.step} steps in ${fmtDuration(trainSec)} (${trainSec.toFixed(0)} s) on ${description}`);
  console.log(`final ${fmtEval(final)}`);
  console.log(`checkpoint: ${ckptFile}`);
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(`\n[trm] error: ${userMessage(err)}`);
  process.exit(1);
});
