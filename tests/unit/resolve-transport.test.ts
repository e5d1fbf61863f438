// transport(5) results and search order, and trivial-rewrite's class rules (ADDRESS_CLASS_README).
import { describe, expect, it } from 'vitest';
import { loadMainCf } from '../../src/engine/config/maincf.ts';
import { RESOLVE, createResolver, parseTransportEntry } from '../../src/engine/resolve/index.ts';
import { memoryHost } from '../support/memory-host.ts';

const route = { transport: 'smtp', nexthop: 'old.example' };

describe('transport table results (transport(5) examples)', () => {
  it('":" changes nothing', () => expect(parseTransportEntry(':', 'example.com', route)).toEqual(route));
  it('"slow:" changes the transport and resets the nexthop to the recipient domain', () =>
    expect(parseTransportEntry('slow:', 'example.com', route)).toEqual({ transport: 'slow', nexthop: 'example.com' }));
  it('"slow" without a colon does the same', () =>
    expect(parseTransportEntry('slow', 'example.com', route)).toEqual({ transport: 'slow', nexthop: 'example.com' }));
  it('":[gateway.example.com]" keeps the transport', () =>
    expect(parseTransportEntry(':[gateway.example.com]', 'example.com', route)).toEqual({ transport: 'smtp', nexthop: '[gateway.example.com]' }));
  it('"smtp:bar.example:2025" splits at the first colon', () =>
    expect(parseTransportEntry('smtp:bar.example:2025', 'example.com', route)).toEqual({ transport: 'smtp', nexthop: 'bar.example:2025' }));
  it('"error:text" keeps the text as the nexthop', () =>
    expect(parseTransportEntry('error:mail for *.example.com is not deliverable', 'x.example.com', route)).toEqual({
      transport: 'error',
      nexthop: 'mail for *.example.com is not deliverable',
    }));
  it('"error:" alone says the address is undeliverable', () =>
    expect(parseTransportEntry('error:', 'example.com', route)).toEqual({ transport: 'error', nexthop: 'Address is undeliverable' }));
});

async function resolver(main: string, files: Record<string, string> = {}) {
  return createResolver(loadMainCf('myhostname = host.example.com\nmydomain = example.com\ncompatibility_level = 3.6\n' + main), { host: memoryHost(files) });
}

describe('transport_maps search order', () => {
  const files = {
    '/etc/postfix/transport': [
      'user+ext@my.example  full:',
      'user@my.example      noext:',
      'my.example           domain:',
      '.sub.my.example      parent:',
      '*                    wild:[wild.example]',
    ].join('\n'),
  };
  const main = 'transport_maps = hash:/etc/postfix/transport\nrecipient_delimiter = +\n';
  it('tries the full address, the address without extension, the domain, .parents, then *', async () => {
    const r = await resolver(main, files);
    const t = (a: string) => `${r.resolve('', a).transport}:${r.resolve('', a).nexthop}`;
    expect(t('user+ext@my.example')).toBe('full:my.example');
    expect(t('user+other@my.example')).toBe('noext:my.example');
    expect(t('else@my.example')).toBe('domain:my.example');
    expect(t('x@a.sub.my.example')).toBe('parent:a.sub.my.example');
    expect(t('x@sub.my.example')).toBe('wild:[wild.example]');
    expect(t('x@elsewhere.example')).toBe('wild:[wild.example]');
  });
  it('fails the request when a transport table cannot be read', async () => {
    const r = await resolver('transport_maps = hash:/etc/postfix/missing\n');
    const got = r.resolve('', 'x@remote.example');
    expect(got.flags & RESOLVE.FLAG_FAIL).toBeTruthy();
    expect(got.warnings.map((w) => w.message)).toContain('transport_maps lookup failure');
  });
});

describe('address classes', () => {
  it('warns about a domain listed in two classes and keeps the first class', async () => {
    const r = await resolver('virtual_alias_domains = both.example\nvirtual_mailbox_domains = both.example\n');
    const got = r.resolve('', 'x@both.example');
    expect(got.class).toBe('virtual_alias');
    expect(got.warnings.map((w) => w.message)).toEqual(['do not list domain both.example in BOTH virtual_alias_domains and virtual_mailbox_domains']);
  });
  it('gives relay and default classes relayhost, and sender-dependent relayhost precedence', async () => {
    const r = await resolver(
      'relay_domains = relay.example\nrelayhost = [smart.example]\nsender_dependent_relayhost_maps = inline:{special@example.org=[other.example]}\n',
    );
    expect(r.resolve('joe@example.org', 'x@relay.example')).toMatchObject({ transport: 'relay', nexthop: '[smart.example]', class: 'relay' });
    expect(r.resolve('joe@example.org', 'x@far.example')).toMatchObject({ transport: 'smtp', nexthop: '[smart.example]', class: 'default' });
    expect(r.resolve('special@example.org', 'x@far.example')).toMatchObject({ nexthop: '[other.example]' });
  });
  it('uses the nexthop of a transport:nexthop class transport', async () => {
    const r = await resolver('local_transport = local:$myhostname\n');
    expect(r.resolve('', 'root@localhost.example.com')).toMatchObject({ transport: 'local', nexthop: 'host.example.com', class: 'local' });
  });
  it("refuses a null transport with Postfix's message", async () => {
    const r = await resolver('default_transport =\n');
    const got = r.resolve('', 'x@far.example');
    expect(got.flags & RESOLVE.FLAG_FAIL).toBeTruthy();
    expect(got.error?.message).toBe('file /etc/postfix/main.cf: parameter default_transport: null transport is not allowed');
  });
  it('flags sender-specified routing', async () => {
    const r = await resolver('');
    // Local domains are stripped first: user@other.example@host.example.com goes to user@other.example.
    expect(r.resolve('', 'user@other.example@host.example.com')).toMatchObject({ recipient: 'user@other.example', class: 'default' });
    expect(r.resolve('', 'user%other.example@remote.example').flags & RESOLVE.FLAG_ROUTED).toBeTruthy();
    expect(r.resolve('', 'user!other@remote.example').flags & RESOLVE.FLAG_ROUTED).toBeTruthy();
    expect(r.resolve('', 'user@other.example').flags & RESOLVE.FLAG_ROUTED).toBeFalsy();
  });
});
