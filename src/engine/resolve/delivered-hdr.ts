/*
 * NAME
 *   delivered-hdr - the Delivered-To: addresses of a message (delivered_hdr(3))
 * DESCRIPTION
 *   local(8) reads the message's primary header once per delivery request
 *   and keeps the addresses of its Delivered-To: headers, lower-cased, to
 *   break mail forwarding loops: a recipient that is already listed is
 *   bounced. What counts, as delivered_hdr_init() reads the queue file:
 *   only the primary header (it stops at the first line that is neither a
 *   header nor a continuation line, the empty line included); of each
 *   Delivered-To: header only its first line, after the colon and leading
 *   white space, taken as it is (no unfolding, no trailing white space
 *   removed, no comment or quote parsing); at most 1000 distinct addresses.
 *   A recipient is looked up in external form (quote_822_local), folded
 *   to lower case, exactly as local(8) would write it in a Delivered-To:
 *   header of its own.
 * SEE ALSO
 *   local(8) (Delivered-To:, prepend_delivered_header), postconf(5)
 */
import { quote822Local } from '../search/quote.ts';
import { foldKey } from '../util/casefold.ts';

/** DELIVERED_HDR_LIMIT: no more addresses are read than this. */
const LIMIT = 1000;

/** is_header(): a header name (printable ASCII but `:`), optional blanks, then `:`. */
const HEADER = /^[!-9;-~]+[ \t]*:/;
const NAME = 'delivered-to';

/**
 * deliveredHdrInit - the Delivered-To: addresses of a message whose lines
 * (headers first, as the queue file holds them) are `lines`.
 */
export function deliveredHdrInit(lines: readonly string[]): Set<string> {
  const found = new Set<string>();
  for (const line of lines) {
    if (found.size >= LIMIT) break;
    if (HEADER.test(line)) {
      // header_opts_find() knows the name up to the colon or white space; the value is read
      // from just past `Delivered-To` and one more character, as delivered_hdr_init() does.
      const name = /^[^: \t]*/.exec(line)![0];
      if (foldKey(name) === NAME) found.add(foldKey(line.slice(NAME.length + 1).replace(/^[ \t\r\n\v\f]+/, '')));
    } else if (line !== '' && (line[0] === ' ' || line[0] === '\t')) continue;
    else break;
  }
  return found;
}

/** deliveredHdrFind - is `address` (internal form) already one of the message's Delivered-To: addresses? */
export function deliveredHdrFind(delivered: ReadonlySet<string>, address: string): { key: string; found: boolean } {
  const key = foldKey(quote822Local(address));
  return { key, found: delivered.has(key) };
}
