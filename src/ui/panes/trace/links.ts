/*
 * NAME
 *   links - which file and line a trace row is about
 * DESCRIPTION
 *   Through what the trace has today: a lookup's table (`type:/path`) and
 *   the line of the rule that matched; a diagnostic's file and line; an
 *   smtpd stage named after its main.cf parameter. (When the smtpd trace
 *   carries file and line itself, this becomes a field read.)
 */
import type { LookupTrace } from '../../../engine/index.ts';

/** The file a table reads: its name when that is a path (`hash:/etc/postfix/access`). */
export function tablePath(spec: string): string | undefined {
  const name = spec.slice(spec.indexOf(':') + 1);
  if (name.startsWith('/')) return name;
  // proxy:hash:/x
  return name.includes(':') ? tablePath(name) : undefined;
}

/** The file and line a lookup matched, when it matched a line of a file. */
export function lookupLine(t: LookupTrace): { path: string; line: number } | undefined {
  const path = tablePath(t.table);
  return path && t.match?.line !== undefined ? { path, line: t.match.line } : undefined;
}

/** Every file line a lookup and its members matched. */
export function lookupLines(t: LookupTrace | undefined, out: { path: string; line: number }[] = []): { path: string; line: number }[] {
  if (!t) return out;
  const l = lookupLine(t);
  if (l) out.push(l);
  for (const c of t.children ?? []) lookupLines(c, out);
  return out;
}

/** The main.cf parameter an smtpd stage title names (`smtpd_relay_restrictions (Recipient ...)`). */
export function stageParameter(title: string): string | undefined {
  return /^([a-z0-9_]+)\b/.exec(title)?.[1];
}

/** The line of main.cf (text) that sets `name` (the last one, as Postfix keeps). */
export function parameterLine(mainCf: string, name: string): number | undefined {
  let found: number | undefined;
  mainCf.split('\n').forEach((l, i) => {
    if (new RegExp(`^${name}\\s*=`).test(l)) found = i + 1;
  });
  return found;
}
