/*
 * The scenario library in the page: every bundled scenario opens and its
 * expectations pass in the browser (checked by the engine in the worker);
 * every exercise starts with goals missed and is solved by loading its
 * solution; hints come one at a time and progress survives a reload;
 * reset and solution ask first and can be undone; an edit that flips
 * outcomes is said, with links to the lines; the new views pass axe.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, fileEditor, open, test, typeInto } from './fixtures.ts';
import { seriousViolations } from './axe.ts';

const LIBRARY = join(import.meta.dirname, '..', 'golden', 'scenarios');
const names = readdirSync(LIBRARY).filter((d) => statSync(join(LIBRARY, d)).isDirectory());
const isExercise = (n: string): boolean => names.includes(n) && readdirSync(join(LIBRARY, n)).includes('solution');

/** The expectations' summary once it answers the files as they are now. */
async function summary(page: Page): Promise<{ passed: number; total: number }> {
  const s = page.getByTestId('expect-summary');
  await expect(s).toHaveAttribute('data-current', 'true');
  await expect(page.getByTestId('expect-state')).toHaveAttribute('data-status', 'current');
  return { passed: Number(await s.getAttribute('data-passed')), total: Number(await s.getAttribute('data-total')) };
}

test('the library has every scenario and exercise; opening one asks first and can be undone', async ({ page }) => {
  await open(page);
  await page.getByRole('button', { name: 'Scenarios…' }).click();
  const library = page.getByRole('dialog', { name: 'Scenario library' });
  await expect(library.getByTestId('library-item')).toHaveCount(names.length);
  await expect(library.getByRole('list', { name: 'Exercises' }).getByTestId('library-item')).toHaveCount(names.filter(isExercise).length);
  await library.getByRole('button', { name: 'Open Relay control and "Relay access denied"' }).click();
  const question = page.getByRole('dialog', { name: 'Open the scenario?' });
  await question.getByRole('button', { name: 'Replace' }).click();
  await expect(page.getByTestId('toast')).toContainText('Opened the scenario “Relay control and "Relay access denied"”');
  await expect(page.getByRole('navigation', { name: 'Files' }).getByRole('button', { name: 'relay.expect', exact: true })).toBeVisible();
  await page.getByTestId('toast').getByRole('button', { name: 'Undo' }).click();
  await expect(page.getByRole('navigation', { name: 'Files' }).getByRole('button', { name: 'relay.expect', exact: true })).toHaveCount(0);
});

for (const name of names.filter((n) => !isExercise(n))) {
  test(`scenario ${name}: opens, and every expectation passes in the page`, async ({ page }) => {
    await page.goto(`/?scenario=${name}&view=tests`);
    await expect(page.getByTestId('scenario')).toContainText(name);
    const { passed, total } = await summary(page);
    expect(total).toBeGreaterThan(0);
    expect(passed).toBe(total);
  });
}

for (const name of names.filter(isExercise)) {
  test(`exercise ${name}: goals missed at the start, all met with the solution`, async ({ page }) => {
    await page.goto(`/?scenario=${name}`);
    await expect(page.getByTestId('scenario')).toContainText('Exercise');
    await expect(page.getByRole('heading', { name: 'Task' })).toBeVisible();
    const start = await summary(page);
    expect(start.passed).toBeLessThan(start.total);
    await page.getByRole('button', { name: 'Load the solution…' }).click();
    await page.getByRole('dialog', { name: 'Load the solution?' }).getByRole('button', { name: 'Load the solution' }).click();
    await expect(page.getByTestId('exercise-progress')).toContainText('Solved: every goal is met.');
    const solved = await summary(page);
    expect(solved).toEqual({ passed: solved.total, total: start.total });
  });
}

