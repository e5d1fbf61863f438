/*
 * postscreen in the "SMTP session" view, through the page and the engine
 * worker of the production build: the postscreen example (the scenario
 * tests/golden/scenarios/postscreen-dnsbl) plays two connections; each
 * shows postscreen's verdict (what decided, the DNSBL score per site),
 * its transcript (the replies recorded from real Postfix for the same
 * client in that scenario), its log and its trace before smtpd's. The
 * form adds a third connection and sets its time, and the cache lets the
 * returning client through. axe finds nothing serious in the view.
 */
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { seriousViolations } from './axe.ts';
import { dialogueEditor, editorText, expect, fileEditor, loadExample, open, test } from './fixtures.ts';

const EXAMPLE = 'postscreen: DNSBL score, access list, two connections';

interface Recorded {
  replies: string[][];
  log: string[];
}
const scenario = JSON.parse(readFileSync(new URL('../golden/scenarios/postscreen-dnsbl/expected.json', import.meta.url), 'utf8')) as {
  configurations: { scenario: { postscreen: { dialogues: Record<string, { connections: Recorded[] }> } } };
};
/** What real Postfix answered the scenario's session `name` (one connection). */
const recorded = (name: string): Recorded => scenario.configurations.scenario.postscreen.dialogues[`postscreen.expect#${name}`]!.connections[0]!;

async function openExample(page: Page): Promise<void> {
  await open(page, 'smtpd');
  await loadExample(page, EXAMPLE);
  await current(page);
}
/** Waits until the answer shown answers the dialogue as it is now. */
async function current(page: Page): Promise<void> {
  await expect(page.getByTestId('smtpd-state')).toHaveAttribute('data-status', 'current');
  await expect(page.getByTestId('smtpd-outcome')).toHaveAttribute('data-status', 'done');
}
const connections = (page: Page) => page.getByTestId('connections').getByRole('tab');
const verdict = (page: Page) => page.getByTestId('postscreen-verdict');
const replies = (page: Page) => page.getByTestId('transcript').getByTestId('reply');
/** The per-site DNSBL breakdown: [domain, weight, what it added]. */
async function sites(page: Page): Promise<string[][]> {
  const rows = page.getByTestId('dnsbl-site');
  const out: string[][] = [];
  for (let i = 0; i < (await rows.count()); i++) {
    const row = rows.nth(i);
    out.push([
      (await row.getAttribute('data-domain')) ?? '',
      (await row.locator('td.num').first().textContent())!.trim(),
      (await row.getByTestId('dnsbl-adds').textContent())!.trim(),
    ]);
  }
  return out;
}

test('two connections through postscreen: each verdict, the DNSBL score per site, the recorded replies', async ({ page }) => {
  await openExample(page);
  await expect(connections(page)).toHaveCount(2);
  await expect(connections(page).nth(0)).toHaveAttribute('data-tone', 'reject');
  await expect(connections(page).nth(1)).toHaveAttribute('data-tone', 'permit');

  // Connection 1: zen lists the client, 3 points, the threshold; the dummy engine refuses its recipient.
  await expect(connections(page).nth(0)).toHaveAttribute('aria-selected', 'true');
  await expect(verdict(page)).toHaveAttribute('data-decided-by', 'dnsbl');
  await expect(verdict(page)).toHaveAttribute('data-outcome', 'disconnected');
  await expect(page.getByTestId('dnsbl-score')).toHaveAttribute('data-total', '3');
  await expect(page.getByTestId('dnsbl-score')).toHaveAttribute('data-threshold', '3');
  expect(await sites(page)).toEqual([
    ['zen.example.net', '3', '+3'],
    ['bl.example.org', '2', '0'],
    ['psbl.example.org', '1', '0'],
    ['list.dnswl.example', '-4', '0'],
  ]);
  await expect(replies(page)).toHaveText(recorded('zen-listed').replies.flat());
  // postscreen's dummy engine answered: a reply opens its step in postscreen's trace.
  await page.getByRole('button', { name: /^Trace of RCPT TO:<alice@example\.com>:/ }).click();
  await expect(page.getByRole('tab', { name: 'Trace' })).toHaveAttribute('aria-selected', 'true');
  const step = page.getByTestId('postscreen-trace').locator('[data-kind="command"]:has(> .row[data-focused])');
  await expect(step).toHaveCount(1);
  await expect(step).toContainText('RCPT TO:<alice@example.com>');
  await expect(step).toBeInViewport();
  // With the keyboard: QUIT's step has nothing to open, and still takes the focus.
  await page.getByRole('tab', { name: 'Transcript' }).click();
  await page.getByRole('button', { name: /^Trace of QUIT:/ }).focus();
  await page.keyboard.press('Enter');
  const quit = page.getByTestId('postscreen-trace').locator('[data-kind="command"] > .row[data-focused]');
  await expect(quit).toContainText('QUIT');
  await expect(quit).toBeFocused();
  await page.getByRole('tab', { name: 'Log' }).click();
  // Client ports differ between runs: compared without them.
  const noPort = (l: string): string => l.replace(/\]:\d+/g, ']:PORT');
  const shownLog = await page.getByTestId('log').locator('li').filter({ hasText: 'postfix/postscreen: ' }).allTextContents();
  expect(shownLog.map((l) => noPort(l.trim()))).toEqual(
    recorded('zen-listed')
      .log.filter((l) => l.startsWith('postfix/postscreen: '))
      .map(noPort),
  );

  // Connection 2: zen (+3) and the allow list (-4): -1, passes, and smtpd takes over.
  await connections(page).nth(1).click();
  await expect(verdict(page)).toHaveAttribute('data-outcome', 'handed-off');
  await expect(verdict(page)).toContainText('PASS NEW');
  await expect(page.getByTestId('dnsbl-score')).toHaveAttribute('data-total', '-1');
  expect(await sites(page)).toEqual([
    ['zen.example.net', '3', '+3'],
    ['bl.example.org', '2', '0'],
    ['psbl.example.org', '1', '0'],
    ['list.dnswl.example', '-4', '-4'],
  ]);
  await page.getByRole('tab', { name: 'Transcript' }).click();
  await expect(replies(page)).toHaveText(recorded('allowlisted-outweighs').replies.flat());

  // The trace: postscreen's part first, its decision linked to the DNS facts line; smtpd's part after it.
  await connections(page).nth(0).click();
  await page.getByRole('tab', { name: 'Trace' }).click();
  const ps = page.getByTestId('postscreen-trace');
  const decidedSite = ps.locator('[data-kind="dnsbl-site"][data-decisive="true"]');
  await expect(decidedSite).toHaveCount(1);
  await expect(decidedSite).toHaveAttribute('data-tone', 'reject');
  await expect(ps.locator('[data-kind="dnsbl"][data-decisive="true"]')).toContainText('blocked (enforce)');
  await decidedSite.getByTestId('trace-line').first().click();
  await expect(page.getByRole('region', { name: '/etc/postfix/dns' })).toBeVisible();
  await expect(fileEditor(page)).toBeFocused();
  expect(await page.evaluate(() => document.getSelection()?.toString())).toBe('4.113.0.203.zen.example.net.        A   127.0.0.4');
  expect(await seriousViolations(page)).toEqual([]);
});

