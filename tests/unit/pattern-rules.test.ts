/*
 * Unit tests for shared/pattern-rules.ts: the rule language regexp and pcre
 * share. Expected warnings are Postfix 3.7.11's (checked with real postmap).
 */
import { describe, expect, it } from 'vitest';
import { splitResult } from '../../src/engine/tables/pattern-rules.ts';
import { regexpDriver } from '../../src/engine/tables/regexp.ts';
import { pcreDriver } from '../../src/engine/tables/pcre.ts';
import type { OpenOptions, Table, TableDriver } from '../../src/engine/tables/types.ts';
import { openTable } from '../../src/engine/tables/registry.ts';

const PATH = '/etc/postfix/t';
async function open(driver: TableDriver, type: string, text: string, extra: Partial<OpenOptions> = {}): Promise<Table> {
  const host = { readFile: (p: string) => (p === PATH ? new TextEncoder().encode(text) : undefined) };
  return driver.open(type, PATH, { host, ...extra }, openTable);
}
const value = (t: Table, key: string): string | undefined => {
  const r = t.lookup(key);
  return r.status === 'found' ? r.value : undefined;
};
const messages = (t: Table): string[] => t.diagnostics.map((d) => d.message);

describe('splitResult', () => {
  it('splits literals and names like mac_parse(3)', () => {
    const w: string[] = [];
    expect(splitResult('a$1${2}b$(3)$$c$x_y', (m) => w.push(m))).toEqual([
      { type: 'literal', text: 'a' },
      { type: 'name', text: '1' },
      { type: 'name', text: '2' },
      { type: 'literal', text: 'b' },
      { type: 'name', text: '3' },
      { type: 'literal', text: '$c' },
      { type: 'name', text: 'x_y' },
    ]);
    expect(w).toEqual([]);
  });
  it('stops at an empty name or a truncated reference', () => {
    const w: string[] = [];
    expect(splitResult('x$', (m) => w.push(m))).toBeNull();
    expect(splitResult('${1', (m) => w.push(m))).toBeNull();
    expect(w).toEqual(['empty macro name: "x$"', 'truncated macro reference: "${1"']);
  });
});

