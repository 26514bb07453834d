import { memo, useEffect, useMemo, useRef, useState, type PointerEvent, type RefObject } from 'react';
import { extents, latestValue, linePath, nearest, valueOf, xTicks, yRange, yTicks, type Pt } from './chart-scale';
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
  /** Readouts and the hover box. */
  format?: (v: number) => string;
  /** Axis ticks (default: compact numbers). */
  tickFormat?: (v: number) => string;
  /** Fixed y range (e.g. [0, 1] for accuracies). */
  domain?: [number, number];
  log?: boolean;
  height?: number;
  testId?: string;
}

const PAD = { left: 44, right: 8, top: 6, bottom: 16 };
const AXIS = '#8a8a8a';

/** Width of an element in px, following resizes. */
function useWidth(ref: RefObject<HTMLElement | null>): number {
  const [w, setW] = useState(0);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(([e]) => setW(Math.floor(e.contentRect.width)));
    ro.observe(el);
    return () => ro.disconnect();
  }, [ref]);
  return w;
}

/**
 * A small line chart against step with a legend that reads out each series' latest value, and the values at the
 * step under the pointer. Hand-drawn SVG (one path per series) so a redraw costs well under a millisecond of
 * script: while training, charts redraw several times a second beside a busy GPU, and a chart library's render
 * (recharts measured 50–150 ms per chart here) would block the page.
 */
export const MiniChart = memo(function MiniChart({ title, data, series, format = fmtNum, tickFormat = fmtTick, domain, log = false, height = 140, testId }: MiniChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const width = useWidth(box);
  const [hover, setHover] = useState<number | null>(null);
  // A series with its own empty data would fall back to the chart's points: leave it out until it has some.
  const drawn = useMemo(() => series.filter((s) => !s.data || s.data.length > 0).map((s) => ({ s, pts: (s.data ?? data) as Pt[] })), [series, data]);
  const empty = data.length === 0 && series.every((s) => !s.data?.length);

  const plot = useMemo(() => {
    if (empty || width <= PAD.left + PAD.right) return null;
    const ext = extents(drawn.map(({ s, pts }) => ({ key: s.key, pts })), log);
    if (!ext) return null;
    const { x0, x1 } = ext;
    const f = log ? Math.log10 : (v: number) => v;
    const [lo, hi] = yRange(ext.y0, ext.y1, { domain, log });
    const W = width - PAD.left - PAD.right, H = height - PAD.top - PAD.bottom;
    const sx = (step: number) => PAD.left + ((step - x0) / (x1 - x0)) * W;
    const sy = (v: number) => PAD.top + (1 - (f(v) - lo) / (hi - lo)) * H;
    const lines = drawn.map(({ s, pts }) => {
      const { d, points } = linePath(pts, s.key, sx, sy, { log, connect: s.connect });
      return { s, d, dots: s.dots ? points : [] };
    });
    return { x0, x1, W, sx, sy, lines, yTicks: yTicks(lo, hi, log), xTicks: xTicks(x0, x1, W) };
  }, [drawn, empty, width, height, domain, log]);

  const onMove = (e: PointerEvent<SVGSVGElement>) => {
    if (!plot) return;
    const x = e.clientX - e.currentTarget.getBoundingClientRect().left;
    setHover(plot.x0 + (Math.min(Math.max(x - PAD.left, 0), plot.W) / plot.W) * (plot.x1 - plot.x0));
  };
  const at = plot && hover !== null ? drawn.map(({ s, pts }) => ({ s, p: nearest(pts, hover) })) : null;
  const atStep = at?.find((a) => a.p)?.p?.step;

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
      <div ref={box} className="td-plot" style={{ height }}>
        {empty ? (
          <div className="td-dim td-plot-empty">no data yet</div>
        ) : (
          plot && (
            <svg width={width} height={height} onPointerMove={onMove} onPointerLeave={() => setHover(null)} role="img" aria-label={`${title} against step`}>
              {plot.yTicks.map((t) => (
                <g key={t}>
                  <line x1={PAD.left} x2={PAD.left + plot.W} y1={plot.sy(t)} y2={plot.sy(t)} stroke="#242424" />
                  <text x={PAD.left - 4} y={plot.sy(t)} dy="0.32em" textAnchor="end" fill={AXIS} fontSize={10}>{tickFormat(t)}</text>
                </g>
              ))}
              {plot.xTicks.map((t) => (
                <text key={t} x={plot.sx(t)} y={height - 4} textAnchor="middle" fill={AXIS} fontSize={10}>{fmtTick(t)}</text>
              ))}
              <line x1={PAD.left} x2={PAD.left} y1={PAD.top} y2={height - PAD.bottom} stroke="#444" />
              {plot.lines.map(({ s, d, dots }) => (
                <g key={s.name}>
                  <path d={d} fill="none" stroke={s.color} strokeWidth={1.5} strokeDasharray={s.dashed ? '4 3' : undefined} strokeLinejoin="round" />
                  {dots.map(([x, y], i) => <circle key={i} cx={x} cy={y} r={2} fill={s.color} />)}
                </g>
              ))}
              {atStep !== undefined && <line x1={plot.sx(atStep)} x2={plot.sx(atStep)} y1={PAD.top} y2={height - PAD.bottom} stroke="#666" />}
            </svg>
          )
        )}
        {at && atStep !== undefined && (
          <div className="td-hover td-mono" style={{ left: Math.min(plot!.sx(atStep) + 8, width - 130) }}>
            <div>step {atStep}</div>
            {at.map(({ s, p }) => {
              const v = p ? valueOf(p, s.key, false) : null;
              return (
                <div key={s.name} style={{ color: s.color }}>
                  {s.name} {v === null ? '—' : format(v)}
                  {p && p.step !== atStep ? ` @${p.step}` : ''}
                </div>
              );
            })}
          </div>
        )}
      </div>
    </figure>
  );
});
