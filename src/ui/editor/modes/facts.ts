/*
 * NAME
 *   facts - the simulator's DNS facts (zone-file lines) and policy/verify facts
 * DESCRIPTION
 *   DNS: `NAME [TTL] [IN] TYPE DATA`, `;` comments. Policy and verify:
 *   `policy SERVER [name=value ...] => ACTION`, `verify ADDRESS status [text]`.
 */
import { StreamLanguage } from '@codemirror/language';

const RR = /^(A|AAAA|MX|PTR|TXT|CNAME|NS|SOA|SRV|TLSA|SERVFAIL|NXDOMAIN|NODATA)\b/;

export const dns = StreamLanguage.define<{ field: number }>({
  name: 'dns-facts',
  startState: () => ({ field: 0 }),
  token(stream, state) {
    if (stream.sol()) state.field = 0;
    if (stream.match(/^\s*[;#].*/)) return 'comment';
    if (stream.eatSpace()) return null;
    if (stream.match(/^"[^"]*"?/)) return 'string';
    const word = (stream.match(/^\S+/) as RegExpMatchArray)[0];
    if (state.field++ === 0) return 'def';
    if (RR.test(word)) return 'keyword';
    if (/^IN$/.test(word)) return 'meta';
    if (/^\d+$/.test(word)) return 'number';
    return 'string';
  },
  languageData: { commentTokens: { line: ';' } },
});

export const facts = StreamLanguage.define<{ first: boolean }>({
  name: 'facts',
  startState: () => ({ first: true }),
  token(stream, state) {
    if (stream.sol()) state.first = true;
    if (stream.match(/^\s*#.*/)) return 'comment';
    if (stream.eatSpace()) return null;
    if (state.first && stream.match(/^(policy|verify)\b/)) {
      state.first = false;
      return 'keyword';
    }
    state.first = false;
    if (stream.match('=>')) return 'operator';
    if (stream.match(/^(deliverable|undeliverable|deferred)\b/)) return 'atom';
    if (stream.match(/^[a-z_]+=/)) return 'attributeName';
    stream.match(/^\S+/);
    return null;
  },
  languageData: { commentTokens: { line: '#' } },
});
