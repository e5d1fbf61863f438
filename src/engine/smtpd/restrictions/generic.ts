/*
 * NAME
 *   smtpd/restrictions/generic - evaluate one restriction list (generic_checks)
 * DESCRIPTION
 *   Walks a list in order: `warn_if_reject` applies to the next
 *   restriction, a bare `type:table` means the stage's default access
 *   check, a name found in the restriction table runs its handler (after
 *   its argument is checked and taken from the list), any other name must
 *   be a restriction class, which is evaluated in turn. The first OK or
 *   REJECT ends the list (as does having both deferred decisions raised,
 *   or DISCARD). An unknown name is a server configuration error, as in
 *   Postfix. Every restriction is recorded as a trace event with its verdict.
 * SEE ALSO
 *   postconf(5) (smtpd_*_restrictions, smtpd_restriction_classes), access(5)
 */
import type { CheckVerdict, SmtpdEventOf } from '../../trace/types.ts';
import type { Checker } from './checker.ts';
import { RESTRICTIONS } from './index.ts';
import { CHECK_DUNNO, CheckAbort, SmtpdCrash, rejectDictRetry, rejectServerError, verdictOf } from './reject.ts';
import type { ArgumentKind } from './types.ts';

/** The access restrictions a bare `type:table` can stand for, in Postfix's warning. */
const ACCESS_RESTRICTIONS =
  'check_client_access, check_reverse_client_hostname_access, check_helo_access, check_sender_access, check_recipient_access, check_etrn_access';

/** argumentOk - is `arg` what the restriction needs? A bad one is a server configuration error, a missing domain a warning. */
function argumentOk(c: Checker, name: string, kind: ArgumentKind, arg: string | undefined): arg is string {
  switch (kind) {
    case 'table':
      if (arg !== undefined && arg.includes(':')) return true;
      c.warn(`restriction ${name}: bad argument "${arg ?? ''}": need maptype:mapname`);
      return rejectServerError(c);
    case 'server':
      if (arg !== undefined && arg.includes(':')) return true;
      c.warn(`restriction ${name} must be followed by transport:server`);
      return rejectServerError(c);
    case 'number':
      if (arg !== undefined && /^\d+$/.test(arg)) return true;
      c.warn(`restriction ${name} must be followed by number`);
      return rejectServerError(c);
    case 'domain':
      if (arg !== undefined) return true;
      c.warn(`restriction ${name} requires domain name argument`);
      return false;
  }
}

/** The status of one restriction, and how many list elements its argument took. */
interface Outcome {
  status: number;
  consumed: number;
}

/** evaluate - one restriction `name`, its argument (if any) at `list[argAt]`. */
function evaluate(
  c: Checker,
  node: SmtpdEventOf<'restriction'>,
  list: readonly string[],
  argAt: number,
  replyName: string,
  replyClass: string,
  defAcl: string | undefined,
): Outcome {
  const name = node.name;
  const lower = name.toLowerCase();
  const entry = RESTRICTIONS.get(lower);
  if (entry) {
    let arg = '';
    if (entry.arg) {
      const next = list[argAt];
      if (!argumentOk(c, lower, entry.arg, next)) return { status: CHECK_DUNNO, consumed: 0 };
      arg = node.arg = next;
    }
    const consumed = entry.arg ? 1 : 0;
    return { status: entry.check(c, { name, arg, following: list[argAt + consumed], replyName, replyClass, defAcl }), consumed };
  }
  const cls = c.cfg.classes.get(name);
  if (cls) {
    const s = c.state;
    // A class that reaches itself with no access table answer in between evaluates the same
    // list again from the start: smtpd recurses until it runs out of stack (Postfix has no limit).
    let again: { name: string; tables: number } | undefined;
    for (const e of s.classPath) if (e.name === name) again = e;
    if (again && again.tables === s.tableLists && !s.discard && !(s.deferIfPermit.active && s.deferIfReject.active))
      throw new SmtpdCrash(
        `restriction class ${name} reaches itself: ${[...s.classPath.slice(s.classPath.indexOf(again)).map((e) => e.name), name].join(' -> ')}`,
      );
    const source = c.tracing ? c.cfg.params.dynamic.source(name) : undefined;
    const node: SmtpdEventOf<'class'> = { kind: 'class', name, restrictions: cls, ...(source && { source }) };
    s.classPath.push({ name, tables: s.tableLists });
    c.enter(node);
    try {
      return { status: genericChecks(c, cls, replyName, replyClass, defAcl), consumed: 0 };
    } finally {
      c.leave(node);
      s.classPath.pop();
    }
  }
  c.warn(`unknown smtpd restriction: "${name}"`);
  return rejectServerError(c);
}

/** genericChecks - evaluate `restrictions` for `replyName` of `replyClass`. */
export function genericChecks(c: Checker, restrictions: readonly string[], replyName: string, replyClass: string, defAcl: string | undefined): number {
  const s = c.state;
  const savedRecursion = s.recursion++;
  let status = CHECK_DUNNO;
  try {
    for (let i = 0; i < restrictions.length; i++) {
      if (s.discard) break;
      const written = restrictions[i]!;
      if (written.toLowerCase() === 'warn_if_reject') {
        if (s.warnIfReject === 0) s.warnIfReject = s.recursion;
        c.step({ kind: 'restriction', name: written });
        continue;
      }
      // A bare `type:table` is the stage's default access check, the table its argument (Postfix rewinds to it).
      const bare = written.includes(':');
      if (bare && defAcl === undefined) {
        c.warn(`specify one of (${ACCESS_RESTRICTIONS}) before ${replyClass} restriction "${written}"`);
        rejectServerError(c);
      }
      const node: SmtpdEventOf<'restriction'> = { kind: 'restriction', name: bare ? defAcl! : written };
      if (bare) node.bare = true;
      if (s.warnIfReject > 0) node.warnIfReject = true;
      c.enter(node);
      try {
        const outcome = evaluate(c, node, restrictions, bare ? i : i + 1, replyName, replyClass, defAcl);
        status = outcome.status;
        if (!bare) i += outcome.consumed;
        if (status < 0) {
          if (status === -2) rejectDictRetry(c, replyName);
          rejectServerError(c);
        }
      } catch (e) {
        if (e instanceof CheckAbort) setVerdict(c, node, e.status);
        throw e;
      } finally {
        c.leave(node);
      }
      setVerdict(c, node, status);
      if (s.warnIfReject >= s.recursion) s.warnIfReject = 0;
      if (status !== 0) break;
      if (s.deferIfPermit.active && s.deferIfReject.active) break;
    }
  } finally {
    s.recursion = savedRecursion;
  }
  if (s.warnIfReject >= s.recursion) s.warnIfReject = 0;
  return status;
}

/** setVerdict - a restriction's (or stage's) verdict, and the reply of a rejection. */
export function setVerdict(c: Checker, node: { verdict?: CheckVerdict; reply?: string }, status: number): void {
  if (!c.tracing) return;
  const verdict = verdictOf(status);
  node.verdict = verdict;
  if (verdict === 'REJECT') node.reply = c.state.errorText;
}
