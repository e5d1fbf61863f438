/*
 * The "SMTP session" view through the page and the engine worker of the
 * production build. Every expected reply and log line is read from the
 * golden recordings of real Postfix 3.7.11 (tests/golden/smtpd/GROUP/
 * expected.json, tests/golden/postconf/main-fatal/expected.json), never
 * from the simulator.
 */
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { addFile, dialogueEditor, editorText, expect, fileEditor, loadExample, open, openFile, test, typeInto } from './fixtures.ts';

const golden = (path: string): string => readFileSync(new URL(`../golden/${path}`, import.meta.url), 'utf8');

interface Recorded {
  replies: string[][];
  log: string[];
}
const recorded = (group: string, session: string): Recorded =>
  (JSON.parse(golden(`smtpd/${group}/expected.json`)) as { sessions: Record<string, Recorded> }).sessions[session]!;
/** The smtpd lines of a recorded log (cleanup, qmgr and delivery lines are other programs'). */
const smtpdLog = (log: readonly string[]): string[] => log.filter((l) => l.startsWith('postfix/smtpd: '));

async function openSmtpd(page: Page, example: string): Promise<void> {
  await open(page, 'smtpd');
  await loadExample(page, example);
  await expect(page.getByTestId('smtpd-state')).toHaveAttribute('data-status', 'current');
  await expect(page.getByTestId('smtpd-outcome')).toHaveAttribute('data-status', /^(done|fatal)$/);
}

const RELAY = 'relay control: relay_domains, mynetworks table';
const replies = (page: Page) => page.getByTestId('transcript').getByTestId('reply');
/** Replaces a file's text in its editor. */
async function editFile(page: Page, path: string, text: string): Promise<void> {
  await openFile(page, path);
  await typeInto(fileEditor(page), text);
}
const dialogue = (page: Page) => editorText(dialogueEditor(page));

test('the relay-control example answers with the recorded replies', async ({ page }) => {
  await openSmtpd(page, RELAY);
  expect(await dialogue(page)).toBe(golden('smtpd/relay-table/sessions/outside-relay-domain.smtp'));
  const want = recorded('relay-table', 'outside-relay-domain');
  await expect(replies(page)).toHaveText(want.replies.flat());
  // "554 5.7.1 <d@notrelay.example>: Relay access denied" is shown as a 5xx reply.
  await expect(page.getByTestId('transcript').locator('li.r5')).toHaveText([/Relay access denied/]);
  await page.getByRole('tab', { name: 'Log' }).click();
  await expect(page.getByTestId('log').locator('li')).toHaveText(smtpdLog(want.log));
  await page.getByRole('tab', { name: /^Mail/ }).click();
  // The accepted message: queue id and its recipients (the recorded deliveries).
  await expect(page.getByTestId('accepted')).toContainText('Q1');
  await expect(page.getByTestId('accepted')).toContainText('<b@relay.example>');
  await expect(page.getByTestId('accepted')).toContainText('<c@sub.relay.example>');
  await expect(page.getByTestId('accepted')).not.toContainText('<d@notrelay.example>');
  // The trace names the restriction that refused the relay, marked as deciding, in red.
  await page.getByRole('tab', { name: 'Trace' }).click();
  const decided = page.getByTestId('trace-tree').locator('[data-kind="restriction"][data-decisive="true"]');
  await expect(decided).toHaveCount(1);
  await expect(decided).toHaveAttribute('data-tone', 'reject');
  await expect(decided).toContainText('reject_unauth_destination');
});

test('editing the dialogue updates the transcript', async ({ page }) => {
  await openSmtpd(page, RELAY);
  await typeInto(dialogueEditor(page), golden('smtpd/relay-table/sessions/outside-rejected.smtp'));
  await expect(replies(page)).toHaveText(recorded('relay-table', 'outside-rejected').replies.flat());
  await page.getByRole('tab', { name: 'Log' }).click();
  await expect(page.getByTestId('log').locator('li')).toHaveText(smtpdLog(recorded('relay-table', 'outside-rejected').log));
  // The mynetworks table is a workspace file: the IPv6 client of the recording relays.
  await typeInto(dialogueEditor(page), golden('smtpd/relay-table/sessions/table-ipv6-relays.smtp'));
  await page.getByRole('tab', { name: 'Transcript' }).click();
  await expect(replies(page)).toHaveText(recorded('relay-table', 'table-ipv6-relays').replies.flat());
});

