/*
 * The "SMTP session" view through the page and the engine worker of the
 * production build. Every expected reply and log line is read from the
 * golden recordings of real Postfix 3.7.11 (tests/golden/smtpd/GROUP/
 * expected.json, tests/golden/postconf/main-fatal/expected.json), never
 * from the simulator.
 */
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';

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
  await page.goto('/');
  await page.getByRole('tab', { name: 'SMTP session' }).click();
  await page.getByLabel('Example').selectOption({ label: example });
  await expect(page.getByTestId('smtpd-outcome')).toHaveAttribute('data-status', /^(done|fatal)$/);
}

const RELAY = 'relay control: relay_domains, mynetworks table';
const replies = (page: Page) => page.getByTestId('transcript').getByTestId('reply');
const fileArea = (page: Page, path: string) => page.locator(`textarea[data-path="${path}"]`);

test('the relay-control example answers with the recorded replies', async ({ page }) => {
  await openSmtpd(page, RELAY);
  await expect(page.getByLabel('SMTP dialogue')).toHaveValue(golden('smtpd/relay-table/sessions/outside-relay-domain.smtp'));
  const want = recorded('relay-table', 'outside-relay-domain');
  await expect(replies(page)).toHaveText(want.replies.flat());
  // "554 5.7.1 <d@notrelay.example>: Relay access denied" is shown as a 5xx reply.
  await expect(page.getByTestId('transcript').locator('li.r5')).toHaveText([/Relay access denied/]);
  await expect(page.getByTestId('log').locator('li')).toHaveText(smtpdLog(want.log));
  // The accepted message: queue id and its recipients (the recorded deliveries).
  await expect(page.getByTestId('accepted')).toContainText('Q1');
  await expect(page.getByTestId('accepted')).toContainText('<b@relay.example>');
  await expect(page.getByTestId('accepted')).toContainText('<c@sub.relay.example>');
  await expect(page.getByTestId('accepted')).not.toContainText('<d@notrelay.example>');
  // The trace names the restriction that refused the relay.
  await expect(page.getByTestId('trace-tree')).toContainText('reject_unauth_destination');
});

test('editing the dialogue updates the transcript', async ({ page }) => {
  await openSmtpd(page, RELAY);
  await page.getByLabel('SMTP dialogue').fill(golden('smtpd/relay-table/sessions/outside-rejected.smtp'));
  await expect(replies(page)).toHaveText(recorded('relay-table', 'outside-rejected').replies.flat());
  await expect(page.getByTestId('log').locator('li')).toHaveText(smtpdLog(recorded('relay-table', 'outside-rejected').log));
  // The mynetworks table is a workspace file: the IPv6 client of the recording relays.
  await page.getByLabel('SMTP dialogue').fill(golden('smtpd/relay-table/sessions/table-ipv6-relays.smtp'));
  await expect(replies(page)).toHaveText(recorded('relay-table', 'table-ipv6-relays').replies.flat());
});

test('an access table action: PREPEND shows in the accepted mail', async ({ page }) => {
  await openSmtpd(page, 'access table: PREPEND on accepted mail');
  const want = recorded('access-recipient-actions', 'prepend');
  await expect(replies(page)).toHaveText(want.replies.flat());
  await expect(page.getByTestId('log').locator('li')).toHaveText(smtpdLog(want.log));
  await expect(page.getByLabel('Added headers')).toContainText('X-Access: prepended by access table');
  // The trace names the main.cf line of the restriction list each stage ran.
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
  await expect(page.getByTestId('log').locator('li')).toHaveText(smtpdLog(want.log));
});

test('a configuration smtpd refuses shows its fatal message', async ({ page }) => {
  await openSmtpd(page, RELAY);
  await fileArea(page, '/etc/postfix/main.cf').fill(golden('smtpd/config-no-relay-restriction/main.cf'));
  await expect(page.getByTestId('smtpd-outcome')).toHaveAttribute('data-status', 'fatal');
  const fatalLine = recorded('config-no-relay-restriction', 'client-sees').log.find((l) => l.startsWith('postfix/smtpd: fatal: '))!;
  await expect(page.getByTestId('fatal')).toHaveText(fatalLine);
  // The dialogue is still there.
  await expect(page.getByLabel('SMTP dialogue')).toHaveValue(golden('smtpd/relay-table/sessions/outside-relay-domain.smtp'));
});

test('a main.cf syntax error is shown at its file and line', async ({ page }) => {
  await openSmtpd(page, RELAY);
  await fileArea(page, '/etc/postfix/main.cf').fill(golden('postconf/main-fatal/main.cf'));
  await expect(page.getByTestId('smtpd-outcome')).toHaveAttribute('data-status', 'fatal');
  // postconf: fatal: /etc/postfix/main.cf, line 3: missing '=' ... (the same text every program logs)
  const stderr = (JSON.parse(golden('postconf/main-fatal/expected.json')) as { commands: { stderr: string }[] }).commands[0]!.stderr;
  const message = stderr.replace(/^postconf: fatal: /, '').trim();
  await expect(page.getByTestId('fatal')).toHaveText(`postfix/smtpd: fatal: ${message}`);
  await page.getByRole('button', { name: '/etc/postfix/main.cf:3' }).click();
  const selected = await fileArea(page, '/etc/postfix/main.cf').evaluate((t: HTMLTextAreaElement) => t.value.slice(t.selectionStart, t.selectionEnd));
  expect(selected).toBe('this line has no equals sign');
});

