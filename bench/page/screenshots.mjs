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
 *   a wrong-input state. It prints each page's scroll width (a page wider
 *   than its viewport scrolls sideways) and any console error. Look at
 *   the pictures; they are not compared automatically.
 */
import { mkdirSync } from 'node:fs';
import { chromium } from '@playwright/test';
import { serve } from './serve.mjs';

const out = new URL('../out/screenshots/', import.meta.url).pathname;
mkdirSync(out, { recursive: true });
const arg = process.argv.indexOf('--url');
const server = arg > 0 ? undefined : await serve();
const base = arg > 0 ? process.argv[arg + 1] : server.url;

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
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
];
let problems = 0;
for (const scheme of ['light', 'dark']) {
  for (const [width, height] of [
    [390, 844],
    [1920, 1080],
  ]) {
    const context = await browser.newContext({ viewport: { width, height }, colorScheme: scheme });
    for (const s of shots) {
      const page = await context.newPage();
      const errors = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(base + s.hash);
      await page.waitForSelector(s.ready, { timeout: 15_000 });
      await page.waitForSelector('.cm-editor', { timeout: 15_000 });
      if (s.then) await s.then(page);
      const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
      const file = `${out}${s.name}-${width}-${scheme}.png`;
      await page.screenshot({ path: file, fullPage: width < 1000 });
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
