/*
 * Shared e2e helpers: a `test` that fails on any console error or page
 * error, and what a user does on the page (by accessible names): open a
 * view, add a file and type into it, type into an editor, look a key up.
 * Every wait is on a condition, never on time.
 */
import { test as base, expect, type Locator, type Page } from '@playwright/test';

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

/** Opens the page (on `view`) and waits until the workspace is there and the editor has loaded. */
export async function open(page: Page, view = 'smtpd'): Promise<void> {
  await page.goto(`/#${view}`);
  await expect(page.getByTestId('save-status')).toHaveAttribute('data-status', /^(saved|saving|unavailable)$/);
  await expect(page.locator('.cm-editor').first()).toBeVisible();
}

/** The editor of the file shown in the files pane. */
export const fileEditor = (page: Page): Locator => page.getByTestId('editor');
/** The SMTP dialogue editor. */
export const dialogueEditor = (page: Page): Locator => page.getByTestId('dialogue');

/** Replaces an editor's whole text, as a paste would. */
export async function typeInto(editor: Locator, text: string): Promise<void> {
  await editor.click();
  await editor.page().keyboard.press('ControlOrMeta+a');
  if (text === '') await editor.page().keyboard.press('Delete');
  else await editor.page().keyboard.insertText(text);
}

/** The text of a (small) editor, line by line. */
export async function editorText(editor: Locator): Promise<string> {
  return (await editor.locator('.cm-line').allTextContents()).map((l) => l.replace(/\u200b/g, '')).join('\n');
}

/** Shows a file in the files pane. */
export async function openFile(page: Page, path: string): Promise<void> {
  await page
    .getByRole('navigation', { name: 'Files' })
    .getByRole('button', { name: path.slice(path.lastIndexOf('/') + 1), exact: true })
    .click();
  await expect(page.getByRole('region', { name: path })).toBeVisible();
}

/** Adds a file through the "Add file" dialog and types its text. */
export async function addFile(page: Page, path: string, text: string): Promise<void> {
  await page.getByRole('button', { name: 'Add file' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add a file' });
  await dialog.getByLabel('Path on the server').fill(path);
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('region', { name: path })).toBeVisible();
  if (text !== '') await typeInto(fileEditor(page), text);
}

/** Replaces the files of the workspace with `files` (clearing it first, as a user would). */
export async function setFiles(page: Page, files: TableFile[]): Promise<void> {
  await page.locator('summary', { hasText: 'Workspace' }).click();
  await page.getByRole('button', { name: 'Clear…' }).click();
  await page.getByRole('dialog', { name: 'Clear the workspace?' }).getByRole('button', { name: 'Clear' }).click();
  await expect(page.getByRole('navigation', { name: 'Files' }).getByText('No files yet')).toBeVisible();
  for (const f of files) await addFile(page, f.path, f.text);
}

export interface Answer {
  status: string;
  value?: string;
  error?: string;
}

const CONSUMER_TITLES = {
  access: 'smtpd access(5) check',
  transport: 'transport(5)',
  virtual: 'virtual(5) alias',
  canonical: 'canonical(5)',
  aliases: 'local aliases(5)',
} as const;

/** Asks the lookup box and reads the answer once it answers this question. */
export async function lookup(page: Page, spec: string, key: string, options: { noFold?: boolean; as?: keyof typeof CONSUMER_TITLES } = {}): Promise<Answer> {
  if (!(await page.getByLabel('Key', { exact: true }).isVisible()))
    await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Lookup' }).click();
  await page.getByLabel('Table', { exact: true }).fill(spec);
  await page.getByLabel('Key', { exact: true }).fill(key);
  await page.getByLabel('Search as').selectOption({ label: options.as ? CONSUMER_TITLES[options.as] : 'postmap -q (this key only)' });
  if (!options.as) await page.getByLabel('-f: do not fold keys to lower case').setChecked(options.noFold ?? false);
  const outcome = page.getByTestId('outcome');
  // The answer shown must be the answer to this question (the page repeats the question it answers).
  const quote = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  const question = options.as
    ? `${CONSUMER_TITLES[options.as]}: ${key} in ${spec.trim()}`
    : `postmap ${options.noFold ? '-f ' : ''}-q ${quote(key)} ${quote(spec.trim())}`;
  await expect(page.getByTestId('question')).toHaveText(question);
  await expect(page.getByTestId('query-state')).toHaveAttribute('data-status', 'current');
  await expect(outcome).not.toHaveAttribute('data-status', /^(stale|running)$/);
  const status = (await outcome.getAttribute('data-status')) ?? '';
  const answer: Answer = { status };
  if (status === 'found') answer.value = (await page.getByTestId('value').textContent()) ?? undefined;
  if (status === 'error' && (await page.getByTestId('error').count()) > 0) answer.error = (await page.getByTestId('error').textContent()) ?? undefined;
  return answer;
}

/** Chooses a built-in example, confirming the replacement. */
export async function loadExample(page: Page, name: string): Promise<void> {
  await page.getByLabel('Open an example').selectOption({ label: name });
  await page.getByRole('dialog', { name: 'Open the example?' }).getByRole('button', { name: 'Replace' }).click();
  await expect(page.getByTestId('toast')).toContainText(`Opened the example “${name}”`);
}
