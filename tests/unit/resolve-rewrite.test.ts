// trivial-rewrite's rewriting to standard form (ADDRESS_REWRITING_README, postconf(5)) and quoting.
import { describe, expect, it } from 'vitest';
import { loadMainCf } from '../../src/engine/config/maincf.ts';
import { createResolver } from '../../src/engine/resolve/index.ts';
import { quote822Local, unquote822Local } from '../../src/engine/search/index.ts';
import { memoryHost } from '../support/memory-host.ts';

const BASE = 'myhostname = host.example.com\nmydomain = example.com\n';
const rw = async (main: string, address: string, rule: 'local' | 'remote' = 'local') =>
  (await createResolver(loadMainCf(BASE + main), { host: memoryHost({}) })).rewrite(rule, address).address;

describe('rewrite to standard form', () => {
  it('appends @$myorigin to a bare local part, unless append_at_myorigin = no', async () => {
    expect(await rw('compatibility_level = 3.6', 'joe')).toBe('joe@host.example.com');
    expect(await rw('compatibility_level = 3.6\nmyorigin = example.com', 'joe')).toBe('joe@example.com');
    expect(await rw('compatibility_level = 3.6\nappend_at_myorigin = no', 'joe')).toBe('joe');
  });
  it('appends .$mydomain to a dotless domain below compatibility level 1 only', async () => {
    expect(await rw('', 'joe@host')).toBe('joe@host.example.com');
    expect(await rw('compatibility_level = 3.6', 'joe@host')).toBe('joe@host');
    expect(await rw('', 'joe@[127.0.0.1]')).toBe('joe@[127.0.0.1]');
  });
  it('rewrites site!user and user%domain', async () => {
    expect(await rw('compatibility_level = 3.6', 'site.example!user')).toBe('user@site.example');
    expect(await rw('compatibility_level = 3.6', 'user%other.example')).toBe('user@other.example');
    expect(await rw('compatibility_level = 3.6\nswap_bangpath = no\nallow_percent_hack = no', 'site!user')).toBe('site!user@host.example.com');
  });
  it('drops a source route and one trailing dot', async () => {
    expect(await rw('compatibility_level = 3.6', '@a.example,@b.example:user@c.example')).toBe('user@c.example');
    expect(await rw('compatibility_level = 3.6', 'user@c.example.')).toBe('user@c.example');
  });
  it('leaves remote addresses alone without remote_header_rewrite_domain', async () => {
    expect(await rw('compatibility_level = 3.6', 'joe', 'remote')).toBe('joe');
    expect(await rw('compatibility_level = 3.6\nremote_header_rewrite_domain = domain.invalid', 'joe', 'remote')).toBe('joe@domain.invalid');
  });
});

describe('RFC 822 local-part quoting', () => {
  it('quotes what is not a dot-string and unquotes it back', () => {
    expect(quote822Local('a b@example.com')).toBe('"a b"@example.com');
    expect(quote822Local('first.last@example.com')).toBe('first.last@example.com');
    expect(quote822Local('a..b@example.com')).toBe('"a..b"@example.com');
    expect(quote822Local('a"b@example.com')).toBe('"a\\"b"@example.com');
    expect(unquote822Local('"a b"@example.com')).toBe('a b@example.com');
    expect(unquote822Local('"a\\"b"@example.com')).toBe('a"b@example.com');
    expect(unquote822Local('"x@y"@example.com')).toBe('x@y@example.com');
  });
});

describe('tok822 scanning', () => {
  it('ends at a backslash that ends the text (it used to loop forever)', async () => {
    const { scanTokens } = await import('../../src/engine/util/tok822.ts');
    expect(scanTokens('\\').map((t) => t.text)).toEqual(['\\']);
    expect(scanTokens('a\\').map((t) => t.text)).toEqual(['a\\']);
  });
});
