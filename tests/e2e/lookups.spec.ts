/*
 * One lookup per table type, through the page and the engine worker of the
 * production build. Every expected value was checked against real Postfix
 * 3.7.11: `postmap -c DIR -q KEY type:/path` with the same files (indexed
 * types built with `postmap type:/path` first, `-f` where noted).
 */
import initSqlJs from 'sql.js';
import { expect, loadExample, lookup, open, setFiles, test } from './fixtures.ts';

const ACCESS = `# access table
example.com      REJECT spam domain
user@example.org OK
.sub.example.net DISCARD no thanks
Mixed.Case       MIXED
`;

test.beforeEach(async ({ page }) => {
  await open(page, 'lookup');
});

test('the lookup example answers', async ({ page }) => {
  await loadExample(page, 'hash: access table');
  await expect(page.getByLabel('Table', { exact: true })).toHaveValue('hash:/etc/postfix/access');
  await expect(page.getByLabel('Key', { exact: true })).toHaveValue('Example.COM');
  await expect(page.getByTestId('outcome')).toHaveAttribute('data-status', 'found');
  await expect(page.getByTestId('value')).toHaveText('REJECT spam domain');
  await expect(page.getByTestId('folded-key')).toHaveText('example.com');
});

test('choosing another example replaces the files and looks it up', async ({ page }) => {
  await loadExample(page, 'pipemap: one feeds the next');
  await expect(page.getByLabel('Table', { exact: true })).toHaveValue('pipemap:{inline:{a=b}, inline:{b=c}}');
  await expect(page.getByTestId('value')).toHaveText('c');
  await loadExample(page, 'hash: access table');
  await expect(page.getByRole('navigation', { name: 'Files' }).getByRole('button', { name: 'access', exact: true })).toBeVisible();
  await expect(page.getByTestId('value')).toHaveText('REJECT spam domain');
});

for (const type of ['hash', 'btree', 'lmdb', 'cdb'] as const) {
  test(`${type}: folded key finds the postmap source entry`, async ({ page }) => {
    await setFiles(page, [{ path: '/etc/postfix/access', text: ACCESS }]);
    // postmap -q Example.COM TYPE:/tmp/t/access -> REJECT spam domain
    expect(await lookup(page, `${type}:/etc/postfix/access`, 'Example.COM')).toEqual({
      status: 'found',
      value: 'REJECT spam domain',
    });
    // postmap -q nobody.example TYPE:... -> exit 1, nothing printed
    expect(await lookup(page, `${type}:/etc/postfix/access`, 'nobody.example')).toEqual({ status: 'notfound' });
  });
}

test('hash: -f keeps the case when building and querying', async ({ page }) => {
  await setFiles(page, [{ path: '/etc/postfix/access', text: ACCESS }]);
  // postmap -f hash:x; postmap -f -q Mixed.Case hash:x -> MIXED
  expect(await lookup(page, 'hash:/etc/postfix/access', 'Mixed.Case', { noFold: true })).toEqual({
    status: 'found',
    value: 'MIXED',
  });
  // postmap -f -q mixed.case hash:x -> not found
  expect(await lookup(page, 'hash:/etc/postfix/access', 'mixed.case', { noFold: true })).toEqual({
    status: 'notfound',
  });
});

test('hash: first duplicate wins, postmap build warning', async ({ page }) => {
  await setFiles(page, [{ path: '/etc/postfix/dup', text: 'a 1\na 2\n' }]);
  // postmap hash:/tmp/t/hd -> postmap: warning: /tmp/t/hd.db: duplicate entry: "a"; postmap -q a -> 1
  expect(await lookup(page, 'hash:/etc/postfix/dup', 'a')).toEqual({ status: 'found', value: '1' });
  await expect(page.getByLabel('Table warnings')).toContainText('/etc/postfix/dup.db: duplicate entry: "a"');
});

test('texthash: read directly, key folded', async ({ page }) => {
  await setFiles(page, [{ path: '/etc/postfix/access', text: ACCESS }]);
  // postmap -q USER@example.org texthash:x -> OK
  expect(await lookup(page, 'texthash:/etc/postfix/access', 'USER@example.org')).toEqual({
    status: 'found',
    value: 'OK',
  });
});

test('inline: braces keep whitespace in a value', async ({ page }) => {
  await setFiles(page, []);
  expect(await lookup(page, 'inline:{ a=1, { b = text with space } }', 'b')).toEqual({
    status: 'found',
    value: 'text with space',
  });
});

