/*
 * NAME
 *   regex/pcre-match - a backtracking matcher with PCRE2's match limit
 * SYNOPSIS
 *   compileBacktrack(pattern, flags, anchored)
 * DESCRIPTION
 *   Runs a parsed PCRE2 pattern (pcre-parse.ts) the way pcre2_match()'s
 *   interpreter does: leftmost match, trying alternatives in order and
 *   backtracking, with captures, lookaround, atomic groups, recursion,
 *   conditions and the backtracking control verbs. It counts its steps:
 *   past PCRE2's default match limit (10,000,000, or a smaller
 *   (*LIMIT_MATCH=n)) it gives up with PCRE2's "match limit exceeded",
 *   which Postfix logs and then treats the rule as not matching. So a
 *   catastrophic pattern ends deterministically, under Node and in the
 *   browser alike, where RegExp would run for minutes.
 *
 *   Errors at match time are thrown as MatchError with PCRE2's message:
 *   "match limit exceeded", "UTF-8 error: ..." (a subject that is not
 *   UTF-8 under (*UTF)), "nested recursion at the same subject position".
 * SEE ALSO
 *   pcre2api(3) pcre2_set_match_limit, pcre2matching(3)
 */
import type { Node, ParsedPattern, PcreFlags } from './pcre-parse.ts';
import { parsePcre } from './pcre-parse.ts';
import { toBinary } from '../../util/bytes.ts';

/** PCRE2's default match limit (MATCH_LIMIT). */
export const MATCH_LIMIT = 10_000_000;

/** A matching error; `message` is PCRE2's (pcre2_get_error_message). */
export class MatchError extends Error {}

class Commit {}
class Prune {}
class Skip {
  constructor(readonly pos: number) {}
}
class Then {}
class Accept {
  constructor(readonly pos: number) {}
}

const isWordUnit = (c: number | undefined): boolean => c !== undefined && ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95);

/** utf8Units - the code points of a byte string (one char per byte), or PCRE2's UTF-8 error. */
function utf8Units(bin: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < bin.length;) {
    const b = bin.charCodeAt(i);
    if (b < 0x80) {
      out.push(b);
      i++;
      continue;
    }
    if (b < 0xc0) throw new MatchError('UTF-8 error: isolated byte with 0x80 bit set');
    if (b >= 0xfe) throw new MatchError('UTF-8 error: illegal byte (0xfe or 0xff)');
    const n = b < 0xe0 ? 1 : b < 0xf0 ? 2 : b < 0xf8 ? 3 : b < 0xfc ? 4 : 5;
    const missing = i + n - (bin.length - 1);
    if (missing > 0) throw new MatchError(`UTF-8 error: ${missing} byte${missing > 1 ? 's' : ''} missing at end`);
    let c = b & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const x = bin.charCodeAt(i + k);
      if ((x & 0xc0) !== 0x80) throw new MatchError(`UTF-8 error: byte ${k + 1} top bits not 0x80`);
      c = (c << 6) | (x & 0x3f);
    }
    out.push(c);
    i += n + 1;
  }
  return out;
}

interface Run {
  s: number[];
  caps: number[];
  keep: number;
  steps: number;
  limit: number;
  start: number;
  calls: number[]; // "group@pos" of the recursions in progress, as numbers
  inRecursion: number[];
}

/** A compiled pattern: exec() gives the groups of the leftmost match (strings of the input's characters) or null. */
export interface Backtracker {
  groupCount: number;
  exec(input: string): (string | undefined)[] | null;
}

/**
 * compileBacktrack - parse `pattern` (one character per byte) with the
 * table's flags; throws PcreError for a pattern PCRE2 would refuse.
 */
