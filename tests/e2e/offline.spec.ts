/*
 * Offline and from a disk: served from a subdirectory of a plain static
 * server, the page installs its service worker; then, with the server gone
 * and the browser offline, a reload still works: the session answers,
 * SQLite (its wasm) builds a database, the scenario library opens, the
 * embedding page loads. Opened from file://, where browsers do not run its
 * modules, the page says in words what to do.
 */
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { test as plain } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import { DIST, serve } from './static-server.ts';

test('after the first visit the app works with no network at all', async ({ page, context }) => {
  const server = await serve({ prefix: '/workshop/room-2/' });
  let closed = false;
  try {
    await page.goto(`${server.url}#smtpd`);
    await expect(page.getByTestId('smtpd-state')).toHaveAttribute('data-status', 'current');
    // The service worker has cached every file and controls the page.
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
      if (!navigator.serviceWorker.controller)
        await new Promise<void>((resolve) => navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { once: true }));
    });
    expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toBe(`${server.url}sw.js`);
    // Cut the network: the server is gone and the browser is offline.
    await server.close();
    closed = true;
    await context.setOffline(true);
    await page.reload();
    await expect(page.getByTestId('smtpd-state')).toHaveAttribute('data-status', 'current');
    await expect(page.getByTestId('transcript')).toContainText('250');
    // SQLite's wasm was cached too.
    await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Databases' }).click();
    await page.getByRole('button', { name: 'Build the database' }).click();
    await expect(page.getByRole('table', { name: 'Rows of aliases' })).toContainText('info@example.com');
    // The library's chunk, and a page with a query (the embed mode) and the documentation page.
    await page.getByRole('button', { name: 'Scenarios…' }).click();
    await expect(page.getByRole('dialog', { name: 'Scenario library' }).getByTestId('library-item').first()).toBeVisible();
    await page.goto(`${server.url}index.html?embed&scenario=relay-control&panes=transcript`);
    await expect(page.getByTestId('transcript')).toContainText('250 2.0.0 Ok: queued as');
    await page.goto(`${server.url}docs/embed.html`);
    await expect(page.getByRole('heading', { name: 'Putting live Postfix simulations in your pages' })).toBeVisible();
  } finally {
    await context.setOffline(false);
    if (!closed) await server.close();
  }
});

// Console errors are expected here (the browser refuses the module scripts), so not the fixture's test.
plain('opened from file://, the page says how to serve it instead of staying blank', async ({ page }) => {
  await page.goto(pathToFileURL(join(DIST, 'index.html')).href);
  await expect(page.getByRole('heading', { name: 'postfix-sim cannot run from a file' })).toBeVisible();
  await expect(page.locator('#boot')).toContainText('python3 -m http.server 8000');
  await expect(page.locator('#boot')).toContainText('npx serve');
});
