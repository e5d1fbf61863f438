/*
 * NAME
 *   missing - the file a "No such file or directory" message is about
 * DESCRIPTION
 *   Postfix names the file it could not open: the source itself
 *   (`open /etc/postfix/x.pcre`, `open file /etc/postfix/list`) or the file
 *   postmap would have built from it (`open database /etc/postfix/access.db`).
 *   For the built file the page offers to create its source, which is what
 *   the simulator reads (and what postmap would build from).
 */
import type { Diagnostic } from '../../../engine/index.ts';

const BUILT = /\.(db|lmdb|cdb|dir|pag)$/;

/** The path to create for a diagnostic about a missing file, unless that file exists. */
export function missingFileOf(d: Diagnostic, exists: (path: string) => boolean): string | undefined {
  const m = /open(?: database| file)? (\/[^\s:]+): No such file or directory/.exec(d.message);
  if (!m) return undefined;
  const built = m[1]!;
  const source = BUILT.test(built) && /open database/.test(d.message) ? built.replace(BUILT, '') : built;
  if (exists(source) || exists(built)) return undefined;
  return source;
}
