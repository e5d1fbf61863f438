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
