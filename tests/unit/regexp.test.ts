/*
 * Unit tests for the regexp: driver and its POSIX translator. Every expected
 * answer was checked with Debian's postmap 3.7.11 (glibc 2.36).
 */
import { describe, expect, it } from 'vitest';
import { compilePosix, regexpDriver } from '../../src/engine/tables/regexp.ts';
import { translatePosix } from '../../src/engine/tables/regex/posix.ts';
import type { Table } from '../../src/engine/tables/types.ts';
import { openTable } from '../../src/engine/tables/registry.ts';

const PATH = '/etc/postfix/t.regexp';
async function open(text: string): Promise<Table> {
  const host = { readFile: (p: string) => (p === PATH ? new TextEncoder().encode(text) : undefined) };
  return regexpDriver.open('regexp', PATH, { host }, openTable);
}
const value = (t: Table, key: string): string | undefined => {
  const r = t.lookup(key);
  return r.status === 'found' ? r.value : undefined;
};

describe('regexp matching (glibc semantics)', () => {
  it('is case-insensitive unless i is toggled', async () => {
    const t = await open('/^Strict$/i cs\n/^admin$/ ci\n/^two$/ii twice\n');
    expect(value(t, 'ADMIN')).toBe('ci');
    expect(value(t, 'strict')).toBeUndefined();
    expect(value(t, 'Strict')).toBe('cs');
    expect(value(t, 'TWO')).toBe('twice');
  });

  it('picks the leftmost-longest match and glibc submatches', async () => {
    const t = await open('/^L(a|ab)(c|bcd)(d*)$/ l:$1:$2:$3\n/^M(a*)(ab)*(b*)$/ m:$1:$2:$3\n/(wee|week)(knights|night)/ w:$1:$2\n');
    expect(value(t, 'Labcd')).toBe('l:a:bcd:');
    expect(value(t, 'Mab')).toBe('m:a::b');
    expect(value(t, 'weeknights')).toBe('w:wee:knights');
    expect(t.lookup('Labcd').trace.match?.engine).toBe('re2js');
  });

  it('reads \\d as glibc does', async () => {
    const t = await open('/^d\\d$/ icase\n/^e\\d$/i literal\n/^g\\D$/ upper\n/^f[[:digit:]]$/ digit\n');
    expect(value(t, 'd1')).toBeUndefined();
    expect(value(t, 'dd')).toBeUndefined();
    expect(value(t, 'ed')).toBe('literal');
    expect(value(t, 'e1')).toBeUndefined();
    expect(value(t, 'gd')).toBe('upper');
    expect(value(t, 'f7')).toBe('digit');
  });

  it('knows the GNU escapes and {,n}', async () => {
    const t = await open('/^h\\w+\\s\\<to\\>/ word\n/^j{,2}k$/ upto2\n');
    expect(value(t, 'hi to')).toBe('word');
    expect(value(t, 'hi tomorrow')).toBeUndefined();
    expect(value(t, 'jjk')).toBe('upto2');
    expect(value(t, 'jjjk')).toBeUndefined();
  });

  it('compiles a basic RE when x is toggled', async () => {
    const t = await open('/^p\\{2\\}$/x bre\n/^q+$/x plus\n/^\\(r\\)\\(s*\\)$/x r:$1:$2\n/^t|u$/x bar\n');
    expect(value(t, 'pp')).toBe('bre');
    expect(value(t, 'q+')).toBe('plus');
    expect(value(t, 'qq')).toBeUndefined();
    expect(value(t, 'rss')).toBe('r:r:ss');
    expect(value(t, 't|u')).toBe('bar');
  });

  it('lets . and [^x] match a newline unless m is given', async () => {
    const t = await open('/^a.b$/ dot\n/^c$/ dollar\n/^d[^x]e$/ neg\n/^f$/m fm\n');
    expect(value(t, 'a\nb')).toBe('dot');
    expect(value(t, 'c\n')).toBeUndefined();
    expect(value(t, 'd\ne')).toBe('neg');
    expect(value(t, 'x\nf')).toBe('fm');
  });

  it('runs backreferences on the backtracking matcher and says so', async () => {
    const t = await open('/^(foo)\\1$/ back\n');
    const r = t.lookup('foofoo');
    expect(r.status === 'found' && r.value).toBe('back');
    expect(r.trace.match?.engine).toBe('backtrack');
    expect(r.trace.notes?.[0]).toMatch(/backreference/);
  });
});