test('an unknown restriction: the recorded 451 and warning', async ({ page }) => {
  await openSmtpd(page, RELAY);
  await fileArea(page, '/etc/postfix/main.cf').fill(golden('smtpd/config-unknown-restriction/main.cf'));
  await page.getByLabel('SMTP dialogue').fill(golden('smtpd/config-unknown-restriction/sessions/rcpt-gets-451.smtp'));
  const want = recorded('config-unknown-restriction', 'rcpt-gets-451');
  await expect(replies(page)).toHaveText(want.replies.flat());
  await expect(page.getByTestId('log').locator('li')).toHaveText(smtpdLog(want.log));
});

test('a bad DNS facts line is reported at its line; the session still runs', async ({ page }) => {
  await openSmtpd(page, 'DNS facts: reject_rbl_client');
  const dns = fileArea(page, '/etc/postfix/dns');
  await dns.fill(`${await dns.inputValue()}bad.example.org. BOGUS 1.2.3.4\n`);
  const line = (await dns.inputValue()).split('\n').length - 1;
  const warnings = page.getByLabel('Input warnings');
  await expect(warnings).toContainText('BOGUS');
  await expect(warnings.getByRole('button', { name: `/etc/postfix/dns:${line}` })).toBeVisible();
  await expect(replies(page)).toHaveText(recorded('dns-client', 'rbl-listed').replies.flat());
});

test('switching views keeps the input', async ({ page }) => {
  await openSmtpd(page, RELAY);
  const dialogue = 'EHLO kept.example\nQUIT\n';
  await page.getByLabel('SMTP dialogue').fill(dialogue);
  await page.getByLabel('Client address').fill('192.0.2.9');
  await fileArea(page, '/etc/postfix/mynetworks.cidr').fill('# edited\n192.0.2.0/24 OK\n');
  await page.getByRole('tab', { name: 'Lookup tables' }).click();
  await expect(page.getByLabel('Table (type:name)')).toBeVisible();
  await page.getByRole('tab', { name: 'Address resolution' }).click();
  await expect(page.getByLabel('Sender', { exact: true })).toBeVisible();
  await page.getByRole('tab', { name: 'SMTP session' }).click();
  await expect(page.getByLabel('SMTP dialogue')).toHaveValue(dialogue);
  await expect(page.getByLabel('Client address')).toHaveValue('192.0.2.9');
  await expect(fileArea(page, '/etc/postfix/mynetworks.cidr')).toHaveValue('# edited\n192.0.2.0/24 OK\n');
  await expect(page.getByTestId('transcript').getByTestId('sent').first()).toHaveText('EHLO kept.example');
});

// TLS cannot be recorded offline: the session's TLS state is a fact. The reply text is
// smtpd_check.c's reject_plaintext_session with plaintext_reject_code's default (450).
test('TLS facts: reject_plaintext_session passes once the session is marked encrypted', async ({ page }) => {
  await openSmtpd(page, RELAY);
  const main = fileArea(page, '/etc/postfix/main.cf');
  await main.fill((await main.inputValue()) + 'smtpd_client_restrictions = reject_plaintext_session\n');
  await expect(replies(page).filter({ hasText: '450 4.7.1 Session encryption is required' }).first()).toBeVisible();
  await page.getByLabel('TLS').check();
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

test('a runaway pattern in a restriction is stopped; the page keeps the input', async ({ page }) => {
  test.setTimeout(40_000);
  await openSmtpd(page, RELAY);
  const main = fileArea(page, '/etc/postfix/main.cf');
  await main.fill(`${await main.inputValue()}smtpd_recipient_restrictions = check_recipient_access pcre:/etc/postfix/bad.pcre\n`);
  await page.getByRole('button', { name: 'Add file' }).click();
  const n = await page.locator('textarea[data-path]').count();
  await page.getByLabel(`Path of file ${n}`, { exact: true }).fill('/etc/postfix/bad.pcre');
  await page.getByLabel(`Contents of file ${n}`, { exact: true }).fill('/^(a+)+(?=b)$/ REJECT\n');
  const dialogue =
    'XCLIENT ADDR=192.0.2.1 NAME=[UNAVAILABLE]\nEHLO x.example\nMAIL FROM:<a@example.org>\nRCPT TO:<aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac@relay.example>\nQUIT\n';
  await page.getByLabel('SMTP dialogue').fill(dialogue);
  await expect(page.getByTestId('smtpd-outcome')).toHaveAttribute('data-status', 'running');
  expect(await page.evaluate(() => 6 * 7)).toBe(42);
  await expect(page.getByTestId('smtpd-outcome')).toHaveAttribute('data-status', 'timeout', { timeout: 15_000 });
  await expect(page.getByTestId('timeout-message')).toContainText('was stopped');
  await expect(page.getByLabel('SMTP dialogue')).toHaveValue(dialogue);
  // Fix the table: the restarted engine answers again.
  await page.getByLabel(`Contents of file ${n}`, { exact: true }).fill('/^a+c@/ REJECT\n');
  await expect(page.getByTestId('smtpd-outcome')).toHaveAttribute('data-status', 'done', { timeout: 10_000 });
  await expect(page.getByTestId('transcript').locator('li.r5')).toHaveText([/RCPT|rejected/]);
});
