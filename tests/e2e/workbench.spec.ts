/*
 * The workbench as a postmaster uses it: bring a configuration in (an
 * archive, several files, a drop), create a missing table from its error,
 * type a session and follow a reply to its trace and the table line that
 * decided it, use SQLite, and find the work again after a reload. The
 * archives are in tests/fixtures/ui (made by GNU tar, pax tar and zip).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import initSqlJs from 'sql.js';
import type { Page } from '@playwright/test';
import { addFile, dialogueEditor, editorText, expect, fileEditor, loadExample, lookup, open, openFile, setFiles, test, typeInto } from './fixtures.ts';

const fixture = (name: string): string => new URL(`../fixtures/ui/${name}`, import.meta.url).pathname;
const tree = (page: Page) => page.getByRole('navigation', { name: 'Files' });
const replies = (page: Page) => page.getByTestId('transcript').getByTestId('reply');

test('an archive of /etc/postfix comes in with its paths; the built .db is left out', async ({ page }) => {
  await open(page);
  await page.getByLabel('Open files or archives').setInputFiles(fixture('etc-postfix-gnu.tgz'));
  const dialog = page.getByRole('dialog', { name: 'Bring files in' });
  await expect(dialog.getByTestId('incoming')).toContainText('/etc/postfix/main.cf');
  await expect(dialog.getByTestId('incoming')).toContainText('/etc/postfix/sql/x.cf');
  await expect(dialog).toContainText('/etc/postfix/transport.db: left out');
  await dialog.getByRole('button', { name: 'Replace the files' }).click();
  await expect(tree(page).getByRole('button', { name: 'transport', exact: true })).toBeVisible();
  await expect(tree(page).getByText('/etc/postfix/sql/')).toBeVisible();
  await expect(tree(page).getByRole('button', { name: /^x\.sqlite/ })).toBeVisible();
  // The configuration works: transport_maps as trivial-rewrite searches it.
  expect(await lookup(page, 'transport_maps', 'user@example.com', { as: 'transport' })).toEqual({ status: 'found', value: 'smtp:[10.0.0.1]' });
  await expect(page.getByTestId('key')).toHaveText([/user@example\.com.*not found/, /example\.com.*found: smtp:\[10\.0\.0\.1\]/]);
  // ... and replacing can be undone.
  await page.getByTestId('toast').getByRole('button', { name: 'Undo' }).click();
  await expect(tree(page).getByRole('button', { name: 'mynetworks.cidr', exact: true })).toBeVisible();
  await expect(tree(page).getByRole('button', { name: 'transport', exact: true })).toHaveCount(0);
});

test('a zip and a pax tar.gz of /etc/postfix give the same files', async ({ page }) => {
  await open(page);
  for (const name of ['postfix.zip', 'etc-postfix-pax.tar.gz']) {
    await page.getByLabel('Open files or archives').setInputFiles(fixture(name));
    await page.getByRole('dialog', { name: 'Bring files in' }).getByRole('button', { name: 'New workspace' }).click();
    await expect(tree(page).getByRole('button', { name: 'file-with-a-long-name-too.txt', exact: true })).toBeVisible();
    await expect(tree(page).getByRole('button', { name: 'main.cf', exact: true })).toBeVisible();
  }
  // Each import made a workspace of its own, beside the first.
  await expect(page.getByLabel('Workspace', { exact: true }).locator('option')).toHaveText(['default', 'imported', 'imported 2']);
});

test('several files at once, and postconf -n output as main.cf', async ({ page }) => {
  await open(page);
  const enc = (s: string) => Buffer.from(s);
  await page.getByLabel('Open files or archives').setInputFiles([
    {
      name: 'postconf-n.txt',
      mimeType: 'text/plain',
      buffer: enc(
        'mydestination = localhost\nrelay_domains = relay.example\nsmtpd_recipient_restrictions = check_recipient_access hash:/etc/postfix/access, reject_unauth_destination\n',
      ),
    },
    { name: 'access', mimeType: 'text/plain', buffer: enc('blocked@relay.example REJECT no thanks\n') },
  ]);
  const dialog = page.getByRole('dialog', { name: 'Bring files in' });
  await expect(dialog).toContainText('postconf -n output, used as /etc/postfix/main.cf');
  await dialog.getByRole('button', { name: 'Replace the files' }).click();
  await expect(tree(page).getByRole('button', { name: 'main.cf', exact: true })).toBeVisible();
  await typeInto(dialogueEditor(page), 'EHLO client.example\nMAIL FROM:<a@example.org>\nRCPT TO:<blocked@relay.example>\nRCPT TO:<ok@relay.example>\nQUIT\n');
  await expect(replies(page).filter({ hasText: /^554 5\.7\.1 <blocked@relay\.example>: Recipient address rejected: no thanks$/ })).toHaveCount(1);
});

test('files dropped on the page come in', async ({ page }) => {
  await open(page);
  const data = await page.evaluateHandle(() => {
    const dt = new DataTransfer();
    dt.items.add(new File(['example.net OK\n'], 'client_access', { type: 'text/plain' }));
    dt.items.add(new File(['/^spam/ REJECT\n'], 'header_checks.pcre', { type: 'text/plain' }));
    return dt;
  });
  await page.dispatchEvent('body', 'dragover', { dataTransfer: data });
  await page.dispatchEvent('body', 'drop', { dataTransfer: data });
  const dialog = page.getByRole('dialog', { name: 'Bring files in' });
  await expect(dialog.getByTestId('incoming')).toContainText('/etc/postfix/client_access');
  await dialog.getByRole('button', { name: 'Add to the files' }).click();
  await expect(tree(page).getByRole('button', { name: 'header_checks.pcre', exact: true })).toBeVisible();
  await expect(tree(page).getByRole('button', { name: 'main.cf', exact: true })).toBeVisible();
});

test('a folder picked with "Open a folder" comes in with its paths', async ({ page }) => {
  await open(page);
  // A copy of /etc/postfix as a user has it: the folder's own name is not part of the paths.
  const dir = join(mkdtempSync(join(tmpdir(), 'pfsim-folder-')), 'postfix');
  mkdirSync(join(dir, 'sql'), { recursive: true });
  writeFileSync(join(dir, 'main.cf'), 'transport_maps = hash:/etc/postfix/transport\n');
  writeFileSync(join(dir, 'transport'), 'example.com smtp:[10.0.0.2]\n');
  writeFileSync(join(dir, 'sql', 'x.cf'), 'dbpath = /etc/postfix/x.sqlite\nquery = SELECT 1\n');
  await page.getByLabel('Open a folder').setInputFiles(dir);
  const dialog = page.getByRole('dialog', { name: 'Bring files in' });
  await expect(dialog.getByTestId('incoming')).toContainText('/etc/postfix/main.cf');
  await expect(dialog.getByTestId('incoming')).toContainText('/etc/postfix/sql/x.cf');
  await dialog.getByRole('button', { name: 'Replace the files' }).click();
  await expect(tree(page).getByRole('button', { name: 'transport', exact: true })).toBeVisible();
  expect(await lookup(page, 'transport_maps', 'user@example.com', { as: 'transport' })).toEqual({ status: 'found', value: 'smtp:[10.0.0.2]' });
});

test('a table main.cf names but the workspace lacks: create it from its error, and the session uses it', async ({ page }) => {
  await open(page);
  await openFile(page, '/etc/postfix/main.cf');
  await typeInto(fileEditor(page), `${await editorText(fileEditor(page))}\nsmtpd_recipient_restrictions = check_recipient_access hash:/etc/postfix/access\n`);
  // The editor marks main.cf's line, the problems list offers to create the file.
  await expect(page.locator('.cm-lint-marker-error')).toHaveCount(1);
  const problems = page.getByLabel('Problems in /etc/postfix/main.cf');
  await expect(problems).toContainText('open database /etc/postfix/access.db: No such file or directory');
  await problems.getByRole('button', { name: 'Create /etc/postfix/access' }).click();
  await expect(page.getByRole('region', { name: '/etc/postfix/access' })).toBeVisible();
  await typeInto(fileEditor(page), 'b@relay.example REJECT not this one\n');
  await expect(replies(page).filter({ hasText: '554 5.7.1 <b@relay.example>: Recipient address rejected: not this one' })).toHaveCount(1);
});

test('add a file: the dialog offers the tables main.cf names', async ({ page }) => {
  await open(page);
  await openFile(page, '/etc/postfix/main.cf');
  await typeInto(fileEditor(page), `${await editorText(fileEditor(page))}\ntransport_maps = hash:/etc/postfix/transport\n`);
  await expect(tree(page).getByRole('button', { name: 'Create /etc/postfix/transport' })).toBeVisible();
  await page.getByRole('button', { name: 'Add file' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add a file' });
  await dialog.getByRole('button', { name: '/etc/postfix/transport' }).click();
  await expect(dialog.getByLabel('Path on the server')).toHaveValue('/etc/postfix/transport');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect(page.getByRole('region', { name: '/etc/postfix/transport' })).toBeVisible();
  // Rename in place, then delete with undo.
  await tree(page).getByRole('button', { name: 'Rename /etc/postfix/transport' }).click();
  await tree(page).getByLabel('New path of /etc/postfix/transport').fill('/etc/postfix/transport.map');
  await tree(page).getByLabel('New path of /etc/postfix/transport').press('Enter');
  await expect(tree(page).getByRole('button', { name: 'transport.map', exact: true })).toBeVisible();
  await tree(page).getByRole('button', { name: 'Delete /etc/postfix/transport.map' }).click();
  await expect(tree(page).getByRole('button', { name: 'transport.map', exact: true })).toHaveCount(0);
  await page.getByTestId('toast').getByRole('button', { name: 'Undo' }).click();
  await expect(tree(page).getByRole('button', { name: 'transport.map', exact: true })).toBeVisible();
});

test('type a session; a reply opens the trace of its command; the trace row selects the table line', async ({ page }) => {
  await open(page);
  await openFile(page, '/etc/postfix/main.cf');
  await typeInto(
    fileEditor(page),
    `${await editorText(fileEditor(page))}\nsmtpd_recipient_restrictions = check_recipient_access hash:/etc/postfix/access, permit\n`,
  );
  await addFile(page, '/etc/postfix/access', '# recipients we refuse\nnobody@relay.example   REJECT gone\n.relay.example         OK\n');
  await typeInto(dialogueEditor(page), 'EHLO client.example\nMAIL FROM:<a@example.org>\nRCPT TO:<nobody@relay.example>\nQUIT\n');
  const reply = replies(page).filter({ hasText: 'nobody@relay.example' });
  await expect(reply).toHaveText('554 5.7.1 <nobody@relay.example>: Recipient address rejected: gone');
  await page.getByRole('button', { name: /^Trace of RCPT TO:<nobody@relay\.example>/ }).click();
  // The trace of that command is open, focused, and its decisive path marked red.
  const command = page.locator('#trace-command-2');
  await expect(command).toHaveAttribute('data-open', 'true');
  await expect(command.locator('.toggle').first()).toBeFocused();
  const decided = command.locator('[data-decisive="true"][data-kind="restriction"]');
  await expect(decided).toHaveAttribute('data-tone', 'reject');
  await expect(decided.locator('.why').first()).toContainText('rejected the request');
  // The lookup row links to the table line; following it selects the line in the editor.
  await command.locator('[data-kind="lookup"] [data-testid="trace-line"]').first().click();
  await expect(page.getByRole('region', { name: '/etc/postfix/access' })).toBeVisible();
  await expect(fileEditor(page)).toBeFocused();
  expect(await page.evaluate(() => document.getSelection()?.toString())).toBe('nobody@relay.example   REJECT gone');
  // The editor marks the line that took part in the answer.
  await expect(fileEditor(page).locator('.cm-took-part')).toHaveText(['nobody@relay.example   REJECT gone']);
});

test('the session form and the dialogue stay in sync; sessions have names', async ({ page }) => {
  await open(page);
  await page.getByLabel('Sender').fill('someone@example.net');
  await expect(dialogueEditor(page)).toContainText('MAIL FROM:<someone@example.net>');
  await page.getByLabel(/^Recipients/).fill('one@relay.example\ntwo@relay.example');
  await expect(dialogueEditor(page)).toContainText('RCPT TO:<one@relay.example>RCPT TO:<two@relay.example>');
  await typeInto(dialogueEditor(page), 'HELO typed.example\nQUIT\n');
  await expect(page.getByLabel('HELO name')).toHaveValue('typed.example');
  await page.getByRole('button', { name: 'New session (a copy of this one)' }).click();
  await page.getByRole('button', { name: 'Rename session' }).click();
  await page.getByLabel('Session name').fill('from outside');
  await page.getByLabel('Session name').press('Enter');
  await expect(page.getByRole('tab', { name: 'from outside' })).toHaveAttribute('aria-selected', 'true');
  await typeInto(dialogueEditor(page), 'EHLO second.example\nQUIT\n');
  await page.getByRole('tab', { name: 'relay control' }).click();
  await expect(page.getByLabel('HELO name')).toHaveValue('typed.example');
  await expect(page.getByTestId('transcript').getByTestId('sent').first()).toHaveText('HELO typed.example');
});

test('completion and hover in main.cf come from postconf(5) and the expanded values', async ({ page }) => {
  await open(page);
  await openFile(page, '/etc/postfix/main.cf');
  await fileEditor(page).click();
  await page.keyboard.press('ControlOrMeta+End');
  await page.keyboard.type('\nsmtpd_recipient_res');
  const option = page.getByRole('option', { name: /smtpd_recipient_restrictions/ });
  await expect(option).toBeVisible();
  await expect(page.locator('.cm-completionInfo')).toContainText(
    'Optional restrictions that the Postfix SMTP server applies in the context of a client RCPT TO command',
  );
  await option.click();
  await expect(fileEditor(page)).toContainText('smtpd_recipient_restrictions =');
  await page.keyboard.press('Escape');
  // $myhostname on the smtpd_banner line, expanded.
  await fileEditor(page).getByText('$myhostname').first().hover();
  await expect(page.locator('.cm-hover')).toContainText('host.example.com');
});

test('SQLite: upload a database, browse it a page at a time, query it, build one from SQL', async ({ page }) => {
  const SQL = await initSqlJs();
  const db = new SQL.Database();
  db.run('CREATE TABLE aliases (src TEXT PRIMARY KEY, dest TEXT)');
  db.run('BEGIN');
  const insert = db.prepare('INSERT INTO aliases VALUES (?, ?)');
  for (let i = 0; i < 100_000; i++) insert.run([`user${i}@example.com`, `box${i}@example.com`]);
  insert.free();
  db.run('COMMIT');
  const bytes = Buffer.from(db.export());
  db.close();

  await open(page, 'database');
  await page.getByLabel('Upload an SQLite database').setInputFiles({ name: 'aliases.sqlite', mimeType: 'application/vnd.sqlite3', buffer: bytes });
  await expect(page.getByRole('group', { name: 'Tables' }).getByRole('button', { name: /aliases.*100,000 rows/ })).toBeVisible();
  await expect(page.getByTestId('page')).toHaveText('rows 1–100 of 100,000');
  await expect(page.getByRole('table', { name: 'Rows of aliases' }).locator('tbody tr')).toHaveCount(100);
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByTestId('page')).toHaveText('rows 101–200 of 100,000');
  await expect(page.getByRole('table', { name: 'Rows of aliases' }).locator('tbody tr').first()).toContainText('user100@example.com');
  await page.getByLabel('SQL', { exact: true }).fill("SELECT dest FROM aliases WHERE src = 'user4242@example.com'");
  await page.getByRole('button', { name: 'Run' }).click();
  await expect(page.getByRole('table', { name: 'Query result' })).toContainText('box4242@example.com');
  // A .cf file pointing at it makes it a table.
  await addFile(page, '/etc/postfix/aliases.cf', "dbpath = /etc/postfix/aliases.sqlite\nquery = SELECT dest FROM aliases WHERE src = '%s'\n");
  expect(await lookup(page, 'sqlite:/etc/postfix/aliases.cf', 'User77@Example.com')).toEqual({ status: 'found', value: 'box77@example.com' });
  // Download it.
  await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Databases' }).click();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download' }).click()]);
  expect(download.suggestedFilename()).toBe('aliases.sqlite');
  // Build another from the SQL script in the page.
  await page.getByText('New database from an SQL script').click();
  await page.getByLabel('Database to write').fill('/etc/postfix/virtual.sqlite');
  await page.getByRole('button', { name: 'Build the database' }).click();
  await expect(page.getByTestId('toast')).toContainText('Built /etc/postfix/virtual.sqlite: aliases (1 row)');
  await expect(page.getByLabel('Database', { exact: true })).toHaveValue('/etc/postfix/virtual.sqlite');
});

test('the work comes back after a reload; examples ask first and can be undone', async ({ page }) => {
  await open(page);
  await typeInto(dialogueEditor(page), 'EHLO kept-after-reload.example\nQUIT\n');
  await addFile(page, '/etc/postfix/extra', 'kept OK\n');
  await expect(page.getByTestId('save-status')).toHaveAttribute('data-status', 'saved');
  await page.reload();
  await expect(page.getByTestId('save-status')).toHaveAttribute('data-status', 'saved');
  await expect(dialogueEditor(page)).toContainText('EHLO kept-after-reload.example');
  await expect(tree(page).getByRole('button', { name: 'extra', exact: true })).toBeVisible();
  // Choosing an example asks; cancelling keeps everything.
  await page.getByLabel('Open an example').selectOption({ label: 'virtual alias expansion' });
  const question = page.getByRole('dialog', { name: 'Open the example?' });
  await question.getByRole('button', { name: 'Cancel' }).click();
  // Closed before asking again (the page ignores a late close event of a dialog shown again: Dialog.svelte).
  await expect(question).toBeHidden();
  await expect(tree(page).getByRole('button', { name: 'extra', exact: true })).toBeVisible();
  await loadExample(page, 'virtual alias expansion');
  await expect(tree(page).getByRole('button', { name: 'extra', exact: true })).toHaveCount(0);
  // The undo survives a reload too.
  await page.reload();
  await page.locator('summary', { hasText: 'Workspace' }).click();
  await page.getByRole('button', { name: /^Undo: opened the example/ }).click();
  await expect(tree(page).getByRole('button', { name: 'extra', exact: true })).toBeVisible();
  await expect(dialogueEditor(page)).toContainText('EHLO kept-after-reload.example');
});

test('export: one .tar.gz the system tar unpacks into etc/postfix, with the postmap commands to run', async ({ page }) => {
  await open(page);
  await page.locator('summary', { hasText: 'Export' }).click();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '/etc/postfix as .tar.gz' }).click()]);
  const dir = mkdtempSync(join(tmpdir(), 'pfsim-e2e-'));
  const file = join(dir, download.suggestedFilename());
  await download.saveAs(file);
  execFileSync('tar', ['-C', dir, '-xzf', file]);
  expect(readFileSync(join(dir, 'etc/postfix/mynetworks.cidr'), 'utf8')).toContain('192.0.2.0/24');
  expect(readFileSync(join(dir, 'etc/postfix/main.cf'), 'utf8')).toContain('mynetworks = cidr:/etc/postfix/mynetworks.cidr');
});

test('the lookup box: the keys smtpd tries for an access check, and why .example.com does not match', async ({ page }) => {
  await open(page, 'lookup');
  // Postfix 3.7's default parent_domain_matches_subdomains lists smtpd_access_maps: parents are tried without a dot.
  await setFiles(page, [{ path: '/etc/postfix/access', text: '.example.com REJECT subdomains only\n' }]);
  expect(await lookup(page, 'hash:/etc/postfix/access', 'user@mail.example.com', { as: 'access' })).toEqual({ status: 'notfound' });
  await expect(page.getByTestId('key')).toHaveText([/^user@mail\.example\.com\s/, /^mail\.example\.com\s/, /^example\.com\s/, /^com\s/, /^user@\s/]);
  await expect(page.getByTestId('why')).toContainText('The table has “.example.com”');
  // Without it, parents are tried as .parent, and .example.com matches subdomains only.
  await addFile(page, '/etc/postfix/main.cf', 'parent_domain_matches_subdomains = relay_domains\n');
  expect(await lookup(page, 'hash:/etc/postfix/access', 'user@mail.example.com', { as: 'access' })).toEqual({
    status: 'found',
    value: 'REJECT subdomains only',
  });
  await expect(page.getByTestId('key')).toHaveText([
    /^user@mail\.example\.com\s+full key\s+not found/,
    /^mail\.example\.com.*not found/,
    /^\.example\.com.*found: REJECT subdomains only/,
  ]);
  expect(await lookup(page, 'hash:/etc/postfix/access', 'user@example.com', { as: 'access' })).toEqual({ status: 'notfound' });
  await expect(page.getByTestId('why')).toContainText('matches subdomains of example.com only');
});

test('a question asked again right after Cancel stays open (the late close event of the first is not about it)', async ({ page }) => {
  await open(page);
  await page.getByLabel('Open an example').selectOption({ label: 'virtual alias expansion' });
  const question = page.getByRole('dialog', { name: 'Open the example?' });
  await expect(question).toBeVisible();
  // Cancel, let the page close the dialog (microtasks), and choose again before the dialog's close event (a task)
  // arrives, as can happen on a busy machine between two user actions.
  await page.evaluate(async () => {
    const cancel = [...document.querySelectorAll('dialog[open] button')].find((b) => b.textContent?.trim() === 'Cancel') as HTMLButtonElement;
    cancel.click();
    for (let i = 0; i < 10; i++) await Promise.resolve();
    if (document.querySelector('dialog[open]')) throw new Error('the dialog should be closed by now');
    const select = document.querySelector('select[aria-label="Open an example"]') as HTMLSelectElement;
    select.value = [...select.options].find((o) => o.text === 'virtual alias expansion')!.value;
    select.dispatchEvent(new Event('change', { bubbles: true }));
  });
  await expect(question).toBeVisible();
  await question.getByRole('button', { name: 'Replace' }).click();
  await expect(page.getByTestId('toast')).toContainText('Opened the example “virtual alias expansion”');
});