test('static: answers every key', async ({ page }) => {
  await setFiles(page, []);
  expect(await lookup(page, 'static:{ relay.example.com:587 }', 'anything')).toEqual({
    status: 'found',
    value: 'relay.example.com:587',
  });
});

test('fail: every lookup is an error', async ({ page }) => {
  await setFiles(page, []);
  // postmap -q anything fail:oops -> fatal: table fail:oops: query error: Application error
  expect(await lookup(page, 'fail:oops', 'anything')).toEqual({
    status: 'error',
    error: 'table fail:oops: query error: Application error',
  });
  await expect(page.getByTestId('status')).toHaveText('Lookup error');
});

test('environ: uses the environment the page gives, key folded unless -f', async ({ page }) => {
  await setFiles(page, []);
  await page.getByRole('link', { name: 'Session' }).click();
  await page.getByText('Facts: DNS, policy and verify').click();
  await page.getByLabel(/^Environment/).fill('GREETING=hello world\ngreeting=hello lower\n');
  // env -i GREETING='hello world' greeting='hello lower' postmap -q GREETING environ:x -> hello lower
  expect(await lookup(page, 'environ:x', 'GREETING')).toEqual({ status: 'found', value: 'hello lower' });
  // ... postmap -f -q GREETING environ:x -> hello world
  expect(await lookup(page, 'environ:x', 'GREETING', { noFold: true })).toEqual({
    status: 'found',
    value: 'hello world',
  });
  expect(await lookup(page, 'environ:x', 'HOME')).toEqual({ status: 'notfound' });
});

const REGEXP = `# regexp
/^postmaster@/        OK
/^(.*)@(.*)\\.example\\.com$/   relay:[$2.internal]:$1
/\\.invalid$/           REJECT bad TLD
`;

test('regexp: $N substitution, case-insensitive by default', async ({ page }) => {
  await setFiles(page, [{ path: '/etc/postfix/transport_regexp', text: REGEXP }]);
  expect(await lookup(page, 'regexp:/etc/postfix/transport_regexp', 'joe@mail.example.com')).toEqual({
    status: 'found',
    value: 'relay:[mail.internal]:joe',
  });
  await expect(page.getByTestId('match')).toContainText('line 3');
  expect(await lookup(page, 'regexp:/etc/postfix/transport_regexp', 'JOE@MAIL.Example.COM')).toEqual({
    status: 'found',
    value: 'relay:[MAIL.internal]:JOE',
  });
  expect(await lookup(page, 'regexp:/etc/postfix/transport_regexp', 'joe@example.org')).toEqual({
    status: 'notfound',
  });
});

const PCRE = `# pcre
/^(?!owner-)(.*)-outgoing@(.*)/   $1@$2
/^owner-/                          OWNER
`;

test('pcre: the man page lookahead example', async ({ page }) => {
  await setFiles(page, [{ path: '/etc/postfix/outgoing.pcre', text: PCRE }]);
  expect(await lookup(page, 'pcre:/etc/postfix/outgoing.pcre', 'list-outgoing@example.org')).toEqual({
    status: 'found',
    value: 'list@example.org',
  });
  expect(await lookup(page, 'pcre:/etc/postfix/outgoing.pcre', 'owner-list-outgoing@example.org')).toEqual({
    status: 'found',
    value: 'OWNER',
  });
});

const CIDR = `# cidr
192.168.0.0/16        REJECT private net
10.1.2.3              OK
[2001:db8:1::]/48     REJECT v6 narrower
2001:db8::/32         DUNNO v6 doc range
172.16.1.1/12         BAD
`;

