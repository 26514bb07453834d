import { useCallback, useMemo, useState, type ReactElement } from 'react';
import type { ShippedLog } from '../../models/log';
import { chartPoints, type MetricPoint } from '../../state/history';
import { useShippedLog } from '../../state/model-store';
import type { EvalPoint } from '../../state/train-model';
import { useTrain } from '../../state/train-store';
import { fmtCount, fmtNum, fmtPct } from './format';
import { MiniChart } from './MiniChart';
import { useThrottledTrain } from './throttle';

const C = { total: '#ff851b', lm: '#0074d9', halt: '#b10dc9', train: '#2ecc40', eval: '#ffdc00', pass: '#f012be', q: '#7fdbff', lr: '#aaaaaa', sps: '#39cccc', grad: '#ff4136' };
const pct = (v: number) => fmtPct(v, 0);
const fixed2 = (v: number) => v.toFixed(2);
/** Each chart redraws at most this often, however often metrics arrive. */
const REDRAW_MS = 1000;
/**
 * Charts redraw one after another, this far apart, each in its own short task: recharts commits a redraw in an
 * animation frame, and two charts whose redraws land in one frame make one long task.
 */
const STAGGER_MS = 130;

type Draw = (data: MetricPoint[], ev: EvalPoint[]) => ReactElement;

/**
 * One chart over the current run's history, redrawn on its own schedule; a shipped model's log until the run has
 * points of its own. `draw` must be stable.
 */
function LiveChart({ slot, draw, shipped }: { slot: number; draw: Draw; shipped: ShippedLog | null }) {
  const history = useThrottledTrain((s) => s.run?.history, REDRAW_MS, slot * STAGGER_MS);
  const evals = useThrottledTrain((s) => s.run?.evals, REDRAW_MS, slot * STAGGER_MS);
  return useMemo(() => {
    const points = history ? chartPoints(history) : [];
    return shipped && points.length === 0 && !evals?.length ? draw(shipped.history, shipped.evals) : draw(points, evals ?? []);
  }, [history, evals, draw, shipped]);
}

const lossChart = (log: boolean): Draw => (data) => (
  <MiniChart testId="chart-loss" title="Loss" data={data} log={log} series={[
    { key: 'loss', name: 'total', color: C.total },
    { key: 'lmLoss', name: 'LM', color: C.lm },
    { key: 'haltLoss', name: 'halting', color: C.halt },
  ]} />
);

const exactChart = (arc: boolean): Draw => (data, ev) => (
  <MiniChart testId="chart-exact" title="Exact accuracy" data={data} domain={[0, 1]} format={pct} tickFormat={pct} series={[
    { key: 'exactAccuracy', name: 'train', color: C.train, connect: true },
    { key: 'exactAccuracy', name: 'eval', color: C.eval, data: ev, dots: true },
    ...(arc ? [{ key: 'passAt2', name: 'eval pass@2', color: C.pass, data: ev, dots: true }] : []),
  ]} />
);

const STATIC: Draw[] = [
  (data, ev) => (
    <MiniChart testId="chart-token" title="Token and halting accuracy" data={data} domain={[0, 1]} format={pct} tickFormat={pct} series={[
      { key: 'accuracy', name: 'train token', color: C.train, connect: true },
      { key: 'tokenAccuracy', name: 'eval token', color: C.eval, data: ev, dots: true },
      { key: 'qHaltAccuracy', name: 'q_halt', color: C.q, dashed: true, connect: true },
    ]} />
  ),
  (data, ev) => (
    <MiniChart testId="chart-halt" title="Mean halting step" data={data} format={fixed2} series={[
      { key: 'meanSteps', name: 'train', color: C.halt, connect: true },
      { key: 'meanHaltStep', name: 'eval', color: C.eval, data: ev, dots: true },
    ]} />
  ),
  (data) => <MiniChart testId="chart-lr" title="Learning rate" data={data} format={fmtNum} series={[{ key: 'lr', name: 'lr', color: C.lr }]} />,
  (data) => <MiniChart testId="chart-sps" title="Samples / s" data={data} format={fmtCount} series={[{ key: 'samplesPerSec', name: 'samples/s', color: C.sps }]} />,
  (data) => <MiniChart testId="chart-grad" title="Gradient norm" data={data} format={fmtNum} series={[{ key: 'gradNorm', name: '‖g‖', color: C.grad }]} />,
];

/** Live charts of the current run: losses, exact and token accuracy (train and eval), halting, lr, throughput, gradient norm. */
export function TrainCharts() {
  const isArc = useTrain((s) => !!s.run && (s.run.config.data.kind === 'arc' || s.run.config.data.kind === 'arc-procedural'));
  const [log, setLog] = useState(false);
  const loss = useCallback(lossChart(log), [log]);
  const exact = useCallback(exactChart(isArc), [isArc]);
  const shipped = useShippedLog();
  const fresh = useTrain((s) => !s.run?.history.points.length && !s.run?.history.pending.length && !s.run?.evals.length);
  const shownLog = shipped && fresh ? shipped.log : null;
  return (
    <section aria-label="Training charts">
      {shownLog && (
        <p className="td-dim" data-testid="charts-source">
          Training log of the shipped model <b>{shipped!.card.title}</b>: {shipped!.card.log}.
        </p>
      )}
      <div className="td-charts" data-testid="train-charts">
        <LiveChart slot={0} draw={loss} shipped={shownLog} />
        <LiveChart slot={1} draw={exact} shipped={shownLog} />
        {STATIC.map((d, i) => (
          <LiveChart key={i} slot={i + 2} draw={d} shipped={shownLog} />
        ))}
      </div>
      <label className="td-dim" style={{ display: 'inline-flex', gap: 4, marginTop: 4 }}>
        <input type="checkbox" checked={log} onChange={(e) => setLog(e.target.checked)} /> log-scale loss
      </label>
    </section>
  );
}
