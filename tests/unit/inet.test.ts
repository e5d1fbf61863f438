import { describe, expect, it } from 'vitest';
import { formatIPv6, hasHostBits, inPrefix, maskAddress, normalizeV4Mapped, parseAddress, parseIPv4, parseIPv6 } from '../../src/engine/tables/shared/inet.ts';

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
