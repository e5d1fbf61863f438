#!/usr/bin/env node
/*
 * NAME
 *   generate-pattern-samples - the inputs of the pattern-sample lookup groups
 * SYNOPSIS
 *   node scripts/golden/generate-pattern-samples.mjs [--check]
 * DESCRIPTION
 *   Writes rules, keys and queries of tests/golden/lookups/{pcre-constructs,
 *   pcre-constructs-more,regexp-constructs}: deterministic random combinations
 *   of PCRE2 / POSIX constructs (valid and invalid ones), each rule tried on a
 *   few keys. They are inputs, not recordings: `npm run golden:record -- GROUP`
 *   records what real Postfix answers. With --check, only compares (exit 1 on
 *   a difference).
 */
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('../../tests/golden/lookups/', import.meta.url).pathname;

const PCRE_ATOMS = [
  'a',
  'b',
  '.',
  '\\d',
  '\\w',
  '\\s',
  '\\b',
  '\\B',
  '\\A',
  '\\z',
  '\\Z',
  '\\G',
  '\\K',
  '\\R',
  '\\h',
  '\\v',
  '\\X',
  '\\C',
  '\\N',
  '\\p{L}',
  '\\P{Lu}',
  '\\x41',
  '\\x{41}',
  '\\o{101}',
  '\\101',
  '\\cA',
  '\\e',
  '\\Q.*\\E',
  '[a-z]',
  '[[:alpha:]]',
  '[^a]',
  '[\\d-z]',
  '(a)',
  '(?:a)',
  '(?<n>a)',
  '\\1',
  '\\g{-1}',
  '\\k<n>',
  '(?=a)',
  '(?!a)',
  '(?<=a)',
  '(?<!a)',
  '(?>a*)',
  '(?|(a)|(b))',
  '(?i)',
  '(?-i)',
  '(?s)',
  '(?m)',
  '(?x)',
  '(?U)',
  '(?1)',
  '(?(1)a|b)',
  '(?(?=a)a|b)',
  '(?#c)',
  '(*FAIL)',
  '(*ACCEPT)',
  '(*COMMIT)',
  '(*PRUNE)',
  '(*SKIP)',
  '(*THEN)',
  'a*',
  'a+?',
  'a*+',
  'a{2,}',
  'a{,3}',
  'a{2}+',
  '^',
  '$',
  '|',
  ')',
  '(',
  '[',
  '{',
];

const PCRE_MORE_ATOMS = [
  ' ',
  '\\D',
  '\\W',
  '\\S',
  '\\H',
  '\\V',
  '\\p{Lu}',
  '\\p{Xan}',
  '\\p{^L}',
  '\\pL',
  '\\p{Greek}',
  '\\p{Bogus}',
  '\\N{U+41}',
  '\\x{100}',
  '\\o{777}',
  '\\0',
  '\\00',
  '\\08',
  '\\c',
  '\\c1',
  '\\u0041',
  '\\L',
  '\\l',
  '\\U',
  '(?n)',
  '(?xx)',
  '(?J)',
  '(?^i)',
  '(?i-s)',
  '(?-)',
  '(?',
  '(?P<n>a)',
  '(?<n>b)',
  "(?'n'a)",
  '(?P=n)',
  '(?&n)',
  '(?P>n)',
  '(?R)',
  '(?+1)',
  '\\g{+1}',
  '\\g{n}',
  '\\g<n>',
  '[[:^alpha:]]',
  '[[:word:]]',
  '[[:bogus:]]',
  '[[.a.]]',
  '[[=a=]]',
  '[a-\\d]',
  '[\\w-.]',
  '[z-a]',
  '[]a]',
  '[^]a]',
  '[\\Qa-\\E]',
  '\\Q',
  '\\E',
  '(*UTF)',
  '(*UCP)',
  '(*LIMIT_MATCH=5)',
  '(*CR)',
  '(*ANY)',
  '(*NO_START_OPT)',
  '(*MARK:x)',
  '(*:x)',
  '(*BOGUS)',
  '(?C)',
  '(?C1)',
  '(?C"x")',
  '(?|(a)|(b)(c))',
  '(?(DEFINE)(a))',
  '(?(R)a)',
  '(?(?!a)b)',
  '(?(VERSION>=10)a)',
  'a{2,1}',
  'a{99999}',
  'a{,}',
  'a{1,2}?',
  '?',
  '*',
  '+',
  '**',
  'a++',
  '(?<=a+)',
  '(?<=ab|c)',
  '(?<!\\d{2})',
  '(a)*',
  '\\2',
  '\\10',
  '\\11',
  '\\g1',
  '\\k{n}',
  "\\k'n'",
  '\\ca',
  '\\f',
  '\\a',
  '(?#',
  '(?#x)',
  '\\',
];

