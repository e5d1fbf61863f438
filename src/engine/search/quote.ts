/*
 * NAME
 *   quote - RFC 822 local-part quoting (quote_822_local(3))
 * SYNOPSIS
 *   quote822Local(address, { bareLocalpart?, exposeAt? })
 *   unquote822Local(address)
 * DESCRIPTION
 *   Postfix keeps addresses in an internal (unquoted) form and quotes the
 *   local part only where a message or a table key needs the external
 *   form. A local part that is a dot-string stays as it is; anything else
 *   becomes a quoted-string with `"` and `\` escaped. 8-bit text is left
 *   alone when quoting (Postfix's 8BITCLEAN behaviour in table keys is the
 *   default flags' "quote it"; see below). A source route `@a,@b:` before
 *   the local part is never touched.
 * SEE ALSO
 *   RFC 822 section 3.3, mail_addr_find(3)
 */

/** Options of quote822Local (QUOTE_FLAG_*). */
export interface QuoteOptions {
  /** The input is a local part without @domain (QUOTE_FLAG_BARE_LOCALPART). */
  bareLocalpart?: boolean;
  /** Treat 8-bit text as ordinary (QUOTE_FLAG_8BITCLEAN). */
  eightBitClean?: boolean;
}

const SPECIALS = new Set(['(', ')', '<', '>', '@', ',', ';', ':', '\\', '"', '[', ']']);

/** isDotString - true when the local part needs no quoting. */
function isDotString(local: string, eightBitClean: boolean): boolean {
  if (local.length === 0 || local[0] === '.' || local[local.length - 1] === '.') return false;
  for (let i = 0; i < local.length; i++) {
    const c = local[i]!;
    const code = c.charCodeAt(0);
    if (c === '.' && local[i + 1] === '.') return false;
    if (code > 127 && !eightBitClean) return false;
    if (c === ' ' || code < 32 || code === 127 || SPECIALS.has(c)) return false;
  }
  return true;
}

/** routePrefixEnd - where the local part starts after an `@a,@b:` source route. */
function routePrefixEnd(address: string): number {
  if (address[0] !== '@') return 0;
  const colon = address.indexOf(':');
  return colon < 0 ? 0 : colon + 1;
}

/** quote822Local - the external (quoted) form of an internal-form address. */
export function quote822Local(address: string, options: QuoteOptions = {}): string {
  const start = routePrefixEnd(address);
  const at = options.bareLocalpart ? -1 : address.lastIndexOf('@');
  const end = at >= start ? at : address.length;
  const local = address.slice(start, end);
  if (isDotString(local, options.eightBitClean ?? false)) return address;
  let quoted = '"';
  for (const c of local) {
    const code = c.charCodeAt(0);
    if ((code > 127 && !options.eightBitClean) || c === '"' || c === '\\' || c === '\r') quoted += '\\';
    quoted += c;
  }
  return address.slice(0, start) + quoted + '"' + address.slice(end);
}

/** unquote822Local - the internal (unquoted) form of an external-form address. */
export function unquote822Local(address: string): string {
  const start = routePrefixEnd(address);
  let out = address.slice(0, start);
  let inQuote = false;
  let atOut = -1;
  let atIn = -1;
  for (let i = start; i < address.length; i++) {
    let c = address[i]!;
    if (c === '"') {
      inQuote = !inQuote;
      continue;
    }
    if (c === '@') {
      if (!inQuote) {
        atOut = out.length;
        atIn = i;
      }
    } else if (c === '\\') {
      if (i + 1 >= address.length) continue;
      c = address[++i]!;
    }
    out += c;
  }
  // Text after the last unquoted '@' is kept exactly as written.
  return atOut >= 0 ? out.slice(0, atOut) + address.slice(atIn) : out;
}

/**
 * externalForm - an address as Postfix writes it in logs and reports: the
 * local part quoted when it needs to be (`"dd ee"@example.com`), UTF-8 kept,
 * the null address empty. For showing internal-form addresses to people.
 */
export const externalForm = (address: string): string => (address === '' ? '' : quote822Local(address, { eightBitClean: true }));
