/*
 * Unit tests for the pcre: driver and its PCRE2 translator. Every expected
 * answer was checked with Debian's postmap 3.7.11 (PCRE2 10.42).
 */
import { describe, expect, it } from 'vitest';
import { compilePcre, pcreDriver } from '../../src/engine/tables/pcre.ts';
import type { Table } from '../../src/engine/tables/types.ts';
import { openTable } from '../../src/engine/tables/registry.ts';

const PATH = '/etc/postfix/t.pcre';
async function open(text: string): Promise<Table> {
  const host = { readFile: (p: string) => (p === PATH ? new TextEncoder().encode(text) : undefined) };
  return pcreDriver.open('pcre', PATH, { host }, openTable);
}
const value = (t: Table, key: string): string | undefined => {
  const r = t.lookup(key);
  return r.status === 'found' ? r.value : undefined;
};

describe('pcre matching', () => {
  it('runs the lookahead examples of pcre_table(5) on the backtracking matcher', async () => {
    const t = await open('/^(?!owner-)(.*)-outgoing@(.*)/ 550 Use ${1}@${2} instead\n/^(friend@(?!my\\.domain$).*)$/ DUNNO\n');
    expect(value(t, 'list-outgoing@example.com')).toBe('550 Use list@example.com instead');
    expect(value(t, 'owner-list-outgoing@example.com')).toBeUndefined();
    expect(value(t, 'friend@my.domain')).toBeUndefined();
    expect(value(t, 'friend@my.domain.org')).toBe('DUNNO');
    expect(t.lookup('friend@your.domain').trace.match?.engine).toBe('backtrack');
  });

  it('backtracks leftmost-first and runs plain patterns on re2js', async () => {
    const t = await open('/^L(a|ab)(c|bcd)(d*)$/ l:$1:$2:$3\n/^d\\d+$/ digits\n');
    expect(value(t, 'Labcd')).toBe('l:a:bcd:');
    expect(value(t, 'd123')).toBe('digits');
    expect(t.lookup('d1').trace.match?.engine).toBe('re2js');
  });

  it('maps the table flags', async () => {
    const t = await open(
      [
        '/^Strict$/i strict',
        '/anc/A anchored',
        '/^u(.+)(.*)$/U u:[$1][$2]',
        '/^v(.+?)(.*)$/U v:[$1][$2]',
        '/^ x \\s+ y  # comment/x extended',
        '/^m.n$/s nodotall',
        '/^e.d$/E endonly',
        '/^g$/m multi',
        '/^xx/X obsolete',
      ].join('\n') + '\n',
    );
    expect(value(t, 'strict')).toBeUndefined();
    expect(value(t, 'anc')).toBe('anchored');
    expect(value(t, 'xanc')).toBeUndefined();
    expect(value(t, 'uabc')).toBe('u:[a][bc]');
    expect(value(t, 'vabc')).toBe('v:[abc][]');
    expect(value(t, 'x   y')).toBe('extended');
    expect(value(t, 'm\nn')).toBeUndefined();
    expect(value(t, 'e.d\n')).toBeUndefined();
    expect(value(t, 'x\ng')).toBe('multi');
    expect(value(t, 'xx')).toBe('obsolete');
    expect(t.diagnostics.map((d) => d.message)).toEqual([`pcre map ${PATH}, line 9: ignoring obsolete regexp option "X"`]);
  });

  it('lets $ match before a final newline unless E', async () => {
    const t = await open('/^c$/ dollar\n/^a.b$/ dot\n');
    expect(value(t, 'c\n')).toBe('dollar');
    expect(value(t, 'a\nb')).toBe('dot');
  });

  it('numbers named groups and supports backreferences and lookbehind', async () => {
    const t = await open('/^(?<user>[^@]+)@(?P<dom>[^.]+)\\.named$/ $2:$1\n/^(\\w+)\\.\\1$/ back:$1\n/(?<=pre)fix$/ behind\n');
    expect(value(t, 'joe@site.named')).toBe('site:joe');
    expect(value(t, 'ab.ab')).toBe('back:ab');
    expect(value(t, 'ab.ac')).toBeUndefined();
    expect(value(t, 'prefix')).toBe('behind');
    expect(value(t, 'suffix')).toBeUndefined();
  });
});