const REGEXP_ATOMS = [
  'a',
  'b',
  '.',
  '\\.',
  '[a-z]',
  '[[:alpha:]]',
  '[[:bogus:]]',
  '[[.a.]]',
  '[[=a=]]',
  '[^a]',
  '[]a]',
  '[z-a]',
  '[a-]',
  '(a)',
  '(',
  ')',
  '|',
  '||',
  '()',
  '\\1',
  '\\2',
  '\\(',
  '*',
  '+',
  '?',
  '{',
  '}',
  'a{2}',
  'a{2,}',
  'a{,2}',
  'a{3,1}',
  'a{99999}',
  '^',
  '$',
  '\\w',
  '\\W',
  '\\s',
  '\\S',
  '\\b',
  '\\B',
  '\\<',
  '\\>',
  '\\`',
  "\\'",
  '\\d',
  '\\n',
  '\\',
  '[',
  ']',
  'a**',
  'a+?',
  '(?:a)',
  '(?i)',
  '\\x41',
  'é',
];

const KEYS = ['a', 'ab', 'aab', 'aaa', 'b', 'A', '(a)', '1 b', 'abc', 'Aa', 'x\r\ny'];
const MORE_KEYS = ['a', 'ab', 'aab', 'a b', 'b', 'A', '(a)', '1 b', 'abc', 'Aa', 'x', 'Ā', 'é', '10', '\x01'];

/**
 * A linear congruential generator: the same sample on every machine.
 * @param {number} seed
 * @returns {(n: number) => number}
 */
function random(seed) {
  return (n) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
}

/**
 * @param {{ seed: number; count: number; atoms: string[]; maxAtoms: number; flags?: string[] }} spec
 * @returns {string}
 */
function sample({ seed, count, atoms, maxAtoms, flags }) {
  const rnd = random(seed);
  /** @type {string[]} */
  const lines = [];
  for (let i = 0; i < count; i++) {
    const len = 1 + rnd(maxAtoms);
    let p = '';
    for (let k = 0; k < len; k++) p += atoms[rnd(atoms.length)];
    const f = flags ? flags[rnd(flags.length)] : '';
    lines.push(`/^${i}:${p.replaceAll('/', '\\/')}/${f} r${i}`);
  }
  return lines.join('\n') + '\n';
}

const keysFor = (/** @type {number} */ count, /** @type {string[]} */ keys) =>
  Array.from({ length: count }, (_, i) => keys.map((k) => `${i}:${k}\n`).join('')).join('');

const GROUPS = [
  {
    group: 'pcre-constructs',
    file: 'rules.pcre',
    rules: sample({ seed: 12345, count: 120, atoms: PCRE_ATOMS, maxAtoms: 4 }),
    keys: keysFor(120, KEYS),
    what: 'PCRE2 construct combinations',
    map: 'pcre',
  },
  {
    group: 'pcre-constructs-more',
    file: 'rules.pcre',
    rules: sample({ seed: 3, count: 300, atoms: [...PCRE_ATOMS, ...PCRE_MORE_ATOMS], maxAtoms: 7, flags: ['', 'i', 'x', 'm', 's', 'U', 'X', 'A', 'E'] }),
    keys: keysFor(300, MORE_KEYS),
    what: 'PCRE2 construct combinations with pcre_table flags (errors, options, callouts, escapes)',
    map: 'pcre',
  },
  {
    group: 'regexp-constructs',
    file: 'rules.regexp',
    rules: sample({ seed: 1, count: 300, atoms: REGEXP_ATOMS, maxAtoms: 5, flags: ['', 'i', 'x', 'm'] }),
    keys: keysFor(300, MORE_KEYS),
    what: 'POSIX (glibc) construct combinations with regexp_table flags',
    map: 'regexp',
  },
];

const check = process.argv.includes('--check');
let differs = false;
for (const g of GROUPS) {
  const dir = join(ROOT, g.group);
  const files = {
    [g.file]: g.rules,
    keys: g.keys,
    queries: `# A deterministic sample of ${g.what} (scripts/golden/generate-pattern-samples.mjs): each rule against keys\nbatch\t\t${g.map}:/etc/postfix/${g.file}\tkeys\n`,
  };
  for (const [name, text] of Object.entries(files)) {
    const path = join(dir, name);
    const old = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
    if (old === text) continue;
    differs = true;
    if (check) console.error(`${g.group}/${name} differs from the generator's`);
    else {
      mkdirSync(dir, { recursive: true });
      writeFileSync(path, text);
      console.log(`wrote ${g.group}/${name}`);
    }
  }
}
if (check && differs) process.exit(1);
