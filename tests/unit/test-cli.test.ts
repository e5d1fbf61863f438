// postfix-sim test: expectation files of a configuration directory, a TAP report, the exit status.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTest } from '../../src/cli/test.ts';

const MAIN = `compatibility_level = 3.6
myhostname = mail.example.com
mydomain = example.com
inet_interfaces = all
mydestination = $myhostname, localhost, $mydomain
alias_maps = hash:/etc/postfix/aliases
mynetworks = 127.0.0.0/8, 192.0.2.0/24
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
`;
const EXPECT = `session stranger client=203.0.113.5
    EHLO x.example                  => 250
    MAIL FROM:<a@x.example>         => 250
    RCPT TO:<b@example.net>         => 554 5.7.1 <b@example.net>: Relay access denied

session office client=192.0.2.9
    EHLO pc9.example.com            => 250
    MAIL FROM:<a@example.com>       => 250
    RCPT TO:<b@example.net>         => 250 2.1.5 Ok

address alice@example.com class=local transport=local nexthop=mail.example.com
lookup hash:/etc/postfix/aliases postmaster => alice
`;

/** A configuration directory with files (relative path -> text). */
function configDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'postfix-sim-test-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}
const base = { 'main.cf': MAIN, aliases: 'postmaster: alice\n', passwd: 'alice:x:1001:1001::/home/alice:/bin/sh\n', 'relay.expect': EXPECT };

describe('postfix-sim test', () => {
  it('passes when the configuration does what the expectations say (exit 0, TAP)', async () => {
    const out = await runTest([configDir(base)]);
    expect(out.status).toBe(0);
    expect(out.stdout).toMatch(/^TAP version 13\n/);
    expect(out.stdout).toContain('ok 3 - relay.expect:4 session stranger: RCPT TO:<b@example.net>\n');
    expect(out.stdout).toContain('ok 7 - relay.expect:11 address alice@example.com\n');
    expect(out.stdout).toContain('ok 8 - relay.expect:12 lookup hash:/etc/postfix/aliases postmaster\n');
    expect(out.stdout).toMatch(/\n1\.\.8\n# 8 passed, 0 failed\n$/);
    expect(out.stdout).not.toContain('not ok');
  });

  it('fails when the configuration breaks an expectation, saying what was expected and what came (exit 1)', async () => {
    // Someone trusts the whole Internet: the stranger relays.
    const broken = { ...base, 'main.cf': MAIN.replace('mynetworks = 127.0.0.0/8, 192.0.2.0/24', 'mynetworks = 0.0.0.0/0') };
    const out = await runTest([configDir(broken)]);
    expect(out.status).toBe(1);
    expect(out.stdout).toContain(
      'not ok 3 - relay.expect:4 session stranger: RCPT TO:<b@example.net>\n' +
        '  ---\n  expected: "554 5.7.1 <b@example.net>: Relay access denied"\n  got: "250 2.1.5 Ok"\n  at: "relay.expect:4"\n  ...\n',
    );
    expect(out.stdout).toContain('# 7 passed, 1 failed\n');
  });

  it('fails on an address or lookup that changed', async () => {
    const out = await runTest([configDir({ ...base, aliases: 'postmaster: bob\n' })]);
    expect(out.status).toBe(1);
    expect(out.stdout).toContain('not ok 8 - relay.expect:12 lookup hash:/etc/postfix/aliases postmaster\n  ---\n  expected: "alice"\n  got: "bob"\n');
  });

  it('counts a bad line as a failure and names it', async () => {
    const out = await runTest([configDir({ ...base, 'relay.expect': EXPECT + 'adress typo@example.com class=local\n' })]);
    expect(out.status).toBe(1);
    expect(out.stdout).toContain('not ok 9 - relay.expect:13 syntax\n');
    expect(out.stdout).toContain('got: "unknown statement \\"adress\\": expected session, address or lookup"');
  });

  it('runs DIR/*.expect and DIR/tests/*.expect in name order, or the files named', async () => {
    const dir = configDir({
      ...base,
      'tests/b.expect': 'lookup hash:/etc/postfix/aliases postmaster => alice\n',
      'a.expect': 'lookup hash:/etc/postfix/aliases x => not found\n',
    });
    const all = await runTest([dir]);
    expect(all.stdout.split('\n').filter((l) => l.startsWith('ok'))).toEqual([
      'ok 1 - a.expect:1 lookup hash:/etc/postfix/aliases x',
      ...Array.from({ length: 8 }, (_, i) => expect.stringMatching(new RegExp(`^ok ${i + 2} - relay\\.expect:`))),
      'ok 10 - tests/b.expect:1 lookup hash:/etc/postfix/aliases postmaster',
    ]);
    const one = await runTest(['-c', dir, 'tests/b.expect']);
    expect([one.status, one.stdout.match(/^ok /gm)?.length]).toEqual([0, 1]);
  });

  it('reads NAME.sql as the SQLite database NAME, and the facts file', async () => {
    const dir = configDir({
      'main.cf': MAIN + 'smtpd_recipient_restrictions = check_policy_service inet:127.0.0.1:10023\n',
      'users.sql': "CREATE TABLE u (name TEXT); INSERT INTO u VALUES ('alice');\n",
      'users.cf': "dbpath = /etc/postfix/users\nquery = SELECT name FROM u WHERE name = '%s'\n",
      facts: 'policy inet:127.0.0.1:10023 => DEFER_IF_PERMIT try again later\n',
      'x.expect':
        'lookup sqlite:/etc/postfix/users.cf alice => alice\n' +
        'session s client=203.0.113.5\n    EHLO x.example => 250\n    MAIL FROM:<a@x.example> => 250\n' +
        '    RCPT TO:<postmaster@example.com> => 450 4.7.1 <postmaster@example.com>: Recipient address rejected: try again later\n',
    });
    const out = await runTest([dir]);
    expect(out.stdout).not.toContain('not ok');
    expect(out.status).toBe(0);
  });

  it('exits 2 on usage errors and 1 when there is nothing to test', async () => {
    expect((await runTest([])).status).toBe(2);
    expect((await runTest(['--bogus', '/tmp'])).status).toBe(2);
    expect((await runTest(['/nonexistent/dir'])).status).toBe(2);
    const empty = await runTest([configDir({ 'main.cf': MAIN })]);
    expect([empty.status, empty.stderr]).toEqual([1, expect.stringContaining('no *.expect files')]);
  });

  it('is a command of the built CLI, with its exit status', () => {
    const root = join(import.meta.dirname, '..', '..');
    const dir = configDir(base);
    const ok = spawnSync(process.execPath, [join(root, 'bin', 'postfix-sim.js'), 'test', dir], { encoding: 'utf8' });
    expect([ok.status, ok.stdout.endsWith('# 8 passed, 0 failed\n')]).toEqual([0, true]);
    cpSync(dir, `${dir}-broken`, { recursive: true });
    writeFileSync(join(`${dir}-broken`, 'main.cf'), MAIN.replace('reject_unauth_destination', 'permit'));
    const bad = spawnSync(process.execPath, [join(root, 'bin', 'postfix-sim.js'), 'test', `${dir}-broken`], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain('not ok 3 - relay.expect:4 session stranger');
  });
});
