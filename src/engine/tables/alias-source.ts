/*
 * NAME
 *   alias-source - the aliases(5) input format, as postalias(1) reads it
 * DESCRIPTION
 *   An alias database is built by postalias (or newaliases), not postmap:
 *   each logical line (continuation lines and comments as in any Postfix
 *   file) is `name: value`. The line is split into RFC 822 tokens; the
 *   name is the tokens before the first colon, stored in internal
 *   (unquoted) form, the value the tokens after it in external (quoted)
 *   form, whitespace normalised. A line without a colon, with nothing
 *   before or after it, or with a comma in the name gets "need name:value
 *   pair"; a name with `@` or `%` gets "name must be local". postalias
 *   then adds `@` = `@` (sendmail's "database complete" signature) and the
 *   NIS entries YP_LAST_MODIFIED and YP_MASTER_NAME (case kept, stored
 *   without a terminating null).
 * SEE ALSO
 *   postalias(1), aliases(5)
 */
import type { Diagnostic } from '../trace/types.ts';
import { readLogicalLines } from '../util/readlline.ts';
import { externalize, internalize, scanTokens } from '../util/tok822.ts';
import { warning } from './driver.ts';
import type { SourceEntry } from './postmap-source.ts';

/** parseAliasSource - the entries postalias stores for aliases(5) text, in file order, with its warnings. */
export function parseAliasSource(text: string, path: string, diagnostics: Diagnostic[]): SourceEntry[] {
  const entries: SourceEntry[] = [];
  for (const { text: line, line: lineno } of readLogicalLines(text, path, diagnostics)) {
    const tokens = scanTokens(line);
    if (tokens.length === 0) continue;
    const colon = tokens.findIndex((t) => t.type === ':');
    const name = tokens.slice(0, colon);
    if (colon <= 0 || colon === tokens.length - 1 || name.some((t) => t.type === ',')) {
      diagnostics.push(warning(`${path}, line ${lineno}: need name:value pair`, path, lineno));
      continue;
    }
    if (name.some((t) => t.type === '@' || t.type === '%')) {
      diagnostics.push(warning(`${path}, line ${lineno}: name must be local`, path, lineno));
      continue;
    }
    entries.push({ key: internalize(name), value: externalize(tokens.slice(colon + 1)), line: lineno });
  }
  return entries;
}

/** The entries postalias appends after the file's own: [key, value, folded, stored with a null]. */
export function aliasSignatures(myhostname: string): { key: string; value: string; fold: boolean; nul?: boolean }[] {
  return [
    { key: '@', value: '@', fold: true },
    // The build time; the simulator has no clock.
    { key: 'YP_LAST_MODIFIED', value: '0000000000', fold: false, nul: false },
    { key: 'YP_MASTER_NAME', value: myhostname, fold: false, nul: false },
  ];
}
