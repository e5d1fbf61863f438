/*
 * Embedding, served as a static host serves it (tests/e2e/static-server.ts:
 * dist/ in a subdirectory, Access-Control-Allow-Origin: * as GitHub Pages
 * sends it): the documentation page's every example works (a plain
 * iframe, a sandboxed one, the <postfix-sim> element, the message API
 * demo); the element works on a page of another origin with one classic
 * script tag and sizes its frame to the content; the message API answers
 * load, run, setFile, getWorkspace and says what it does not know; a
 * read-only embed cannot be edited; the embed passes axe.
 */
import type { FrameLocator, Page } from '@playwright/test';
import { seriousViolations } from './axe.ts';
import { expect, test } from './fixtures.ts';
import { serve } from './static-server.ts';
import type { Served } from './static-server.ts';

let app: Served;
test.beforeAll(async () => {
  app = await serve({ prefix: '/tools/postfix-sim/' });
});
test.afterAll(async () => app.close());

/** The simulation inside an element's (open) shadow root. */
const elementFrame = (page: Page, selector: string): FrameLocator => page.locator(selector).locator('iframe').contentFrame();

test('the embedding page: a plain iframe, a sandboxed iframe, the element and the message API all work', async ({ page }) => {
  await page.goto(`${app.url}docs/embed.html`);
  // Snippets name where this copy is served from.
  await expect(page.locator('#iframe .snippet code')).toContainText(`${app.url.replace(/\/$/, '')}/index.html?embed`);

  const plain = page.frameLocator('#plain');
  await expect(plain.getByTestId('embed')).toHaveAttribute('data-ready', 'true');
  await expect(plain.getByTestId('transcript')).toContainText('250 2.0.0 Ok: queued as');
  await expect(plain.getByRole('tab', { name: 'Trace' })).toBeVisible();
  await expect(plain.getByRole('tab', { name: 'Log' })).toHaveCount(0);

  // Sandboxed: an opaque origin, no storage, the worker from a blob: URL.
  const sandboxed = page.frameLocator('#sandboxed-frame');
  await expect(sandboxed.getByTestId('transcript')).toContainText('554 5.7.1 <b@example.net>: Relay access denied');
  await expect(sandboxed.getByTestId('editor')).toContainText('mynetworks = 192.0.2.0/24');
  expect(await page.frame({ url: /client=203\.0\.113\.5/ })?.evaluate(() => self.origin)).toBe('null');

  // The element: the page's own blocks, a table among them.
  await page.locator('#element-demo').scrollIntoViewIfNeeded();
  const element = elementFrame(page, '#element-demo');
  await expect(element.getByTestId('transcript')).toContainText('Client host rejected: this PC is infected; call the help desk');
  await expect(element.getByRole('button', { name: 'blocked.cidr' })).toBeVisible();
  // It sized its frame to the simulation (the embed said how tall it is).
  await expect(page.locator('#element-demo').locator('iframe')).toHaveAttribute('style', /height: \d+px/);

  // The message API demo.
  await page.locator('#api').scrollIntoViewIfNeeded();
  const out = page.getByTestId('api-out');
  await page.getByRole('button', { name: 'load: a main.cf and a session' }).click();
  await expect(out).toContainText('"view": "smtpd"');
  await page.getByRole('button', { name: 'run', exact: true }).click();
  await expect(out).toContainText('"verdict": "rejected"');
  await expect(out).toContainText('554 5.7.1 <b@example.net>: Relay access denied');
  await page.getByRole('button', { name: 'load an exercise and check its goals' }).click();
  await expect(out).toContainText(/"goalsMet": "\d+ of \d+"/);
  // The documentation page itself, and an embed inside it.
  expect(await seriousViolations(page), 'docs/embed.html').toEqual([]);
  await page.emulateMedia({ colorScheme: 'dark' });
  expect(await seriousViolations(page), 'docs/embed.html, dark').toEqual([]);
  const plainFrame = page.frame({ url: /scenario=relay-control&panes=transcript,trace/ });
  expect(plainFrame).not.toBeNull();
  expect(await seriousViolations(plainFrame!), 'the plain iframe').toEqual([]);
});

