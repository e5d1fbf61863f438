// mail_addr_find(3) search orders, as canonical(5), virtual(5) and transport(5) document them.
import { describe, expect, it } from 'vitest';
import { loadMainCf } from '../../src/engine/config/maincf.ts';
import { MA_FIND, MA_FIND_DEFAULT, createSearchContext, mailAddrFind, openMaps, splitExtension } from '../../src/engine/search/index.ts';
import type { AddrFindOptions } from '../../src/engine/search/index.ts';
import { memoryHost } from '../support/memory-host.ts';

async function maps(spec: string, files: Record<string, string> = {}) {
  return openMaps(createSearchContext(memoryHost(files), loadMainCf('')), 'test_maps', spec);
}
const local: AddrFindOptions = { recipientDelimiter: '+', myorigin: 'origin.example', isLocal: (d) => (d === 'local.example' ? 1 : 0) };
const keysOf = (r: { trace: { keys: { key: string }[] } }) => r.trace.keys.map((k) => k.key);

describe('mail_addr_find', () => {
  it('tries user+ext@domain, user@domain, user+ext, user, @domain for a local domain (canonical(5))', async () => {
    const m = await maps('inline:{nothing=here}');
    expect(keysOf(mailAddrFind(m, 'user+foo@local.example', local))).toEqual([
      'user+foo@local.example',
      'user@local.example',
      'user+foo',
      'user',
      '@local.example',
    ]);
  });
  it('skips the bare local part for a remote domain, and treats $myorigin as local', async () => {
    const m = await maps('inline:{nothing=here}');
    expect(keysOf(mailAddrFind(m, 'user@remote.example', local))).toEqual(['user@remote.example', '@remote.example']);
    expect(keysOf(mailAddrFind(m, 'user@ORIGIN.example', local))).toEqual(['user@ORIGIN.example', 'user', '@ORIGIN.example']);
  });
  it('reports the extension that had to be stripped', async () => {
    const m = await maps('inline:{user@local.example=found}');
    const r = mailAddrFind(m, 'user+foo@local.example', local);
    expect([r.status, r.value, r.key, r.extension]).toEqual(['found', 'found', 'user@local.example', '+foo']);
  });
  it('asks the quoted form of a local part first, then the internal form', async () => {
    const m = await maps('inline:{nothing=here}');
    expect(keysOf(mailAddrFind(m, 'a b@remote.example', local))).toEqual(['"a b"@remote.example', 'a b@remote.example', '@remote.example']);
  });
  it('sends only the full address to pattern tables', async () => {
    const m = await maps('regexp:/r', { '/r': '/^user@/ RE\n/^@/ AT\n' });
    const r = mailAddrFind(m, 'user+foo@remote.example', local);
    expect(r.status).toBe('notfound');
    expect(r.trace.keys.map((k) => [k.key, k.partial, k.lookups.length])).toEqual([
      ['user+foo@remote.example', false, 1],
      ['user@remote.example', true, 0],
      ['@remote.example', true, 0],
    ]);
  });
  it('searches parent domains as .parent (pddms) or parent (pdms)', async () => {
    const m = await maps('inline:{example=plain, .example=dotted}');
    const base = { recipientDelimiter: '' };
    expect(mailAddrFind(m, 'foo@sub.example', { ...base, strategy: MA_FIND.DOMAIN | MA_FIND.PDDMDS }).value).toBe('dotted');
    expect(mailAddrFind(m, 'foo@sub.example', { ...base, strategy: MA_FIND.DOMAIN | MA_FIND.PDMS }).value).toBe('plain');
  });
  it('prefers the domain over user@ with localpart_at|domain', async () => {
    const m = await maps('inline:{foo@=user, example=domain}');
    expect(mailAddrFind(m, 'foo@example', { recipientDelimiter: '', strategy: MA_FIND.LOCALPART_AT | MA_FIND.DOMAIN }).value).toBe('domain');
  });
  it('stops at a lookup error', async () => {
    const m = await maps('hash:/missing inline:{user@remote.example=x}');
    const r = mailAddrFind(m, 'user@remote.example', { recipientDelimiter: '+', strategy: MA_FIND_DEFAULT });
    expect(r.status).toBe('error');
    expect(r.trace.keys).toHaveLength(1);
  });
});

describe('recipient_delimiter', () => {
  it('does not split the names MAILER-DAEMON, double-bounce, owner-x or x-request at a `-`', () => {
    expect(splitExtension('double-bounce', '-')).toBeUndefined();
    expect(splitExtension('MAILER-DAEMON', '-')).toBeUndefined();
    expect(splitExtension('owner-list', '-')).toBeUndefined();
    expect(splitExtension('list-request', '-')).toBeUndefined();
    expect(splitExtension('user-ext', '-')).toEqual(['user', '-ext']);
    expect(splitExtension('user+a-b', '+-')).toEqual(['user', '+a-b']);
    expect(splitExtension('+ext', '+')).toBeUndefined();
  });
});
