import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cidrDriver } from '../../src/engine/tables/cidr.ts';
import { forEachLogicalLine } from '../../src/engine/util/readlline.ts';
import { readLogicalLines } from '../../src/engine/util/readlline.ts';
import type { Diagnostic } from '../../src/engine/trace/types.ts';
import type { Table } from '../../src/engine/tables/types.ts';
import { openTable } from '../../src/engine/tables/registry.ts';

const open = (text: string): Table =>
  cidrDriver.open('cidr', '/t', { host: { readFile: (p) => (p === '/t' ? new TextEncoder().encode(text) : undefined) } }, openTable) as Table;
const value = (t: Table, k: string) => {
  const r = t.lookup(k);
  return r.status === 'found' ? r.value : r.status;
};

describe('cidr', () => {
  it('first match in file order, trailing blanks trimmed, PATTERN table', () => {
    const t = open('1.2.3.4 host  \n1.2.3.0/24 net\n0.0.0.0/0 any\n::/0 v6\n');
    expect(t.fixed).toBe(false);
    expect(value(t, '1.2.3.4')).toBe('host');
    expect(value(t, '1.2.3.5')).toBe('net');
    expect(value(t, '9.9.9.9')).toBe('any');
    expect(value(t, '::ffff:1.2.3.4')).toBe('v6');
    expect(value(t, 'example.com')).toBe('notfound');
    expect(t.lookup('1.2.3.5').trace.match).toEqual({ line: 2, rule: '1.2.3.0/24' });
  });
  it('skips bad rules with Postfix warnings (messages from real postmap)', () => {
    const t = open('1.2.3.5/24 a\n1.2.3.0/33 b\n1.2.3.4/288 wrap\n[1.2.3.4 c\nendif\n1.2.3.4\n');
    expect(t.diagnostics.map((d) => d.message)).toEqual([
      'cidr map /t, line 1: non-null host address bits in "1.2.3.5/24", perhaps you should use "1.2.3.0/24" instead: skipping this rule',
      'cidr map /t, line 2: bad mask length in "1.2.3.0/33": skipping this rule',
      'cidr map /t, line 4: missing \']\' character after "[1.2.3.4": skipping this rule',
      'cidr map /t, line 5: ENDIF without IF: skipping this rule',
      'cidr map /t, line 6: no lookup result: skipping this rule',
    ]);
    expect(value(t, '1.2.3.4')).toBe('wrap'); // /288 is stored in an unsigned char: /32
  });
  it('if/endif blocks, negation, family separation', () => {
    const t = open('if !10.0.0.0/8\n!192.168.0.0/16 outside\nendif\nif 2001:db8::/32\n::/0 v6\nendif\n10.0.0.0/8 ten\nif 9.0.0.0/8\n9.9.9.9 nine\n');
    expect(t.diagnostics.map((d) => d.message)).toEqual(['cidr map /t, line 8: IF has no matching ENDIF']);
    expect(value(t, '1.1.1.1')).toBe('outside');
    expect(value(t, '192.168.1.1')).toBe('notfound');
    expect(value(t, '10.1.1.1')).toBe('ten');
    expect(value(t, '2001:db8::5')).toBe('v6');
    expect(value(t, '2001:db9::5')).toBe('notfound');
    expect(value(t, '9.9.9.9')).toBe('outside'); // the first block already matches
  });
  it('indexed runs keep first-match order across prefix lengths', () => {
    const t = open('10.1.0.0/16 a\n10.0.0.0/8 b\n10.1.2.0/24 c\n2001:db8::/32 d\n2001:db8:1::/48 e\n');
    expect(value(t, '10.1.2.3')).toBe('a');
    expect(value(t, '10.2.2.3')).toBe('b');
    expect(value(t, '2001:db8:1::1')).toBe('d');
  });
  it('reports a missing file as postmap does', () => {
    const t = cidrDriver.open('cidr', '/none', { host: { readFile: () => undefined } }, openTable) as Table;
    expect(t.openError?.message).toBe('open /none: No such file or directory');
  });
});

describe('cidr fast paths agree with the general ones', () => {
  // `[addr]/mask` always takes the general parser and means the same as `addr/mask`, with the same messages.
  const bracket = (line: string) =>
    line.replace(/^(!*)([^ \t]*)/, (_, neg: string, p: string) => {
      const slash = p.indexOf('/');
      return slash < 0 ? `${neg}[${p}]` : `${neg}[${p.slice(0, slash)}]${p.slice(slash)}`;
    });
  const octet = fc.constantFrom('0', '1', '2', '10', '128', '255', '256', '01', '00', '');
  const addr = fc.array(octet, { minLength: 3, maxLength: 5 }).map((a) => a.join('.'));
  const mask = fc.option(fc.constantFrom('0', '1', '8', '9', '16', '24', '31', '32', '33', '00', '024', '1x', '', '288', '0.', '2.', '3/', '-1'), {
    nil: undefined,
  });
  const rule = fc
    .tuple(fc.constantFrom('', '', '!', '!!'), addr, mask, fc.constantFrom(' OK', '\tv1', ' x y  ', '', '  '))
    .map(([neg, a, m, v]) => `${neg}${a}${m === undefined ? '' : '/' + m}${v}`);
  const key = fc
    .tuple(fc.constantFrom(0, 1, 2, 10, 128, 255), fc.constantFrom(0, 1, 2, 255), fc.constantFrom(0, 1, 255), fc.constantFrom(0, 1, 2, 255))
    .map((a) => a.join('.'));
  const outcome = (t: Table, k: string) => {
    const r = t.lookup(k);
    return { status: r.status, value: r.status === 'found' ? r.value : undefined, line: r.trace.match?.line, tried: r.trace.tried };
  };
  it('IPv4 rules: in-place parsing vs the general parser', () => {
    fc.assert(
      fc.property(fc.array(rule, { maxLength: 12 }), fc.array(key, { minLength: 1, maxLength: 8 }), (rules, keys) => {
        const fast = open(rules.join('\n') + '\n');
        const general = open(rules.map(bracket).join('\n') + '\n');
        expect(fast.diagnostics.map((d) => d.message)).toEqual(general.diagnostics.map((d) => d.message));
        for (const k of keys) expect(outcome(fast, k)).toEqual(outcome(general, k));
      }),
      { numRuns: 1000 },
    );
  });
  it('logical lines: the in-place reader agrees with readLogicalLines', () => {
    const text = fc.array(fc.constantFrom('a', 'b', ' ', '\t', '\n', '\n', '#', '\r'), { maxLength: 40 }).map((a) => a.join(''));
    fc.assert(
      fc.property(text, (t) => {
        const d1: Diagnostic[] = [];
        const d2: Diagnostic[] = [];
        const got: { text: string; line: number }[] = [];
        forEachLogicalLine(t, '/t', d2, (src, s, e, line) => got.push({ text: src.slice(s, e), line }));
        expect(got).toEqual(readLogicalLines(t, '/t', d1));
        expect(d2).toEqual(d1);
      }),
      { numRuns: 3000 },
    );
  });
  it('continued lines and IPv6 rules answer from the index', () => {
    const t = open('1.2.3.0/24\n  net\n2001:db8::/32 six\n');
    expect(t.lookup('1.2.3.9')).toMatchObject({ status: 'found', value: 'net', trace: { match: { line: 1, rule: '1.2.3.0/24' } } });
    expect(t.lookup('2001:db8:1::1')).toMatchObject({ status: 'found', value: 'six', trace: { match: { line: 3 }, tried: 1 } });
  });
});
