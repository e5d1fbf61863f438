/*
 * NAME
 *   regexp - regexp and pcre tables: `/pattern/flags result`, `!/pattern/`, `if`/`endif`, `$N`
 * SEE ALSO
 *   regexp_table(5), pcre_table(5)
 */
import { StreamLanguage } from '@codemirror/language';
import { ACTIONS } from './values.ts';

interface State {
  inResult: boolean;
}

export const regexp = StreamLanguage.define<State>({
  name: 'regexp',
  startState: () => ({ inResult: false }),
  token(stream, state) {
    if (stream.sol()) {
      state.inResult = /^\s/.test(stream.peek() ?? '');
      if (stream.match(/^\s*#.*/)) return 'comment';
      if (stream.match(/^(if|endif)\b/i)) return 'keyword';
    }
    if (stream.eatSpace()) return null;
    if (!state.inResult) {
      if (stream.eat('!')) return 'operator';
      const delim = stream.peek();
      if (delim && !/[\s\w\\]/.test(delim)) {
        stream.next();
        // Up to the same delimiter, not escaped; then the flags.
        let escaped = false;
        for (let c = stream.next(); c !== undefined; c = stream.next()) {
          if (!escaped && c === delim) break;
          escaped = !escaped && c === '\\';
        }
        return 'regexp';
      }
      if (stream.match(/^[a-zA-Z]+/)) return 'meta';
      state.inResult = true;
    }
    state.inResult = true;
    if (stream.match(/^\$(\d|\{\d+\})/)) return 'variableName';
    const word = stream.match(/^[^\s$]+/) as RegExpMatchArray | null;
    if (word) return ACTIONS.has(word[0].toUpperCase()) || /^[45]\d\d$/.test(word[0]) ? 'atom' : 'string';
    stream.next();
    return 'string';
  },
  languageData: { commentTokens: { line: '#' } },
});
