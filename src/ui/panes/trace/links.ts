/*
 * NAME
 *   links - which file and line a trace row is about
 * DESCRIPTION
 *   An smtpd event names its file line itself (`source`: the rule that
 *   answered a lookup, the main.cf line of a restriction list or class,
 *   the facts line that answered). A table lookup's trace names the line
 *   of the rule that matched in each member table (`type:/path`). Address
 *   events name a parameter; its main.cf line is looked up in the text.
 */
import type { LookupTrace, SmtpdEvent, SourceLine } from '../../../engine/index.ts';

/** The file line an smtpd event came from, when one decided it. */
export const eventSource = (e: SmtpdEvent): SourceLine | undefined => ('source' in e ? e.source : undefined);

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

/** The line of main.cf (text) that sets `name` (the last one, as Postfix keeps). */
export function parameterLine(mainCf: string, name: string): number | undefined {
  let found: number | undefined;
  mainCf.split('\n').forEach((l, i) => {
    if (new RegExp(`^${name}\\s*=`).test(l)) found = i + 1;
  });
  return found;
}
