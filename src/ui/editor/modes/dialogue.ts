/*
 * NAME
 *   dialogue - an SMTP client dialogue: `#` directives, commands, the message after DATA
 * DESCRIPTION
 *   Leading `#` lines are comments, with `# client: ADDR` and `# pipelined`
 *   as directives. Command verbs are keywords, `<address>` is a string;
 *   after DATA the lines are the message (header names marked) up to `.`.
 */
import { StreamLanguage } from '@codemirror/language';

interface State {
  leading: boolean;
  data: boolean;
  headers: boolean;
}

const VERBS = /^(EHLO|HELO|MAIL|RCPT|DATA|QUIT|RSET|NOOP|VRFY|ETRN|XCLIENT|XFORWARD|STARTTLS|AUTH|BDAT|EXPN|HELP)\b/i;

export const dialogue = StreamLanguage.define<State>({
  name: 'smtp-dialogue',
  startState: () => ({ leading: true, data: false, headers: false }),
  token(stream, state) {
    if (stream.sol()) {
      if (state.data) {
        if (stream.match(/^\.\r?$/)) {
          state.data = false;
          return 'keyword';
        }
        if (state.headers && stream.match(/^[!-9;-~]+:/)) return 'propertyName';
        if (stream.match(/^\s*$/)) state.headers = false;
        stream.skipToEnd();
        return 'string';
      }
      if (state.leading && stream.peek() === '#') {
        if (stream.match(/^#\s*(client:|pipelined\b)/i)) return 'meta';
        stream.skipToEnd();
        return 'comment';
      }
      state.leading = false;
      const verb = stream.match(VERBS) as RegExpMatchArray | null;
      if (verb) {
        if (verb[0].toUpperCase() === 'DATA') state.data = state.headers = true;
        return 'keyword';
      }
    }
    if (stream.eatSpace()) return null;
    if (stream.match(/^(FROM|TO):/i)) return 'keyword';
    if (stream.match(/^<[^>]*>?/)) return 'string';
    if (stream.match(/^[A-Z-]+=/)) return 'attributeName';
    stream.next();
    return null;
  },
});
