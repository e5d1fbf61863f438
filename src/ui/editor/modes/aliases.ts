/*
 * NAME
 *   aliases - aliases(5): `name: value, value`, `|command`, `/file`, `:include:`
 * SEE ALSO
 *   aliases(5)
 */
import { StreamLanguage } from '@codemirror/language';

export const aliases = StreamLanguage.define<{ inValue: boolean }>({
  name: 'aliases',
  startState: () => ({ inValue: false }),
  token(stream, state) {
    if (stream.sol()) {
      if (stream.match(/^\s*#.*/)) return 'comment';
      state.inValue = /^\s/.test(stream.peek() ?? '');
      if (!state.inValue && stream.match(/^[^:\s]+(?=:)/)) return 'propertyName';
    }
    if (stream.eatSpace()) return null;
    if (!state.inValue && stream.eat(':')) {
      state.inValue = true;
      return 'operator';
    }
    if (stream.match(/^:include:/)) return 'keyword';
    if (stream.match(/^"?\|[^,]*/)) return 'string';
    if (stream.match(/^\/[^,\s]*/)) return 'string';
    if (stream.eat(',')) return 'punctuation';
    if (!stream.match(/^[^,\s]+/)) stream.next();
    return null;
  },
  languageData: { commentTokens: { line: '#' } },
});
