import { expect, test } from '@playwright/test';
import { openPlayground } from './helpers';

// A shared link as a careless or hostile page might build it: impossible sizes, thousands of junk keys and
// prototype names. The page must open, say what is wrong in a few bounded lines, flag the fields, and refuse to
// start, all before the user presses anything. Then a damaged checkpoint file opened in the page is named in one
// bounded line and the model loaded before stays.
test('a link with impossible sizes and junk keys, then a damaged checkpoint file: bounded messages, flagged fields, Start disabled with its reason', async ({ page }, info) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const junk = Array.from({ length: 3000 }, (_, i) => `junk${i}=${i}`).join('&');
  await openPlayground(page, `/#preset=maze&data.size=1000&data.trainMazes=1000000000000&optim.batchSize=1000000000&__proto__=x&constructor=y&${junk}`);

  const banner = page.getByTestId('train-error-url');
  await expect(banner).toBeVisible();
  const lines = await banner.locator('li').allTextContents();
  expect(lines).toHaveLength(4);
  expect(lines[0]).toBe('3002 unknown settings in the link: "__proto__", "constructor", "junk0", "junk1", "junk2", … (ignored)');
  expect(lines.slice(1).map((l) => l.split(' ')[0])).toEqual(['optim.batchSize', 'data.size', 'data.trainMazes']);
  for (const l of lines) expect(Buffer.byteLength(l)).toBeLessThan(500);

  // Beside each field, and the form keeps the link's values over the bundled model's config.
  for (const [field, got] of [['data.size', '1000'], ['data.trainMazes', '1000000000000'], ['optim.batchSize', '1000000000']]) {
    await expect(page.getByTestId(`cfg-${field}`)).toHaveValue(got);
    await expect(page.getByTestId(`cfg-${field}`)).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByTestId(`cfg-msg-${field}`)).toContainText(`got ${got}`);
  }

  const start = page.getByTestId('train-start');
  await expect(start).toBeDisabled();
  await expect(page.getByTestId('train-start-blocked')).toHaveText("Start is disabled: the form's config has 3 problems (optim.batchSize, data.size, data.trainMazes), flagged beside their fields.");
  await expect(start).toHaveAttribute('title', /^Start is disabled/);
  await expect(page.getByTestId('train-reset')).toBeDisabled();

  await page.getByTestId('train-config').evaluate((el) => el.scrollTo(0, 0));
  await page.screenshot({ path: info.outputPath('bad-link-page.png') });

  // Fixing the fields enables Start again.
  for (const [field, fixed] of [['data.size', '10'], ['data.trainMazes', '100'], ['optim.batchSize', '8']]) {
    await page.getByTestId(`cfg-${field}`).fill(fixed);
    await page.getByTestId(`cfg-${field}`).press('Tab');
  }
  await expect(page.getByTestId('train-start-blocked')).toHaveCount(0);
  await expect(start).toBeEnabled();

  // A damaged checkpoint file opened in the page: one bounded line beside Import, and the model stays.
  const name = `${'long-name-'.repeat(30)}.safetensors`;
  await page.getByTestId('checkpoint-import').setInputFiles({ name, mimeType: 'application/octet-stream', buffer: Buffer.alloc(5_000_000, 0xff) });
  const note = page.getByTestId('train-error-checkpoint');
  await expect(note).toContainText(/header length \d+ exceeds/);
  expect(Buffer.byteLength((await note.textContent()) ?? '')).toBeLessThan(500);
  await expect(note).toContainText(/^long-name-long-name-.*….*name-\.safetensors: /);
  await expect(page.getByTestId('train-state')).toHaveText('done');
  await expect(page.getByTestId('model-kind')).toHaveText('model: 6×6 Sudoku');
  await page.getByTestId('train-checkpoints').screenshot({ path: info.outputPath('bad-import.png') });
  expect(errors).toEqual([]);
});
