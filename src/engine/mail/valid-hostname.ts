/*
 * NAME
 *   mail/valid-hostname - the syntax checks Postfix applies to host names and addresses
 * DESCRIPTION
 *   valid_hostname(3) as smtpd, trivial-rewrite and the access checks use it:
 *   labels of letters, digits, `_` and inner `-`, at most 63 octets each and
 *   255 in all, not all-numeric; IPv4 dotted quads (0.x.y.z only as 0.0.0.0)
 *   and IPv6 in the eight-field or `::` forms, with an optional IPv4 tail.
 */

const LABEL_MAX = 63;
const NAME_MAX = 255;
const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isAlnum = (c: string): boolean => isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');

/** What is wrong with a host name, in the order valid_hostname(3) finds it. */
type Fault = 'empty' | 'label' | 'wildcard' | 'delimiter' | 'hyphen' | 'character' | 'numeric' | 'length';

/** The index of the character a 'character' fault names. */
let faultAt = 0;

/** hostnameFault - valid_hostname(3)'s scan: undefined for a valid name, else the first fault. */
function hostnameFault(name: string, wildcard: boolean): Fault | undefined {
  if (name === '') return 'empty';
  let labelLength = 0;
  let labelCount = 0;
  let nonNumeric = false;
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!;
    const next = name[i + 1];
    if (isAlnum(c) || c === '_') {
      if (labelLength === 0) labelCount++;
      if (++labelLength > LABEL_MAX) return 'label';
      if (!isDigit(c)) nonNumeric = true;
    } else if (wildcard && c === '*') {
      if (labelLength || labelCount || (next !== undefined && next !== '.')) return 'wildcard';
      labelCount++;
      labelLength++;
      nonNumeric = true;
    } else if (c === '.') {
      if (labelLength === 0 || next === undefined) return 'delimiter';
      labelLength = 0;
    } else if (c === '-') {
      nonNumeric = true;
      labelLength++;
      if (labelLength === 1 || next === undefined || next === '.') return 'hyphen';
    } else {
      faultAt = i;
      return 'character';
    }
  }
  if (!nonNumeric) return 'numeric';
  if (name.length > NAME_MAX) return 'length';
  return undefined;
}

/** validHostname - a syntactically valid (ASCII) host name; `wildcard` allows a leading `*` label. */
export function validHostname(name: string, wildcard = false): boolean {
  return hostnameFault(name, wildcard) === undefined;
}

/** validIpv4Hostaddr - a dotted quad with octets 0..255. */
export function validIpv4Hostaddr(addr: string): boolean {
  let inByte = false;
  let byteCount = 0;
  let byteVal = 0;
  for (let i = 0; i < addr.length; i++) {
    const c = addr[i]!;
    if (isDigit(c)) {
      if (!inByte) {
        inByte = true;
        byteVal = 0;
        byteCount++;
      }
      byteVal = byteVal * 10 + (c.charCodeAt(0) - 48);
      if (byteVal > 255) return false;
    } else if (c === '.') {
      if (!inByte || i + 1 === addr.length) return false;
      // 0.0.0.0 is allowed, 0.1.2.3 is not.
      if (byteCount === 1 && byteVal === 0 && /[^0.]/.test(addr)) return false;
      inByte = false;
    } else {
      return false;
    }
  }
  return byteCount === 4;
}

/** validIpv6Hostaddr - eight hex fields, one `::` at most, optional IPv4 tail. */
export function validIpv6Hostaddr(addr: string): boolean {
  let nullField = 0;
  let field = 0;
  let len = 0;
  let i = 0;
  for (;;) {
    const c = addr[i];
    if (c === undefined) {
      if (field < 2) return false;
      return !(len === 0 && nullField !== field - 1);
    }
    if (c === '.') {
      if (field < 2 || field > 6) return false;
      return validIpv4Hostaddr(addr.slice(i - len));
    }
    if (c === ':') {
      const after = addr[i + 1];
      if (field === 0 && len === 0 && after !== undefined && isAlnum(after)) return false;
      if (++field > 7) return false;
      i++;
      len = 0;
      if (addr[i] === ':') {
        if (nullField > 0) return false;
        nullField = field;
      }
      continue;
    }
    const m = /^[0-9a-fA-F]*/.exec(addr.slice(i))![0].length;
    if (m > 4 || m <= 0) return false;
    len = m;
    i += m;
  }
}

/** validHostaddr - an IPv4 or IPv6 address (IPv6 when it contains a colon). */
export function validHostaddr(addr: string): boolean {
  if (addr === '') return false;
  return addr.includes(':') ? validIpv6Hostaddr(addr) : validIpv4Hostaddr(addr);
}

/** validMailhostAddr - the address inside an address literal: `1.2.3.4` or `IPv6:...`; returns the bare address. */
export function validMailhostAddr(addr: string): string | undefined {
  if (/^ipv6:/i.test(addr)) {
    const bare = addr.slice(5);
    return validIpv6Hostaddr(bare) ? bare : undefined;
  }
  return validIpv4Hostaddr(addr) ? addr : undefined;
}

/** validMailhostLiteral - `[address]` with a valid address inside. */
export function validMailhostLiteral(text: string): boolean {
  if (!text.startsWith('[') || !text.endsWith(']') || text.length < 3) return false;
  return validMailhostAddr(text.slice(1, -1)) !== undefined;
}

/**
 * hostnameGripe - what valid_hostname(3) with DO_GRIPE warns about a bad
 * host name (`valid_hostname: misplaced delimiter: NAME`), or undefined
 * when the name is valid.
 */
export function hostnameGripe(name: string, wildcard = false): string | undefined {
  const fault = hostnameFault(name, wildcard);
  if (fault === undefined) return undefined;
  const shown = name.slice(0, 100);
  const what = {
    empty: 'empty hostname',
    label: `hostname label too long: ${shown}`,
    wildcard: `'*' can be the first label only: ${shown}`,
    delimiter: `misplaced delimiter: ${shown}`,
    hyphen: `misplaced hyphen: ${shown}`,
    character: `invalid character ${name.charCodeAt(faultAt)}(decimal): ${shown}`,
    numeric: `numeric hostname: ${shown}`,
    length: `bad length ${name.length} for ${shown}...`,
  }[fault];
  return `valid_hostname: ${what}`;
}
