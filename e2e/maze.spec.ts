import { expect, test } from '@playwright/test';
import { cellOf, drag, openPlayground, tinyRun } from './helpers';

const [WALL, OPEN, START, GOAL, PATH] = [1, 2, 3, 4, 5];

test('maze editor: draw walls, place start and goal, undo/redo, then solve and watch the recursion', async ({ page }, info) => {
  // The page's trace requests to its workers and what comes back for them.
  await page.addInitScript(() => {
    const w = window as unknown as { __sent: number[]; __steps: [number, number][]; __done: number[] };
    Object.assign(w, { __sent: [], __steps: [], __done: [] });
    const Native = window.Worker;
    window.Worker = class extends Native {
      constructor(url: string | URL, opts?: WorkerOptions) {
        super(url, opts);
        this.addEventListener('message', (e: MessageEvent<{ type: string; requestId?: number; trace?: { steps: { supStep: number }[] } }>) => {
          if (e.data.type === 'trace-progress') w.__steps.push(...e.data.trace!.steps.map((st): [number, number] => [e.data.requestId!, st.supStep]));
          if (e.data.type === 'trace') w.__done.push(e.data.requestId!);
        });
      }
      override postMessage(message: unknown, options?: StructuredSerializeOptions | Transferable[]): void {
        const m = message as { type?: string; requestId?: number } | null;
        if (m?.type === 'trace') w.__sent.push(m.requestId!);
        super.postMessage(message, options as StructuredSerializeOptions);
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

  // The worker streams the recursion to the page after each supervision step, before the whole trace: the steps
  // of the partial traces the page receives for Solve's trace request. (How many of them the viewer gets to paint
  // depends on speed: a fast device may finish before the first paint.)
  const traces = () =>
    page.evaluate(() => {
      const w = window as unknown as { __sent: number[]; __steps: [number, number][]; __done: number[] };
      return { __sent: w.__sent, __steps: w.__steps, __done: w.__done };
    });
  const sentBefore = (await traces()).__sent.length;
  await page.getByTestId('maze-solve').click();
  await expect.poll(async () => (await traces()).__sent.length).toBeGreaterThan(sentBefore);
  const solveId = (await traces()).__sent.at(-1)!;
  await expect.poll(async () => (await traces()).__done.includes(solveId), { timeout: 120_000 }).toBe(true);
  const streamed = (await traces()).__steps.filter(([id]) => id === solveId).map(([, step]) => step);
  console.log(`Solve's trace streamed after supervision steps ${streamed.join(', ')}`);
  expect(streamed).toEqual([1, 2, 3]);
  const viewer = page.getByTestId('recursion-viewer');
  await expect(viewer).toBeVisible();
  await expect(page.getByTestId('viewer-readout')).toHaveAttribute('data-frames', '24'); // 4 steps × 2 cycles × 3 updates
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