test('an exercise: hints one at a time, progress kept after a reload, reset to the start and undo', async ({ page }) => {
  await page.goto('/?scenario=exercise-close-open-relay');
  await summary(page);
  const hints = page.getByTestId('hints');
  await page.getByRole('button', { name: /^Show a hint \(\d+ left\)$/ }).click();
  await expect(hints.getByRole('listitem')).toHaveCount(1);
  await page.getByRole('button', { name: /^Show another hint/ }).click();
  await expect(hints.getByRole('listitem')).toHaveCount(2);
  // Solve it by hand: narrow mynetworks and refuse relaying.
  await page.getByRole('navigation', { name: 'Files' }).getByRole('button', { name: 'main.cf', exact: true }).click();
  const main = (await fileEditor(page).locator('.cm-line').allTextContents()).join('\n');
  await typeInto(
    fileEditor(page),
    main.replace(/^mynetworks = .*$/m, 'mynetworks = 127.0.0.0/8, 192.0.2.0/24') +
      '\nsmtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n',
  );
  await page
    .getByRole('navigation', { name: 'Views' })
    .getByRole('link', { name: /^Tests/ })
    .click();
  await expect(page.getByTestId('exercise-progress')).toContainText('Solved: every goal is met.');
  await expect(page.getByTestId('exercise-progress')).toHaveAttribute('data-solved', 'true');
  // Reload (once saved): the hints shown and the solved mark stay (kept in the browser, not in the address).
  await expect(page.getByTestId('save-status')).toHaveAttribute('data-status', 'saved');
  await page.reload();
  await expect(page.getByTestId('hints').getByRole('listitem')).toHaveCount(2);
  await expect(page.getByTestId('exercise-progress')).toHaveAttribute('data-solved', 'true');
  // Reset asks, replaces the files with the start, and can be undone.
  await page.getByRole('button', { name: 'Reset to the start…' }).click();
  await page.getByRole('dialog', { name: 'Reset the exercise?' }).getByRole('button', { name: 'Reset' }).click();
  const reset = await summary(page);
  expect(reset.passed).toBeLessThan(reset.total);
  await page.getByTestId('toast').getByRole('button', { name: 'Undo' }).click();
  await expect(page.getByTestId('exercise-progress')).toContainText('Solved: every goal is met.');
  // The library marks it solved.
  await page.getByRole('button', { name: 'Scenario library…' }).click();
  await expect(page.getByRole('dialog', { name: 'Scenario library' }).locator('[data-name="exercise-close-open-relay"]')).toContainText('solved');
});

test('an edit that flips outcomes says how many, and each links to its line', async ({ page }) => {
  await page.goto('/?scenario=relay-control&view=tests');
  const before = await summary(page);
  expect(before.passed).toBe(before.total);
  await page.getByRole('navigation', { name: 'Files' }).getByRole('button', { name: 'main.cf', exact: true }).click();
  const main = (await fileEditor(page).locator('.cm-line').allTextContents()).join('\n');
  // Open the relay: every relaying stranger now gets 250.
  await typeInto(fileEditor(page), main.replace(/^mynetworks = .*$/m, 'mynetworks = 0.0.0.0/0'));
  const flips = page.getByTestId('flips');
  await expect(flips).toContainText(new RegExp(`This edit makes \\d+ of your ${before.total} expectations behave differently`));
  const after = await summary(page);
  await expect(flips).toContainText(`${after.total - after.passed} now fail`);
  await expect(page.getByTestId('expectation').and(page.locator('[data-pass="false"]')).first()).toBeVisible();
  // Following a flipped expectation shows its line in the expectation file, marked as failing.
  await flips.getByRole('button').filter({ hasText: 'now fails' }).first().click();
  await expect(page.getByRole('region', { name: '/etc/postfix/relay.expect' })).toBeVisible();
  await expect(fileEditor(page).locator('.cm-lintRange-error').first()).toBeVisible();
  // Undoing the edit flips them back.
  await page.getByRole('navigation', { name: 'Files' }).getByRole('button', { name: 'main.cf', exact: true }).click();
  await typeInto(fileEditor(page), main);
  await expect(flips).toContainText('now pass');
  expect(await summary(page)).toEqual(before);
});

test('axe: the Tests view with an exercise, the library and the share dialog (light and dark)', async ({ page }) => {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto('/?scenario=exercise-route-partner');
    await summary(page);
    await page.getByRole('button', { name: /^Show (a|another) hint/ }).click();
    expect(await seriousViolations(page), `tests view, ${scheme}`).toEqual([]);
    await page.getByRole('button', { name: 'Scenario library…' }).click();
    await expect(page.getByRole('dialog', { name: 'Scenario library' }).getByTestId('library-item').first()).toBeVisible();
    expect(await seriousViolations(page), `library, ${scheme}`).toEqual([]);
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Share…' }).click();
    await expect(page.getByRole('dialog', { name: 'Share this workspace' }).getByTestId('share-link')).toBeVisible();
    expect(await seriousViolations(page), `share dialog, ${scheme}`).toEqual([]);
    await page.keyboard.press('Escape');
  }
});
