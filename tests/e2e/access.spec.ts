/*
 * Everyone can use it: an automated accessibility check (axe-core,
 * injected into the page) finds no serious or critical violation in any
 * view, in light and dark, wide and narrow; the whole path from a session
 * to the table line that decided it works with the keyboard alone; at
 * 390 px nothing scrolls sideways and the answer is reachable; the dark
 * theme follows the system.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from '@playwright/test';
import { dialogueEditor, expect, fileEditor, open, test } from './fixtures.ts';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/** axe-core's serious and critical violations on the page as it is now. */
async function seriousViolations(page: Page): Promise<string[]> {
  // evaluate() is not subject to the page's CSP (an inline <script> would be).
  await page.evaluate(axeSource);
  const violations = (await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: unknown[] }> } }).axe;
    return (await axe.run(document, { resultTypes: ['violations'] })).violations;
  })) as AxeViolation[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help}: ${v.nodes.map((n) => `${n.target.join(' ')} ${n.failureSummary ?? ''}`).join('; ')}`);
}

const VIEWS = [
  { hash: 'smtpd', ready: 'smtpd-state' },
  { hash: 'resolve', ready: 'resolve-state' },
  { hash: 'lookup', ready: 'query-state' },
  { hash: 'database', ready: '' },
];

for (const scheme of ['light', 'dark'] as const) {
  for (const width of [390, 1920]) {
    test(`axe: no serious violations in any view (${scheme}, ${width} px)`, async ({ page }) => {
      await page.emulateMedia({ colorScheme: scheme });
      await page.setViewportSize({ width, height: 900 });
      await open(page);
      for (const v of VIEWS) {
        await page
          .getByRole('navigation', { name: 'Views' })
          .getByRole('link', { name: { smtpd: 'Session', resolve: 'Addresses', lookup: 'Lookup', database: 'Databases' }[v.hash]! })
          .click();
        await expect(page).toHaveURL(new RegExp(`#${v.hash}$`));
        if (v.ready) await expect(page.getByTestId(v.ready)).toHaveAttribute('data-status', 'current');
        expect(await seriousViolations(page), `#${v.hash}`).toEqual([]);
      }
      // The trace tab and an open dialog too.
      await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Session' }).click();
      await page.getByRole('tab', { name: 'Trace' }).click();
      expect(await seriousViolations(page), 'trace').toEqual([]);
      await page.getByRole('button', { name: 'Add file' }).click();
      expect(await seriousViolations(page), 'add file dialog').toEqual([]);
    });
  }
}

test('keyboard only: change the session, follow a reply to its trace and to the table line', async ({ page }) => {
  await open(page);
  // Skip link first, then the views.
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to the answer' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Session' })).toBeFocused();
  // Tab to the sender field and type.
  for (let i = 0; i < 60 && !(await page.getByLabel('Sender').evaluate((e) => e === document.activeElement)); i++) await page.keyboard.press('Tab');
  await expect(page.getByLabel('Sender')).toBeFocused();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.type('keyboard@example.org');
  await expect(dialogueEditor(page)).toContainText('MAIL FROM:<keyboard@example.org>');
  // On to the reply that refused a recipient; Enter opens its trace.
  const reply = page.getByRole('button', { name: /^Trace of RCPT TO:<d@notrelay\.example>/ });
  await expect(reply).toBeVisible();
  for (let i = 0; i < 120 && !(await reply.evaluate((e) => e === document.activeElement)); i++) await page.keyboard.press('Tab');
  await expect(reply).toBeFocused();
  await page.keyboard.press('Enter');
  const command = page.locator('#trace-command-5');
  await expect(command).toHaveAttribute('data-open', 'true');
  await expect(command.locator('.toggle').first()).toBeFocused();
  // Space opens and closes a row; the decisive restriction is already open.
  const restriction = command.locator('[data-kind="restriction"][data-decisive="true"] .toggle').first();
  for (let i = 0; i < 20 && !(await restriction.evaluate((e) => e === document.activeElement)); i++) await page.keyboard.press('Tab');
  await expect(restriction).toBeFocused();
  await expect(restriction).toHaveAttribute('aria-expanded', 'true');
  await page.keyboard.press('Space');
  await expect(restriction).toHaveAttribute('aria-expanded', 'false');
  await page.keyboard.press('Space');
  await expect(restriction).toHaveAttribute('aria-expanded', 'true');
  // The problems list's locations work from the keyboard too: a main.cf error, Enter, the line selected.
  await page.getByRole('navigation', { name: 'Files' }).getByRole('button', { name: 'main.cf', exact: true }).focus();
  await page.keyboard.press('Enter');
  await fileEditor(page).focus();
  await page.keyboard.press('ControlOrMeta+End');
  await page.keyboard.type('\nthis line has no equals sign\n');
  const location = page.getByRole('button', { name: '/etc/postfix/main.cf:12' }).first();
  await expect(location).toBeVisible();
  await location.focus();
  await page.keyboard.press('Enter');
  await expect(fileEditor(page)).toBeFocused();
  expect(await page.evaluate(() => document.getSelection()?.toString())).toBe('this line has no equals sign');
  // Tab leaves the editor (it does not trap the keyboard).
  await page.keyboard.press('Tab');
  await expect(fileEditor(page)).not.toBeFocused();
});

test('390 px: nothing scrolls sideways, and the answer is reachable', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await open(page);
  for (const view of ['Session', 'Addresses', 'Lookup', 'Databases']) {
    await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: view }).click();
    expect(await page.evaluate(() => document.documentElement.scrollWidth), view).toBeLessThanOrEqual(390);
  }
  await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Session' }).click();
  await page.getByRole('link', { name: 'Skip to the answer' }).focus();
  await page.keyboard.press('Enter');
  const transcript = page.getByTestId('transcript');
  await transcript.scrollIntoViewIfNeeded();
  await expect(transcript).toBeInViewport();
  const box = await transcript.boundingBox();
  expect(box!.x).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width).toBeLessThanOrEqual(390);
  await page.getByRole('tab', { name: 'Trace' }).click();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
});

test('the theme follows the system: dark backgrounds and editors in dark mode', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await open(page);
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const editorBg = await page
    .locator('.cm-editor')
    .first()
    .evaluate((e) => getComputedStyle(e).backgroundColor);
  const lum = (rgb: string) => {
    const [r, g, b] = rgb.match(/\d+/g)!.map(Number);
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
  };
  expect(lum(bg)).toBeLessThan(60);
  expect(lum(editorBg)).toBeLessThan(60);
  await page.emulateMedia({ colorScheme: 'light' });
  expect(lum(await page.evaluate(() => getComputedStyle(document.body).backgroundColor))).toBeGreaterThan(200);
});
