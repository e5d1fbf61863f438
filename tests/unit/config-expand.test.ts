import { describe, expect, it } from 'vitest';
import { compatLevelFromString, macExpand } from '../../src/engine/config/expand.ts';

const vars: Record<string, string> = { one: '1', empty: '', two: '$one$one', loop: '$loop', level: '3.6' };
const x = (v: string) => macExpand(v, { recurse: true, lookup: (n) => vars[n] });

describe('macExpand', () => {
  it('expands $name, ${name}, $(name) and $$', () => {
    expect(x('$one ${one} $(one) $$one').value).toBe('1 1 1 $one');
    expect(x('a$one-b').value).toBe('a1-b');
  });
  it('expands recursively', () => {
    expect(x('[$two]').value).toBe('[11]');
  });
  it('handles ? and : with and without braces', () => {
    expect(x('${one?set}|${empty?set}|${one:unset}|${empty:unset}').value).toBe('set|||unset');
    expect(x('${one?{ a b }}|${empty:{ c }}').value).toBe(' a b | c ');
    expect(x('${one?{yes}:{no}} ${empty?{yes}:{no}} ${nosuch?{yes}:{no}}').value).toBe('yes no no');
  });
  it('keeps Postfix 2.x text operands literally', () => {
    expect(x('${one??foo:{b}ar}').value).toBe('?foo:{b}ar');
  });
  it('reports undefined names and expands them to nothing', () => {
    const r = x('<$nosuch>');
    expect(r.value).toBe('<>');
    expect(r.undefined).toBe(true);
    expect(r.error).toBe(false);
  });
  it('evaluates relational operators numerically or lexically', () => {
    expect(x('${{9} < {10} ? {lt} : {ge}}').value).toBe('lt');
    expect(x('${{9x} < {10x} ? {lt} : {ge}}').value).toBe('ge');
    expect(x('${{$one} == {1} ? {eq}}').value).toBe('eq');
    expect(x('${{a} != {a} : {same}}').value).toBe('same');
    expect(x('${{a} == {a}}').value).toBe('true');
  });
  it('compares compatibility levels with <level etc. (3.10 > 3.9)', () => {
    expect(x('${{3.10} >level {3.9} ? {newer} : {older}}').value).toBe('newer');
    expect(x('${{$level} <level {3.6} ? {old} : {new}}').value).toBe('new');
    expect(x('${{2} ==level {2.0.0} ? {same}}').value).toBe('same');
  });
  it('gives Postfix warnings for syntax errors', () => {
    expect(x('${one').warnings).toEqual(['truncated macro reference: "${one"']);
    expect(x('cost $ 5').warnings).toEqual(['empty macro name: "cost $ 5"']);
    expect(x('${one?{x}junk}').warnings).toEqual(['":" expected at: "...x}>>>junk"']);
    expect(x('${my name}').warnings).toEqual(['attribute name syntax error at: "...my>>> name"']);
    expect(x('${{a} =~ {b} ? {x}}').warnings[0]).toBe('"==" or "!="" or "<"" or "<="" or ">="" or ">" expected at: "...a}>>>=~ {b} ? {x}"');
    expect(x('${{foo} <level {1} ? {x}}').warnings).toEqual(['malformed compatibility level syntax: "foo"']);
    expect(x('${{a} <lvl {1} ? {x}}').warnings).toEqual(['bad operator suffix at: "...<>>>lvl"']);
    expect(x('${one').error).toBe(true);
  });
  it('stops runaway recursion like Postfix', () => {
    const r = x('$loop');
    expect(r.error).toBe(true);
    expect(r.warnings).toEqual(['unreasonable macro call nesting: "loop"']);
  });
  it('reports every name in scan mode, both branches included', () => {
    const seen: string[] = [];
    const r = macExpand('${a?{$b}:{$c}} $d ${{$e} == {x} ? {$f}}', { scan: true, lookup: (n) => (seen.push(n), undefined) });
    expect(seen).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(r.value).toBe('');
  });
});

describe('compatLevelFromString', () => {
  it('orders levels by number, not text', () => {
    const n = (s: string) => compatLevelFromString(s) as number;
    expect(n('3.10')).toBeGreaterThan(n('3.9'));
    expect(n('3.6.1')).toBeGreaterThan(n('3.6'));
    expect(n('2')).toBe(n('2.0'));
    expect(compatLevelFromString('3.x')).toBe('malformed compatibility level syntax: "3.x"');
    expect(compatLevelFromString('')).toBe('malformed compatibility level syntax: ""');
  });
});
