/*
 * NAME
 *   cidr - cidr tables: `network/mask result`, `!`, `if`/`endif`
 * SEE ALSO
 *   cidr_table(5)
 */
import { StreamLanguage } from '@codemirror/language';
import { ACTIONS } from './values.ts';

export const cidr = StreamLanguage.define<{ inResult: boolean }>({
  name: 'cidr',
  startState: () => ({ inResult: false }),
  token(stream, state) {
    if (stream.sol()) {
      state.inResult = false;
      if (stream.match(/^\s*#.*/)) return 'comment';
      if (stream.match(/^\s*(if|endif)\b/i)) return 'keyword';
    }
    if (stream.eatSpace()) return null;
    if (!state.inResult) {
      if (stream.eat('!')) return 'operator';
      state.inResult = true;
      if (stream.match(/^\[?[0-9A-Fa-f:.]+\]?(\/\d+)?/)) return 'number';
      stream.match(/^\S+/);
      return 'invalid';
    }
    const word = (stream.match(/^\S+/) as RegExpMatchArray)[0];
    return ACTIONS.has(word.toUpperCase()) || /^[45]\d\d$/.test(word) ? 'atom' : 'string';
  },
  languageData: { commentTokens: { line: '#' } },
});