describe.each([
  ['regexp', regexpDriver, 'out-of-range', 'skipping'],
  ['pcre', pcreDriver, 'out of range', 'ignoring'],
] as const)('%s rules', (type, driver, zeroWords, verb) => {
  const at = (line: number): string => `${type} map ${PATH}, line ${line}`;

  it('is a PATTERN table that parses at open', async () => {
    const t = await open(driver, type, '/^a/ A\n');
    expect(t.fixed).toBe(false);
    expect(t.spec).toBe(`${type}:${PATH}`);
    expect(value(t, 'abc')).toBe('A');
    expect(t.lookup('x').status).toBe('notfound');
  });

  it('expands $N, ${N}, $(N) and $$; unset or empty groups give nothing', async () => {
    const t = await open(driver, type, '/^(x)(y)?(z*)$/ [$1][${2}][$(3)]$$\n');
    expect(value(t, 'x')).toBe('[x][][]$');
    expect(value(t, 'xyzz')).toBe('[x][y][zz]$');
  });

  it('skips rules with bad replacements, with every warning', async () => {
    const t = await open(driver, type, '/a/ $0\n/b(.)/ $2\n/c/ $x $y\n/d/ ${1\n!/e(.)/ $1\n/f/ ok\n');
    expect(messages(t)).toEqual([
      `${at(1)}: ${zeroWords} replacement index "0"`,
      `${at(1)}: bad replacement syntax: skipping this rule`,
      `${at(2)}: out of range replacement index "2": skipping this rule`,
      `${at(3)}: non-numeric replacement index "x"`,
      `${at(3)}: non-numeric replacement index "y"`,
      `${at(3)}: bad replacement syntax: skipping this rule`,
      'truncated macro reference: "${1"',
      `${at(4)}: bad replacement syntax: skipping this rule`,
      `${at(5)}: $number found in negative match replacement text: skipping this rule`,
    ]);
    expect(value(t, 'f')).toBe('ok');
    expect(t.diagnostics[0]).toMatchObject({ severity: 'warning', file: PATH, line: 1 });
  });

  it('honours noRegsub (DICT_FLAG_NO_REGSUB)', async () => {
    const t = await open(driver, type, '/(a)/ $1\n/b/ $$b\n', { noRegsub: true });
    expect(messages(t)).toEqual([`${at(1)}: regular expression substitution is not allowed: skipping this rule`]);
    expect(value(t, 'a')).toBeUndefined();
    expect(value(t, 'b')).toBe('$b');
  });

  it('toggles negation with each !', async () => {
    const t = await open(driver, type, '!!/^a/ two\n! ! !/^a/ three\n');
    expect(value(t, 'ab')).toBe('two');
    expect(value(t, 'b')).toBe('three');
  });

  it('nests if/endif and reports missing and extra endif', async () => {
    const text = 'endif\nif /^a/\nif !/b/\n/./ a-not-b\nendif\n/x$/ ax\nENDIF junk\nif /^c/\n/./ c\n';
    const t = await open(driver, type, text);
    expect(messages(t)).toEqual([
      `${at(1)}: ignoring ENDIF without matching IF`,
      `${at(7)}: ignoring extra text after ENDIF`,
      `${at(8)}: IF has no matching ENDIF`,
    ]);
    expect(value(t, 'ac')).toBe('a-not-b');
    expect(value(t, 'abx')).toBe('ax');
    expect(value(t, 'ab')).toBeUndefined();
    expect(value(t, 'cd')).toBe('c');
    // A failing IF without ENDIF ends the search.
    expect(t.lookup('zz').status).toBe('notfound');
  });

  it('warns about text after IF and unrecognized lines', async () => {
    const t = await open(driver, type, 'if /a/ x\nendif\n12 x\n/a/q y\n/a\n!\n');
    expect(messages(t)).toEqual([
      `${at(1)}: ignoring extra text after IF statement: "x"`,
      `${at(1)}: do not prepend whitespace to statements between IF and ENDIF`,
      `${at(3)}: ignoring unrecognized request`,
      `${at(4)}: unknown regexp option "q": skipping this rule`,
      `${at(5)}: no closing regexp delimiter "/": ${verb} this rule`,
      `${at(6)}: no regexp: skipping this rule`,
    ]);
  });

  it('joins continuation lines and reports the first line', async () => {
    const t = await open(driver, type, '# c\n/^a(.)/\n  got-$1\n');
    const r = t.lookup('ab');
    expect(r.status === 'found' && r.value).toBe('  got-b'.trimStart());
    expect(r.trace.match).toMatchObject({ line: 2, groups: ['ab', 'b'] });
  });

  it('warns about a missing result and returns the empty string', async () => {
    const t = await open(driver, type, '/a/\n');
    expect(messages(t)).toEqual([`${at(1)}: no replacement text: using empty string`]);
    expect(value(t, 'a')).toBe('');
  });

  it('reports a missing file as fatal', async () => {
    const host = { readFile: () => undefined };
    const t = await driver.open(type, '/etc/postfix/none', { host }, openTable);
    expect(t.openError?.message).toBe('open /etc/postfix/none: No such file or directory');
    expect(t.lookup('x').status).toBe('error');
  });

  it('matches bytes, folding ASCII case only (C locale, no UTF mode)', async () => {
    const t = await open(driver, type, '/^é$/ e-acute\n/^ü.$/ u-dot\n/^[äö]x$/ class\n/^(é+)(.)$/ [$1][$2]\n');
    expect(value(t, 'é')).toBe('e-acute');
    expect(value(t, 'É')).toBeUndefined();
    expect(value(t, 'üa')).toBe('u-dot');
    expect(value(t, 'üé')).toBeUndefined();
    expect(value(t, 'äx')).toBeUndefined();
    expect(value(t, 'éx')).toBe('[é][x]');
    expect(value(t, 'ééx')).toBeUndefined(); // + repeats the last byte of é only
  });

  it('does not fold keys', async () => {
    const t = await open(driver, type, '/^Ab$/i cs\n');
    expect(value(t, 'Ab')).toBe('cs');
    expect(value(t, 'ab')).toBeUndefined();
  });
});

describe('regexp legacy /p1/!/p2/', () => {
  it('matches p1 and not p2', async () => {
    const t = await open(regexpDriver, 'regexp', '/^a/!/ax/ legacy-$1\n/^(a)/!/ax/ legacy-$1\n');
    expect(value(t, 'ab')).toBe('legacy-a');
    expect(value(t, 'axe')).toBeUndefined();
    expect(messages(t)[0]).toBe(`regexp map ${PATH}, line 1: out of range replacement index "1": skipping this rule`);
  });
  it('is not pcre syntax', async () => {
    const t = await open(pcreDriver, 'pcre', '/^a/!/ax/ x\n');
    expect(messages(t)).toEqual([`pcre map ${PATH}, line 1: unknown regexp option "!": skipping this rule`]);
  });
});