test('cidr: IPv4, IPv6, first match wins, host-bits warning', async ({ page }) => {
  await setFiles(page, [{ path: '/etc/postfix/client.cidr', text: CIDR }]);
  const spec = 'cidr:/etc/postfix/client.cidr';
  expect(await lookup(page, spec, '192.168.44.5')).toEqual({ status: 'found', value: 'REJECT private net' });
  expect(await lookup(page, spec, '2001:db8:1::25')).toEqual({ status: 'found', value: 'REJECT v6 narrower' });
  expect(await lookup(page, spec, '2001:0db8:0:0::1')).toEqual({ status: 'found', value: 'DUNNO v6 doc range' });
  expect(await lookup(page, spec, '10.1.2.4')).toEqual({ status: 'notfound' });
  // postmap: warning: cidr map /tmp/t/ci, line 6: non-null host address bits in "172.16.1.1/12",
  //   perhaps you should use "172.16.0.0/12" instead: skipping this rule
  await expect(page.getByLabel('Table warnings')).toContainText(
    'cidr map /etc/postfix/client.cidr, line 6: non-null host address bits in "172.16.1.1/12", perhaps you should use "172.16.0.0/12" instead: skipping this rule',
  );
  // The location button selects the offending line in the file's editor.
  await page.getByLabel('Table warnings').getByRole('button', { name: '/etc/postfix/client.cidr:6' }).click();
  await expect(page.getByTestId('editor')).toBeFocused();
  expect(await page.evaluate(() => document.getSelection()?.toString())).toBe('172.16.1.1/12         BAD');
  // The editor shows the warning at its line too.
  await expect(page.locator('.cm-lint-marker-warning')).toHaveCount(1);
});

/** An SQLite database made with sql.js under Node, as a user would upload it. */
async function aliasesDb(): Promise<Buffer> {
  const SQL = await initSqlJs();
  const db = new SQL.Database();
  db.run('CREATE TABLE aliases (src TEXT PRIMARY KEY, dest TEXT)');
  db.run("INSERT INTO aliases VALUES ('info@example.com', 'alice@example.com'), ('sales@example.com', 'bob@example.com')");
  const bytes = db.export();
  db.close();
  return Buffer.from(bytes);
}

test('sqlite: uploaded .db file, key folded into the query', async ({ page }) => {
  await setFiles(page, [
    {
      path: '/etc/postfix/sqlite-aliases.cf',
      text: "dbpath = /etc/postfix/aliases.db\nquery = SELECT dest FROM aliases WHERE src = '%s'\n",
    },
  ]);
  await page.getByLabel('Open files or archives').setInputFiles({
    name: 'aliases.db',
    mimeType: 'application/vnd.sqlite3',
    buffer: await aliasesDb(),
  });
  await page.getByRole('dialog', { name: 'Bring files in' }).getByRole('button', { name: 'Add to the files' }).click();
  await page
    .getByRole('navigation', { name: 'Files' })
    .getByRole('button', { name: /^aliases\.db/ })
    .click();
  await expect(page.getByText('/etc/postfix/aliases.db: SQLite database')).toBeVisible();
  // postmap -q Info@Example.com sqlite:/tmp/t/sq.cf -> alice@example.com
  expect(await lookup(page, 'sqlite:/etc/postfix/sqlite-aliases.cf', 'Info@Example.com')).toEqual({
    status: 'found',
    value: 'alice@example.com',
  });
  await expect(page.getByTestId('sql')).toHaveText("SELECT dest FROM aliases WHERE src = 'info@example.com'");
  expect(await lookup(page, 'sqlite:/etc/postfix/sqlite-aliases.cf', 'nobody@example.com')).toEqual({
    status: 'notfound',
  });
});

test('unionmap: every member queried, results joined with commas', async ({ page }) => {
  await setFiles(page, []);
  expect(await lookup(page, 'unionmap:{inline:{a=1, b=x}, inline:{b=2}, static:three}', 'b')).toEqual({
    status: 'found',
    value: 'x,2,three',
  });
  await expect(page.getByLabel('Member lookups').first().locator(':scope > li')).toHaveCount(3);
});

test('pipemap: each result is the next key', async ({ page }) => {
  await setFiles(page, []);
  expect(await lookup(page, 'pipemap:{inline:{a=b}, inline:{b=c}}', 'a')).toEqual({ status: 'found', value: 'c' });
  await expect(page.getByLabel('Member lookups').first().locator(':scope > li')).toHaveCount(2);
});

test('mysql: not simulated, said clearly', async ({ page }) => {
  await setFiles(page, []);
  // postmap -q x mysql:/tmp/t/mysql.cf (Debian without postfix-mysql) ->
  //   postmap: fatal: unsupported dictionary type: mysql
  expect(await lookup(page, 'mysql:/etc/postfix/mysql.cf', 'x')).toEqual({
    status: 'error',
    error: 'unsupported dictionary type: mysql',
  });
  await expect(page.getByLabel('Table warnings')).toContainText('unsupported dictionary type: mysql');
  // ... and the page says why, once for the table: the simulator does not model servers.
  await expect(page.getByLabel('Table warnings')).toContainText('mysql: tables are not simulated');
});
