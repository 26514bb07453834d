// npm run train -- --preset <name> [--steps N] [--out DIR] [--resume CKPT] [--backend gpu|cpu] [--model.hidden 64 …]
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSource } from '../data/sources';
import { parseCheckpoint, restoreCheckpoint, saveCheckpoint } from '../io/checkpoint';
import { PRESET_NAMES, getPreset } from '../trm/presets';
import { evaluateSource, type FullEvalResult } from '../trm/evaluate';
import { Trainer, type TrainMetrics } from '../trm/trainer';
import { applyOverrides, fmtDuration, parseArgs } from './args';
import { createNodeEngine, loadArcTasksFromDisk } from './node-env';

const HELP = `usage: npm run train -- --preset <name> [options] [--section.field value …]
  --preset NAME      ${PRESET_NAMES.join(', ')}
  --steps N          optimizer steps (default: the preset's)
  --out DIR          run folder for metrics.jsonl, config.json, checkpoint.safetensors (default runs/<preset>)
  --resume CKPT      continue from a checkpoint (its config; overrides still apply)
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
  const resume = flags.get('resume');
  const ck = resume ? parseCheckpoint(new Uint8Array(readFileSync(resume)), resume) : null;
  let cfg = ck ? ck.meta.config : getPreset(flags.get('preset') ?? (() => { throw new Error('--preset is required (or --resume)'); })());
  cfg = applyOverrides(cfg, overrides);
  if (flags.has('steps')) cfg.steps = Number(flags.get('steps'));
  if (flags.has('seed')) cfg.seed = Number(flags.get('seed'));
  const name = flags.get('preset') ?? 'resumed';
  const out = flags.get('out') ?? join('runs', name);
  const reportEvery = Math.max(1, Number(flags.get('report-every') ?? 10));

  const arcDir = flags.get('arc-dir');
  if (cfg.data.kind === 'arc' && !arcDir) throw new Error(`preset data "${cfg.data.source}" needs --arc-dir (this CLI reads local files; the web app loads public URLs)`);
  const t0 = performance.now();
  const source = createSource(cfg.data, cfg.seed, arcDir ? loadArcTasksFromDisk(arcDir, cfg.seed) : undefined);
  const { engine, description } = await createNodeEngine(flags.get('backend') ?? 'gpu');
  const trainer = new Trainer(engine, cfg, source);
  if (ck) restoreCheckpoint(trainer, ck, resume);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'config.json'), JSON.stringify(cfg, null, 2));
  const metricsFile = join(out, 'metrics.jsonl');
  if (!ck && existsSync(metricsFile)) renameSync(metricsFile, `${metricsFile}.${Date.now()}.old`);
  const log = (rec: object) => appendFileSync(metricsFile, JSON.stringify(rec) + '\n');
  console.error(`[trm] ${name}: ${source.info.name}, ${trainer.arena.total.toLocaleString()} parameter floats, batch ${cfg.optim.batchSize}, ${cfg.steps} steps on ${description}`);
  const save = async (notes: Record<string, unknown>) => {
    const bytes = await saveCheckpoint(trainer, { puzzleIds: 'registry' in source ? (source.registry as { toJSON(): string[] }).toJSON() : undefined, notes });
    writeFileSync(join(out, 'checkpoint.safetensors.tmp'), bytes);
    renameSync(join(out, 'checkpoint.safetensors.tmp'), join(out, 'checkpoint.safetensors'));
  };

  const startStep = trainer.step;
  const tStart = performance.now();
  let badSteps = 0;
  let last: TrainMetrics | null = null;
  const tty = process.stderr.isTTY;
  while (trainer.step < cfg.steps) {
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
        await save({ stoppedAt: trainer.step, reason: 'non-finite gradients' });
        throw new Error(`training diverged: the gradient held Inf/NaN at ${badSteps} reports in a row (step ${trainer.step}); updates were skipped and the checkpoint in ${out} holds the last finite weights. Try a lower --optim.lr.`);
      }
    }
    if (cfg.evalEvery > 0 && trainer.step % cfg.evalEvery === 0 && trainer.step < cfg.steps) {
      const r = await evaluateSource(trainer, source, cfg.evalSamples);
      log({ type: 'eval', step: trainer.step, ...r });
      process.stderr.write(`${tty ? '\n' : ''}[eval] step ${trainer.step}: ${fmtEval(r)}\n`);
      await save({ step: trainer.step, eval: r });
    }
  }
  const trainSec = (performance.now() - tStart) / 1000;
  const final = await evaluateSource(trainer, source);
  log({ type: 'eval', step: trainer.step, final: true, ...final });
  await save({ trainSeconds: trainSec, wallSeconds: (performance.now() - t0) / 1000, final, lastTrain: last, backend: description });
  console.error(`${tty ? '\n' : ''}[trm] done: ${trainer.step} steps in ${fmtDuration(trainSec)} (${trainSec.toFixed(0)} s) on ${description}`);
  console.log(`final ${fmtEval(final)}`);
  console.log(`checkpoint: ${join(out, 'checkpoint.safetensors')}`);
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(`\n[trm] error: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
