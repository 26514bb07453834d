import { memo, useLayoutEffect, useMemo, useState } from 'react';
import { CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { thin } from '../../state/history';
import { extents, latestValue, xTicks, yRange, yTicks, type Pt } from './chart-scale';
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
  /** Points with a `step` and the series' keys, in step order. */
  data: readonly object[];
  series: Series[];
  /** Readouts and the tooltip. */
  format?: (v: number) => string;
  /** Axis ticks (default: compact numbers). */
  tickFormat?: (v: number) => string;
  /** Fixed y range (e.g. [0, 1] for accuracies). */
  domain?: [number, number];
  log?: boolean;
  height?: number;
  testId?: string;
}

/**
 * Points drawn per series. A recharts render grows with the points it lays out; at this many, a redraw of one
 * chart stays far below the 50 ms that would make the page stutter while a run trains beside it.
 */
export const MAX_DRAWN = 60;

/** Width the y axis takes, in px. */
const AXIS_W = 40;
const AXIS = '#8a8a8a';

/**
 * A small recharts line chart against step, with a legend that reads out each series' latest value. Series are
 * decimated to MAX_DRAWN evenly spaced points (the history already averages reports into points) and nothing
 * animates, so each redraw is one short task.
 */
export const MiniChart = memo(function MiniChart({ title, data, series, format = fmtNum, tickFormat = fmtTick, domain, log = false, height = 140, testId }: MiniChartProps) {
  // A series with its own empty data would fall back to the chart's points: leave it out until it has some.
  const drawn = useMemo(() => series.filter((s) => !s.data || s.data.length > 0).map((s) => ({ s, pts: (s.data ?? data) as Pt[] })), [series, data]);
  const empty = data.length === 0 && series.every((s) => !s.data?.length);
  const plot = useMemo(() => {
    const ext = extents(drawn.map(({ s, pts }) => ({ key: s.key, pts })), log);
    if (!ext) return null;
    const [lo, hi] = yRange(ext.y0, ext.y1, { domain, log });
    const toValue = (v: number) => (log ? 10 ** v : v);
    // Steps from the start of training, so a log holding one evaluation still reads as "at the end of the run".
    const x1 = Math.max(ext.x1, 1);
    return {
      x: [0, x1] as [number, number],
      y: [toValue(lo), toValue(hi)] as [number, number],
      yTicks: yTicks(lo, hi, log),
      xTicks: xTicks(0, x1, 280),
      // One stable numeric field per line (null where the value is missing, or not positive on a log axis), so
      // recharts gets plain data and a constant dataKey instead of a new function each render.
      lines: drawn.map(({ s, pts }) => ({
        s,
        pts: thin(pts, MAX_DRAWN).map((p) => {
          const v = p[s.key];
          return { step: p.step, v: typeof v === 'number' && (!log || v > 0) ? v : null };
        }),
      })),
    };
  }, [drawn, domain, log]);

  const [plotRef, width] = useWidth();
  return (
    <figure className="td-chart" data-testid={testId} data-points={data.length}>
      <figcaption>
        <b>{title}</b>
        <span className="td-legend">
          {series.map((s) => {
            const v = latestValue((s.data ?? data) as Pt[], s.key);
            return (
              <span key={s.name}>
                <i style={{ background: s.color }} />
                {s.name} <span className="td-mono">{v === null ? '—' : format(v)}</span>
              </span>
            );
          })}
        </span>
      </figcaption>
      <div className="td-plot" style={{ height }} ref={plotRef}>
        {empty || !plot || !width ? (
          <div className="td-dim td-plot-empty">no data yet</div>
        ) : (
          <LineChart width={width} height={height} margin={{ top: 6, right: 8, bottom: 0, left: 0 }} accessibilityLayer={false}>
              <CartesianGrid stroke="#242424" vertical={false} />
              <XAxis type="number" dataKey="step" domain={plot.x} ticks={plot.xTicks} tickFormatter={fmtTick} stroke="#444" tick={{ fill: AXIS, fontSize: 10 }} height={16} allowDataOverflow />
              <YAxis type="number" scale={log ? 'log' : 'linear'} domain={plot.y} ticks={plot.yTicks} tickFormatter={tickFormat} stroke="#444" tick={{ fill: AXIS, fontSize: 10 }} width={AXIS_W} allowDataOverflow />
              <Tooltip
                isAnimationActive={false}
                formatter={(v) => (typeof v === 'number' ? format(v) : String(v))}
                labelFormatter={(step) => `step ${step}`}
                contentStyle={{ background: '#111', border: '1px solid #333', fontSize: 11, padding: '2px 6px' }}
              />
              {plot.lines.map(({ s, pts }) => (
                <Line
                  key={s.name}
                  data={pts}
                  dataKey="v"
                  name={s.name}
                  stroke={s.color}
                  strokeWidth={1.5}
                  strokeDasharray={s.dashed ? '4 3' : undefined}
                  dot={s.dots ? { r: 3, fill: s.color, stroke: 'none' } : false}
                  activeDot={false}
                  connectNulls={s.connect}
                  isAnimationActive={false}
                />
              ))}
          </LineChart>
        )}
      </div>
    </figure>
  );
});

/**
 * The plot's width, measured at mount and on window resizes only (recharts' ResponsiveContainer re-renders its
 * chart from an observer of its own, in animation frames shared with the other charts).
 */
function useWidth(): [(el: HTMLDivElement | null) => void, number] {
  const [el, setEl] = useState<HTMLDivElement | null>(null);
  const [width, setWidth] = useState(0);
  useLayoutEffect(() => {
    if (!el) return;
    const measure = () => setWidth(el.clientWidth);
    measure();
    window.addEventListener('resize', measure);
    return () => window.removeEventListener('resize', measure);
  }, [el]);
  return [setEl, width];
}
