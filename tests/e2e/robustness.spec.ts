/*
 * The page stays usable: a lookup that never ends is stopped by the
 * worker timeout (a catastrophic pcre pattern stops at PCRE2's match
 * limit, as in Postfix), a newer question supersedes a running one, an answer is never
 * shown as the answer to a different question, SQLite's wasm is only
 * fetched when a sqlite table is used, and nothing but the page's own
 * files is ever requested.
 */
import initSqlJs from 'sql.js';
import { editorText, expect, fileEditor, lookup, open, openFile, setFiles, test, typeInto } from './fixtures.ts';
import type { TableFile } from './fixtures.ts';

/** A query that never ends, as in Postfix (sqlite has no time limit): the worker timeout stops it. */
const LOOP: TableFile[] = [
  { path: '/etc/postfix/empty.db', text: '' },
  {
    path: '/etc/postfix/loop.cf',
    text: "dbpath = /etc/postfix/empty.db\nquery = WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT x FROM c WHERE x = 0 AND '%s' <> ''\n",
  },
];

test('a lookup that never ends times out; the page stays responsive', async ({ page }) => {
  test.setTimeout(40_000);
  await open(page, 'lookup');
  await setFiles(page, LOOP);
  await page.getByLabel('Table', { exact: true }).fill('sqlite:/etc/postfix/loop.cf');
  await page.getByLabel('Key', { exact: true }).fill('k');

  // While the worker spins, the main thread still answers and accepts input.
  await expect(page.getByTestId('query-state')).toHaveAttribute('data-status', /^(stale|waiting)$/);
  const started = Date.now();
  expect(await page.evaluate(() => 6 * 7)).toBe(42);
  await typeInto(fileEditor(page), `${LOOP[1]!.text}# edited while busy\n`);
  expect(Date.now() - started).toBeLessThan(3000);

  await expect(page.getByTestId('query-state')).toHaveAttribute('data-outcome', 'timeout', { timeout: 20_000 });
  await expect(page.getByTestId('query-failure')).toContainText('Stopped after');

  // The worker was recreated: the next lookup answers.
  await setFiles(page, [{ path: '/etc/postfix/ok.pcre', text: '/^a+c$/ GOOD\n' }]);
  expect(await lookup(page, 'pcre:/etc/postfix/ok.pcre', 'aaac')).toEqual({ status: 'found', value: 'GOOD' });
});

test("a catastrophic-backtracking pcre pattern stops at PCRE2's match limit, with Postfix's warning", async ({ page }) => {
  await open(page, 'lookup');
  await setFiles(page, [{ path: '/etc/postfix/bad.pcre', text: '/^(a+)+(?=b)$/ BAD\n/^a+b$/ GOOD\n' }]);
  // The rule that exceeds the limit does not apply (as DICT_PCRE_EXEC): the next one answers.
  expect(await lookup(page, 'pcre:/etc/postfix/bad.pcre', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab')).toEqual({ status: 'found', value: 'GOOD' });
  await expect(page.getByLabel('Table warnings')).toContainText('pcre map /etc/postfix/bad.pcre, line 1: match limit exceeded');
});

test('a newer lookup supersedes a running one; the answer shown always answers the question shown', async ({ page }) => {
  await open(page, 'lookup');
  await setFiles(page, [...LOOP, { path: '/etc/postfix/x.pcre', text: '/^x$/ X\n' }]);
  await page.getByLabel('Table', { exact: true }).fill('pcre:/etc/postfix/x.pcre');
  await page.getByLabel('Key', { exact: true }).fill('x');
  await expect(page.getByTestId('value')).toHaveText('X');
  await page.getByLabel('Table', { exact: true }).fill('sqlite:/etc/postfix/loop.cf');
  // The old answer stays visible, marked as the answer to the old question, while the engine spins.
  await expect(page.getByTestId('query-state')).toHaveAttribute('data-running', 'true');
  await expect(page.getByTestId('outcome')).toHaveAttribute('data-status', 'stale');
  await expect(page.getByTestId('question')).toHaveText('postmap -q x pcre:/etc/postfix/x.pcre');
  const started = Date.now();
  expect(await lookup(page, 'pcre:/etc/postfix/x.pcre', 'x')).toEqual({ status: 'found', value: 'X' });
  expect(Date.now() - started).toBeLessThan(4500);
});

test('the sql.js wasm is not fetched until a sqlite table is used', async ({ page }) => {
  const fetched: string[] = [];
  // The page and its worker; not the service worker, which keeps every file for offline use once the page has loaded.
  page.on('request', (req) => fetched.push(req.url()));
  page.context().on('request', (req) => void (req.serviceWorker() || fetched.push(req.url())));
  await open(page, 'lookup');
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
  await page.getByLabel('Open files or archives').setInputFiles({ name: 't.db', mimeType: 'application/octet-stream', buffer: bytes });
  await page.getByRole('dialog', { name: 'Bring files in' }).getByRole('button', { name: 'Add to the files' }).click();
  expect(await lookup(page, 'sqlite:/etc/postfix/t.cf', 'a')).toEqual({ status: 'found', value: 'from sqlite' });
  expect(fetched.filter((u) => /sql-wasm-browser[^/]*\.wasm/.test(u)).length).toBeGreaterThan(0);
});

test('nothing leaves the browser: every request is for the page’s own files; file text is never HTML', async ({ page, baseURL }) => {
  const requests: string[] = [];
  page.on('request', (req) => requests.push(req.url()));
  page.context().on('request', (req) => requests.push(req.url()));
  await open(page, 'smtpd');
  // The page says so in its Content-Security-Policy.
  const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("connect-src 'self'");
  // Markup in a file, a dialogue and a key stays text.
  const evil = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
  await openFile(page, '/etc/postfix/mynetworks.cidr');
  await typeInto(fileEditor(page), `# ${evil}\n192.0.2.0/24 OK\n`);
  await typeInto(page.getByTestId('dialogue'), `EHLO ${evil}\nRCPT TO:<${evil}>\nQUIT\n`);
  await expect(page.getByTestId('transcript').getByTestId('sent').first()).toHaveText(`EHLO ${evil}`);
  expect(await editorText(fileEditor(page))).toContain(evil);
  expect(await page.locator('img').count()).toBe(0);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  const origin = new URL(baseURL!).origin;
  const foreign = requests.filter((u) => !u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:'));
  expect(foreign).toEqual([]);
});
