// What an edit flipped: expectations are known by file, name and what they expect, not by line.
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/engine/index.ts';
import { flipsBetween, resultKeys } from '../../src/ui/state/flips.ts';

const r = (line: number, name: string, pass: boolean, expected = '250'): CheckResult => ({
  file: '/etc/postfix/t.expect',
  line,
  kind: 'session',
  name,
  pass,
  expected,
  got: pass ? expected : '554',
});

describe('flips', () => {
  it('lists the expectations whose verdict changed, even when their lines moved', () => {
    const before = [r(3, 'session a: EHLO x', true), r(4, 'session a: RCPT TO:<x>', true), r(5, 'session b: RCPT TO:<y>', false)];
    const after = [r(5, 'session a: EHLO x', true), r(6, 'session a: RCPT TO:<x>', false), r(7, 'session b: RCPT TO:<y>', true)];
    expect(flipsBetween(before, after).map((f) => [f.result.line, f.passes])).toEqual([
      [6, false],
      [7, true],
    ]);
  });
  it('new, removed and changed expectations are not flips; repeated ones are told apart', () => {
    expect(flipsBetween([r(1, 'lookup x', true)], [r(1, 'lookup x', false, '554'), r(2, 'lookup y', false)])).toEqual([]);
    const twice = [r(1, 'session a: NOOP', true), r(2, 'session a: NOOP', true)];
    expect(new Set(resultKeys(twice)).size).toBe(2);
    expect(flipsBetween(twice, [r(1, 'session a: NOOP', true), r(2, 'session a: NOOP', false)]).map((f) => f.result.line)).toEqual([2]);
  });
});
