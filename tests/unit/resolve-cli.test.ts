// postfix-sim resolve: argument handling, plain and JSON output, and bad input that must not crash or hang.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createNodeHost } from '../../src/cli/node-host.ts';
import { runResolve } from '../../src/cli/resolve.ts';
import { memoryHost } from '../support/memory-host.ts';

const MAIN = [
  'compatibility_level = 3.6',
  'myhostname = host.example.com',
  'mydomain = example.com',
  'inet_interfaces = loopback-only',
  'alias_maps = hash:/etc/postfix/aliases',
  'virtual_alias_domains = valias.example',
  'virtual_alias_maps = hash:/etc/postfix/virtual',
  'transport_maps = hash:/etc/postfix/transport',
].join('\n');
const FILES = {
  '/etc/postfix/main.cf': MAIN,
  '/etc/postfix/aliases': 'postmaster: root\nteam: root, nobody\nloop1: loop2\nloop2: loop1\n',
  '/etc/postfix/virtual':
    'info@valias.example root@host.example.com\nself@valias.example self@valias.example, root@host.example.com\nping@valias.example pong@valias.example\npong@valias.example ping@valias.example\n',
  '/etc/postfix/transport': 'slow.example slow:[relay.example]:2525\ngarbage.example no such transport\n',
};
const run = (argv: string[], files: Record<string, string> = FILES) => runResolve(argv, { host: memoryHost(files) });

