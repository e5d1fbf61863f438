// cleanup(8)'s canonical mapping, masquerading and virtual alias expansion (canonical(5), virtual(5), postconf(5)).
import { describe, expect, it } from 'vitest';
import { loadMainCf } from '../../src/engine/config/maincf.ts';
import { createResolver } from '../../src/engine/resolve/index.ts';
import { memoryHost } from '../support/memory-host.ts';

const BASE = 'compatibility_level = 3.6\nmyhostname = host.example.com\nmydomain = example.com\nrecipient_delimiter = +\n';
const make = (main: string, files: Record<string, string>) => createResolver(loadMainCf(BASE + main), { host: memoryHost(files) });

describe('canonical_maps', () => {
  it('maps user@domain, then @domain (keeping the user), with the unmatched extension propagated', async () => {
    const r = await make('canonical_maps = hash:/etc/postfix/canonical', {
      '/etc/postfix/canonical': 'joe@old.example Joe.Smith@new.example\n@olddomain.example @newdomain.example\n',
    });
    expect(r.resolveDelivery('', 'joe+x@old.example').rewritten).toBe('Joe.Smith+x@new.example');
    expect(r.resolveDelivery('', 'ann@olddomain.example').rewritten).toBe('ann@newdomain.example');
  });
  it('applies to the sender only for the classes in canonical_classes', async () => {
    const files = { '/etc/postfix/canonical': 'joe@old.example joe@new.example\n' };
    expect((await make('canonical_maps = hash:/etc/postfix/canonical', files)).resolveDelivery('joe@old.example', 'x@remote.example').sender).toBe(
      'joe@new.example',
    );
    const r = await make('canonical_maps = hash:/etc/postfix/canonical\ncanonical_classes = envelope_recipient', files);
    expect(r.resolveDelivery('joe@old.example', 'x@remote.example').sender).toBe('joe@old.example');
  });
});

describe('masquerade_domains', () => {
  it('strips subdomains of the first matching entry from the sender, except masquerade_exceptions', async () => {
    const r = await make('masquerade_domains = !sub.example.com, example.com\nmasquerade_exceptions = root', {});
    expect(r.resolveDelivery('joe@host.dept.example.com', 'x@remote.example').sender).toBe('joe@example.com');
    expect(r.resolveDelivery('joe@a.sub.example.com', 'x@remote.example').sender).toBe('joe@a.sub.example.com');
    expect(r.resolveDelivery('root@host.dept.example.com', 'x@remote.example').sender).toBe('root@host.dept.example.com');
    // Envelope recipients are not in the default masquerade_classes.
    expect(r.resolveDelivery('', 'joe@host.dept.example.com').rewritten).toBe('joe@host.dept.example.com');
  });
});

describe('virtual_alias_maps', () => {
  const files = {
    '/etc/postfix/virtual': [
      'list@v.example a@remote.example, b@remote.example, list@v.example',
      'fwd@v.example next@v.example',
      'next@v.example final@remote.example',
      '@catch.example catchall@remote.example',
    ].join('\n'),
  };
  const main = 'virtual_alias_domains = v.example catch.example\nvirtual_alias_maps = hash:/etc/postfix/virtual\n';
  it('expands one to many, recursively, keeping a self reference once', async () => {
    const r = await make(main, files);
    expect(r.resolveDelivery('', 'list@v.example').expanded).toEqual(['a@remote.example', 'b@remote.example', 'list@v.example']);
    expect(r.resolveDelivery('', 'fwd@v.example').expanded).toEqual(['final@remote.example']);
    expect(r.resolveDelivery('', 'anyone@catch.example').expanded).toEqual(['catchall@remote.example']);
  });
  it('defers the message when virtual_alias_expansion_limit is exceeded', async () => {
    const r = await make(main + 'virtual_alias_expansion_limit = 2\n', files);
    const d = r.resolveDelivery('', 'list@v.example');
    expect(d.defer?.message).toBe('unreasonable virtual_alias_maps map expansion size for list@v.example -- message not accepted, try again later');
    expect(d.final).toEqual([]);
  });
});
