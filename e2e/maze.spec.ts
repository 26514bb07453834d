import { expect, test } from '@playwright/test';
import { cellOf, drag, openPlayground, tinyRun } from './helpers';

const [WALL, OPEN, START, GOAL, PATH] = [1, 2, 3, 4, 5];

test('maze editor: draw walls, place start and goal, undo/redo, then solve and watch the recursion', async ({ page }, info) => {
  // The page's workers, to listen to what the training worker sends.
  await page.addInitScript(() => {
    const workers: Worker[] = ((window as unknown as { __workers: Worker[] }).__workers = []);
    const Native = window.Worker;
    window.Worker = class extends Native {
      constructor(url: string | URL, opts?: WorkerOptions) {
        super(url, opts);
        workers.push(this);
      }
    };
  });
  await openPlayground(page);
  // A tiny untrained maze model: the flow needs a maze model, not a good one.
  await tinyRun(page, { preset: 'maze', extra: { 'data.trainMazes': '16', 'data.testMazes': '4', 'model.nSup': '4' } });
  await expect(page.getByTestId('model-kind')).toHaveText(/8×8 mazes/, { timeout: 60_000 });
  await page.getByTestId('tab-edit').click();
  const board = page.getByTestId('maze-board');
  await expect(board).toHaveAttribute('data-h', '8');
  await page.getByRole('button', { name: 'Clear' }).click();

  // A wall down column 3 from the top, leaving the bottom two rows open.
  await drag(page, cellOf(board, 0, 3), cellOf(board, 5, 3));
  for (let r = 0; r < 8; r++) await expect(cellOf(board, r, 3)).toHaveAttribute('data-v', String(r <= 5 ? WALL : OPEN));
  await page.getByTestId('maze-tool-start').click();
  await cellOf(board, 7, 0).click();
  await page.keyboard.press('g'); // the goal tool by key
  await cellOf(board, 0, 7).click();
  await expect(cellOf(board, 0, 0)).toHaveAttribute('data-v', String(OPEN)); // the one S moved
  await expect(cellOf(board, 7, 0)).toHaveAttribute('data-v', String(START));
  await expect(cellOf(board, 0, 7)).toHaveAttribute('data-v', String(GOAL));
  await expect(cellOf(board, 7, 7)).toHaveAttribute('data-v', String(OPEN));
  // S (7,0) → round the wall's foot at row 6 → G (0,7): 7 + 7 moves.
  await expect(page.getByTestId('maze-status')).toContainText('yes: 14 moves');

  await page.keyboard.press('Control+z');
  await expect(cellOf(board, 7, 7)).toHaveAttribute('data-v', String(GOAL));
  await expect(cellOf(board, 0, 7)).toHaveAttribute('data-v', String(OPEN));
  await page.keyboard.press('Control+Shift+z');
  await expect(cellOf(board, 0, 7)).toHaveAttribute('data-v', String(GOAL));
  await page.screenshot({ path: info.outputPath('maze-edit.png') });

  // The worker streams the recursion to the page after each supervision step, before the whole trace: record the
  // steps of the partial traces the page receives, and the frame counts the viewer shows. How many of those the
  // viewer draws depends on speed (a fast device may finish before the first paint), so only the stream is asserted.
  await page.evaluate(() => {
    const w = window as unknown as { __steps: [number, number][]; __frames: number[] };
    w.__steps = [];
    w.__frames = [];
    for (const worker of (window as unknown as { __workers: Worker[] }).__workers)
      worker.addEventListener('message', (e: MessageEvent<{ type: string; trace?: { steps: { supStep: number }[] } }>) => {
        if (e.data.type === 'trace-progress') w.__steps.push(...e.data.trace!.steps.map((st): [number, number] => [(e.data as unknown as { requestId: number }).requestId, st.supStep]));
      });
    new MutationObserver(() => {
      const readout = document.querySelector<HTMLElement>('[data-testid="viewer-readout"]');
      if (readout) w.__frames.push(Number(readout.dataset.frames));
    }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-frames'] });
  });
  await page.getByTestId('maze-solve').click();
  const viewer = page.getByTestId('recursion-viewer');
  await expect(viewer).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('viewer-readout')).toHaveAttribute('data-frames', '24', { timeout: 60_000 }); // 4 steps × 2 cycles × 3 updates
  const { steps, frames } = await page.evaluate(() => {
    const w = window as unknown as { __steps: [number, number][]; __frames: number[] };
    return { steps: w.__steps, frames: [...new Set(w.__frames)] };
  });
  // Per trace request, the supervision steps its partial traces ended at.
  const byRequest = new Map<number, number[]>();
  for (const [id, step] of steps) byRequest.set(id, [...(byRequest.get(id) ?? []), step]);
  console.log(`partial traces streamed after supervision steps ${[...byRequest.values()].map((s) => s.join(', ')).join(' | ')}; frame counts the viewer showed: ${frames.join(' → ')}`);
  expect(byRequest.size).toBeGreaterThan(0);
  for (const s of byRequest.values()) expect(s).toEqual([1, 2, 3]);
  await expect(page.getByTestId('viewer-live')).toHaveCount(0);
  const input = page.getByTestId('viewer-input');
  await expect(cellOf(input, 3, 3)).toHaveAttribute('data-v', String(WALL));
  await expect(cellOf(input, 7, 0)).toHaveAttribute('data-v', String(START));
  // The target is the maze with its shortest path marked.
  const target = page.getByTestId('viewer-target');
  await expect(target.locator(`[data-v="${PATH}"]`)).toHaveCount(13);
  await expect(cellOf(target, 6, 3)).toHaveAttribute('data-v', String(PATH));
  await expect(page.getByTestId('viewer-readout')).toContainText('step');
  await page.screenshot({ path: info.outputPath('maze-solved.png') });

  // Solve switched to the Recursion tab, which unmounted the editor: coming back shows the maze as it was left.
  await page.getByTestId('tab-edit').click();
  for (let r = 0; r < 8; r++) await expect(cellOf(board, r, 3)).toHaveAttribute('data-v', String(r <= 5 ? WALL : OPEN));
  await expect(cellOf(board, 7, 0)).toHaveAttribute('data-v', String(START));
  await expect(cellOf(board, 0, 7)).toHaveAttribute('data-v', String(GOAL));
  await expect(page.getByTestId('maze-status')).toContainText('yes: 14 moves');
});
