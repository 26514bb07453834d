import type { BenchResult, BenchRow, RowCheck } from './types';

const fmt = (v: number | undefined, digits = 2) => (v === undefined || !Number.isFinite(v) ? '–' : v >= 100 ? v.toFixed(0) : v.toFixed(digits));
const mb = (b: number | undefined) => (b ? (b / 2 ** 20).toFixed(1) : '–');
const pct = (f: number | undefined) => (f === undefined ? '–' : `${(100 * f).toFixed(1)}%`);

const rounding = (ref: NonNullable<RowCheck['reference']>) => (ref.rounding === undefined ? '' : `; float64 from itself one rounding apart: ${ref.rounding.toExponential(1)}`);
const vsFloat64 = (ref: RowCheck['reference']) => (ref ? ` (from float64: ours ${ref.ours.toExponential(1)}, tfjs ${ref.tfjs.toExponential(1)}${rounding(ref)})` : '');
const resynced = (r: RowCheck['resynced']) => (r ? `; re-synced each step: ${r.pass ? 'ok' : 'FAIL'} ${r.maxRelDiff.toExponential(1)}, weights ${r.weights.toExponential(1)} (${r.weightsTensor})` : '');

function line(r: BenchRow, peak: boolean): string {
  const cells = [
    r.name,
    fmt(r.ours.ms, 3),
    fmt(r.tfjs.ms, 3),
    fmt(r.ours.gflops),
    fmt(r.tfjs.gflops),
    `**${fmt(r.speedup)}×**`,
    `${fmt(r.ours.cpuMs, 3)} / ${fmt(r.tfjs.cpuMs, 3)}`,
    ...(peak ? [pct(r.ours.peakFraction), pct(r.tfjs.peakFraction)] : []),
    `${fmt(r.ours.dispatches, 1)} / ${fmt(r.tfjs.dispatches, 1)}`,
    `${fmt(r.ours.submits, 1)} / ${fmt(r.tfjs.submits, 1)}`,
    r.group === 'matmul' ? '–' : `${mb(r.ours.peakBytes)} / ${mb(r.tfjs.peakBytes)}`,
    r.check ? `${r.check.pass ? 'ok' : 'FAIL'} ${r.check.maxRelDiff.toExponential(1)}${vsFloat64(r.check.reference)}${resynced(r.check.resynced)}` : '–',
  ];
  return `| ${cells.join(' | ')} |`;
}

/** The printed report: adapter, one table row per benchmark, and the acceptance figures. */
export function markdown(res: BenchResult): string {
  const peak = res.peakGflops !== null;
  const head = ['row', 'ours ms', 'tfjs ms', 'ours GFLOP/s', 'tfjs GFLOP/s', 'speedup (tfjs ms / ours ms)', 'CPU ms to issue ours / tfjs', ...(peak ? ['ours % FP32 peak', 'tfjs % FP32 peak'] : []), 'dispatches ours / tfjs', 'submits ours / tfjs', 'GPU MB ours / tfjs', 'same result (rel. diff)'];
  const out = [
    `## TRM Lab vs TensorFlow.js ${res.tfjsVersion} (WebGPU), ${res.mode} run${res.only ? ` (rows matching "${res.only}")` : ''}, ${res.date}`,
    '',
    `- adapter: ${res.adapter.description}${res.adapter.software ? ' (software)' : ''}`,
    `- features: ${res.adapter.features.join(', ') || 'none'}`,
    `- runtime: ${res.runtime}`,
    ...(res.softwareKernels ? ['- our kernels: the software-adapter choices (barrier-free matmul, one-thread RMSNorm), forced with --software-kernels'] : []),
    ...(peak ? [`- FP32 peak used for the % column: ${res.peakGflops} GFLOP/s`] : []),
    '',
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...res.rows.map((r) => line(r, peak)),
    '',
  ];
  const trm = res.rows.filter((r) => r.group === 'matmul' && r.trm);
  if (trm.length) out.push(`- TRM-shaped matmuls: slowest speedup ${fmt(Math.min(...trm.map((r) => r.speedup)))}× (${trm.length} rows)`);
  for (const r of res.rows.filter((x) => x.group === 'train')) {
    out.push(`- ${r.name}: ${fmt(r.speedup)}× faster, ${fmt(r.ours.dispatches, 0)} vs ${fmt(r.tfjs.dispatches, 0)} dispatches per step`);
  }
  const failed = res.rows.filter((r) => r.check && !r.check.pass);
  if (failed.length) out.push(`- results differ: ${failed.map((r) => r.name).join('; ')}`);
  for (const n of res.notes) out.push(`- ${n}`);
  return out.join('\n');
}

/** bench/results/<date>-<adapter>[-quick].json */
export function resultName(res: BenchResult): string {
  const slug = `${res.adapter.vendor}-${res.adapter.architecture || res.adapter.device}`.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  const only = `${res.softwareKernels ? '-software-kernels' : ''}${res.only ? `-only-${res.only.toLowerCase().replace(/[^a-z0-9]+/g, '-')}` : ''}`;
  return `${res.date.slice(0, 10)}-${slug || 'unknown'}${res.adapter.software ? '-software' : ''}${res.mode === 'quick' ? '-quick' : ''}${only}.json`;
}
