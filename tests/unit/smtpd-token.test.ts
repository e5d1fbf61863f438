// smtpd's command tokenizer and address extraction (smtpd_token.c, extract_addr in smtpd.c).
import { describe, expect, it } from 'vitest';
import { extractAddress, smtpdToken } from '../../src/engine/smtpd/session/token.ts';

const words = (line: string): string[] => smtpdToken(line).map((t) => t.text);

describe('smtpdToken', () => {
  it('ends a word after from: and to:', () => {
    expect(words('MAIL FROM:<a@b> SIZE=10')).toEqual(['MAIL', 'FROM:', '<a@b>', 'SIZE=10']);
    expect(words('rcpt to: <x@y>')).toEqual(['rcpt', 'to:', '<x@y>']);
  });
  it('keeps <...> and "..." whole, spaces included', () => {
    expect(words('MAIL FROM:<a b@c>')).toEqual(['MAIL', 'FROM:', '<a b@c>']);
    expect(words('RCPT TO:<"x y"@z>')).toEqual(['RCPT', 'TO:', '<"x y"@z>']);
  });
  it('marks an unterminated bracket as an error', () => {
    const t = smtpdToken('MAIL FROM:<a@b');
    expect(t[2]).toEqual({ text: '<a@b', error: true });
  });
  it('gives nothing for a blank line', () => {
    expect(smtpdToken('   ')).toEqual([]);
  });
});

describe('extractAddress', () => {
  it('removes quotes for the internal form', () => {
    expect(extractAddress('<"john doe"@example.com>', false)).toEqual({ address: 'john doe@example.com', illegal: false });
  });
  it('drops a source route', () => {
    expect(extractAddress('<@relay.example:user@example.com>', false).address).toBe('user@example.com');
  });
  it('takes the null address', () => {
    expect(extractAddress('<>', false)).toEqual({ address: '', illegal: false });
  });
  it('counts two words without an operator as two addresses', () => {
    expect(extractAddress('<a b@c>', false).illegal).toBe(true);
  });
  it('accepts a phrase and comment unless strict_rfc821_envelopes', () => {
    expect(extractAddress('<John <j@example.com>>', false)).toEqual({ address: 'j@example.com', illegal: false });
    expect(extractAddress('<j@example.com> (comment)', false).illegal).toBe(false);
    expect(extractAddress('<j@example.com> (comment)', true).illegal).toBe(true);
    expect(extractAddress('j@example.com', true).illegal).toBe(true);
    expect(extractAddress('j@example.com', false)).toEqual({ address: 'j@example.com', illegal: false });
  });
});
