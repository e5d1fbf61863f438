/*
 * NAME
 *   regex/pcre-syntax - PCRE2 patterns for pcre_table(5)
 * DESCRIPTION
 *   One pass over a PCRE2 pattern (8-bit, no UTF, as Postfix compiles it)
 *   that (1) reports the compile errors people actually make with PCRE2
 *   10.42's message and offset, (2) applies the table flags RE2 and JS
 *   lack (x EXTENDED, U UNGREEDY, A ANCHORED, E DOLLAR_ENDONLY, PCRE's `$`
 *   that also matches before a final newline), and (3) writes the pattern
 *   for re2js and for native RegExp, saying which one it needs. Atomic
 *   groups and possessive quantifiers become JS lookahead + backreference.
 */
import { litChar, quickLiteral, type LiteralPattern, type Prefilter } from './engines.ts';
import { literalShape, PcreError, readClass, readEscape } from './pcre-escape.ts';

export interface PcreOptions {
  caseless: boolean;
  multiline: boolean;
  dotall: boolean;
  extended: boolean;
  anchored: boolean;
  dollarEndOnly: boolean;
  ungreedy: boolean;
}

export type PcreTranslation =
  | {
      ok: true;
      re2: string;
      js: string;
      groupCount: number;
      /** RE2 cannot run it (lookaround, backreference, \Z...). */
      needsJs: boolean;
      /** Has backreferences (which PCRE compares caselessly under `i`). */
      backrefs: boolean;
      /** JS group numbers of the pattern's groups, when helper groups were added. */
      jsGroups?: number[];
      /** A `$` that PCRE also matches before a final newline (re2 form only matches at the end). */
      dollarBeforeNewline: boolean;
      prefilter?: Prefilter;
      literal?: LiteralPattern;
    }
  | { ok: false; offset: number; error: string }
  | { ok: false; unsupported: string };

/** Backtracking control verbs PCRE2 knows (it rejects any other `(*NAME`). */
const VERBS = new Set(['ACCEPT', 'FAIL', 'F', 'COMMIT', 'PRUNE', 'SKIP', 'THEN', 'MARK', '']);

