import { memo } from 'react';
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { fmtNum, fmtTick } from './format';

export interface Series {
  key: string;
  name: string;
  color: string;
  /** Points of this series when they are not the chart's (evaluations, other runs). */
  data?: readonly object[];
  /** Marks on each point (sparse series such as evaluations). */
  dots?: boolean;
  dashed?: boolean;
  /** Draw across missing points (rates that are undefined at some steps); gaps stay gaps otherwise. */
  connect?: boolean;
}

export interface MiniChartProps {
  title: string;
  data: readonly object[];
  series: Series[];
  /** Readouts and tooltips. */
  format?: (v: number) => string;
  /** Axis ticks (default: compact numbers). */
  tickFormat?: (v: number) => string;
  /** Fixed y range (e.g. [0, 1] for accuracies). */
  domain?: [number, number];
  log?: boolean;
  height?: number;
  testId?: string;
}

const AXIS = { fill: '#8a8a8a', fontSize: 10 };

function latest(s: Series, data: readonly object[]): number | null {
  const pts = (s.data ?? data) as Record<string, unknown>[];
  for (let i = pts.length - 1; i >= 0; i--) {
    const v = pts[i][s.key];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
  }
  return null;
}

/** A small line chart against step with a legend that reads out each series' latest value. */
export const MiniChart = memo(function MiniChart({ title, data, series, format = fmtNum, tickFormat = fmtTick, domain, log, height = 140, testId }: MiniChartProps) {
  // A series with its own empty data would fall back to the chart's points: leave it out until it has some.
  const drawn = series.filter((s) => !s.data || s.data.length > 0);
  const empty = data.length === 0 && series.every((s) => !s.data?.length);
  return (
    <figure className="td-chart" data-testid={testId} data-points={data.length}>
      <figcaption>
        <b>{title}</b>
        <span className="td-legend">
          {series.map((s) => {
            const v = latest(s, data);
            return (
              <span key={s.name}>
                <i style={{ background: s.color }} />
                {s.name} <span className="td-mono">{v === null ? '—' : format(v)}</span>
              </span>
            );
          })}
        </span>
      </figcaption>
      {empty ? (
        <div className="td-dim" style={{ height, display: 'flex', alignItems: 'center', justifyContent: 'center' }}>no data yet</div>
      ) : (
        <ResponsiveContainer width="100%" height={height}>
          <LineChart data={data as object[]} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid stroke="#242424" />
            <XAxis dataKey="step" type="number" domain={['dataMin', 'dataMax']} tick={AXIS} stroke="#444" allowDuplicatedCategory={false} />
            <YAxis tick={AXIS} stroke="#444" width={44} domain={domain ?? ['auto', 'auto']} scale={log ? 'log' : 'auto'} allowDataOverflow={!!log} tickFormatter={tickFormat} />
            <Tooltip
              contentStyle={{ background: '#111', border: '1px solid #333', fontSize: 11 }}
              labelFormatter={(l) => `step ${l}`}
              formatter={(v) => (typeof v === 'number' ? format(v) : String(v))}
              isAnimationActive={false}
            />
            {drawn.map((s) => (
              <Line
                key={s.name}
                data={s.data as object[] | undefined}
                dataKey={s.key}
                name={s.name}
                stroke={s.color}
                strokeDasharray={s.dashed ? '4 3' : undefined}
                dot={s.dots ? { r: 2, fill: s.color } : false}
                isAnimationActive={false}
                connectNulls={!!s.connect}
                strokeWidth={1.5}
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      )}
    </figure>
  );
});
