#!/usr/bin/env node
/*
 * NAME
 *   screenshots - every view of the page in both themes, at 390 and 1920 px
 * SYNOPSIS
 *   npm run build && node bench/page/screenshots.mjs [--url URL]
 * DESCRIPTION
 *   Serves dist/ (bench/page/serve.mjs), opens each view of the first-visit
 *   workspace in Debian's chromium with the light and the dark colour
 *   scheme, at a phone (390x844) and a wide screen (1920x1080), and writes
 *   PNGs to bench/out/screenshots/ (git-ignored), plus the trace tab and
 *   a wrong-input state, the Tests view (a scenario, an exercise, an edit
 *   that flips outcomes), the library and share dialogs, the embed mode
 *   and the embedding documentation page, and the postscreen example (two
 *   connections: the verdict with its DNSBL score, and the trace). It prints each page's scroll width (a page wider
 *   than its viewport scrolls sideways) and any console error. Look at
 *   the pictures; they are not compared automatically.
 */
import { mkdirSync } from 'node:fs';
import { chromium } from '@playwright/test';
import { serve } from './serve.mjs';

/** @import { Page } from '@playwright/test' */

/**
 * One picture: the view at `hash` once `ready` matches, after `then`; `full`: the whole page also when wide.
 * @typedef {{ name: string; hash: string; ready: string; then?: (p: Page) => Promise<unknown>; noEditor?: boolean; full?: boolean }} Shot
 */

const out = new URL('../out/screenshots/', import.meta.url).pathname;
mkdirSync(out, { recursive: true });
const arg = process.argv.indexOf('--url');
const server = arg > 0 ? undefined : await serve();
const base = server ? server.url : process.argv[arg + 1];

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
/** @type {Shot[]} */
const shots = [
  { name: 'smtpd', hash: '#smtpd', ready: '[data-testid="smtpd-state"][data-status="current"]' },
  {
    name: 'smtpd-trace',
    hash: '#smtpd',
    ready: '[data-testid="smtpd-state"][data-status="current"]',
    then: async (p) => p.getByRole('tab', { name: 'Trace' }).click(),
  },
  {
    name: 'smtpd-mail',
    hash: '#smtpd',
    ready: '[data-testid="smtpd-state"][data-status="current"]',
    then: async (p) => p.getByRole('tab', { name: /^Mail/ }).click(),
  },
  { name: 'resolve', hash: '#resolve', ready: '[data-testid="resolve-state"][data-status="current"]' },
  { name: 'lookup', hash: '#lookup', ready: '[data-testid="query-state"][data-status]' },
  {
    name: 'database',
    hash: '#database',
    ready: 'h2#db-heading',
    then: async (p) => {
      await p.getByRole('button', { name: 'Build the database' }).click();
      await p.getByRole('table', { name: 'Rows of aliases' }).waitFor();
    },
  },
  {
    name: 'lookup-access',
    hash: '#lookup',
    ready: '[data-testid="query-state"][data-status]',
    then: async (p) => {
      await p.getByLabel('Table', { exact: true }).fill('relay_domains');
      await p.getByLabel('Table', { exact: true }).fill('cidr:/etc/postfix/mynetworks.cidr');
      await p.getByLabel('Search as').selectOption({ label: 'smtpd access(5) check' });
      await p.getByLabel('Key', { exact: true }).fill('192.0.2.77');
      await p.locator('[data-testid="query-state"][data-status="current"]').waitFor();
    },
  },
  {
    name: 'smtpd-dialog',
    hash: '#smtpd',
    ready: '[data-testid="smtpd-state"][data-status="current"]',
    then: async (p) => {
      await p.getByLabel('Open an example').selectOption({ index: 2 });
      await p.getByRole('dialog').waitFor();
    },
  },
  // The views of issue 13 (they open workspaces of their own: after the first-visit ones).
  {
    name: 'tests-scenario',
    hash: '?scenario=relay-control&view=tests',
    ready: '[data-testid="expect-summary"][data-current="true"]',
  },
  {
    name: 'tests-exercise',
    hash: '?scenario=exercise-close-open-relay',
    ready: '[data-testid="expect-summary"][data-current="true"]',
    then: async (p) => {
      await p.getByRole('button', { name: /^Show (a|another) hint/ }).click();
      await p.getByTestId('hints').waitFor();
    },
  },
  {
    name: 'tests-flips',
    hash: '?scenario=relay-control&view=tests',
    ready: '[data-testid="expect-summary"][data-current="true"]',
    then: async (p) => {
      await p.getByRole('navigation', { name: 'Files' }).getByRole('button', { name: 'main.cf', exact: true }).click();
      const editor = p.getByTestId('editor');
      const text = (await editor.locator('.cm-line').allTextContents()).join('\n');
      await editor.click();
      await p.keyboard.press('ControlOrMeta+a');
      await p.keyboard.insertText(text.replace(/^mynetworks = .*$/m, 'mynetworks = 0.0.0.0/0'));
      await p.getByTestId('flips').waitFor();
    },
  },
  {
    name: 'library',
    hash: '#smtpd',
    ready: '[data-testid="smtpd-state"][data-status="current"]',
    then: async (p) => {
      await p.getByRole('button', { name: 'Scenarios…' }).click();
      await p.getByTestId('library-item').first().waitFor();
    },
  },
  {
    name: 'share',
    hash: '#smtpd',
    ready: '[data-testid="smtpd-state"][data-status="current"]',
    then: async (p) => {
      await p.getByRole('button', { name: 'Share…' }).click();
      await p.getByTestId('share-link').waitFor();
    },
  },
  {
    name: 'embed-transcript-trace',
    hash: 'index.html?embed&readonly&scenario=relay-control&panes=transcript,trace',
    ready: '[data-testid="smtpd-state"][data-status="current"]',
    noEditor: true,
  },
  {
    name: 'embed-files-session',
    hash: 'index.html?embed&scenario=helo-checks-pcre&panes=files,session,transcript',
    ready: '[data-testid="smtpd-state"][data-status="current"]',
  },
  {
    name: 'docs-embed',
    hash: 'docs/embed.html',
    ready: '#api-out',
    noEditor: true,
    full: true,
    then: async (p) => {
      await p.frameLocator('#plain').getByTestId('transcript').waitFor();
      await p.frameLocator('#sandboxed-frame').getByTestId('transcript').waitFor();
    },
  },
  // Last: these replace the workspace with the postscreen example (IndexedDB keeps it for the context's later pages).
  {
    name: 'postscreen',
    hash: '#smtpd',
    ready: '[data-testid="smtpd-state"][data-status="current"]',
    then: async (p) => openPostscreen(p),
  },
  {
    name: 'postscreen-trace',
    hash: '#smtpd',
    ready: '[data-testid="smtpd-state"][data-status="current"]',
    then: async (p) => {
      await p.locator('[data-testid="postscreen-verdict"]').waitFor();
      await p.getByTestId('connections').getByRole('tab').nth(1).click();
      await p.getByRole('tab', { name: 'Trace' }).click();
      await p.locator('[data-testid="postscreen-trace"]').waitFor();
    },
  },
];