test('an access table action: PREPEND shows in the accepted mail', async ({ page }) => {
  await openSmtpd(page, 'access table: PREPEND on accepted mail');
  const want = recorded('access-recipient-actions', 'prepend');
  await expect(replies(page)).toHaveText(want.replies.flat());
  await page.getByRole('tab', { name: 'Log' }).click();
  await expect(page.getByTestId('log').locator('li')).toHaveText(smtpdLog(want.log));
  await page.getByRole('tab', { name: /^Mail/ }).click();
  await expect(page.getByLabel('Added headers')).toContainText('X-Access: prepended by access table');
  // The trace names the main.cf line of the restriction list each stage ran (the RCPT command's trace, opened from its reply).
  await page.getByRole('tab', { name: 'Transcript' }).click();
  await page.getByRole('button', { name: /^Trace of RCPT TO:<prepend@relay\.example>/ }).click();
  const line =
    golden('smtpd/access-recipient-actions/main.cf')
      .split('\n')
      .findIndex((l) => l.startsWith('smtpd_recipient_restrictions')) + 1;
  await expect(page.getByTestId('trace-tree').locator(`[data-file="/etc/postfix/main.cf"][data-line="${line}"]`).first()).toHaveText(
    `/etc/postfix/main.cf, line ${line}`,
  );
});

test('DNS facts: a DNSBL listing rejects the client', async ({ page }) => {
  await openSmtpd(page, 'DNS facts: reject_rbl_client');
  const want = recorded('dns-client', 'rbl-listed');
  await expect(replies(page)).toHaveText(want.replies.flat());
  await page.getByRole('tab', { name: 'Log' }).click();
  await expect(page.getByTestId('log').locator('li')).toHaveText(smtpdLog(want.log));
});

test('a configuration smtpd refuses shows its fatal message', async ({ page }) => {
  await openSmtpd(page, RELAY);
  await editFile(page, '/etc/postfix/main.cf', golden('smtpd/config-no-relay-restriction/main.cf'));
  await expect(page.getByTestId('smtpd-outcome')).toHaveAttribute('data-status', 'fatal');
  const fatalLine = recorded('config-no-relay-restriction', 'client-sees').log.find((l) => l.startsWith('postfix/smtpd: fatal: '))!;
  await expect(page.getByTestId('fatal')).toHaveText(fatalLine);
  // The dialogue is still there.
  expect(await dialogue(page)).toBe(golden('smtpd/relay-table/sessions/outside-relay-domain.smtp'));
});

test('a main.cf syntax error is shown at its file and line', async ({ page }) => {
  await openSmtpd(page, RELAY);
  await editFile(page, '/etc/postfix/main.cf', golden('postconf/main-fatal/main.cf'));
  await expect(page.getByTestId('smtpd-outcome')).toHaveAttribute('data-status', 'fatal');
  // postconf: fatal: /etc/postfix/main.cf, line 3: missing '=' ... (the same text every program logs)
  const stderr = (JSON.parse(golden('postconf/main-fatal/expected.json')) as { commands: { stderr: string }[] }).commands[0]!.stderr;
  const message = stderr.replace(/^postconf: fatal: /, '').trim();
  await expect(page.getByTestId('fatal')).toHaveText(`postfix/smtpd: fatal: ${message}`);
  // The editor shows it at the line, and the location selects the line.
  await expect(page.locator('.cm-lint-marker-error')).toHaveCount(1);
  await page.getByRole('button', { name: '/etc/postfix/main.cf:3' }).first().click();
  await expect(fileEditor(page)).toBeFocused();
  expect(await page.evaluate(() => document.getSelection()?.toString())).toBe('this line has no equals sign');
});

