/**
 * Thumbnail pixels, DOM-free: grids side by side (a demonstration's input and output, a maze), each in a 1-pixel
 * frame so a black grid shows its extent on a dark page (as the ARC interface's #555 grid lines do), one colour
 * per cell at an integer scale so cells stay crisp, transparent gaps between grids. A canvas shows the result
 * with putImageData; tests read the bytes.
 */
import type { Grid } from '../../data/grid';
import { GRID_LINE, hexToRgb } from './palette';

export interface Pixels {
  width: number;
  height: number;
  /** RGBA, row-major. */
  data: Uint8ClampedArray<ArrayBuffer>;
}

export interface ThumbnailOptions {
  /** Cell value → '#rrggbb'. */
  palette: readonly string[];
  /** Largest width/height in pixels the thumbnail may take. */
  box: number;
  /** Gap between grids, in cells (default 1). */
  gap?: number;
  /** Frame colour (default the ARC grid-line grey). */
  frame?: string;
}

/** Pixels per cell that fit `box`, and the resulting size (frames included). */
export function thumbnailLayout(grids: readonly Grid[], box: number, gap = 1): { scale: number; width: number; height: number } {
  const cellsW = grids.reduce((w, g) => w + g.w, 0) + gap * Math.max(0, grids.length - 1);
  const cellsH = Math.max(1, ...grids.map((g) => g.h));
  const frameW = 2 * grids.length;
  const scale = Math.max(1, Math.floor(Math.min((box - frameW) / cellsW, (box - 2) / cellsH)));
  return { scale, width: cellsW * scale + frameW, height: cellsH * scale + 2 };
}

export function thumbnailPixels(grids: readonly Grid[], opts: ThumbnailOptions): Pixels {
  const gap = opts.gap ?? 1;
  const { scale, width, height } = thumbnailLayout(grids, opts.box, gap);
  const data = new Uint8ClampedArray(width * height * 4);
  const fill = (x0: number, y0: number, w: number, h: number, [R, G, B]: readonly number[]) => {
    for (let y = y0; y < y0 + h; y++) {
      for (let x = x0; x < x0 + w; x++) {
        const i = (y * width + x) * 4;
        data[i] = R;
        data[i + 1] = G;
        data[i + 2] = B;
        data[i + 3] = 255;
      }
    }
  };
  const rgb = opts.palette.map(hexToRgb);
  const frame = hexToRgb(opts.frame ?? GRID_LINE);
  let x0 = 0;
  for (const g of grids) {
    fill(x0, 0, g.w * scale + 2, g.h * scale + 2, frame);
    for (let r = 0; r < g.h; r++)
      for (let c = 0; c < g.w; c++) fill(x0 + 1 + c * scale, 1 + r * scale, scale, scale, rgb[g.cells[r * g.w + c]] ?? [255, 255, 255]);
    x0 += g.w * scale + 2 + gap * scale;
  }
  return { width, height, data };
}
