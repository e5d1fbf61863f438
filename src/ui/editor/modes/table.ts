/*
 * NAME
 *   table - indexed tables (hash, btree, lmdb, cdb, texthash): `key value`, `#` comments
 * DESCRIPTION
 *   The key is everything up to the first whitespace; the value follows,
 *   and indented lines continue it. Access actions are marked.
 * SEE ALSO
 *   postmap(1), access(5)
 */
import { StreamLanguage } from '@codemirror/language';
import { ACTIONS } from './values.ts';

interface State {
  inValue: boolean;
}

export const table = StreamLanguage.define<State>({
  name: 'table',
  startState: () => ({ inValue: false }),
  token(stream, state) {
    if (stream.sol()) {
      if (stream.match(/^\s*#.*/)) return 'comment';
      state.inValue = /^\s/.test(stream.peek() ?? '');
      if (!state.inValue) {
        stream.match(/^\S+/);
        state.inValue = true;
        return 'propertyName';
      }
    }
    if (stream.eatSpace()) return null;
    const word = (stream.match(/^\S+/) as RegExpMatchArray)[0];
    if (ACTIONS.has(word.toUpperCase()) || /^[45]\d\d$/.test(word)) return 'atom';
    return 'string';
  },
  languageData: { commentTokens: { line: '#' } },
});