/**
 * Opens the postscreen example (two connections) and waits for its answer.
 * @param {Page} p
 */
async function openPostscreen(p) {
  await p.getByLabel('Open an example').selectOption({ label: 'postscreen: DNSBL score, access list, two connections' });
  await p.getByRole('dialog', { name: 'Open the example?' }).getByRole('button', { name: 'Replace' }).click();
  await p.locator('[data-testid="postscreen-verdict"]').waitFor();
  await p.locator('[data-testid="smtpd-state"][data-status="current"]').waitFor();
  await p.getByTestId('toast').getByRole('button', { name: 'Dismiss' }).click();
}
let problems = 0;
for (const scheme of /** @type {const} */ (['light', 'dark'])) {
  for (const [width, height] of [
    [390, 844],
    [1920, 1080],
  ]) {
    const context = await browser.newContext({ viewport: { width, height }, colorScheme: scheme });
    for (const s of shots) {
      const page = await context.newPage();
      /** @type {string[]} */
      const errors = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(base + s.hash);
      await page.waitForSelector(s.ready, { timeout: 15_000 });
      if (!s.noEditor) await page.waitForSelector('.cm-editor', { timeout: 15_000 });
      if (s.then) await s.then(page);
      const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
      const file = `${out}${s.name}-${width}-${scheme}.png`;
      await page.screenshot({ path: file, fullPage: width < 1000 || s.full === true });
      const wide = scrollWidth > width;
      if (wide || errors.length) problems++;
      console.log(
        `${s.name} ${width} ${scheme}: scrollWidth ${scrollWidth}${wide ? ' (SCROLLS SIDEWAYS)' : ''}${errors.length ? ` errors: ${errors.join(' | ')}` : ''} -> ${file}`,
      );
      await page.close();
    }
    await context.close();
  }
}
await browser.close();
await server?.close();
console.log(problems === 0 ? 'no sideways scroll, no console errors' : `${problems} screenshots with problems`);