test('a parameter the simulator does not model is listed under Not simulated, at its line', async ({ page }) => {
  await openSmtpd(page, RELAY);
  await expect(page.getByTestId('notices')).toHaveCount(0);
  await openFile(page, '/etc/postfix/main.cf');
  const before = await editorText(fileEditor(page));
  await typeInto(fileEditor(page), `${before}\nsmtpd_proxy_filter = 127.0.0.1:10025\n`);
  const line = before.split('\n').length + 1;
  const notices = page.getByTestId('notices');
  await expect(notices).toContainText('smtpd_proxy_filter: not simulated (smtpd)');
  await expect(notices.getByRole('button', { name: `/etc/postfix/main.cf:${line}` })).toBeVisible();
  // The session itself still runs.
  await expect(page.getByTestId('smtpd-outcome')).toHaveAttribute('data-status', 'done');
});

test('an unknown restriction: the recorded 451 and warning', async ({ page }) => {
  await openSmtpd(page, RELAY);
  await editFile(page, '/etc/postfix/main.cf', golden('smtpd/config-unknown-restriction/main.cf'));
  await typeInto(dialogueEditor(page), golden('smtpd/config-unknown-restriction/sessions/rcpt-gets-451.smtp'));
  const want = recorded('config-unknown-restriction', 'rcpt-gets-451');
  await expect(replies(page)).toHaveText(want.replies.flat());
  await page.getByRole('tab', { name: 'Log' }).click();
  await expect(page.getByTestId('log').locator('li')).toHaveText(smtpdLog(want.log));
});

test('a bad DNS facts line is reported at its line; the session still runs', async ({ page }) => {
  await openSmtpd(page, 'DNS facts: reject_rbl_client');
  await openFile(page, '/etc/postfix/dns');
  const before = await editorText(fileEditor(page));
  await typeInto(fileEditor(page), `${before}\nbad.example.org. BOGUS 1.2.3.4\n`);
  const line = before.split('\n').length + 1;
  const warnings = page.getByLabel('Input warnings');
  await expect(warnings).toContainText('BOGUS');
  await expect(warnings.getByRole('button', { name: `/etc/postfix/dns:${line}` })).toBeVisible();
  await expect(replies(page)).toHaveText(recorded('dns-client', 'rbl-listed').replies.flat());
});

test('switching views keeps the input', async ({ page }) => {
  await openSmtpd(page, RELAY);
  await typeInto(dialogueEditor(page), 'EHLO kept.example\nQUIT\n');
  await page.getByLabel('Address', { exact: true }).fill('192.0.2.9');
  await editFile(page, '/etc/postfix/mynetworks.cidr', '# edited\n192.0.2.0/24 OK\n');
  const views = page.getByRole('navigation', { name: 'Views' });
  await views.getByRole('link', { name: 'Lookup' }).click();
  await expect(page.getByLabel('Table', { exact: true })).toBeVisible();
  await views.getByRole('link', { name: 'Addresses' }).click();
  await expect(page.getByLabel('Sender', { exact: true })).toBeVisible();
  await views.getByRole('link', { name: 'Session' }).click();
  expect(await dialogue(page)).toBe('EHLO kept.example\nQUIT\n');
  await expect(page.getByLabel('Address', { exact: true })).toHaveValue('192.0.2.9');
  expect(await editorText(fileEditor(page))).toBe('# edited\n192.0.2.0/24 OK\n');
  await expect(page.getByTestId('transcript').getByTestId('sent').first()).toHaveText('EHLO kept.example');
});

