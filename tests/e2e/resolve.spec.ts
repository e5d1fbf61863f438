/*
 * The "address resolution" view through the page and the engine worker of
 * the production build. Expected classes, transports, nexthops, final
 * recipients and delivery reports are read from the golden recordings of
 * real Postfix 3.7.11 (tests/golden/resolve/GROUP/expected.json:
 * trivial-rewrite's answers and `sendmail -bv` reports), never from the
 * simulator.
 */
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { editorText, expect, fileEditor, loadExample, open, openFile, setFiles, test, typeInto } from './fixtures.ts';

const golden = (path: string): string => readFileSync(new URL(`../golden/${path}`, import.meta.url), 'utf8');

interface ResolveRecord {
  transport: string;
  nexthop: string;
  recipient: string;
  class: string;
  warnings: string[];
}
interface Case {
  sender: string;
  address: string;
  resolve: ResolveRecord;
  recipients: { agent: string; to: string; orig_to?: string; dsn: string; status: string; text: string; resolve?: ResolveRecord }[];
}
const cases = (group: string): Case[] => (JSON.parse(golden(`resolve/${group}/expected.json`)) as { cases: Case[] }).cases;

/** Agents the recorder left real; smtp and lmtp were replaced by stand-ins whose reports are not Postfix's. */
const REAL_AGENTS = new Set(['postfix/local', 'postfix/virtual', 'postfix/error']);

async function openResolve(page: Page, example: string): Promise<void> {
  await open(page, 'resolve');
  await loadExample(page, example);
  await expect(page.getByTestId('resolve-state')).toHaveAttribute('data-status', 'current');
  await expect(page.getByTestId('resolve-outcome')).toHaveAttribute('data-status', 'done');
}

const CLASSES = 'address classes: local, virtual alias, virtual mailbox, relay';
const card = (page: Page, address: string) => page.locator(`[data-testid="address-result"][data-address="${address}"]`);

/** Every recorded case of a group, as the page shows it. */
async function checkCases(page: Page, group: string): Promise<void> {
  for (const c of cases(group)) {
    const at = card(page, c.address);
    // trivial-rewrite's own answer and warnings for the address.
    await expect(at.getByTestId('trivial-rewrite')).toContainText(
      `class ${c.resolve.class}, ${c.resolve.transport}:${c.resolve.nexthop}, recipient ${c.resolve.recipient}`,
    );
    for (const w of c.resolve.warnings) await expect(at).toContainText(w);
    // One row per final recipient, as the delivery agents reported them.
    await expect(at.getByTestId('final')).toHaveCount(c.recipients.length);
    for (const rec of c.recipients) {
      const row = at.getByTestId('final').filter({ has: page.getByTestId('final-to').getByText(rec.to, { exact: true }) });
      await expect(row).toHaveCount(1);
      if (rec.orig_to) await expect(row).toContainText(`orig_to ${rec.orig_to}`);
      if (rec.resolve) {
        await expect(row.getByTestId('final-class')).toHaveText(rec.resolve.class);
        await expect(row.getByTestId('final-transport')).toHaveText(rec.resolve.transport);
        await expect(row.getByTestId('final-nexthop')).toHaveText(rec.resolve.nexthop);
      }
      if (REAL_AGENTS.has(rec.agent))
        await expect(row.getByTestId('final-delivery')).toContainText(`${rec.agent}: dsn=${rec.dsn}, status=${rec.status} (${rec.text})`);
    }
  }
}

test('the address-class example: each address as recorded', async ({ page }) => {
  await openResolve(page, CLASSES);
  await expect(page.getByLabel('Sender', { exact: true })).toHaveValue(cases('classes-conflicts')[0]!.sender);
  await expect(page.getByTestId('address-result')).toHaveCount(cases('classes-conflicts').length);
  await checkCases(page, 'classes-conflicts');
  // The trace shows how the class was found.
  const relay = card(page, 'x@sub.aliasrelay.example');
  await relay.getByText(/^Trace/).click();
  await expect(relay.getByTestId('address-trace')).toContainText('relay_domains');
  // ... and why, in words.
  await expect(relay.getByTestId('address-trace')).toContainText('is listed in relay_domains');
});

test('virtual alias expansion: one address, several final recipients', async ({ page }) => {
  await openResolve(page, 'virtual alias expansion');
  await checkCases(page, 'virtual-alias-expansion');
});

