import { memo, useEffect, useRef, type CSSProperties, type PointerEvent } from 'react';
import { inRect, type CellRect } from './rect';
import { GRID_LINE, type SymbolSet } from './symbols';
import './grid.css';

export interface GridViewProps {
  h: number;
  w: number;
  /** h·w values, row-major, interpreted by `symbols`. */
  cells: ArrayLike<number>;
  symbols: SymbolSet;
  /** Cell side in px; by default the larger grid side fits `maxSize`. */
  cellSize?: number;
  maxSize?: number;
  /** Write each cell's symbol number (ARC's "show symbol numbers"). */
  showNumbers?: boolean;
  /** Probability 0..1 per cell: unsure cells are hatched (stripes read as "unsure" on every colour, black included). */
  confidence?: ArrayLike<number> | null;
  /** Non-zero cells get a white outline (changed since the previous frame). */
  changed?: ArrayLike<number> | null;
  /** Non-zero cells get a corner mark (differs from the target). */
  wrong?: ArrayLike<number> | null;
  /** Non-zero cells are tinted red (a rule is broken there). */
  conflict?: ArrayLike<number> | null;
  selection?: CellRect | null;
  cursor?: { r: number; c: number } | null;
  /** Thicker lines between boxes (Sudoku). */
  boxes?: { rows: number; cols: number } | null;
  /** Outline the whole grid: it is the one keys and tools act on. */
  active?: boolean;
  /** Pointer pressed on a cell; `onCellDrag` then follows the pressed pointer over further cells. */
  onCellDown?: (r: number, c: number, e: PointerEvent) => void;
  onCellDrag?: (r: number, c: number) => void;
  label: string;
  testId?: string;
}

function cellOf(target: EventTarget): { r: number; c: number } | null {
  const el = (target as Element).closest?.('[data-r]') as HTMLElement | null;
  return el ? { r: Number(el.dataset.r), c: Number(el.dataset.c) } : null;
}

/** A grid of cells in the ARC look (1 px #555 lines), with the overlays the viewer and editors need. */
export const GridView = memo(function GridView(p: GridViewProps) {
  const size = p.cellSize ?? Math.max(4, Math.min(32, Math.floor((p.maxSize ?? 240) / Math.max(p.h, p.w, 1)) - 1));
  const dragging = useRef(false);
  useEffect(() => {
    const up = () => (dragging.current = false);
    window.addEventListener('pointerup', up);
    return () => window.removeEventListener('pointerup', up);
  }, []);
  const interactive = !!(p.onCellDown || p.onCellDrag);
  const font = Math.max(7, Math.round(size * 0.6));
  const cells = [];
  for (let r = 0; r < p.h; r++) {
    for (let c = 0; c < p.w; c++) {
      const i = r * p.w + c;
      const v = p.cells[i];
      const look = p.symbols.look(v);
      const conf = p.confidence ? p.confidence[i] : 1;
      const style: CSSProperties = { backgroundColor: look.fill, color: look.ink };
      if (p.boxes) {
        if (c > 0 && c % p.boxes.cols === 0) style.marginLeft = 2;
        if (r > 0 && r % p.boxes.rows === 0) style.marginTop = 2;
      }
      const cls = ['g-cell'];
      if (p.changed?.[i]) cls.push('g-changed');
      if (p.wrong?.[i]) cls.push('g-wrong');
      if (p.conflict?.[i]) cls.push('g-conflict');
      if (p.selection && inRect(p.selection, r, c)) cls.push('g-selected');
      if (p.cursor && p.cursor.r === r && p.cursor.c === c) cls.push('g-cursor');
      const text = look.mark || (p.showNumbers ? look.number : '');
      const title = p.confidence ? `(${r}, ${c}) ${look.name} · p=${conf.toFixed(2)}` : `(${r}, ${c}) ${look.name}`;
      cells.push(
        <div key={i} className={cls.join(' ')} style={style} data-r={r} data-c={c} data-v={v} title={title}>
          {conf < 0.98 && <span className="g-wash" style={{ opacity: Math.min(0.8, (1 - conf) * 0.9) }} />}
          {text && <span className="g-text">{text}</span>}
        </div>,
      );
    }
  }
  return (
    <div
      className={`g-grid${p.active ? ' g-active' : ''}${interactive ? ' g-interactive' : ''}`}
      role="grid"
      aria-label={p.label}
      data-testid={p.testId}
      data-h={p.h}
      data-w={p.w}
      style={{ gridTemplateColumns: `repeat(${p.w}, ${size}px)`, gridAutoRows: `${size}px`, background: GRID_LINE, fontSize: font }}
      onPointerDown={(e) => {
        const cell = interactive && e.button === 0 ? cellOf(e.target) : null;
        if (!cell) return;
        e.preventDefault(); // no text selection or native drag while painting
        // Touch pointers are captured by the first cell; release so pointerover reaches the others.
        (e.target as Element).releasePointerCapture?.(e.pointerId);
        dragging.current = true;
        p.onCellDown?.(cell.r, cell.c, e);
      }}
      onPointerOver={(e) => {
        if (!dragging.current || !(e.buttons & 1)) return;
        const cell = cellOf(e.target);
        if (cell) p.onCellDrag?.(cell.r, cell.c);
      }}
    >
      {cells}
    </div>
  );
});