/** translatePcre - the RE2 and JS forms of a PCRE2 pattern, or PCRE2's error. */
export function translatePcre(pattern: string, o: PcreOptions): PcreTranslation {
  const quick = !o.multiline && !o.extended ? quickLiteral(pattern) : undefined;
  if (quick) {
    const text = o.caseless ? quick.text.toLowerCase() : quick.text;
    const end = quick.end && !o.dollarEndOnly;
    const literal = { text, fold: o.caseless, start: quick.start || o.anchored, end: quick.end, endBeforeNewline: end };
    const prefilter = { texts: [text], fold: o.caseless };
    return { ok: true, re2: '', js: '', groupCount: 0, needsJs: false, backrefs: false, dollarBeforeNewline: end, prefilter, literal };
  }
  const p = pattern;
  let i = 0;
  let re2 = '';
  let js = '';
  let needsJs = false;
  let unsupported: string | undefined; // reported only if the pattern is otherwise valid
  let dollarBeforeNewline = false;
  let groups = 0;
  let depth = 0;
  let canRepeat = false; // the last item can take a quantifier
  let itemJs = 0; // where the last item starts in `js`
  let assertionJs = -1; // same, when the last item is a lookaround
  let lit = ''; // literal run at top level, for the prefilter
  let topAlt = false;
  let inlineFlags = false;
  let helpers = 0; // possessive helper groups
  const lits: string[] = [];
  const shape: string[] = []; // top-level items: a literal char, '<^>' '<$>' '<z>', or ''
  const caps: { pos: number; real: boolean }[] = []; // capture groups as they open in `js`
  const refs: { n: number; end: number }[] = [];
  const names = new Set<string>();
  const nameRefs: { name: string; end: number }[] = [];
  const lookbehinds: number[] = []; // offsets of open lookbehinds
  const unsupport = (why: string | undefined): void => void (unsupported ??= why);
  const commit = (): void => {
    if (lit.length >= 2) lits.push(lit);
    lit = '';
  };
  const emit = (a: string, b: string = a, repeatable = true, literal?: string, anchor = ''): void => {
    if (depth === 0) shape.push(literal ?? anchor);
    assertionJs = -1;
    itemJs = js.length;
    re2 += a;
    js += b;
    canRepeat = repeatable;
    if (literal !== undefined && depth === 0) lit += literal;
    else commit();
  };

  /** (?>X) and X*+ as (?=(X))\N: what the lookahead took is never given back. */
  function atomicWrap(suffix: string): void {
    const name = `__atomic${++helpers}`;
    const open = `(?=(?<${name}>`;
    for (const cap of caps) if (cap.pos >= itemJs) cap.pos += open.length;
    caps.push({ pos: itemJs, real: false });
    js = js.slice(0, itemJs) + open + js.slice(itemJs) + suffix + `))\\k<${name}>`;
    needsJs = true;
  }

  function quantifier(): boolean {
    const c = p[i]!;
    let q = c;
    let min = c === '+' ? 1 : 0;
    let max: number | undefined = c === '?' ? 1 : undefined;
    if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(p.slice(i));
      if (!m) return false;
      min = Number(m[1]);
      max = m[3] === undefined ? min : m[3] === '' ? undefined : Number(m[3]);
      const end = i + m[0].length - 1;
      if (min > 65535 || (max ?? 0) > 65535) throw new PcreError(end, 'number too big in {} quantifier');
      if (max !== undefined && max < min) throw new PcreError(end, 'numbers out of order in {} quantifier');
      if (min > 1000 || (max ?? 0) > 1000) needsJs = true;
      q = `{${min},${max ?? ''}}`;
      i += m[0].length - 1;
    } else if (c !== '*' && c !== '+' && c !== '?') return false;
    i++;
    if (!canRepeat) throw new PcreError(i - 1, 'quantifier does not follow a repeatable item');
    const lazy = p[i] === '?';
    const possessive = p[i] === '+';
    if (lazy || possessive) i++;
    canRepeat = false;
    if (assertionJs >= 0) {
      // PCRE2 repeats an assertion at most once: {0,..} makes it optional (a no-op), else it stays.
      if (min === 0) js = js.slice(0, assertionJs);
      assertionJs = -1;
      return true;
    }
    if (lookbehinds.length > 0 && max !== min) throw new PcreError(lookbehinds[lookbehinds.length - 1]!, 'lookbehind assertion is not fixed length');
    const suffix = q + (lazy !== o.ungreedy && !possessive ? '?' : '');
    re2 += suffix;
    if (possessive) atomicWrap(suffix);
    else js += suffix;
    lit = lit.slice(0, -1); // the quantified character is not required
    commit();
    if (depth === 0) shape[shape.length - 1] = '';
    return true;
  }

  function group(): void {
    const open = i++;
    let kind = '(';
    let kindJs = '(';
    let lookbehind = false;
    let capture = true;
    let atomic = false;
    const rest = p.slice(i + 1);
    if (p[i] === '*' && /^[A-Za-z_:]/.test(rest)) {
      const name = /^[A-Za-z_]*/.exec(rest)![0];
      const after = i + 1 + name.length;
      // (*UTF), (*LIMIT_MATCH=n), ... at the start: the backtracking parser reads (and checks) them.
      if (!VERBS.has(name) && /^(?:\(\*[A-Z0-9_=]+\))*$/.test(p.slice(0, open))) throw new Unsupported('a start-of-pattern option');
      if (!VERBS.has(name) || (p[after] !== ')' && p[after] !== ':')) throw new PcreError(after, '(*VERB) not recognized or malformed');
      const end = p.indexOf(')', after);
      if (end < 0) throw new PcreError(p.length, '(*VERB) not recognized or malformed');
      i = end + 1;
      if (p.slice(open, i) === '(*FAIL)' || p.slice(open, i) === '(*F)') {
        needsJs = true;
        return emit('', '(?!)', false);
      }
      return unsupport('a backtracking control verb');
    }
    if (p[i] === '?') {
      capture = false;
      const named = /^(?:P?<([A-Za-z_]\w*)>|'([A-Za-z_]\w*)')/.exec(rest);
      const nameRef = /^P=([A-Za-z_]\w*)\)/.exec(rest);
      const flags = /^([imsU]*(?:-[imsU]*)?)([):])/.exec(rest);
      if (rest.startsWith(':') || rest.startsWith('>') || rest.startsWith('|')) {
        if (rest.startsWith('|')) unsupport('a branch reset group (?|');
        atomic = rest.startsWith('>');
        kind = kindJs = '(?:';
        i += 2;
      } else if (/^(?:=|!|<=|<!)/.test(rest)) {
        const op = rest.startsWith('<') ? rest.slice(0, 2) : rest[0]!;
        needsJs = true;
        lookbehind = op.startsWith('<');
        kind = '(?:';
        kindJs = `(?${op}`;
        i += 1 + op.length;
      } else if (named) {
        const name = named[1] ?? named[2]!;
        if (names.has(name)) throw new PcreError(i + 1 + named[0].length, 'two named subpatterns have the same name (PCRE2_DUPNAMES not set)');
        names.add(name);
        capture = true;
        kind = `(?P<${name}>`;
        kindJs = `(?<${name}>`;
        i += 1 + named[0].length;
      } else if (nameRef) {
        i += 1 + nameRef[0].length;
        nameRefs.push({ name: nameRef[1]!, end: i - 2 });
        needsJs = true;
        return emit('', `\\k<${nameRef[1]}>`);
      } else if (rest.startsWith('#')) {
        const end = p.indexOf(')', i);
        if (end < 0) throw new PcreError(p.length, 'missing ) after (?# comment');
        i = end + 1;
        return;
      } else if ((/^[\^imnsxUJ-]/.test(rest) && !/^[+-]?\d/.test(rest)) || rest.startsWith(')')) {
        // Options RE2 does not know (x changes how the rest is read), or PCRE2's errors in them: the backtracking parser.
        if (!flags) throw new Unsupported('an option setting RE2 does not know');
        const [on, off = ''] = flags[1]!.split('-');
        const set = on! + (off ? `-${off}` : '');
        inlineFlags ||= set !== '';
        i += 1 + flags[0].length;
        if (flags[2] === ')') return emit(set ? `(?${set})` : '', '', false);
        kind = set ? `(?${set}:` : '(?:';
        kindJs = '(?:';
      } else if (/^(?:R|[+-]?\d|&|P>)/.test(rest)) {
        unsupport('a subroutine call or recursion');
        const end = p.indexOf(')', i);
        i = end < 0 ? p.length : end + 1;
        return emit('', '');
      } else if (rest.startsWith('(')) {
        throw new Unsupported('a conditional group (?(');
      } else if (rest.startsWith('C')) {
        throw new Unsupported('a callout (?C');
      } else if (rest === '') {
        throw new PcreError(p.length, 'missing closing parenthesis');
      } else throw new PcreError(i + 1, 'unrecognized character after (? or (?-');
    }
    if (capture) {
      groups++;
      caps.push({ pos: js.length, real: true });
    }
    commit();
    if (depth === 0) shape.push('');
    depth++;
    if (lookbehind) lookbehinds.push(open);
    const start = js.length;
    re2 += kind;
    js += kindJs;
    canRepeat = false;
    sequence();
    if (p[i] !== ')') throw new PcreError(p.length, 'missing closing parenthesis');
    i++;
    depth--;
    if (lookbehind) lookbehinds.pop();
    re2 += ')';
    js += ')';
    canRepeat = true;
    commit();
    itemJs = start;
    assertionJs = /^\(\?(?:=|!|<=|<!)$/.test(kindJs) ? start : -1;
    if (atomic) atomicWrap('');
  }

  function sequence(): void {
    while (i < p.length) {
      const c = p[i]!;
      if (o.extended && /[ \t\n\r\f\v]/.test(c)) i++;
      else if (o.extended && c === '#') {
        const nl = p.indexOf('\n', i);
        i = nl < 0 ? p.length : nl + 1;
      } else if (c === ')') {
        if (depth === 0) throw new PcreError(i, 'unmatched closing parenthesis');
        return;
      } else if (quantifier()) continue;
      else if (c === '|') {
        if (depth === 0) topAlt = true;
        emit('|', '|', false);
        i++;
      } else if (c === '(') group();
      else if (c === '[') {
        const cls = readClass(p, i, groups, o.caseless);
        unsupport(cls.unsupported);
        i = cls.i;
        emit(cls.text);
      } else if (c === '\\' && (p[i + 1] === 'Q' || p[i + 1] === 'E')) {
        const end = p[i + 1] === 'E' ? i : p.indexOf('\\E', i + 2);
        for (const ch of p.slice(i + 2, end < 0 ? p.length : end)) emit(litChar(ch, o.caseless), litChar(ch, o.caseless), true, ch);
        i = end < 0 ? p.length : end + 2;
      } else if (c === '\\') {
        const e = readEscape(p, i, false, groups, o.caseless);
        unsupport(e.unsupported);
        if (e.needsJs) needsJs = true;
        if (e.ref !== undefined) refs.push({ n: e.ref, end: e.i - 1 });
        // Numbered references are resolved at the end, once helper groups are known.
        const jsText = e.ref !== undefined ? `\u0001${e.ref}\u0002` : e.js;
        i = e.i;
        emit(e.re2, jsText, e.repeatable, e.lit);
      } else if (c === '.') {
        emit('.', o.dotall ? '[\\s\\S]' : '[^\\n]', true);
        i++;
      } else if (c === '^') {
        emit('^', o.multiline ? '(?<![^\\n])' : '(?<![\\s\\S])', false, undefined, '<^>');
        i++;
      } else if (c === '$') {
        i++;
        if (o.multiline) emit('$', '(?![^\\n])', false);
        else if (o.dollarEndOnly) emit('\\z', '(?![\\s\\S])', false, undefined, '<z>');
        else {
          dollarBeforeNewline = true;
          emit('$', '(?=\\n?(?![\\s\\S]))', false, undefined, '<$>');
        }
      } else {
        emit(litChar(c, o.caseless), litChar(c, o.caseless), true, c);
        i++;
      }
    }
  }

  try {
    sequence();
    commit();
    for (const r of nameRefs) if (!names.has(r.name)) throw new PcreError(r.end, 'reference to non-existent subpattern');
    for (const r of refs) if (r.n > groups) throw new PcreError(r.end, 'reference to non-existent subpattern');
    if (unsupported) return { ok: false, unsupported };
    if (inlineFlags && needsJs) return { ok: false, unsupported: 'inline options like (?i) together with lookaround or backreferences' };
    const order = caps.map((c, k) => ({ ...c, k })).sort((a, b) => a.pos - b.pos);
    const jsGroups = order.flatMap((c, k) => (c.real ? [k + 1] : []));
    js = js.replace(/\u0001(\d+)\u0002/g, (_, n: string) => `(?:\\${jsGroups[Number(n) - 1]})`);
    if (o.anchored) {
      re2 = `\\A(?:${re2})`;
      js = `(?<![\\s\\S])(?:${js})`;
    }
    const usable = !topAlt && !inlineFlags;
    const texts = lits.map((t) => (o.caseless ? t.toLowerCase() : t)).sort((a, b) => b.length - a.length);
    const prefilter = usable && texts.length > 0 ? { texts, fold: o.caseless } : undefined;
    return {
      ok: true,
      re2,
      js,
      groupCount: groups,
      needsJs,
      backrefs: refs.length + nameRefs.length > 0 || /\\k</.test(js),
      ...(helpers > 0 && { jsGroups }),
      dollarBeforeNewline,
      ...(prefilter && { prefilter }),
      ...(usable && !o.multiline && !needsJs && literalShape(shape, o)),
    };
  } catch (e) {
    if (e instanceof PcreError) return { ok: false, offset: e.offset, error: e.message };
    if (e instanceof Unsupported) return { ok: false, unsupported: e.message };
    throw e;
  }
}

class Unsupported extends Error {}