test('the form adds a connection and sets its time; the returning client passes on its cache entry', async ({ page }) => {
  await openExample(page);
  await page.getByRole('tablist', { name: 'Connections' }).first().getByRole('tab', { name: /^2/ }).click();
  await page.getByRole('button', { name: 'Add a connection (a copy of connection 2)' }).click();
  // The dialogue is the truth: a third `# connection` block, with the same client.
  await expect
    .poll(async () => (await editorText(dialogueEditor(page))).match(/^# connection.*$/gm))
    .toEqual(['# connection client=203.0.113.4', '# connection client=203.0.113.7 at=10', '# connection client=203.0.113.7']);
  await page.getByRole('textbox', { name: /^Time/ }).fill('120');
  await expect.poll(async () => (await editorText(dialogueEditor(page))).match(/^# connection.*$/gm)?.[2]).toBe('# connection client=203.0.113.7 at=120');
  await current(page);
  await expect(connections(page)).toHaveCount(3);
  await expect(connections(page).nth(2)).toHaveAttribute('aria-selected', 'true');
  await expect(verdict(page)).toHaveAttribute('data-decided-by', 'cache');
  await expect(verdict(page)).toContainText('PASS OLD');
  // The cache entry the second connection wrote, found by the third: the tests are still valid.
  const tests = page.getByTestId('postscreen-tests');
  await expect(tests.locator('tr[data-test="dnsbl"]')).toHaveAttribute('data-state', 'cached');
  await expect(tests.locator('tr[data-test="dnsbl"] td').nth(1)).toHaveText('until 313s');
  await expect(page.getByTestId('dnsbl-score')).toHaveCount(0);

  // A pregreeting client, set in the form: it fails the pregreet test (enforce).
  await page.getByRole('textbox', { name: /^Sent before the greeting/ }).fill('EHLO early\\r\\n');
  await page.getByRole('textbox', { name: /^Client ADDR/ }).fill('203.0.113.50');
  await expect.poll(async () => editorText(dialogueEditor(page))).toContain('# pregreet: EHLO early\\r\\n');
  await current(page);
  await expect(verdict(page)).toHaveAttribute('data-decided-by', 'pregreet');
  await expect(connections(page).nth(2)).toHaveAttribute('data-tone', 'reject');
  // What it sent early is in the transcript, before the greeting's last line.
  await page.getByRole('tab', { name: 'Transcript' }).click();
  await expect(page.getByTestId('transcript').getByTestId('sent-early')).toHaveText(['EHLO early\\r\\n']);
  const order = await page
    .getByTestId('transcript')
    .locator('li')
    .evaluateAll((lis) => lis.map((li) => (li.classList.contains('early') ? 'early' : li.classList.contains('server') ? 'S' : 'C')));
  expect(order.indexOf('early')).toBeLessThan(order.indexOf('S') < 0 ? Infinity : order.lastIndexOf('S'));
  expect(await seriousViolations(page)).toEqual([]);
});

for (const [scheme, width] of [
  ['dark', 390],
  ['light', 1920],
] as const) {
  test(`axe: the postscreen view and its trace (${scheme}, ${width} px)`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: scheme });
    await page.setViewportSize({ width, height: 900 });
    await openExample(page);
    await connections(page).nth(1).click();
    await expect(verdict(page)).toHaveAttribute('data-outcome', 'handed-off');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('tab', { name: 'Trace' }).click();
    await expect(page.getByTestId('postscreen-trace').locator('[data-kind="connection"]')).toHaveAttribute('data-tone', 'permit');
    expect(await seriousViolations(page)).toEqual([]);
    // Nothing scrolls sideways.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
  });
}