describe('pcre compile errors (PCRE2 message and offset)', () => {
  it.each([
    ['a(b', 3, 'missing closing parenthesis'],
    ['a)b', 1, 'unmatched closing parenthesis'],
    ['[abc', 4, 'missing terminating ] for character class'],
    ['*a', 0, 'quantifier does not follow a repeatable item'],
    ['a**', 2, 'quantifier does not follow a repeatable item'],
    ['a{3,2}', 5, 'numbers out of order in {} quantifier'],
    ['[z-a]', 3, 'range out of order in character class'],
    ['[[:foo:]]', 3, 'unknown POSIX class name'],
    ['(a)\\2', 4, 'reference to non-existent subpattern'],
    ['a{1,100000}', 10, 'number too big in {} quantifier'],
    ['(?<=a+)b', 0, 'lookbehind assertion is not fixed length'],
    ['(?z)', 2, 'unrecognized character after (? or (?-'],
    ['(?P<n>a)(?P=m)', 12, 'reference to non-existent subpattern'],
    ['\\x{100}', 6, 'character code point value in \\x{} or \\o{} is too large'],
    ['x(?:a|(b)', 9, 'missing closing parenthesis'],
    ['\\k', 2, '\\k is not followed by a braced, angle-bracketed, or quoted name'],
    ['\\c', 2, '\\c at end of pattern'],
  ])('%s', (pattern, offset, message) => {
    expect(compilePcre(pattern, new Set())).toEqual({ ok: false, message: `error in regex at offset ${offset}: ${message}` });
  });

  it('accepts a{2 and a{,3} as literals (PCRE2 10.42)', async () => {
    const t = await open('/^a{2$/ brace\n/^b{,3}$/ comma\n');
    expect(value(t, 'a{2')).toBe('brace');
    expect(value(t, 'b{,3}')).toBe('comma');
  });

  it('runs atomic groups and possessive quantifiers, keeping group numbers', async () => {
    const t = await open('/^x(?>(a)+)(b)$/ x:$1:$2\n/^z(a)*+(b)?\\1$/ z:$1:$2\n/^w(?>a|ab)c/ w\n/^q(a++)a/ never\n');
    expect(value(t, 'xaab')).toBe('x:a:b');
    expect(value(t, 'zaaba')).toBe('z:a:b');
    expect(value(t, 'wac')).toBe('w');
    expect(value(t, 'wabc')).toBeUndefined();
    expect(value(t, 'qaaa')).toBeUndefined();
  });

  it('runs what RE2 cannot: verbs, recursion, conditions, \\K, branch reset', async () => {
    const t = await open(
      [
        '/^a(*COMMIT)b/ verb',
        '/^(*NOPE)/ bad',
        '/^(\\((?:[^()]|(?1))*\\))$/ balanced',
        '/^(<)?x(?(1)>|)$/ cond',
        '/^foo\\Kbar/ keep',
        '/^(?|(a)|(b))c$/ reset-$1',
        '/^ok/ fine',
      ].join('\n') + '\n',
    );
    expect(t.diagnostics.map((d) => d.message)).toEqual([`pcre map ${PATH}, line 2: error in regex at offset 7: (*VERB) not recognized or malformed`]);
    expect(value(t, 'ab')).toBe('verb');
    expect(value(t, '(a(b)c)')).toBe('balanced');
    expect(value(t, '(a(b)c')).toBeUndefined();
    expect(value(t, '<x>')).toBe('cond');
    expect(value(t, '<x')).toBeUndefined();
    expect(value(t, 'bc')).toBe('reset-b');
    expect(t.lookup('foobar').trace.match?.groups?.[0]).toBe('bar');
    expect(value(t, 'ok')).toBe('fine');
  });
  it("gives up on a catastrophic pattern with PCRE2's match limit, deterministically", async () => {
    const t = await open('/^(?=a)(a+)+$/ catastrophic\n/^a/ fine\n');
    const r = t.lookup('a'.repeat(40) + 'b');
    expect(r.warnings?.map((w) => w.message)).toEqual([`pcre map ${PATH}, line 1: match limit exceeded`]);
    expect(r.status === 'found' && r.value).toBe('fine');
  });
});
