// Property: whatever pattern a table holds, the simulator answers in Postfix's words. It never
// throws, never says "internal error", and gives up ("postfix-sim ...") only where it says why.
// Inputs found this way are recorded as goldens (pcre-backtracking-engine, regexp-*).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openTable } from '../../src/engine/index.ts';
import { memoryHost } from '../support/memory-host.ts';

const PCRE_ATOMS = [
  ...['a', 'b', '.', '\\d', '\\w', '\\s', '\\b', '\\B', '\\A', '\\z', '\\Z', '\\G', '\\K', '\\R', '\\h', '\\v', '\\X', '\\C', '\\N'],
  ...['\\p{L}', '\\P{Lu}', '\\x41', '\\x{41}', '\\o{101}', '\\101', '\\cA', '\\e', '\\Q.*\\E', '[a-z]', '[[:alpha:]]', '[^a]', '[\\d-z]'],
  ...['(a)', '(?:a)', '(?<n>a)', "(?'n'a)", '(?P<n>a)', '\\1', '\\g1', '\\g{-1}', '\\k<n>', '(?P=n)', '(?=a)', '(?!a)', '(?<=a)', '(?<!a)'],
  ...['(?>a)', '(?|(a)|(b))', '(?i)', '(?-i)', '(?s)', '(?m)', '(?x)', '(?U)', '(?1)', '(?&n)', '(?(1)a|b)', '(?(<n>)a|b)'],
  ...['(?(?=a)a|b)', '(?C)', '(?#c)', '(*UTF)', '(*UCP)', '(*LIMIT_MATCH=10)', '(*FAIL)', '(*ACCEPT)', '(*COMMIT)', '(*PRUNE)'],
  ...['(*SKIP)', '(*THEN)', '(*MARK:x)', 'a*', 'a+?', 'a*+', 'a{2,}', 'a{,3}', 'a{2}+', '^', '$', '|', '\\', ')', '(', '[', '{'],
];
const REGEXP_ATOMS = [
  'a',
  'b',
  '.',
  '\\w',
  '\\W',
  '\\s',
  '\\<',
  '\\>',
  '\\b',
  '[a-z]',
  '[[:digit:]]',
  '[^a]',
  '(a)',
  '\\1',
  '\\2',
  'a*',
  'a+',
  'a?',
  'a{2,3}',
  'a\\{2\\}',
  '^',
  '$',
  '|',
  '(',
  ')',
  '[',
  '\\(',
  '{',
  '\\',
];
const keys = fc.array(fc.constantFrom('a', 'ab', 'aab', 'bab', '(a)', 'A1 b', '', 'x\ny'), { maxLength: 3 });

async function check(type: string, pattern: string, flags: string, ks: string[]): Promise<void> {
  const t = await openTable(`${type}:/t`, { host: memoryHost({ '/t': `/${pattern.replaceAll('/', '\\/')}/${flags} result\n` }) });
  for (const d of t.diagnostics) {
    expect(d.message, pattern).not.toMatch(/internal error/);
    // The simulator compiles everything PCRE2 / glibc compile: no give-up at build time.
    expect(d.message, pattern).not.toMatch(/postfix-sim/);
    expect(d.message, pattern).toMatch(new RegExp(`^${type} map /t, line 1: `));
  }
  for (const k of ks) {
    const r = t.lookup(k);
    expect(['found', 'notfound', 'error']).toContain(r.status);
    for (const w of r.warnings ?? []) expect(w.message, `${pattern} on ${JSON.stringify(k)}`).toMatch(new RegExp(`^${type} map /t, line 1: `));
  }
}

describe("table messages are Postfix's", () => {
  it('pcre: any combination of PCRE2 constructs', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...PCRE_ATOMS), { minLength: 1, maxLength: 4 }),
        fc.constantFrom('', 'i', 'x', 'U', 'A', 'm'),
        keys,
        (p, f, ks) => check('pcre', p.join(''), f, ks),
      ),
      { numRuns: 400 },
    );
  });
  it('pcre: no simulator give-up for any of these constructs alone', async () => {
    for (const atom of PCRE_ATOMS) {
      const t = await openTable('pcre:/t', { host: memoryHost({ '/t': `/x${atom}/ r\n` }) });
      for (const d of t.diagnostics) expect(d.message, atom).not.toMatch(/postfix-sim/);
    }
  });
  it('regexp: any combination of POSIX constructs', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...REGEXP_ATOMS), { minLength: 1, maxLength: 5 }), fc.constantFrom('', 'i', 'x', 'm'), keys, (p, f, ks) =>
        check('regexp', p.join(''), f, ks),
      ),
      { numRuns: 400 },
    );
  });
});
