import { memo, useEffect, useRef } from 'react';
import type { Grid } from '../../data/grid';
import type { DatasetItem } from './items';
import { ARC_PALETTE, MAZE_PALETTE } from './palette';
import { thumbnailPixels } from './thumbnail';

export interface GridThumbProps {
  grids: readonly Grid[];
  palette: readonly string[];
  /** Largest side in CSS pixels. */
  box: number;
  label: string;
}

/** Grids side by side on one canvas, drawn at the device's pixel ratio so cells stay crisp. */
export const GridThumb = memo(function GridThumb({ grids, palette, box, label }: GridThumbProps) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    const dpr = window.devicePixelRatio || 1;
    const px = thumbnailPixels(grids, { palette, box: Math.round(box * dpr) });
    canvas.width = px.width;
    canvas.height = px.height;
    canvas.style.width = `${px.width / dpr}px`;
    canvas.style.height = `${px.height / dpr}px`;
    ctx.putImageData(new ImageData(px.data, px.width, px.height), 0, 0);
  }, [grids, palette, box]);
  return <canvas ref={ref} role="img" aria-label={label} className="ds-thumb-canvas" />;
});

export interface SudokuThumbProps {
  puzzle: Grid;
  box: number;
}

/** Givens as digits on a board with its boxes outlined. */
export const SudokuThumb = memo(function SudokuThumb({ puzzle, box }: SudokuThumbProps) {
  const n = puzzle.h;
  const [bh, bw] = n === 6 ? [2, 3] : [Math.sqrt(n), Math.sqrt(n)];
  const cell = 10;
  const side = n * cell;
  const lines = [];
  for (let i = 0; i <= n; i++) {
    const thickH = i % bh === 0;
    const thickV = i % bw === 0;
    lines.push(<line key={`h${i}`} x1={0} x2={side} y1={i * cell} y2={i * cell} strokeWidth={thickH ? 0.8 : 0.25} />);
    lines.push(<line key={`v${i}`} y1={0} y2={side} x1={i * cell} x2={i * cell} strokeWidth={thickV ? 0.8 : 0.25} />);
  }
  return (
    <svg viewBox={`-0.5 -0.5 ${side + 1} ${side + 1}`} width={box} height={box} className="ds-thumb-sudoku" role="img" aria-label={`${n}×${n} sudoku`}>
      <g className="ds-sudoku-lines">{lines}</g>
      <g className="ds-sudoku-digits">
        {Array.from(puzzle.cells, (d, i) =>
          d ? (
            <text key={i} x={(i % n) * cell + cell / 2} y={Math.floor(i / n) * cell + cell / 2}>
              {d}
            </text>
          ) : null,
        )}
      </g>
    </svg>
  );
});

/** The thumbnail an item gets: an ARC task's first demonstration, a sudoku board, a maze with its path. */
export const ItemThumb = memo(function ItemThumb({ item, box }: { item: DatasetItem; box: number }) {
  switch (item.kind) {
    case 'arc': {
      const p = item.task.train[0];
      return <GridThumb grids={p.output ? [p.input, p.output] : [p.input]} palette={ARC_PALETTE} box={box} label={`first demonstration of ${item.id}`} />;
    }
    case 'sudoku':
      return <SudokuThumb puzzle={item.puzzle} box={box} />;
    case 'maze':
      return <GridThumb grids={[item.label ?? item.input]} palette={MAZE_PALETTE} box={box} label={`maze ${item.id}`} />;
  }
});