test('the element on a page of another origin: one classic script tag, no code, sized to its content', async ({ page }) => {
  const host = await serve({
    root: '/nonexistent',
    pages: {
      '/article.html': `<!doctype html><html lang="en"><head><title>An article</title><link rel="icon" href="data:,"></head><body>
        <h1>Relay control</h1>
        <script src="${app.url}postfix-sim.js"></script>
        <postfix-sim id="sim" panes="transcript" readonly>
          <pre data-file="main.cf">mynetworks = 192.0.2.0/24
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination</pre>
          <pre data-session data-client="203.0.113.9">EHLO stranger.example
MAIL FROM:&lt;x@stranger.example&gt;
RCPT TO:&lt;y@example.net&gt;
QUIT</pre>
        </postfix-sim>
        <p>After the example.</p></body></html>`,
    },
  });
  try {
    await page.goto(`${host.url}article.html`);
    const sim = elementFrame(page, '#sim');
    await expect(sim.getByTestId('transcript')).toContainText('554 5.7.1 <y@example.net>: Relay access denied');
    const frame = page.locator('#sim').locator('iframe');
    await expect(frame).toHaveAttribute('style', /height: \d+px/);
    // The frame is as tall as the simulation (the embed measures itself), not the default.
    const [frameHeight, contentHeight] = await Promise.all([
      frame.evaluate((f) => f.getBoundingClientRect().height),
      sim.getByTestId('embed').evaluate((e) => e.getBoundingClientRect().height),
    ]);
    expect(Math.abs(frameHeight - contentHeight)).toBeLessThan(8);
    // The blocks themselves are not shown twice (keep-source would show them).
    await expect(page.getByText('mynetworks = 192.0.2.0/24')).toBeHidden();
    // The element's call() speaks the message API.
    const result = await page.locator('#sim').evaluate(async (el) => (el as HTMLElement & { call: (m: string) => Promise<unknown> }).call('run'));
    expect(result).toMatchObject({ smtpd: { verdict: 'rejected' } });
  } finally {
    await host.close();
  }
});

test('a sandboxed iframe runs SQLite too: every expectation of the SQLite scenario passes', async ({ page }) => {
  const host = await serve({
    root: '/nonexistent',
    pages: {
      '/host.html': `<!doctype html><html lang="en"><head><title>host</title><link rel="icon" href="data:,"></head><body>
        <iframe id="f" sandbox="allow-scripts" title="postfix-sim" src="${app.url}index.html?embed&scenario=sqlite-everything&panes=tests" width="900" height="700"></iframe></body></html>`,
    },
  });
  try {
    await page.goto(`${host.url}host.html`);
    const summary = page.frameLocator('#f').getByTestId('expect-summary');
    await expect(summary).toHaveAttribute('data-current', 'true');
    const total = Number(await summary.getAttribute('data-total'));
    expect(total).toBeGreaterThan(0);
    await expect(summary).toHaveAttribute('data-passed', String(total));
  } finally {
    await host.close();
  }
});

