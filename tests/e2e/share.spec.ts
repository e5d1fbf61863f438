/*
 * Share links and URL parameters: the address holds the whole workspace and
 * follows the edits; opened elsewhere (a fresh browser profile) it gives the
 * same workspace back, exactly; a workspace too large for a link says so and
 * offers the export; documentation authors' parameters open a scenario,
 * prefill files and sessions, and pick the view and the results tab.
 */
import type { Browser, Page } from '@playwright/test';
import { addFile, dialogueEditor, editorText, expect, fileEditor, open, openFile, test, typeInto } from './fixtures.ts';

const tree = (page: Page) => page.getByRole('navigation', { name: 'Files' });

/** A page in a fresh browser profile (no saved workspaces), failing on console errors like the fixture's. */
async function freshPage(browser: Browser, baseURL: string | undefined): Promise<{ page: Page; errors: string[]; close: () => Promise<void> }> {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, errors, close: () => context.close() };
}

/** Waits until the workspace is saved and the address carries its link. */
async function settled(page: Page): Promise<string> {
  await expect(page.getByTestId('save-status')).toHaveAttribute('data-status', 'saved');
  await expect(page).toHaveURL(/#\w+&w=1\.[\w-]+$/);
  return page.url();
}

test('a share link round-trips exactly: files, an SQLite database, sessions, the view and the open tab', async ({ page, browser, baseURL }) => {
  await open(page);
  await addFile(page, '/etc/postfix/helo_checks', '/^localhost$/ REJECT you are not me\n');
  await typeInto(dialogueEditor(page), 'EHLO shared.example\nMAIL FROM:<a@example.org>\nRCPT TO:<b@example.com>\nQUIT\n');
  // A database, as bytes.
  await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Databases' }).click();
  await page.getByRole('button', { name: 'Build the database' }).click();
  await expect(tree(page).getByRole('button', { name: /^data\.sqlite/ })).toBeVisible();
  await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Session' }).click();
  await page.getByRole('tab', { name: 'Trace' }).click();
  const link = await settled(page);
  // Editing rewrites the address (the same history entry: Back still leaves the page's views alone).
  const entries = await page.evaluate(() => history.length);
  await openFile(page, '/etc/postfix/helo_checks');
  await typeInto(fileEditor(page), '/^localhost$/ REJECT you are not me\n/^\\[/ REJECT a bare address\n');
  await expect(page).not.toHaveURL(link);
  const edited = await settled(page);
  expect(await page.evaluate(() => history.length)).toBe(entries);

  const other = await freshPage(browser, baseURL);
  try {
    await other.page.goto(edited);
    await expect(other.page.getByTestId('save-status')).toHaveAttribute('data-status', 'saved');
    await expect(other.page.getByRole('tab', { name: 'Trace' })).toHaveAttribute('aria-selected', 'true');
    await expect(dialogueEditor(other.page)).toContainText('EHLO shared.example');
    await expect(tree(other.page).getByRole('button', { name: /^data\.sqlite/ })).toBeVisible();
    await openFile(other.page, '/etc/postfix/helo_checks');
    expect(await editorText(fileEditor(other.page))).toBe('/^localhost$/ REJECT you are not me\n/^\\[/ REJECT a bare address\n');
    // The page opened from the link writes the very same link back: nothing was lost or changed on the way.
    await expect(other.page).toHaveURL(edited);
    // And the database is a database: the Databases view reads its table.
    await other.page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Databases' }).click();
    await expect(other.page.getByRole('table', { name: 'Rows of aliases' })).toContainText('info@example.com');
    expect(other.errors).toEqual([]);
  } finally {
    await other.close();
  }
});

test('a link opens beside the workspaces already there, never over them', async ({ page, browser, baseURL }) => {
  const sender = await freshPage(browser, baseURL);
  let link: string;
  try {
    await open(sender.page);
    await typeInto(dialogueEditor(sender.page), 'EHLO from-the-sender.example\nQUIT\n');
    link = await settled(sender.page);
  } finally {
    await sender.close();
  }
  await open(page);
  await typeInto(dialogueEditor(page), 'EHLO mine.example\nQUIT\n');
  await settled(page);
  await page.goto(link);
  await expect(page.getByTestId('toast')).toContainText('Opened as the new workspace “shared”');
  await expect(dialogueEditor(page)).toContainText('EHLO from-the-sender.example');
  await expect(page.getByTestId('toast')).toContainText('“default” and your other workspaces are in the list');
  await page.getByTestId('toast').getByRole('button', { name: 'Switch back' }).click();
  await expect(dialogueEditor(page)).toContainText('EHLO mine.example');
  // A pasted link (a new fragment on the same page) opens the same way.
  await page.evaluate((l) => (location.hash = new URL(l).hash), link);
  await expect(dialogueEditor(page)).toContainText('EHLO from-the-sender.example');
});

test('a workspace too large for a link says so and offers the export file', async ({ page }) => {
  await open(page);
  // 200 KB that does not compress (a base64 text of random bytes).
  const noise = await page.evaluate(() => {
    const bytes = new Uint8Array(150_000);
    for (let i = 0; i < bytes.length; i += 65_536) crypto.getRandomValues(bytes.subarray(i, i + 65_536));
    let s = '';
    for (let i = 0; i < bytes.length; i += 3000) s += btoa(String.fromCharCode(...bytes.subarray(i, i + 3000))) + '\n';
    return s;
  });
  await addFile(page, '/etc/postfix/noise', noise);
  await expect(page.getByTestId('save-status')).toHaveAttribute('data-status', 'saved');
  await expect(page).toHaveURL(/#smtpd$/);
  await page.getByRole('button', { name: 'Share…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Share this workspace' });
  await expect(dialog.getByTestId('share-too-large')).toContainText('too large for a link');
  const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Export as .tar.gz' }).click()]);
  expect(download.suggestedFilename()).toMatch(/\.tar\.gz$/);
});

test('the share dialog gives the link and the HTML to embed it', async ({ page }) => {
  await open(page);
  await page.getByRole('button', { name: 'Share…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Share this workspace' });
  const link = await dialog.getByTestId('share-link').inputValue();
  expect(link).toBe(page.url());
  await dialog.getByLabel('Read-only').check();
  await dialog.getByLabel('Panes').selectOption('transcript,trace');
  await expect(dialog.getByTestId('embed-snippet')).toHaveValue(/^<iframe src="[^"]*\?embed&amp;readonly&amp;panes=transcript,trace#smtpd&amp;w=1\./);
});

test('URL parameters: a scenario on a view, prefilled files and a session with the trace open', async ({ page }) => {
  await page.goto('/?scenario=relay-control&view=tests');
  await expect(page.getByTestId('scenario')).toContainText('Relay control and "Relay access denied"');
  await expect(page.getByTestId('expect-summary')).toHaveAttribute('data-current', 'true');
  await expect(page.getByTestId('expect-summary')).toHaveText(/^(\d+) of \1 pass$/);
  // The query is gone from the address once used; the fragment holds the workspace.
  await expect(page).toHaveURL(/\/#tests&w=1\./);

  const main = 'mynetworks = 192.0.2.0/24\nsmtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n';
  const q = new URLSearchParams({
    file: 'main.cf',
    text: main,
    session: 'EHLO x\nMAIL FROM:<a@example.org>\nRCPT TO:<b@example.net>\nQUIT',
    client: '203.0.113.5',
    results: 'trace',
  });
  await page.goto(`/?${q}`);
  await expect(page.getByRole('tab', { name: 'Trace' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('smtpd-state')).toHaveAttribute('data-status', 'current');
  await page.getByRole('tab', { name: 'Transcript' }).click();
  await expect(page.getByTestId('transcript')).toContainText('554 5.7.1 <b@example.net>: Relay access denied');
  expect(await editorText(fileEditor(page))).toBe(main);
  // A parameter the page does not know is said, not dropped silently.
  await page.goto('/?scenario=no-such-thing&colour=blue');
  await expect(page.getByRole('status').filter({ hasText: 'There is no scenario “no-such-thing”' })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'unknown parameter colour=' })).toBeVisible();
});
