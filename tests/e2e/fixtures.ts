/*
 * Shared e2e helpers: a `test` that fails on any console error or page
 * error, and small actions on the lookup page (by accessible labels).
 */
import { test as base, expect, type Page } from '@playwright/test';

export { expect };

export const test = base.extend<{ pageErrors: string[] }>({
  pageErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on('console', (msg) => {
        if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
      });
      page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
      await use(errors);
      expect(errors, 'console errors or page errors').toEqual([]);
    },
    { auto: true },
  ],
});

export interface TableFile {
  path: string;
  text: string;
}

/** Opens the page and waits until it is interactive. */
export async function open(page: Page): Promise<void> {
  await page.goto('/');
  await expect(page.getByRole('button', { name: 'Look up' })).toBeEnabled();
}

/** Replaces all files with `files`. */
export async function setFiles(page: Page, files: TableFile[]): Promise<void> {
  const removeAll = page.getByRole('button', { name: 'Remove all files' });
  if (await removeAll.isVisible()) await removeAll.click();
  for (const [i, f] of files.entries()) {
    await page.getByRole('button', { name: 'Add file' }).click();
    await page.getByLabel(`Path of file ${i + 1}`, { exact: true }).fill(f.path);
    await page.getByLabel(`Contents of file ${i + 1}`, { exact: true }).fill(f.text);
  }
}

export interface Answer {
  status: string;
  value?: string;
  error?: string;
}

/** Fills the lookup form, presses "Look up", and reads the answer. */
export async function lookup(page: Page, spec: string, key: string, options: { noFold?: boolean } = {}): Promise<Answer> {
  await page.getByLabel('Table (type:name)').fill(spec);
  await page.getByLabel('Lookup key').fill(key);
  await page.getByLabel('-f: do not fold keys to lower case').setChecked(options.noFold ?? false);
  await page.getByRole('button', { name: 'Look up' }).click();
  const outcome = page.getByTestId('outcome');
  await expect(outcome).not.toHaveAttribute('data-status', /^(running|idle)$/);
  const status = (await outcome.getAttribute('data-status')) ?? '';
  const answer: Answer = { status };
  if (status === 'found') answer.value = (await page.getByTestId('value').textContent()) ?? undefined;
  if (status === 'error') answer.error = (await page.getByTestId('error').textContent()) ?? undefined;
  return answer;
}
