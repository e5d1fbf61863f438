/*
 * The page stays usable: a runaway pattern is stopped by the worker
 * timeout, and SQLite's wasm is only fetched when a sqlite table is used.
 */
import initSqlJs from 'sql.js';
import { expect, lookup, open, setFiles, test } from './fixtures.ts';

test('a catastrophic-backtracking pcre pattern times out; the page stays responsive', async ({ page }) => {
  test.setTimeout(40_000);
  await open(page);
  await setFiles(page, [{ path: '/etc/postfix/bad.pcre', text: '/^(a+)+(?=b)$/ BAD\n' }]);
  await page.getByLabel('Table (type:name)').fill('pcre:/etc/postfix/bad.pcre');
  await page.getByLabel('Lookup key').fill('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac');
  await page.getByRole('button', { name: 'Look up' }).click();
  await expect(page.getByTestId('outcome')).toHaveAttribute('data-status', 'running');

  // While the worker spins, the main thread still answers and accepts input.
  const started = Date.now();
  expect(await page.evaluate(() => 6 * 7)).toBe(42);
  await page.getByLabel('Contents of file 1', { exact: true }).fill('/^(a+)+(?=b)$/ BAD\n# edited while busy\n');
  expect(Date.now() - started).toBeLessThan(2000);

  await expect(page.getByTestId('outcome')).toHaveAttribute('data-status', 'timeout', { timeout: 15_000 });
  await expect(page.getByTestId('timeout-message')).toContainText('was stopped');

  // The worker was recreated: the next lookup answers.
  await setFiles(page, [{ path: '/etc/postfix/ok.pcre', text: '/^a+c$/ GOOD\n' }]);
  expect(await lookup(page, 'pcre:/etc/postfix/ok.pcre', 'aaac')).toEqual({ status: 'found', value: 'GOOD' });
});

test('a newer lookup supersedes a running one', async ({ page }) => {
  await open(page);
  await setFiles(page, [{ path: '/etc/postfix/bad.pcre', text: '/^(a+)+(?=b)$/ BAD\n/^x$/ X\n' }]);
  await page.getByLabel('Table (type:name)').fill('pcre:/etc/postfix/bad.pcre');
  await page.getByLabel('Lookup key').fill('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac');
  await page.getByRole('button', { name: 'Look up' }).click();
  await expect(page.getByTestId('outcome')).toHaveAttribute('data-status', 'running');
  const started = Date.now();
  expect(await lookup(page, 'pcre:/etc/postfix/bad.pcre', 'x')).toEqual({ status: 'found', value: 'X' });
  expect(Date.now() - started).toBeLessThan(4000);
});

test('the sql.js wasm is not fetched until a sqlite table is used', async ({ page }) => {
  const fetched: string[] = [];
  page.on('request', (req) => fetched.push(req.url()));
  page.context().on('request', (req) => fetched.push(req.url()));
  await open(page);
  await setFiles(page, [{ path: '/etc/postfix/access', text: 'example.com OK\n' }]);
  expect(await lookup(page, 'hash:/etc/postfix/access', 'example.com')).toEqual({ status: 'found', value: 'OK' });
  expect(await lookup(page, 'pcre:/etc/postfix/none', 'x')).toMatchObject({ status: 'error' });
  expect(fetched.filter((u) => /\.wasm(\?|$)/.test(u))).toEqual([]);
  expect(fetched.filter((u) => /sql-wasm/.test(u))).toEqual([]);

  const SQL = await initSqlJs();
  const db = new SQL.Database();
  db.run("CREATE TABLE t (k TEXT, v TEXT); INSERT INTO t VALUES ('a', 'from sqlite')");
  const bytes = Buffer.from(db.export());
  db.close();
  await setFiles(page, [{ path: '/etc/postfix/t.cf', text: "dbpath = /etc/postfix/t.db\nquery = SELECT v FROM t WHERE k = '%s'\n" }]);
  await page.getByLabel('Upload file').setInputFiles({ name: 't.db', mimeType: 'application/octet-stream', buffer: bytes });
  expect(await lookup(page, 'sqlite:/etc/postfix/t.cf', 'a')).toEqual({ status: 'found', value: 'from sqlite' });
  expect(fetched.filter((u) => /sql-wasm-browser[^/]*\.wasm/.test(u)).length).toBeGreaterThan(0);
});