describe('postfix-sim resolve', () => {
  it('prints a usage message without an address', async () => {
    const out = await run([]);
    expect(out.status).toBe(2);
    expect(out.stderr).toContain('usage: postfix-sim resolve');
  });
  it('reports each final recipient like sendmail -bv, with class, transport and nexthop', async () => {
    const out = await run(['-f', 'joe@example.net', 'team']);
    expect(out.status).toBe(0);
    expect(out.stdout).toContain('<root@host.example.com> (expanded from <team>): delivery via local: delivers to mailbox');
    expect(out.stdout).toContain('<nobody@host.example.com> (expanded from <team>): delivery via local: delivers to mailbox');
    expect(out.stdout).toContain('class local, transport local, nexthop host.example.com');
  });
  it('prints one JSON object per address with address and final recipients', async () => {
    const out = await run(['--json', 'info@valias.example', 'x@slow.example']);
    const objects = out.stdout
      .trim()
      .split(/\n(?=\{)/)
      .map((t) => JSON.parse(t));
    expect(objects.map((o) => o.address)).toEqual(['info@valias.example', 'x@slow.example']);
    expect(objects[0].final.map((f: { recipient: string; class: string }) => [f.recipient, f.class])).toEqual([['root@host.example.com', 'local']]);
    expect(objects[1].final[0]).toMatchObject({ recipient: 'x@slow.example', class: 'default', transport: 'slow', nexthop: '[relay.example]:2525' });
    expect(Array.isArray(objects[0].trace)).toBe(true);
  });
  it('keeps a self-referencing virtual alias and bounces the self copy as the class says', async () => {
    const out = await run(['--json', 'self@valias.example']);
    const o = JSON.parse(out.stdout);
    expect(o.final.map((f: { recipient: string }) => f.recipient).sort()).toEqual(['root@host.example.com', 'self@valias.example']);
    expect(o.final.find((f: { recipient: string }) => f.recipient === 'self@valias.example')).toMatchObject({
      transport: 'error',
      text: 'User unknown in virtual alias table',
    });
  });
  it("stops a virtual alias loop at virtual_alias_recursion_limit with cleanup's message", async () => {
    const out = await run(['ping@valias.example']);
    expect(out.status).toBe(1);
    expect(out.stderr).toContain(
      'postfix/cleanup: warning: unreasonable virtual_alias_maps map nesting for ping@valias.example -- message not accepted, try again later',
    );
  });
  it("stops a local alias loop with local's message", async () => {
    const out = await run(['loop1']);
    expect(out.stdout).toContain('5.4.6 alias database loop for');
    expect(out.stderr).toContain('postfix/local: warning: alias database loop for');
  });
  it('sends a transport nobody runs to the retry path, as qmgr does', async () => {
    const out = await run(['--json', 'x@garbage.example']);
    expect(JSON.parse(out.stdout).final[0]).toMatchObject({ transport: 'no such transport', dsn: '4.3.0', text: 'mail transport unavailable' });
    expect(out.stderr).toContain('postfix/qmgr: warning: connect to transport private/no such transport: No such file or directory');
  });
  it('turns a missing table into a resolver failure, not a crash', async () => {
    const files = { ...FILES, '/etc/postfix/main.cf': MAIN.replace('hash:/etc/postfix/transport', 'hash:/etc/postfix/nonexistent') };
    const out = await run(['--json', 'x@remote.example'], files);
    expect(JSON.parse(out.stdout).final[0]).toMatchObject({ dsn: '4.3.0', text: 'address resolver failure' });
    expect(out.stderr).toContain('transport_maps lookup failure');
  });
  it('reports a malformed main.cf as a fatal error', async () => {
    const out = await run(['x'], { '/etc/postfix/main.cf': 'this is not a parameter\n' });
    expect(out.status).toBe(1);
    expect(out.stderr).toMatch(/fatal: .*main\.cf/);
  });
});

describe('postfix-sim resolve shows addresses as Postfix writes them', () => {
  // The recorded delivery reports of real Postfix say which form that is.
  const dir = new URL('../golden/resolve/quoted-local-parts/', import.meta.url);
  const recorded = JSON.parse(readFileSync(new URL('expected.json', dir), 'utf8')) as {
    cases: { address: string; recipients: { to: string }[] }[];
  };
  const host = createNodeHost({ configDirectory: fileURLToPath(dir) });
  it('keeps quoted local parts quoted in every field of the JSON answer', async () => {
    const address = '"dd ee"@valias.example';
    const out = await runResolve(['--json', '-f', '"sp ace"@example.org', '--', address], { host });
    const [answer] = out.stdout
      .trim()
      .split(/\n(?=\{)/)
      .map((t) => JSON.parse(t) as { sender: string; rewritten: string; expanded: string[]; final: { recipient: string; to: string }[] });
    const tos = recorded.cases.find((c) => c.address === address)!.recipients.map((r) => r.to);
    expect(answer!.sender).toBe('"sp ace"@example.org');
    expect(answer!.rewritten).toBe(address);
    expect([...answer!.expanded].sort()).toEqual([...tos].sort());
    expect(answer!.final.map((f) => f.recipient).sort()).toEqual([...tos].sort());
    expect(tos).toContain('"hh ii"@remote.example');
  });
  describe('--facts: what non_smtpd_milters decide', () => {
    const files = {
      ...FILES,
      '/etc/postfix/main.cf': MAIN + '\nnon_smtpd_milters = inet:127.0.0.1:9901\n',
      '/etc/postfix/facts':
        'milter inet:127.0.0.1:9901 mail sender=drop@example.net => discard\nmilter inet:127.0.0.1:9901 eom sender=spam@example.net => 554 5.7.0 Looks like spam\nmilter inet:127.0.0.1:9901 bogus => accept\n',
    };
    it("reports a discarded message and logs cleanup's milter-discard line", async () => {
      const out = await run(['--facts', '/etc/postfix/facts', '-f', 'drop@example.net', 'root'], files);
      expect(out.stdout).toContain('discarded: cleanup drops the message');
      expect(out.stderr).toContain('postfix/cleanup: milter-discard: MAIL from localhost[127.0.0.1]: milter triggers DISCARD action; from=<drop@example.net>');
    });
    it("has cleanup bounce every recipient for a Milter's 5xx reply at end of message", async () => {
      const out = await run(['--facts', '/etc/postfix/facts', '-f', 'spam@example.net', 'team'], files);
      expect(out.stdout).toContain('<team@host.example.com> (expanded from <team>): 5.7.0 Looks like spam'); // before local(8) expands the alias
      expect(out.stderr).toContain(
        'milter-reject: END-OF-MESSAGE from localhost[127.0.0.1]: 5.7.0 Looks like spam; from=<spam@example.net> to=<team@host.example.com>',
      );
    });
    it('warns about a malformed facts line and fails on a missing facts file', async () => {
      const out = await run(['--facts', '/etc/postfix/facts', 'root'], files);
      expect(out.stderr).toMatch(/postfix-sim resolve: warning: \/etc\/postfix\/facts, line 3: milter stage must be one of/);
      const missing = await run(['--facts', '/nowhere/facts', 'root'], files);
      expect(missing.status).toBe(1);
      expect(missing.stderr).toContain('/nowhere/facts');
      expect((await run(['--facts'], files)).status).toBe(2);
    });
    it('without --facts the Milter is not running: milter_default_action tempfails the submission', async () => {
      const out = await run(['-f', 'spam@example.net', 'root'], files);
      expect(out.status).toBe(1);
      expect(out.stderr).toContain('warning: connect to Milter service inet:127.0.0.1:9901: Connection refused');
    });
  });
});
