/*
 * NAME
 *   search/rule-source - the file line of the rule that answered a lookup
 * DESCRIPTION
 *   A lookup's trace names the rule or entry that matched with its line;
 *   for a table that reads a file (`hash:/etc/postfix/access`) that is a
 *   line of that file. Composite tables (unionmap, pipemap, proxy) answer
 *   through their members: the first member with a line names it. smtpd's
 *   and postscreen's traces both point their lookup rows there.
 * SEE ALSO
 *   trace/types.ts (LookupTrace, SourceLine)
 */
import { splitSpec } from '../tables/registry.ts';
import type { LookupTrace, SourceLine } from '../trace/types.ts';

/** ruleSource - the file and line of the rule that answered a lookup (the first member table that has one). */
export function ruleSource(trace: LookupTrace): SourceLine | undefined {
  if (trace.match?.line !== undefined) {
    const spec = splitSpec(trace.table);
    if (!('error' in spec)) return { file: spec.name, line: trace.match.line };
  }
  for (const child of trace.children ?? []) {
    const source = ruleSource(child);
    if (source) return source;
  }
  return undefined;
}
