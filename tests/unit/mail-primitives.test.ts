// valid_hostname(3), dsn_split and smtpd_dsn_fix as Postfix 3.7 implements them.
import { describe, expect, it } from 'vitest';
import { hostnameGripe, validHostaddr, validHostname, validMailhostAddr, validMailhostLiteral } from '../../src/engine/mail/valid-hostname.ts';
import { dsnSplit, dsnValid, smtpdDsnFix } from '../../src/engine/mail/dsn.ts';

describe('hostnameGripe', () => {
  const long = 'a'.repeat(64);
  it.each([
    ['', false, 'empty hostname'],
    [`${long}.example`, false, `hostname label too long: ${long}.example`],
    ['a.*.example', true, "'*' can be the first label only: a.*.example"],
    ['a..b', false, 'misplaced delimiter: a..b'],
    ['bad-.example', false, 'misplaced hyphen: bad-.example'],
    ['a b', false, 'invalid character 32(decimal): a b'],
    ['*.example', false, 'invalid character 42(decimal): *.example'],
    ['1.2.3.4', false, 'numeric hostname: 1.2.3.4'],
    [`${'a.'.repeat(128)}b`, false, `bad length 257 for ${'a.'.repeat(50)}...`],
  ])('%s (wildcard %s): %s', (name, wildcard, gripe) => {
    expect(hostnameGripe(name, wildcard)).toBe(`valid_hostname: ${gripe}`);
    expect(validHostname(name, wildcard)).toBe(false);
  });
  it.each(['mail.example.com', 'a_b.example', '*.example'])('%s: none', (name) => {
    expect(hostnameGripe(name, true)).toBeUndefined();
    expect(validHostname(name, true)).toBe(true);
  });
});

describe('validHostname', () => {
  it.each([
    ['mail.example.com', true],
    ['a_b.example', true],
    ['-bad.example', false],
    ['bad-.example', false],
    ['a..b', false],
    ['trailing.', false],
    ['1.2.3.4', false],
    ['123', false],
    ['x'.repeat(64), false],
    ['x'.repeat(63), true],
    ['sp ace', false],
  ])('%s → %s', (name, ok) => expect(validHostname(name)).toBe(ok));
  it('allows a leading wildcard only when asked', () => {
    expect(validHostname('*.example.com', true)).toBe(true);
    expect(validHostname('*.example.com')).toBe(false);
    expect(validHostname('a.*.example', true)).toBe(false);
  });
});

describe('validHostaddr', () => {
  it.each([
    ['192.0.2.1', true],
    ['0.0.0.0', true],
    ['0.1.2.3', false],
    ['256.1.1.1', false],
    ['1.2.3', false],
    ['::1', true],
    ['2001:db8::1', true],
    ['::ffff:192.0.2.1', true],
    ['1:2:3:4:5:6:7:8:9', false],
    ['2001:db8::1::2', false],
    ['12345::', false],
  ])('%s → %s', (addr, ok) => expect(validHostaddr(addr)).toBe(ok));
  it('reads address literals', () => {
    expect(validMailhostAddr('IPv6:2001:db8::1')).toBe('2001:db8::1');
    expect(validMailhostAddr('2001:db8::1')).toBeUndefined();
    expect(validMailhostLiteral('[192.0.2.1]')).toBe(true);
    expect(validMailhostLiteral('[example.com]')).toBe(false);
  });
});

describe('enhanced status codes', () => {
  it('finds a leading status code or uses the default', () => {
    expect(dsnValid('5.7.1 text')).toBe(5);
    expect(dsnValid('5.7.1234 text')).toBe(0);
    expect(dsnSplit('5.7.1', '4.2.0 try later')).toEqual({ dsn: '4.2.0', text: 'try later' });
    expect(dsnSplit('5.7.1', 'no code here')).toEqual({ dsn: '5.7.1', text: 'no code here' });
  });
  it('turns address status codes into the right kind for what is rejected', () => {
    expect(smtpdDsnFix('5.1.1', 'Sender address').status).toBe('4.1.7');
    expect(smtpdDsnFix('5.1.8', 'Recipient address').status).toBe('4.1.2');
    expect(smtpdDsnFix('5.1.1', 'Client host')).toEqual({ status: '4.0.0', info: 'mapping DSN status 5.1.1 into Client host status 5.0.0' });
    expect(smtpdDsnFix('5.7.1', 'Sender address')).toEqual({ status: '5.7.1' });
  });
});