test('the message API: load, run, setFile, getWorkspace, and errors in words', async ({ page }) => {
  const host = await serve({
    root: '/nonexistent',
    pages: {
      '/host.html': `<!doctype html><html lang="en"><head><title>host</title><link rel="icon" href="data:,"></head><body>
        <iframe id="f" title="postfix-sim" src="${app.url}index.html?embed&panes=files,transcript,tests" width="900" height="600"></iframe></body></html>`,
    },
  });
  try {
    // A host page's helper, there before the frame loads: one request, its answer (the protocol of src/ui/embed/api.ts).
    await page.addInitScript(() => {
      if (window.top !== window) return; // init scripts run in frames too
      const w = window as unknown as { ready: Promise<void>; call: (method: string, params?: unknown) => Promise<unknown> };
      const frame = (): HTMLIFrameElement => document.getElementById('f') as HTMLIFrameElement;
      w.ready = new Promise((resolve) =>
        addEventListener('message', (e) => {
          if (e.source === frame().contentWindow && e.data?.postfixSim === 1 && e.data.event === 'ready') resolve();
        }),
      );
      let next = 0;
      w.call = (method, params) =>
        new Promise((resolve) => {
          const id = ++next;
          addEventListener('message', function answer(e) {
            if (e.source !== frame().contentWindow || e.data?.postfixSim !== 1 || e.data.id !== id) return;
            removeEventListener('message', answer);
            resolve(e.data);
          });
          frame().contentWindow!.postMessage({ postfixSim: 1, id, method, params }, '*');
        });
    });
    await page.goto(`${host.url}host.html`);
    const call = (method: string, params?: unknown) =>
      page.evaluate(
        async ([m, p]) => {
          const w = window as unknown as { ready: Promise<void>; call: (method: string, params?: unknown) => Promise<unknown> };
          await w.ready;
          return w.call(m as string, p);
        },
        [method, params] as const,
      ) as Promise<{ ok: boolean; result?: Record<string, never>; error?: string }>;

    const loaded = await call('load', { scenario: 'relay-control' });
    expect(loaded).toMatchObject({ ok: true, result: { view: 'smtpd', files: expect.arrayContaining(['/etc/postfix/main.cf', '/etc/postfix/relay.expect']) } });
    const run = await call('run');
    expect(run.ok).toBe(true);
    const { smtpd, expectations } = run.result as unknown as {
      smtpd: { verdict: string; replies: { command: string; reply: string[] }[] };
      expectations: { passed: number; total: number };
    };
    expect(smtpd.verdict).toBe('accepted');
    expect(smtpd.replies.find((r) => r.command === 'EHLO mail.stranger.example')?.reply[0]).toBe('250-mail.example.com');
    expect(expectations.total).toBeGreaterThan(0);
    expect(expectations.passed).toBe(expectations.total);
    // A change through the API: the office network is gone, so the office's relaying fails its expectation.
    const main = ((await call('getWorkspace')).result as unknown as { workspace: { files: { path: string; text: string }[] } }).workspace.files.find(
      (f) => f.path === '/etc/postfix/main.cf',
    )!.text;
    expect(await call('setFile', { path: 'main.cf', text: main.replace(/^mynetworks = .*$/m, 'mynetworks = 127.0.0.0/8') })).toMatchObject({
      ok: true,
      result: { path: '/etc/postfix/main.cf' },
    });
    const after = (await call('run', { what: ['expect'] })).result as unknown as { expectations: { passed: number; total: number } };
    expect(after.expectations.passed).toBeLessThan(after.expectations.total);
    await expect(page.frameLocator('#f').getByTestId('expect-summary')).toHaveAttribute('data-passed', String(after.expectations.passed));
    const link = await call('getLink');
    expect(link).toMatchObject({ ok: true, result: { link: expect.stringMatching(/^1\./), url: expect.stringContaining('#smtpd&w=1.') } });
    expect(await call('fly')).toMatchObject({ ok: false, error: expect.stringContaining('unknown method "fly"') });
    expect(await call('load', { scenario: 'nope' })).toMatchObject({ ok: false, error: expect.stringContaining('There is no scenario “nope”') });
  } finally {
    await host.close();
  }
});

test('a read-only embed cannot be edited; the embed passes axe', async ({ page }) => {
  const q = new URLSearchParams({ file: 'main.cf', text: 'compatibility_level = 3.6\nmynetworks = 192.0.2.0/24\n', session: 'EHLO x\nQUIT\n' });
  await page.goto(`${app.url}index.html?embed&readonly&panes=files,session,transcript&${q}`);
  await expect(page.getByTestId('embed')).toHaveAttribute('data-ready', 'true');
  await expect(page.getByTestId('transcript')).toContainText('221 2.0.0 Bye');
  await expect(page.getByTestId('editor')).toHaveAttribute('contenteditable', 'false');
  await expect(page.getByTestId('dialogue')).toHaveAttribute('contenteditable', 'false');
  await expect(page.getByLabel('Sender')).toBeDisabled();
  expect(await seriousViolations(page)).toEqual([]);
  // Nothing is kept by an embed: a new page of the app's own has its first-visit workspace, not this one.
  await page.goto(`${app.url}index.html`);
  await expect(page.getByTestId('save-status')).toHaveAttribute('data-status', 'saved');
  await expect(page.getByTestId('dialogue')).not.toContainText('EHLO x\nQUIT');
});