describe('regexp compile errors (regerror text)', () => {
  it.each([
    ['a(b', 'Unmatched ( or \\('],
    ['[abc', 'Unmatched [, [^, [:, [., or ['.concat('=')],
    ['*a', 'Invalid preceding regular expression'],
    ['a|*b', 'Invalid preceding regular expression'],
    ['^*a', 'Invalid preceding regular expression'],
    ['a{2', 'Unmatched \\{'],
    ['a{3,2}', 'Invalid content of \\{\\}'],
    ['a{x}', 'Invalid content of \\{\\}'],
    ['[z-a]', 'Invalid range end'],
    ['[[:foo:]]', 'Invalid character class name'],
    ['(a)\\2', 'Invalid back reference'],
    ['a{1,100000}', 'Regular expression too big'],
    ['(?:a)', 'Invalid preceding regular expression'],
  ])('%s -> %s', (pattern, message) => {
    expect(compilePosix(pattern, new Set())).toEqual({ ok: false, message });
  });

  it.each([['a)b'], ['a**'], ['a+?'], ['()'], ['a||b'], ['$a'], ['[\\d]']])('accepts %s as glibc does', (pattern) => {
    expect(compilePosix(pattern, new Set()).ok).toBe(true);
  });

  it('reports BRE errors too', () => {
    expect(compilePosix('a\\{2', new Set('x'))).toEqual({ ok: false, message: 'Unmatched \\{' });
    expect(compilePosix('a\\)', new Set('x'))).toEqual({ ok: false, message: 'Unmatched ( or \\(' });
    expect(compilePosix('*a', new Set('x')).ok).toBe(true);
  });

  it('follows glibc on repeats in a BRE', async () => {
    expect(compilePosix('a**', new Set('x'))).toEqual({ ok: false, message: 'Invalid preceding regular expression' });
    expect(compilePosix('(a)**'.replace(/[()]/g, '\\$&'), new Set('x')).ok).toBe(false);
    expect(compilePosix('x\\b\\{2\\}', new Set('x')).ok).toBe(false);
    const t = await open('/^x\\b*$/x star\n/^a*\\+$/x stacked\n');
    expect(value(t, 'x*')).toBe('star');
    expect(value(t, 'x')).toBeUndefined();
    expect(value(t, '')).toBe('stacked');
  });

  it('keeps the table usable after a bad rule', async () => {
    const t = await open('/^bad(/ x\n/^ok/ fine\n');
    expect(t.diagnostics.map((d) => d.message)).toEqual([`regexp map ${PATH}, line 1: Unmatched ( or \\(`]);
    expect(value(t, 'ok')).toBe('fine');
  });
});

describe('posix prefilter', () => {
  it('finds the longest required literal, folded under REG_ICASE', () => {
    const t = translatePosix('^user123@example\\.com$', { extended: true, icase: true, newline: false });
    expect(t.ok && t.prefilter).toEqual({ texts: ['user123@example.com'], fold: true });
    expect(t.ok && t.literal).toEqual({ text: 'user123@example.com', fold: true, start: true, end: true, endBeforeNewline: false });
    const q = translatePosix('^ab*c', { extended: true, icase: false, newline: false });
    expect(q.ok && q.prefilter).toBeUndefined();
    const alt = translatePosix('abc|def', { extended: true, icase: true, newline: false });
    expect(alt.ok && alt.prefilter).toBeUndefined();
  });
  it('never rejects a key the pattern matches', async () => {
    const t = await open('/^Kelvin\\.Example$/ k\n');
    expect(value(t, 'KELVIN.EXAMPLE')).toBe('k');
  });
});
