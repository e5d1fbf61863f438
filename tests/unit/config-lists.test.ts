import { describe, expect, it } from 'vitest';
import { splitList, stripBraces } from '../../src/engine/util/lists.ts';

describe('splitList', () => {
  it('splits on commas and whitespace', () => {
    expect(splitList(' a, b  c,,d\n\te ')).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(splitList('')).toEqual([]);
  });
  it('keeps {} groups whole, braces included', () => {
    expect(splitList('check_policy_service { inet:127.0.0.1:9998, timeout=10s }, reject')).toEqual([
      'check_policy_service',
      '{ inet:127.0.0.1:9998, timeout=10s }',
      'reject',
    ]);
    expect(splitList('inline:{ a=1, {b = x y} } static:{ t }')).toEqual(['inline:{ a=1, {b = x y} }', 'static:{ t }']);
  });
  it('takes other separators (master.cf fields)', () => {
    expect(splitList('smtpd -o {a = b, c}', ' \t')).toEqual(['smtpd', '-o', '{a = b, c}']);
  });
});

describe('stripBraces', () => {
  it('removes one pair and the whitespace inside', () => {
    expect(stripBraces('{ name = value }')).toEqual({ text: 'name = value' });
    expect(stripBraces('plain')).toEqual({ text: 'plain' });
  });
  it('reports extpar errors', () => {
    expect(stripBraces('{ open')).toEqual({ error: `missing '}' in "{ open"` });
    expect(stripBraces('{a}b')).toEqual({ error: `syntax error after '}' in "{a}b"` });
  });
});
