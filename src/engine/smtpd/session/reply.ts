/*
 * NAME
 *   smtpd/session/reply - reply lines as the client receives them
 * DESCRIPTION
 *   smtpd_chat_reply(): a 4xx/5xx reply gets smtpd_reject_footer (with
 *   `\n` starting a new line of a multi-line reply and `$name`
 *   expanded), and soft_bounce turns every 5xx (and its 5.x.x status)
 *   into 4xx.
 * SEE ALSO
 *   postconf(5) (smtpd_reject_footer, soft_bounce)
 */
import { macExpand } from '../../config/expand.ts';
import type { Checker } from '../restrictions/checker.ts';
import { expandSmtpdAttribute } from '../restrictions/expand.ts';

/** footerReply - the lines one smtpd reply is sent as. */
export function footerReply(c: Checker, text: string): string[] {
  let lines = [text];
  const footer = c.cfg.str('smtpd_reject_footer');
  if ((text[0] === '4' || text[0] === '5') && footer) {
    const expanded = macExpand(footer, { lookup: (n) => expandSmtpdAttribute(c, n) }).value;
    const code = text.slice(0, 3);
    const dsn = /^\d{3} (\d\.\d{1,3}\.\d{1,3}) /.exec(text)?.[1];
    const parts = expanded.split('\\n');
    // "\c" at the start glues the footer to the last line.
    if (parts[0]!.startsWith('\\c')) {
      lines[0] += parts.shift()!.slice(2);
    }
    lines = lines.concat(parts.map((p) => `${code} ${dsn ? dsn + ' ' : ''}${p}`));
  }
  return lines.map((line, i) => {
    let l = line;
    if (c.softBounce && l[0] === '5') l = '4' + l.slice(1, 4) + (l[4] === '5' ? '4' : (l[4] ?? '')) + l.slice(5);
    if (i + 1 < lines.length) l = l.slice(0, 3) + '-' + l.slice(4);
    return l;
  });
}
