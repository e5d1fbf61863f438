/*
 * NAME
 *   regex/rule-index - which rules of a big pattern table a key can match
 * DESCRIPTION
 *   Postfix runs every regexp/pcre rule in turn; that is fast in C but not
 *   in JS for thousands of rules. This index answers the same question
 *   without running patterns that cannot match: it only uses what every
 *   match must contain (see Prefilter and LiteralPattern in engines.ts).
 */
import type { CompiledRegex } from './types.ts';

/** The rules to visit for one key, in rule order. */
export interface RuleIndex {
  candidates(key: string, lower: string): readonly number[];
}

/**
 * indexRules - which rules a key can possibly match, so a big table does
 * not run every pattern. `/^literal$/` rules are filed under their text;
 * rules with required literals under the rarest trigram of those. A rule
 * whose entry the key does not hit cannot match and is not run. Rules with
 * neither, and entries given as undefined (negated rules, IF/ENDIF), are
 * always visited. The caller still visits candidates in rule order.
 */
export function indexRules(rules: readonly (CompiledRegex | undefined)[]): RuleIndex {
  const base: number[] = []; // always visited
  // [0]: compared with the lowercased key (i flag), [1]: with the key as is.
  const maps = {
    whole: [new Map<string, number[]>(), new Map<string, number[]>()],
    gram: [new Map<string, number[]>(), new Map<string, number[]>()],
  };
  const file = (map: Map<string, number[]>, k: string, i: number): void => {
    const list = map.get(k);
    if (list) list.push(i);
    else map.set(k, [i]);
  };
  const gramsOf = (t: string): string[] => Array.from({ length: Math.max(0, t.length - 2) }, (_, k) => t.slice(k, k + 3));
  const wanted: { i: number; grams: string[]; fold: boolean }[] = [];
  const freq = new Map<string, number>();
  rules.forEach((re, i) => {
    const lit = re?.literal;
    if (lit?.start && lit.end) return file(maps.whole[lit.fold ? 0 : 1]!, lit.text, i);
    const grams = re?.prefilter?.texts.flatMap(gramsOf) ?? [];
    if (grams.length === 0) {
      base.push(i);
      return;
    }
    for (const g of grams) freq.set(g, (freq.get(g) ?? 0) + 1);
    wanted.push({ i, grams, fold: re!.prefilter!.fold });
  });
  for (const w of wanted) {
    const rarest = w.grams.reduce((a, b) => (freq.get(b)! < freq.get(a)! ? b : a));
    file(maps.gram[w.fold ? 0 : 1]!, rarest, w.i);
  }
  return {
    candidates(key: string, lower: string): readonly number[] {
      const found: number[] = [];
      const hit = (list: number[] | undefined): void => void (list && found.push(...list));
      for (const [n, s] of [lower, key].entries()) {
        const whole = maps.whole[n]!;
        const gram = maps.gram[n]!;
        hit(whole.get(s));
        if (s.endsWith('\n')) hit(whole.get(s.slice(0, -1))); // PCRE `$` before a final newline
        if (gram.size > 0) for (let k = 0; k + 3 <= s.length; k++) hit(gram.get(s.slice(k, k + 3)));
      }
      if (found.length === 0) return base;
      // Rule order, each rule once (a rule can be hit by several trigrams).
      const all = [...new Set([...base, ...found])];
      return all.sort((a, b) => a - b);
    },
  };
}
