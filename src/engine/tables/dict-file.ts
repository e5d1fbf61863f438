/*
 * NAME
 *   dict-file - values that name files (postmap -F, DICT_FLAG_SRC_RHS_IS_FILE)
 * DESCRIPTION
 *   With postmap -F (and tables opened for it, e.g. tls_server_sni_maps),
 *   a table's value is a list of file names separated by commas or
 *   whitespace; the table holds the content of those files, joined with a
 *   newline between files, base64-encoded (dict_file_to_b64). Whoever asks
 *   with -F decodes it again (dict_file_from_b64).
 * SEE ALSO
 *   postmap(1) -F, dict_file(3)
 */
import { base64Decode, base64Encode, decodeBytes, fromBinary, toBinary } from '../util/bytes.ts';
import { LIST_SEPARATORS } from '../util/lists.ts';

/** fileValue - dict_file_to_b64(): the base64 of the files `pathnames` names, or Postfix's reason. */
export function fileValue(pathnames: string, readFile: (path: string) => Uint8Array | undefined): { value: string } | { error: string } {
  const names = pathnames.split(new RegExp(`[${LIST_SEPARATORS}]+`)).filter((n) => n !== '');
  if (names.length === 0) return { error: `empty pathname list: >>${pathnames}<<'` };
  let text = '';
  for (const [i, name] of names.entries()) {
    const bytes = readFile(name);
    if (bytes === undefined) return { error: `open ${name}: No such file or directory` };
    text += decodeBytes(bytes) + (i + 1 < names.length ? '\n' : '');
  }
  return { value: base64Encode(text) };
}

/** fileContent - dict_file_from_b64(): the decoded value, or Postfix's reason. */
export function fileContent(value: string): { text: string } | { error: string } {
  const text = base64Decode(value);
  if (text === undefined) return { error: `malformed BASE64 value: ${fromBinary(toBinary(value).slice(0, 30))}` };
  // The result is a C string: it ends at the first NUL.
  const nul = text.indexOf('\0');
  return { text: nul < 0 ? text : text.slice(0, nul) };
}
