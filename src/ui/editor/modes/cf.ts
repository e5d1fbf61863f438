/*
 * NAME
 *   cf - table configuration files (sqlite, mysql, pgsql, ldap, memcache .cf): `name = value`
 * DESCRIPTION
 *   Like main.cf; in values `%s`, `%u`, `%d`, `%[1-9]` are the key's parts.
 * SEE ALSO
 *   sqlite_table(5)
 */
import { StreamLanguage } from '@codemirror/language';

export const cf = StreamLanguage.define<{ value: boolean }>({
  name: 'cf',
  startState: () => ({ value: false }),
  token(stream, state) {
    if (stream.sol()) {
      if (stream.match(/^\s*#.*/)) return 'comment';
      if (!/^\s/.test(stream.peek() ?? '')) {
        state.value = false;
        if (stream.match(/^[A-Za-z0-9_]+(?=\s*=)/)) return 'propertyName';
      }
    }
    if (stream.eatSpace()) return null;
    if (!state.value && stream.eat('=')) {
      state.value = true;
      return 'operator';
    }
    if (stream.match(/^%[sudSUD1-9%]/)) return 'variableName';
    if (stream.match(/^'[^']*'?/)) return 'string';
    if (stream.match(/^\b(SELECT|FROM|WHERE|AND|OR|NOT|IN|LIKE|LIMIT|ORDER|BY|AS|JOIN|ON)\b/i)) return 'keyword';
    stream.next();
    return null;
  },
  languageData: { commentTokens: { line: '#' } },
});
