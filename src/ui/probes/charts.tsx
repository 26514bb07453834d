/**
 * The probes' charts (recharts): drawn once per result, never while training streams in, so a library render
 * (tens of ms) costs nothing that matters. Animations are off so a chart shows its numbers at once.
 */
import type { ReactElement } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { AccuracyByStep, LatentTrajectory, TaskAblation } from '../../probes';

const AXIS = '#8b93a5';
const GRID = '#2a2f3a';
const COLOURS = { exact: '#4f8cff', token: '#7bd88f', halt: '#ffd479', z: '#c792ea', y: '#ff8b5c' };
const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
const TOOLTIP = { contentStyle: { background: '#171a21', border: `1px solid ${GRID}` }, labelStyle: { color: '#e6e8ee' } };

function Figure({ title, testId, children, height = 190 }: { title: string; testId: string; children: ReactElement; height?: number }) {
  return (
    <figure className="pb-chart" data-testid={testId}>
      <figcaption>{title}</figcaption>
      <ResponsiveContainer width="100%" height={height}>
        {children}
      </ResponsiveContainer>
    </figure>
  );
}

export function AccuracyCharts({ r }: { r: AccuracyByStep }) {
  const data = r.exactByStep.map((exact, s) => ({ step: s + 1, exact, token: r.tokenByStep[s], halted: r.haltCounts[s] }));
  return (
    <div className="pb-charts">
      <Figure title={`Accuracy after each supervision step (${r.examples} held-out puzzles)`} testId="probe-chart-accuracy">
        <LineChart data={data} margin={{ top: 6, right: 12, bottom: 4, left: 0 }}>
          <CartesianGrid stroke={GRID} />
          <XAxis dataKey="step" stroke={AXIS} tick={{ fontSize: 11 }} label={{ value: 'supervision step', position: 'insideBottom', offset: -2, fill: AXIS, fontSize: 11 }} height={32} />
          <YAxis domain={[0, 1]} tickFormatter={pct} stroke={AXIS} tick={{ fontSize: 11 }} width={48} />
          <Tooltip formatter={(v) => pct(Number(v))} {...TOOLTIP} />
          <Legend verticalAlign="top" height={22} wrapperStyle={{ fontSize: 11 }} />
          <Line dataKey="exact" name="exact" stroke={COLOURS.exact} dot isAnimationActive={false} />
          <Line dataKey="token" name="token" stroke={COLOURS.token} dot isAnimationActive={false} />
        </LineChart>
      </Figure>
      <Figure title={`First step with q_halt > 0 (step ${r.nSup} includes never)`} testId="probe-chart-halting">
        <BarChart data={data} margin={{ top: 6, right: 12, bottom: 4, left: 0 }}>
          <CartesianGrid stroke={GRID} />
          <XAxis dataKey="step" stroke={AXIS} tick={{ fontSize: 11 }} label={{ value: 'halting step', position: 'insideBottom', offset: -2, fill: AXIS, fontSize: 11 }} height={32} />
          <YAxis allowDecimals={false} stroke={AXIS} tick={{ fontSize: 11 }} width={48} />
          <Tooltip {...TOOLTIP} cursor={{ fill: '#ffffff10' }} />
          <Bar dataKey="halted" name="puzzles" fill={COLOURS.halt} isAnimationActive={false} />
        </BarChart>
      </Figure>
    </div>
  );
}

/** Updates placed along the supervision steps: update k (0-based) of step s sits at s − 1 + (k + 1)/(T·(n + 1)). */
export function TrajectoryChart({ r }: { r: LatentTrajectory }) {
  const perStep = r.T * (r.n + 1);
  const data = r.points.map((p, i) => ({ x: p.supStep - 1 + ((i % perStep) + 1) / perStep, [p.kind]: p.delta > 0 ? p.delta : undefined, at: `step ${p.supStep}, cycle ${p.cycle}, ${p.kind} update ${p.update}` }));
  const steps = Array.from({ length: r.nSup + 1 }, (_, s) => s);
  // Whole decades around the changes, so no point sits on the frame (a change of exactly 0 has no place on a log axis).
  const deltas = r.points.map((p) => p.delta).filter((d) => d > 0);
  const lo = deltas.length ? Math.floor(Math.log10(Math.min(...deltas))) : -1;
  const hi = Math.max(lo + 1, deltas.length ? Math.ceil(Math.log10(Math.max(...deltas))) : 0);
  const decades = Array.from({ length: hi - lo + 1 }, (_, k) => 10 ** (lo + k));
  return (
    <Figure title={`‖Δz‖ and ‖Δy‖ at every update (T ${r.T} cycles × ${r.n} latent + 1 answer update per step)`} testId="probe-chart-trajectory" height={230}>
      <LineChart data={data} margin={{ top: 6, right: 12, bottom: 4, left: 0 }}>
        <CartesianGrid stroke={GRID} vertical={false} />
        <XAxis dataKey="x" type="number" domain={[0, r.nSup]} ticks={steps} stroke={AXIS} tick={{ fontSize: 11 }} label={{ value: 'supervision step', position: 'insideBottom', offset: -2, fill: AXIS, fontSize: 11 }} height={32} />
        <YAxis scale="log" domain={[decades[0], decades.at(-1)!]} ticks={decades} stroke={AXIS} tick={{ fontSize: 11 }} width={56} tickFormatter={(v: number) => v.toExponential(0)} />
        {steps.map((s) => <ReferenceLine key={s} x={s} stroke={GRID} />)}
        <Tooltip formatter={(v) => Number(v).toPrecision(3)} labelFormatter={(_, p) => (p[0]?.payload as { at?: string } | undefined)?.at ?? ''} {...TOOLTIP} />
        <Legend verticalAlign="top" height={22} wrapperStyle={{ fontSize: 11 }} />
        <Line dataKey="z" name="‖Δz‖ latent" stroke={COLOURS.z} dot={{ r: 2 }} connectNulls isAnimationActive={false} />
        <Line dataKey="y" name="‖Δy‖ answer" stroke={COLOURS.y} dot={{ r: 3 }} connectNulls isAnimationActive={false} />
      </LineChart>
    </Figure>
  );
}

export function AblationChart({ r }: { r: Extract<TaskAblation, { applicable: true }> }) {
  const data = r.scores.map((s) => ({ condition: s.condition, exact: s.exactAccuracy, token: s.tokenAccuracy }));
  return (
    <Figure title={`Accuracy with the puzzle embedding as trained, blanked and swapped (${r.examples} held-out puzzles)`} testId="probe-chart-ablation">
      <BarChart data={data} margin={{ top: 6, right: 12, bottom: 4, left: 0 }}>
        <CartesianGrid stroke={GRID} />
        <XAxis dataKey="condition" stroke={AXIS} tick={{ fontSize: 11 }} />
        <YAxis domain={[0, 1]} tickFormatter={pct} stroke={AXIS} tick={{ fontSize: 11 }} width={48} />
        <Tooltip formatter={(v) => pct(Number(v))} {...TOOLTIP} cursor={{ fill: '#ffffff10' }} />
        <Legend verticalAlign="top" height={22} wrapperStyle={{ fontSize: 11 }} />
        <Bar dataKey="exact" name="exact" fill={COLOURS.exact} isAnimationActive={false} />
        <Bar dataKey="token" name="token" fill={COLOURS.token} isAnimationActive={false} />
      </BarChart>
    </Figure>
  );
}
