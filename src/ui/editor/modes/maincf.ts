/*
 * NAME
 *   maincf - main.cf: `name = value`, indented continuation lines, `#` comments
 * SEE ALSO
 *   postconf(5)
 */
import { StreamLanguage } from '@codemirror/language';
import { valueToken } from './values.ts';

interface State {
  /** Inside a value (after `=`, or on a continuation line). */
  value: boolean;
}

export const maincf = StreamLanguage.define<State>({
  name: 'main.cf',
  startState: () => ({ value: false }),
  token(stream, state) {
    if (stream.sol()) {
      if (stream.match(/^\s*#.*/)) return 'comment';
      if (/^\s/.test(stream.peek() ?? '')) state.value = true;
      else {
        state.value = false;
        if (stream.match(/^[A-Za-z0-9_.-]+(?=\s*=)/)) return 'propertyName';
        if (stream.match(/^\S+/)) return 'invalid';
      }
    }
    if (!state.value) {
      if (stream.eatSpace()) return null;
      if (stream.eat('=')) {
        state.value = true;
        return 'operator';
      }
      stream.next();
      return 'invalid';
    }
    return valueToken(stream);
  },
  languageData: { commentTokens: { line: '#' } },
});