export function compileBacktrack(pattern: string, flags: PcreFlags, anchored: boolean): Backtracker {
  const parsed: ParsedPattern = parsePcre(pattern, flags);
  const limit = Math.min(MATCH_LIMIT, parsed.limitMatch ?? MATCH_LIMIT);

  function m(r: Run, n: Node, pos: number, k: (pos: number) => boolean): boolean {
    if (++r.steps > limit) throw new MatchError('match limit exceeded');
    const s = r.s;
    switch (n.t) {
      case 'empty':
        return k(pos);
      case 'set':
        return pos < s.length && n.set.has(s[pos]!) && k(pos + 1);
      case 'seq': {
        const items = n.items;
        const step = (idx: number, p: number): boolean => (idx === items.length ? k(p) : m(r, items[idx]!, p, (q) => step(idx + 1, q)));
        return step(0, pos);
      }
      case 'alt':
        for (const a of n.alts) {
          try {
            if (m(r, a, pos, k)) return true;
          } catch (e) {
            if (!(e instanceof Then)) throw e;
          }
        }
        return false;
      case 'group': {
        const i = 2 * n.n;
        const [os, oe] = [r.caps[i]!, r.caps[i + 1]!];
        const ok = m(r, n.body, pos, (e) => {
          const [ps, pe] = [r.caps[i]!, r.caps[i + 1]!];
          r.caps[i] = pos;
          r.caps[i + 1] = e;
          if (k(e)) return true;
          r.caps[i] = ps;
          r.caps[i + 1] = pe;
          return false;
        });
        if (!ok) {
          r.caps[i] = os;
          r.caps[i + 1] = oe;
        }
        return ok;
      }
      case 'atomic': {
        let end = -1;
        const saved = r.caps.slice();
        if (!once(r, n.body, pos, (e) => ((end = e), true))) return false;
        if (k(end)) return true;
        r.caps = saved;
        return false;
      }
      case 'look': {
        const saved = r.caps.slice();
        let found = false;
        for (let a = 0; a < n.alts.length && !found; a++) {
          const from = n.behind ? pos - n.widths[a]! : pos;
          if (from < 0) continue;
          found = once(r, n.alts[a]!, from, (e) => !n.behind || e === pos);
        }
        if (found === n.neg) {
          r.caps = saved;
          return false;
        }
        if (n.neg) r.caps = saved;
        if (k(pos)) return true;
        r.caps = saved;
        return false;
      }
      case 'rep':
        return repeat(r, n, pos, k);
      case 'assert':
        if (!assertion(r, n.kind, pos)) return false;
        return k(pos);
      case 'backref': {
        for (const g of n.refs) {
          const [a, b] = [r.caps[2 * g], r.caps[2 * g + 1]];
          if (a === undefined || a < 0 || b === undefined) continue;
          const len = b - a;
          if (pos + len > s.length) return false;
          for (let x = 0; x < len; x++) {
            const u = s[a + x]!;
            const v = s[pos + x]!;
            if (u !== v && !(n.caseless && fold(u) === fold(v))) return false;
          }
          return k(pos + len);
        }
        return false; // an unset group matches nothing
      }
      case 'call': {
        const target = parsed.groups[n.n];
        if (!target) return false;
        const key = n.n * 1_000_003 + pos;
        if (r.calls.includes(key)) throw new MatchError('nested recursion at the same subject position');
        const saved = r.caps.slice();
        r.calls.push(key);
        r.inRecursion.push(n.n);
        const body = target.t === 'group' ? target.body : target;
        let ok: boolean;
        try {
          ok = m(r, body, pos, (e) => {
            // Captures set inside the call are not kept after it.
            const inner = r.caps;
            r.caps = saved.slice();
            r.calls.pop();
            const g = r.inRecursion.pop()!;
            if (k(e)) return true;
            r.calls.push(key);
            r.inRecursion.push(g);
            r.caps = inner;
            return false;
          });
        } finally {
          if (r.calls.at(-1) === key) {
            r.calls.pop();
            r.inRecursion.pop();
          }
        }
        if (!ok) r.caps = saved;
        return ok;
      }
      case 'cond': {
        let yes: boolean;
        const c = n.cond;
        if (c.kind === 'group') yes = c.refs.some((g) => (r.caps[2 * g] ?? -1) >= 0);
        else if (c.kind === 'recursion') yes = c.n === null ? r.inRecursion.length > 0 : r.inRecursion.at(-1) === c.n;
        else if (c.kind === 'define') yes = false;
        else if (c.kind === 'version') yes = c.yes;
        else yes = m(r, c.node, pos, () => true);
        if (yes) return m(r, n.yes, pos, k);
        return n.no ? m(r, n.no, pos, k) : c.kind === 'define' ? k(pos) : k(pos);
      }
      case 'verb':
        switch (n.verb) {
          case 'FAIL':
            return false;
          case 'ACCEPT':
            throw new Accept(pos);
          case 'MARK':
            return k(pos);
          case 'COMMIT':
            if (k(pos)) return true;
            throw new Commit();
          case 'PRUNE':
            if (k(pos)) return true;
            throw new Prune();
          case 'SKIP':
            if (k(pos)) return true;
            throw new Skip(pos);
          case 'THEN':
            if (k(pos)) return true;
            throw new Then();
        }
        return false;
      case 'keep': {
        const old = r.keep;
        r.keep = pos;
        if (k(pos)) return true;
        r.keep = old;
        return false;
      }
      case 'newline': {
        if (pos < s.length - 1 && s[pos] === 13 && s[pos + 1] === 10) return k(pos + 2);
        const c = s[pos];
        return c !== undefined && (c === 10 || c === 11 || c === 12 || c === 13 || c === 0x85) && k(pos + 1);
      }
      case 'cluster':
        if (pos >= s.length) return false;
        if (s[pos] === 13 && s[pos + 1] === 10) return k(pos + 2);
        return k(pos + 1);
    }
  }

  /** once - the first way `n` matches at `pos` (no backtracking into it afterwards). */
  function once(r: Run, n: Node, pos: number, k: (pos: number) => boolean): boolean {
    try {
      return m(r, n, pos, k);
    } catch (e) {
      if (e instanceof Accept) return k(e.pos);
      throw e;
    }
  }

  const fold = (c: number): number => (c >= 65 && c <= 90 ? c + 32 : c);

  function assertion(r: Run, kind: string, pos: number): boolean {
    const s = r.s;
    switch (kind) {
      case 'begin':
        return pos === 0;
      case 'end':
        return pos === s.length;
      case 'endnl':
        return pos === s.length || (pos === s.length - 1 && s[pos] === 10);
      case 'bol':
        return pos === 0 || (s[pos - 1] === 10 && pos < s.length + 1);
      case 'eol':
        return pos === s.length || s[pos] === 10;
      case 'wordb':
        return isWordUnit(s[pos - 1]) !== isWordUnit(s[pos]);
      case 'nwordb':
        return isWordUnit(s[pos - 1]) === isWordUnit(s[pos]);
      case 'start':
        return pos === r.start;
    }
    return false;
  }

  function repeat(r: Run, n: Node & { t: 'rep' }, pos: number, k: (pos: number) => boolean): boolean {
    const { min, max, mode, body } = n;
    if (body.t === 'set') {
      // One unit at a time: no recursion per repetition.
      let count = 0;
      while (count < max && pos + count < r.s.length && body.set.has(r.s[pos + count]!)) count++;
      if (count < min) return false;
      r.steps += count;
      if (mode === 'possessive') return k(pos + count);
      if (mode === 'greedy') {
        for (let c = count; c >= min; c--) if (k(pos + c)) return true;
        return false;
      }
      for (let c = min; c <= count; c++) if (k(pos + c)) return true;
      return false;
    }
    if (mode === 'possessive') return m(r, { t: 'atomic', body: { ...n, mode: 'greedy' } }, pos, k);
    const iterate = (count: number, p: number): boolean => {
      if (++r.steps > limit) throw new MatchError('match limit exceeded');
      const more = (): boolean =>
        count < max &&
        m(r, body, p, (q) => {
          // An iteration that matches the empty string ends the repetition.
          if (q === p && count >= min) return false;
          return iterate(count + 1, q);
        });
      if (mode === 'greedy') return more() || (count >= min && k(p));
      return (count >= min && k(p)) || more();
    };
    return iterate(0, pos);
  }

  return {
    groupCount: parsed.groupCount,
    exec(input: string): (string | undefined)[] | null {
      const s = parsed.utf ? utf8Units(input) : Array.from(input, (c) => c.charCodeAt(0));
      const r: Run = { s, caps: [], keep: -1, steps: 0, limit, start: 0, calls: [], inRecursion: [] };
      for (let start = 0; start <= s.length;) {
        r.caps = new Array(2 * (parsed.groupCount + 1)).fill(-1);
        r.keep = -1;
        r.start = start;
        let end = -1;
        let next = start + 1;
        try {
          const k = (e: number): boolean => {
            if ((parsed.notEmpty || (parsed.notEmptyAtStart && start === 0)) && e === start) return false;
            end = e;
            return true;
          };
          if (!once(r, parsed.root, start, k)) end = -1;
        } catch (e) {
          if (e instanceof Commit) return null;
          if (e instanceof Skip) next = e.pos > start ? e.pos : start + 1;
          else if (e instanceof Prune || e instanceof Then) end = -1;
          else if (e instanceof RangeError) throw new MatchError('match limit exceeded');
          else throw e;
        }
        if (end >= 0) {
          // Groups in the input's form: one character per byte (code points back to UTF-8 under (*UTF)).
          const text = (a: number, b: number): string => (parsed.utf ? toBinary(String.fromCodePoint(...s.slice(a, b))) : input.slice(a, b));
          const out: (string | undefined)[] = [text(r.keep >= 0 ? r.keep : start, end)];
          for (let g = 1; g <= parsed.groupCount; g++) {
            const [a, b] = [r.caps[2 * g]!, r.caps[2 * g + 1]!];
            out.push(a >= 0 && b >= 0 ? text(a, b) : undefined);
          }
          return out;
        }
        if (anchored) return null;
        start = next;
      }
      return null;
    },
  };
}
