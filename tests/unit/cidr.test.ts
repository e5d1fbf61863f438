import { describe, expect, it } from 'vitest';
import { cidrDriver } from '../../src/engine/tables/cidr.ts';
import type { Table } from '../../src/engine/tables/types.ts';

const open = (text: string): Table =>
  cidrDriver.open('cidr', '/t', { host: { readFile: (p) => (p === '/t' ? new TextEncoder().encode(text) : undefined) } }) as Table;
const value = (t: Table, k: string) => { const r = t.lookup(k); return r.status === 'found' ? r.value : r.status; };

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
    const t = cidrDriver.open('cidr', '/none', { host: { readFile: () => undefined } }) as Table;
    expect(t.openError?.message).toBe('open /none: No such file or directory');
  });
});