test('editing the addresses updates the answer', async ({ page }) => {
  await openResolve(page, CLASSES);
  const c = cases('classes-conflicts').find((x) => x.address === 'a@both3.example')!;
  await page.getByRole('textbox', { name: 'Addresses' }).fill(`${c.address}\n`);
  await expect(page.getByTestId('address-result')).toHaveCount(1);
  const row = card(page, c.address).getByTestId('final');
  await expect(row.getByTestId('final-class')).toHaveText(c.recipients[0]!.resolve!.class);
  await expect(row.getByTestId('final-delivery')).toContainText(`status=${c.recipients[0]!.status} (${c.recipients[0]!.text})`);
});

test('a main.cf syntax error is shown; the addresses are kept', async ({ page }) => {
  await openResolve(page, CLASSES);
  await openFile(page, '/etc/postfix/main.cf');
  await typeInto(fileEditor(page), golden('postconf/main-fatal/main.cf'));
  await expect(page.getByTestId('resolve-outcome')).toHaveAttribute('data-status', 'fatal');
  const stderr = (JSON.parse(golden('postconf/main-fatal/expected.json')) as { commands: { stderr: string }[] }).commands[0]!.stderr;
  await expect(page.getByTestId('fatal')).toContainText(stderr.replace(/^postconf: fatal: /, '').trim());
  await expect(page.getByRole('textbox', { name: 'Addresses' })).toHaveValue(new RegExp(cases('classes-conflicts')[0]!.address.replace(/[.]/g, '\\.')));
});

test('switching views keeps the addresses and the files', async ({ page }) => {
  await openResolve(page, CLASSES);
  await page.getByRole('textbox', { name: 'Addresses' }).fill('kept@both3.example\n');
  await page.getByLabel('Sender', { exact: true }).fill('someone@example.org');
  const views = page.getByRole('navigation', { name: 'Views' });
  await views.getByRole('link', { name: 'Session' }).click();
  await expect(page.getByLabel('SMTP dialogue')).toBeVisible();
  await views.getByRole('link', { name: 'Addresses' }).click();
  await expect(page.getByRole('textbox', { name: 'Addresses' })).toHaveValue('kept@both3.example\n');
  await expect(page.getByLabel('Sender', { exact: true })).toHaveValue('someone@example.org');
  await openFile(page, '/etc/postfix/vmailbox');
  expect(await editorText(fileEditor(page))).toBe(golden('resolve/classes-conflicts/vmailbox'));
  await expect(card(page, 'kept@both3.example')).toBeVisible();
});

test('non_smtpd_milters with the workspace facts: a Milter rejects at MAIL FROM, as recorded', async ({ page }) => {
  const group = 'non-smtpd-milters-facts-reject';
  await open(page, 'resolve');
  await setFiles(
    page,
    ['main.cf', 'aliases', 'passwd', 'facts'].map((f) => ({ path: `/etc/postfix/${f}`, text: golden(`resolve/${group}/${f}`) })),
  );
  const c = (JSON.parse(golden(`resolve/${group}/expected.json`)) as { cases: (Case & { log: string[] })[] }).cases[0]!;
  await page.getByLabel('Sender', { exact: true }).fill(c.sender);
  await page.getByRole('textbox', { name: 'Addresses' }).fill(`${c.address}\n`);
  await expect(page.getByTestId('resolve-outcome')).toHaveAttribute('data-status', 'done');
  const at = card(page, c.address);
  // cleanup bounces the recipient itself, and logs the Milter's rejection as Postfix does.
  const rec = c.recipients[0]!;
  await expect(at.getByTestId('final')).toHaveCount(1);
  await expect(at.getByTestId('final')).toContainText(`dsn=${rec.dsn}, status=${rec.status} (${rec.text})`);
  const rejected = c.log.find((l) => l.startsWith('postfix/cleanup: Q: milter-reject: '))!;
  await expect(at.getByRole('list', { name: `Logged for ${c.address}` })).toContainText(rejected.replace('Q: ', ''));
  // The trace shows which Milter decided at which event, linked to its facts line.
  await at.getByText(/^Trace/).click();
  await expect(at.getByTestId('address-trace')).toContainText('milter inet:127.0.0.1:9901 at mail: reject');
  await expect(at.getByTestId('address-trace').locator('[data-testid="trace-line"][data-file="/etc/postfix/facts"][data-line="2"]')).toBeVisible();
});
