import { describe, expect, it } from 'vitest';
import { readLogicalLines } from '../../src/engine/util/readlline.ts';
import type { Diagnostic } from '../../src/engine/index.ts';

const read = (text: string) => {
  const d: Diagnostic[] = [];
  return { lines: readLogicalLines(text, '/etc/postfix/t', d), d };
};

describe('readLogicalLines', () => {
  it('joins continuation lines without the newline, keeping leading whitespace', () => {
    expect(read('abc\n def\nxyz\n').lines).toEqual([
      { text: 'abc def', line: 1 },
      { text: 'xyz', line: 3 },
    ]);
  });
  it('skips comments and blank lines, also inside a continued entry', () => {
    expect(read('abc\n #c\n\n ghi\n#x\n jkl\n').lines).toEqual([{ text: 'abc ghi jkl', line: 1 }]);
  });
  it('warns about and skips text that continues nothing', () => {
    const { lines, d } = read('  lead\n more\nkey value\n');
    expect(lines).toEqual([{ text: 'key value', line: 3 }]);
    expect(d).toHaveLength(1);
    expect(d[0]!.message).toBe('/etc/postfix/t: logical line must not start with whitespace: "  lead more"');
    expect(d[0]!.line).toBe(1);
  });
  it('shortens long text in the warning to 30 characters', () => {
    const { d } = read(' ' + 'x'.repeat(40) + '\n');
    expect(d[0]!.message).toBe(`/etc/postfix/t: logical line must not start with whitespace: " ${'x'.repeat(29)}..."`);
  });
  it('reads a last line without a newline', () => {
    expect(read('a b').lines).toEqual([{ text: 'a b', line: 1 }]);
  });
});
