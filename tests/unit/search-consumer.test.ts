// lookupAs: the keys each program derives from one input, as access(5), transport(5),
// virtual(5), canonical(5) and aliases(5) document them; cross-checked against the
// engine's own programs (trivial-rewrite, cleanup, local) on the same tables.
import { describe, expect, it } from 'vitest';
import { loadMainCf } from '../../src/engine/config/maincf.ts';
import { createResolver } from '../../src/engine/resolve/index.ts';
import { createSearchContext, lookupAs, openMaps } from '../../src/engine/search/index.ts';
import type { ConsumerOptions } from '../../src/engine/search/index.ts';
import { memoryHost } from '../support/memory-host.ts';

async function maps(spec: string, files: Record<string, string> = {}) {
  return openMaps(createSearchContext(memoryHost(files), loadMainCf('')), 'test_maps', spec);
}
const o: ConsumerOptions = { recipientDelimiter: '+', myorigin: 'origin.example', isLocal: (d) => (d === 'local.example' ? 1 : 0) };
const keys = (r: { steps: { key: string }[] }) => r.steps.map((s) => s.key);

describe('access(5) as smtpd searches it', () => {
  it('a mail address: user+ext@domain, user@domain, domain, .parents, user+ext@, user@', async () => {
    const r = lookupAs('access', await maps('inline:{none=x}'), 'user+ext@sub.example.com', o);
    expect(r.keyKind).toBe('mail address');
    expect(keys(r)).toEqual(['user+ext@sub.example.com', 'user@sub.example.com', 'sub.example.com', '.example.com', '.com', 'user+ext@', 'user@']);
  });
  it('parent_domain_matches_subdomains naming smtpd_access_maps: parents without the dot', async () => {
    const r = lookupAs('access', await maps('inline:{none=x}'), 'user@sub.example.com', { ...o, parentStyle: true });
    expect(keys(r)).toEqual(['user@sub.example.com', 'sub.example.com', 'example.com', 'com', 'user@']);
  });
  it('.example.com matches a subdomain but not example.com itself', async () => {
    const m = await maps('inline:{.example.com=REJECT}');
    expect(lookupAs('access', m, 'a@sub.example.com', o)).toMatchObject({ status: 'found', key: '.example.com', value: 'REJECT' });
    expect(lookupAs('access', m, 'a@example.com', o).status).toBe('notfound');
    expect(lookupAs('access', m, 'host.example.com', o)).toMatchObject({ keyKind: 'host name', status: 'found', key: '.example.com' });
  });
  it('a client address: the address, then shorter networks; partial keys skip pattern tables', async () => {
    const m = await maps('regexp:/r inline:{1.2=NET}', { '/r': '/^1\\.2$/ RE\n' });
    const r = lookupAs('access', m, '1.2.3.4', o);
    expect(r.keyKind).toBe('client address');
    expect(keys(r)).toEqual(['1.2.3.4', '1.2.3', '1.2']);
    expect(r).toMatchObject({ status: 'found', value: 'NET', key: '1.2' });
    expect(r.steps.map((s) => s.lookups.length)).toEqual([2, 1, 1]);
  });
  it('IPv6 networks are cut at colons', async () => {
    const r = lookupAs('access', await maps('inline:{none=x}'), '2001:db8::1', o);
    expect(keys(r)).toEqual(['2001:db8::1', '2001:db8:', '2001:db8', '2001']);
  });
});

describe('the other programs', () => {
  it('transport: full, noext, domain, .parents, then *', async () => {
    const r = lookupAs('transport', await maps('inline:{none=x}'), 'user+ext@sub.example.com', o);
    expect(keys(r)).toEqual(['user+ext@sub.example.com', 'user@sub.example.com', 'sub.example.com', '.example.com', '.com', '*']);
  });
  it('virtual: @domain after the local part only for local domains', async () => {
    const m = await maps('inline:{none=x}');
    expect(keys(lookupAs('virtual', m, 'user+ext@local.example', o))).toEqual([
      'user+ext@local.example',
      'user@local.example',
      'user+ext',
      'user',
      '@local.example',
    ]);
    expect(keys(lookupAs('virtual', m, 'user@remote.example', o))).toEqual(['user@remote.example', '@remote.example']);
  });
  it('canonical: only the external (quoted) form', async () => {
    const m = await maps('inline:{none=x}');
    expect(keys(lookupAs('canonical', m, 'a b@remote.example', o))).toEqual(['"a b"@remote.example', '@remote.example']);
    expect(keys(lookupAs('virtual', m, 'a b@remote.example', o))).toEqual(['"a b"@remote.example', 'a b@remote.example', '@remote.example']);
  });
  it('aliases: the folded local part with extension, then without', async () => {
    const r = lookupAs('aliases', await maps('inline:{joe=joe@elsewhere.example}'), 'Joe+List@host.example', o);
    expect(keys(r)).toEqual(['joe+list', 'joe']);
    expect(r).toMatchObject({ status: 'found', key: 'joe', extension: '+list', keyKind: 'local part' });
  });
  it('stops at a table that cannot be opened', async () => {
    const r = lookupAs('transport', await maps('hash:/missing'), 'a@b.example', o);
    expect(r.status).toBe('error');
    expect(r.steps).toHaveLength(1);
  });
});

describe('agrees with the engine programs', () => {
  const files = {
    '/etc/postfix/transport': 'user@my.example noext:\n.sub.my.example parent:\n* wild:[wild.example]\n',
    '/etc/postfix/virtual': '@virt.example catchall@final.example\n',
  };
  const main = loadMainCf(
    [
      'myhostname = host.example.com',
      'mydomain = example.com',
      'compatibility_level = 3.6',
      'recipient_delimiter = +',
      'transport_maps = hash:/etc/postfix/transport',
      'virtual_alias_maps = hash:/etc/postfix/virtual',
      'virtual_alias_domains = virt.example',
    ].join('\n'),
  );
  for (const address of ['user+x@my.example', 'a@deep.sub.my.example', 'a@other.example']) {
    it(`transport for ${address}: the same nexthop as trivial-rewrite`, async () => {
      const host = memoryHost(files);
      const resolver = await createResolver(main, { host });
      const m = await openMaps(createSearchContext(host, main), 'transport_maps', 'hash:/etc/postfix/transport', { noRegsub: true });
      const r = lookupAs('transport', m, address, o);
      const reply = resolver.resolve('', address);
      expect(r.status).toBe('found');
      expect(`${reply.transport}:`).toBe(`${r.value!.split(':')[0]}:`);
    });
  }
  it('virtual: the catch-all cleanup expands to', async () => {
    const host = memoryHost(files);
    const resolver = await createResolver(main, { host });
    const m = await openMaps(createSearchContext(host, main), 'virtual_alias_maps', 'hash:/etc/postfix/virtual');
    expect(lookupAs('virtual', m, 'anyone@virt.example', o).value).toBe('catchall@final.example');
    expect(resolver.resolveDelivery('', 'anyone@virt.example').expanded).toEqual(['catchall@final.example']);
  });
});
