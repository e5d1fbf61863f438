/*
 * NAME
 *   expect/judge - compare an expectation with what a configuration did
 * SYNOPSIS
 *   const results = judge(file, expectation, observation);
 * DESCRIPTION
 *   An Observation is what happened, as plain data: the replies of one SMTP
 *   session (greeting first), the final recipients of one address as
 *   sendmail -bv reports them, or the answer of one postmap -q. The
 *   simulator produces observations (expect/check.ts); so can a recording
 *   of real Postfix, which is how the bundled scenarios prove that every
 *   expectation holds on the real program too. judge() is pure: the same
 *   expectation and observation always give the same results.
 *
 *   Replies are matched to the dialogue as the client reads them: one per
 *   command; after a DATA answered with 354, the lines up to the single
 *   dot are the message and get one reply together (smtpd(8)'s reading of
 *   a telnet dialogue).
 * SEE ALSO
 *   expect/format.ts (the file format), expect/check.ts (the simulator's side)
 */
import type { AddressExpectation, AddressKey, Expectation, LookupExpectation, ReplyPattern, SessionExpectation } from './types.ts';
import { ADDRESS_KEYS, DEFAULT_SENDER } from './types.ts';

/** One SMTP session: every reply, the greeting first; `error` says why replies stop (smtpd did not start...). */
export interface SessionObservation {
  kind: 'session';
  replies: string[][];
  error?: string;
}

/** One final recipient: undefined fields were not observed (e.g. a recording's stand-in for smtp(8)). */
export interface FinalObservation {
  to: string;
  orig_to?: string;
  class?: string | null;
  transport?: string;
  nexthop?: string;
  relay?: string;
  dsn?: string;
  status?: string;
  text?: string;
}

/** sendmail -bv for one address; `error` when cleanup did not accept it or Postfix would not start. */
export interface AddressObservation {
  kind: 'address';
  final: FinalObservation[];
  error?: string;
}

/** postmap -q. */
export interface LookupObservation {
  kind: 'lookup';
  status: 'found' | 'notfound' | 'error';
  value?: string;
  error?: string;
}

export type Observation = SessionObservation | AddressObservation | LookupObservation;

/** The verdict on one expectation (one expected reply, one address statement, one lookup). */
export interface CheckResult {
  file: string;
  /** Where in the file: the command's line, or the statement's. */
  line: number;
  kind: 'session' | 'address' | 'lookup' | 'syntax';
  /** What was checked, in a line: `session relay-denied: RCPT TO:<x@example.net>`. */
  name: string;
  pass: boolean;
  /** As the file says it. */
  expected: string;
  /** What happened (several lines for a multi-line reply). */
  got: string;
}

/** globMatch - `*` matches any run of characters; everything else is literal; the whole text must match. */
export function globMatch(pattern: string, text: string): boolean {
  const re = pattern
    .split('*')
    .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('[\\s\\S]*');
  return new RegExp(`^${re}$`).test(text);
}

/** replyMatches - does the reply (all its lines) satisfy the pattern? */
export function replyMatches(pattern: ReplyPattern, reply: readonly string[]): boolean {
  const last = reply[reply.length - 1];
  if (last === undefined || !/^\d{3}/.test(last)) return false;
  for (let i = 0; i < 3; i++) if (pattern.code[i] !== 'x' && pattern.code[i] !== last[i]) return false;
  const dsnOf = (line: string): string | undefined => /^\d{3}[ -]([245]\.\d{1,3}\.\d{1,3})(?: |$)/.exec(line)?.[1];
  if (pattern.dsn !== undefined && dsnOf(last) !== pattern.dsn) return false;
  const text = pattern.text;
  if (text === undefined) return true;
  return reply.some((line) => {
    const after = line.slice(4);
    const dsn = dsnOf(line);
    const bare = dsn === undefined ? after : after.slice(dsn.length).replace(/^ /, '');
    return globMatch(text, bare) || globMatch(text, after);
  });
}

const isData = (line: string): boolean => /^\s*data\s*$/i.test(line);

