import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatIPv6,
  hasHostBits,
  inPrefix,
  maskAddress,
  normalizeV4Mapped,
  parseAddress,
  parseIPv4,
  parseIPv4Number,
  parseIPv6,
  scanIPv4Prefix,
} from '../../src/engine/util/inet.ts';

// Expected values measured with glibc 2.36 inet_pton/inet_ntop (Python's socket module).
describe('inet', () => {
  it('parses IPv4 like glibc inet_pton', () => {
    expect(parseIPv4('1.2.3.4')).toEqual(new Uint8Array([1, 2, 3, 4]));
    for (const bad of ['010.1.1.1', '1.2.3', '1.2.3.4.', '256.1.1.1', '1.2.3.4 ', '', '1..2.3']) expect(parseIPv4(bad)).toBeUndefined();
  });
  it('parses IPv6 like glibc inet_pton', () => {
    expect(parseIPv6('::0001')).toEqual(parseIPv6('::1'));
    expect(parseIPv6('2001:DB8::1')).toEqual(parseIPv6('2001:db8:0:0:0:0:0:1'));
    expect(parseIPv6('1:2:3:4:5:6:7::')).toBeDefined(); // glibc 2.36 accepts it
    for (const bad of ['00001::', ':1::', ':::', '1::2::3', '::1.2.3', '::ffff:01.2.3.4', 'fe80::1%eth0', '1:2:3:4:5:6:7:1.2.3.4'])
      expect(parseIPv6(bad)).toBeUndefined();
  });
  it('formats like glibc inet_ntop', () => {
    const f = (s: string) => formatIPv6(parseIPv6(s)!);
    expect(f('::2')).toBe('::2');
    expect(f('::1.2.3.4')).toBe('::1.2.3.4');
    expect(f('0:0:0:0:0:ffff:0:0')).toBe('::ffff:0.0.0.0');
    expect(f('::ffff:0:1.2.3.4')).toBe('::ffff:0:102:304');
    expect(f('1:0:0:1:0:0:0:1')).toBe('1:0:0:1::1');
    expect(f('0:0:1::')).toBe('0:0:1::');
    expect(f('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
  });
  it('picks the family from a colon, normalises mapped addresses, masks', () => {
    expect(parseAddress('::ffff:1.2.3.4')?.family).toBe(6);
    expect(normalizeV4Mapped('::FFFF:1.2.3.4')).toBe('1.2.3.4');
    expect(normalizeV4Mapped('::ffff:102:304')).toBe('::ffff:102:304');
    expect(maskAddress(parseIPv4('1.2.3.5')!, 24)).toEqual(parseIPv4('1.2.3.0'));
    expect(hasHostBits(parseIPv4('1.2.3.5')!, 24)).toBe(true);
    expect(inPrefix(parseIPv4('10.9.8.7')!, parseIPv4('10.0.0.0')!, 8)).toBe(true);
    expect(inPrefix(parseIPv4('10.9.8.7')!, parseIPv6('::')!, 0)).toBe(false);
  });
});

describe('parseIPv4Number (the allocation-free IPv4 parser of cidr:)', () => {
  const v4 = (s: string) => {
    const b = parseIPv4(s);
    return b ? ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0 : -1;
  };
  it('agrees with parseIPv4 on edge and random inputs', () => {
    for (const s of [
      '0.0.0.0',
      '255.255.255.255',
      '1.2.3.4',
      '01.2.3.4',
      '1.2.3.04',
      '1.2.3',
      '1.2.3.4.5',
      '1..2.3',
      '.1.2.3',
      '256.0.0.0',
      '1.2.3.4/',
      '',
      '1.2.3.-4',
    ])
      expect(parseIPv4Number(s)).toBe(v4(s));
    const octet = fc.oneof(fc.integer({ min: 0, max: 300 }).map(String), fc.constantFrom('00', '01', '007', '', '2555'));
    const dotted = fc.array(octet, { minLength: 1, maxLength: 6 }).map((a) => a.join('.'));
    const noise = fc.array(fc.constantFrom(...'0123456789./: x'.split('')), { maxLength: 18 }).map((a) => a.join(''));
    fc.assert(
      fc.property(fc.oneof(dotted, noise), (s) => parseIPv4Number(s) === v4(s)),
      { numRuns: 5000 },
    );
  });
  it('scanIPv4Prefix accepts exactly the plain a.b.c.d[/N] without host bits', () => {
    const exact = (p: string) => {
      const [a, m, extra] = p.split('/');
      if (extra !== undefined || (m !== undefined && !/^[0-9]{1,2}$/.test(m))) return undefined;
      const shift = m === undefined ? 32 : Number(m);
      const net = parseIPv4Number(a!);
      const mask = shift === 0 ? 0 : -1 << (32 - shift);
      return shift > 32 || net < 0 || (net & ~mask) !== 0 ? undefined : { net: net | 0, shift };
    };
    const chars = fc.array(fc.constantFrom(...'0123456789./x'.split(''), '1.2.3.0', '/24', '/8', '255'), { maxLength: 10 }).map((a) => a.join(''));
    fc.assert(
      fc.property(chars, fc.constantFrom('', ' v', '\tv', 'x'), (p, tail) => {
        const out = { net: 0, shift: 0 };
        const end = scanIPv4Prefix(p + tail, 0, p.length + tail.length, out);
        const want = tail === 'x' ? undefined : exact(p);
        expect(end < 0 ? undefined : { ...out, end }).toEqual(want && { ...want, end: p.length });
      }),
      { numRuns: 5000 },
    );
  });
  it('parses a range of a longer string', () => {
    expect(parseIPv4Number('x1.2.3.4/24', 1, 8)).toBe(0x01020304);
  });
});