// TLS cannot be recorded offline: the session's TLS state is a fact. The reply text is
// smtpd_check.c's reject_plaintext_session with plaintext_reject_code's default (450).
test('TLS facts: reject_plaintext_session passes once the session is marked encrypted', async ({ page }) => {
  await openSmtpd(page, RELAY);
  await openFile(page, '/etc/postfix/main.cf');
  await typeInto(fileEditor(page), (await editorText(fileEditor(page))) + '\nsmtpd_client_restrictions = reject_plaintext_session\n');
  await expect(replies(page).filter({ hasText: '450 4.7.1 Session encryption is required' }).first()).toBeVisible();
  await page.getByText('TLS facts').click();
  await page.getByLabel('Encrypted session').check();
  await expect(replies(page).filter({ hasText: 'Session encryption is required' })).toHaveCount(0);
  await expect(replies(page).filter({ hasText: '250 2.1.5 Ok' }).first()).toBeVisible();
});

test('the address picks the view, also when it changes (#smtpd, #resolve)', async ({ page }) => {
  await page.goto('/#smtpd');
  await expect(page.getByLabel('SMTP dialogue')).toBeVisible();
  await page.evaluate(() => (location.hash = '#resolve'));
  await expect(page.getByLabel('Sender', { exact: true })).toBeVisible();
  await page.goBack();
  await expect(page.getByLabel('SMTP dialogue')).toBeVisible();
});

test('the Back button moves between views', async ({ page }) => {
  await open(page, 'smtpd');
  const views = page.getByRole('navigation', { name: 'Views' });
  await views.getByRole('link', { name: 'Addresses' }).click();
  await views.getByRole('link', { name: 'Lookup' }).click();
  await expect(page).toHaveURL(/#lookup(&w=|$)/);
  await page.goBack();
  await expect(page).toHaveURL(/#resolve(&w=|$)/);
  await expect(page.getByLabel('Sender', { exact: true })).toBeVisible();
  await page.goBack();
  await expect(page.getByLabel('SMTP dialogue')).toBeVisible();
  await page.goForward();
  await expect(page.getByLabel('Sender', { exact: true })).toBeVisible();
});

test('a lookup that never ends in a restriction is stopped; the page keeps the input', async ({ page }) => {
  test.setTimeout(40_000);
  await openSmtpd(page, RELAY);
  await openFile(page, '/etc/postfix/main.cf');
  await typeInto(
    fileEditor(page),
    `${await editorText(fileEditor(page))}\nsmtpd_recipient_restrictions = check_recipient_access sqlite:/etc/postfix/loop.cf\n`,
  );
  // sqlite has no time limit: a recursive query that never ends runs until the worker timeout.
  await addFile(page, '/etc/postfix/empty.db', '');
  const query = (sql: string): string => `dbpath = /etc/postfix/empty.db\nquery = ${sql}\n`;
  await addFile(
    page,
    '/etc/postfix/loop.cf',
    query("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT x FROM c WHERE x = 0 AND '%s' <> ''"),
  );
  const text =
    'XCLIENT ADDR=192.0.2.1 NAME=[UNAVAILABLE]\nEHLO x.example\nMAIL FROM:<a@example.org>\nRCPT TO:<aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac@relay.example>\nQUIT\n';
  await typeInto(dialogueEditor(page), text);
  // While the engine spins, the old answer is marked out of date and the page still answers.
  await expect(page.getByTestId('smtpd-state')).toHaveAttribute('data-status', 'stale');
  expect(await page.evaluate(() => 6 * 7)).toBe(42);
  await expect(page.getByTestId('smtpd-state')).toHaveAttribute('data-outcome', 'timeout', { timeout: 15_000 });
  await expect(page.getByTestId('smtpd-failure')).toContainText('Stopped after');
  expect(await dialogue(page)).toBe(text);
  // Fix the query: the restarted engine answers again.
  await openFile(page, '/etc/postfix/loop.cf');
  await typeInto(fileEditor(page), query("SELECT 'REJECT' WHERE '%s' <> ''"));
  await expect(page.getByTestId('smtpd-outcome')).toHaveAttribute('data-status', 'done', { timeout: 10_000 });
  await expect(page.getByTestId('transcript').locator('li.r5')).toHaveText([/RCPT|rejected/]);
});
