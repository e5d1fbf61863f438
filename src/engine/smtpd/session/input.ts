/*
 * NAME
 *   smtpd/session/input - one client line as smtpd reads it before it looks at the command
 * DESCRIPTION
 *   readRequest() is smtpd_chat_query_limit(): a line of line_length_limit
 *   bytes or more is cut there (the rest is skipped) and smtpd warns
 *   "request longer than". commandText() is what smtpd's command loop
 *   makes of the request next: with smtputf8_enable a line that is not
 *   valid UTF-8 is refused, smtpd_command_filter may replace the whole
 *   line (after leading white space), and the command words are the C
 *   string, which ends at the first NUL byte.
 *
 *   The dialogue is text: bytes that were not valid UTF-8 arrive as
 *   U+FFFD, which is where smtpd sees bad UTF-8.
 * SEE ALSO
 *   smtpd(8), postconf(5) (line_length_limit, smtpd_command_filter, smtputf8_enable)
 */
import { printable } from '../../trace/printable.ts';
import type { SmtpdConfig } from '../restrictions/checker.ts';
import type { Checker } from '../restrictions/checker.ts';
import { recordLookups } from '../restrictions/trace.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** cString - the text up to the first NUL, as C's string functions see it. */
export const cString = (text: string): string => {
  const nul = text.indexOf('\0');
  return nul < 0 ? text : text.slice(0, nul);
};

/** byteLength - the UTF-8 length of `text`. */
export const byteLength = (text: string): number => (/^[\x00-\x7f]*$/.test(text) ? text.length : encoder.encode(text).length);

/** truncateBytes - the first `bytes` bytes of `text` (a character cut in half is dropped). */
function truncateBytes(text: string, bytes: number): string {
  if (/^[\x00-\x7f]*$/.test(text)) return text.slice(0, bytes);
  return decoder.decode(encoder.encode(text).slice(0, bytes)).replace(/\uFFFD$/, '');
}

/** readRequest - the request smtpd reads from `line` (line_length_limit), warning when it is cut. */
export function readRequest(cfg: SmtpdConfig, c: Checker, line: string): string {
  const limit = cfg.int('line_length_limit');
  // smtp_get() stops after `limit` bytes; a line of limit - 1 bytes still fits with its CR.
  if (limit <= 0 || byteLength(line) < limit) return line;
  const cut = truncateBytes(line, limit);
  c.warn(`${c.state.namaddr}: request longer than ${limit}: ${printable(cString(cut), c.smtputf8).slice(0, 30)}...`);
  return cut;
}

/** validUtf8 - the line arrived as valid UTF-8 (a replacement character stands for bytes that were not). */
export const validUtf8 = (line: string): boolean => !line.includes('\uFFFD');

/** What smtpd_command_filter made of a request. */
export type FilterOutcome = { line: string } | { error: true };

/** filterCommand - smtpd_command_filter: the replacement for the whole line, or a lookup error. */
export function filterCommand(cfg: SmtpdConfig, c: Checker, request: string): FilterOutcome {
  const filter = cfg.commandFilter;
  if (!filter) return { line: request };
  const key = cString(request).replace(/^[ \t]+/, '');
  const r = filter.find(key, false);
  // smtpd asks the one table itself (dict_get) and words the lookup error its own way.
  recordLookups(c, r.error ? { ...r, warnings: (r.warnings ?? []).filter((w) => w.message !== r.error!.message) } : r);
  if (r.status === 'found') {
    c.info(`${c.state.namaddr}: replacing command "${cString(request).slice(0, 100)}" with "${r.value!.slice(0, 100)}"`);
    return { line: r.value! };
  }
  if (r.status === 'error') {
    c.warn(`${filter.spec} lookup error for "${printable(cString(request), c.smtputf8).slice(0, 100)}"`);
    return { error: true };
  }
  return { line: request };
}