/** judgeSession - each expected reply against the observed replies, in dialogue order. */
function judgeSession(file: string, s: SessionExpectation, o: SessionObservation): CheckResult[] {
  const results: CheckResult[] = [];
  const show = (reply: readonly string[] | undefined): string =>
    reply && reply.length ? reply.join('\n') : `no reply${o.error ? ` (${o.error})` : ' (the connection was closed)'}`;
  const verdict = (line: number, what: string, expect: ReplyPattern, reply: readonly string[] | undefined): void =>
    void results.push({
      file,
      line,
      kind: 'session',
      name: `session ${s.name}: ${what}`,
      pass: reply !== undefined && replyMatches(expect, reply),
      expected: expect.source,
      got: show(reply),
    });
  if (s.greeting) verdict(s.greeting.line, 'greeting', s.greeting.expect, o.replies[0]);
  let r = 1;
  for (let i = 0; i < s.lines.length; i++) {
    const l = s.lines[i]!;
    const reply = o.replies[r++];
    if (l.expect) verdict(l.line, l.text, l.expect, reply);
    if (!isData(l.text) || reply?.[reply.length - 1]?.slice(0, 3) !== '354') continue;
    // The message: every line up to the single dot goes as one unit with one reply.
    let end = i + 1;
    while (end < s.lines.length && s.lines[end]!.text !== '.') end++;
    if (end >= s.lines.length) break;
    const dot = s.lines[end]!;
    const endReply = o.replies[r++];
    if (dot.expect) verdict(dot.line, 'end of data', dot.expect, endReply);
    i = end;
  }
  return results;
}

/** What an address statement says, as one line. */
function describeAddress(a: AddressExpectation): string {
  const parts: string[] = [];
  if (a.to !== undefined) parts.push(`to=<${a.to}>`);
  if (a.final) parts.push(`final=${a.final.join(',')}`);
  for (const k of ADDRESS_KEYS) {
    const v = a.checks[k];
    if (v === undefined || k === 'text') continue;
    parts.push(k === 'status' && a.checks.text !== undefined ? `status=${v} (${a.checks.text})` : `${k}=${v}`);
  }
  return parts.join(' ');
}

/** What a final recipient is, in the keys an address statement uses. */
function describeFinal(f: FinalObservation, keys: readonly AddressKey[]): string {
  const parts = [`to=<${f.to}>`];
  for (const k of keys) {
    if (k === 'text') continue;
    const v = f[k];
    const shown = v === undefined ? '(not observed)' : v === null ? '(none)' : v;
    parts.push(k === 'status' && keys.includes('text') && f.text !== undefined ? `status=${shown} (${f.text})` : `${k}=${shown}`);
  }
  return parts.join(' ');
}

function judgeAddress(file: string, a: AddressExpectation, o: AddressObservation): CheckResult {
  const name = `address ${a.address}${a.sender !== DEFAULT_SENDER ? ` from=<${a.sender}>` : ''}`;
  const expected = describeAddress(a);
  const keys = ADDRESS_KEYS.filter((k) => a.checks[k] !== undefined);
  const result = (pass: boolean, got: string): CheckResult => ({ file, line: a.line, kind: 'address', name, pass, expected, got });
  if (o.error !== undefined) return result(false, o.error);
  const all = o.final.map((f) => describeFinal(f, keys)).join('\n') || 'no final recipient';
  if (a.final) {
    const want = [...new Set(a.final)].sort();
    const have = [...new Set(o.final.map((f) => f.to))].sort();
    if (want.join('\n') !== have.join('\n')) return result(false, `final=${have.join(',')}`);
  }
  const targets = a.to === undefined ? o.final : o.final.filter((f) => f.to === a.to);
  if (targets.length === 0) return result(keys.length === 0, a.to === undefined ? all : `no final recipient <${a.to}>; got:\n${all}`);
  const holds = (f: FinalObservation, k: AddressKey): boolean => {
    const want = a.checks[k]!;
    const v = f[k];
    if (v === undefined || v === null) return false;
    return k === 'text' ? globMatch(want, v) : v === want;
  };
  const pass = targets.every((f) => keys.every((k) => holds(f, k)));
  return result(pass, targets.map((f) => describeFinal(f, keys)).join('\n'));
}

function judgeLookup(file: string, l: LookupExpectation, o: LookupObservation): CheckResult {
  const got = o.status === 'found' ? (o.value ?? '') : o.status === 'notfound' ? 'not found' : `error: ${o.error ?? 'lookup failed'}`;
  const pass = l.value === undefined ? o.status === 'notfound' : o.status === 'found' && o.value === l.value;
  return {
    file,
    line: l.line,
    kind: 'lookup',
    name: `lookup ${l.noFold ? '-f ' : ''}${l.map} ${l.key}`,
    pass,
    expected: l.value ?? 'not found',
    got,
  };
}

/** judge - the results of one expectation against what was observed (of the same kind). */
export function judge(file: string, e: Expectation, o: Observation): CheckResult[] {
  if (e.kind === 'session' && o.kind === 'session') return judgeSession(file, e, o);
  if (e.kind === 'address' && o.kind === 'address') return [judgeAddress(file, e, o)];
  if (e.kind === 'lookup' && o.kind === 'lookup') return [judgeLookup(file, e, o)];
  return [{ file, line: e.line, kind: e.kind, name: e.kind, pass: false, expected: e.kind, got: `an observation of a ${o.kind}` }];
}
