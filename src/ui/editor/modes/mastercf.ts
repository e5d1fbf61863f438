/*
 * NAME
 *   mastercf - master.cf: service, type, private, unpriv, chroot, wakeup, maxproc, command, `-o name=value`
 * SEE ALSO
 *   master(5)
 */
import { StreamLanguage } from '@codemirror/language';
import { valueToken } from './values.ts';

interface State {
  field: number;
  /** After `-o`: the next word is `name=value`. */
  option: 'none' | 'name' | 'value';
}

const TYPES = /^(inet|unix|unix-dgram|fifo|pass)$/;

export const mastercf = StreamLanguage.define<State>({
  name: 'master.cf',
  startState: () => ({ field: 0, option: 'none' }),
  token(stream, state) {
    if (stream.sol()) {
      if (stream.match(/^\s*#.*/)) return 'comment';
      // A line starting with whitespace continues the entry (more arguments).
      if (!/^\s/.test(stream.peek() ?? '')) state.field = 0;
      else state.field = Math.max(state.field, 8);
      state.option = 'none';
    }
    if (stream.eatSpace()) return null;
    if (state.option === 'name') {
      if (stream.match(/^[A-Za-z0-9_]+/)) return 'propertyName';
      if (stream.eat('=')) {
        state.option = 'value';
        return 'operator';
      }
    }
    if (state.option === 'value') {
      const t = valueToken(stream);
      if (/^\s/.test(stream.peek() ?? ' ') || stream.eol()) state.option = 'none';
      return t;
    }
    const word = (stream.match(/^\S+/) as RegExpMatchArray)[0];
    const field = state.field++;
    if (field === 0) return 'def';
    if (field === 1) return TYPES.test(word) ? 'keyword' : 'invalid';
    if (field <= 4) return /^[yn-]$/.test(word) ? 'atom' : 'invalid';
    if (field <= 6) return /^(-|\d+\??)$/.test(word) ? 'number' : 'invalid';
    if (field === 7) return 'typeName';
    if (word === '-o' || /^-o/.test(word)) {
      state.option = word === '-o' ? 'name' : 'none';
      return 'meta';
    }
    if (word.startsWith('-')) return 'meta';
    return null;
  },
  languageData: { commentTokens: { line: '#' } },
});
