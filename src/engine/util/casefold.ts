/*
 * NAME
 *   casefold - key case folding as Postfix does it (lowercase(3))
 * DESCRIPTION
 *   Only the ASCII letters A-Z are folded: Postfix works on bytes in the C
 *   locale, so other letters keep their case.
 */

/** foldKey - lowercase ASCII letters only, as Postfix's lowercase() does. */
export function foldKey(key: string): string {
  // Fast path: most keys are already lower case; ASCII-only keys fold with toLowerCase().
  if (!HAS_UPPER.test(key)) return key;
  return NON_ASCII.test(key) ? key.replace(/[A-Z]+/g, (s) => s.toLowerCase()) : key.toLowerCase();
}
const HAS_UPPER = /[A-Z]/;
const NON_ASCII = /[^\x00-\x7f]/;

/**
 * casefoldUtf8 - casefold() with UTF-8 support (smtputf8_enable = yes):
 * full Unicode case folding as ICU's u_strFoldCase does it, so STRAẞE,
 * Straße and strasse are one key. Built on the JavaScript case mappings,
 * one character at a time (never context-dependent, as folding is not):
 * the upper case of a character's lower case, lowered again until stable
 * (ß and ẞ become ss, ſ becomes s, final ς becomes σ). Folding keeps
 * dotless ı and the Cherokee letters, which case mapping would change.
 */
export function casefoldUtf8(text: string): string {
  if (!NON_ASCII.test(text)) return foldKey(text);
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) out += c >= 65 && c <= 90 ? String.fromCharCode(c + 32) : ch;
    else if (c === 0x131 || (c >= 0x13a0 && c <= 0x13ff) || (c >= 0xab70 && c <= 0xabbf) || (c >= 0xdc80 && c <= 0xdcff)) out += ch;
    else {
      let f = ch.toLowerCase();
      for (let i = 0; i < 3; i++) {
        const next = f.toUpperCase().toLowerCase();
        if (next === f) break;
        f = next;
      }
      out += f;
    }
  }
  return out;
}
