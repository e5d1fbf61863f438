/*
 * NAME
 *   mail/dsn - RFC 3463 enhanced status codes as Postfix splits and adjusts them
 * DESCRIPTION
 *   dsnValid and dsnSplit follow dsn_util(3): an optional `X.YYY.ZZZ` at the
 *   start of a reply text, otherwise a default. smtpdDsnFix is smtpd's rule
 *   that a sender rejection never carries a recipient-address status and
 *   vice versa (and a non-address rejection carries no address status).
 */

/** dsnValid - length of a valid status code at the start of `text`, or 0. */
export function dsnValid(text: string): number {
  const m = /^[245]\.(\d{1,3})\.(\d{1,3})(?=$|\s)/.exec(text);
  return m ? m[0].length : 0;
}

/** dsnSplit - the status code at the start of `text` (else `defaultDsn`) and the remaining text. */
export function dsnSplit(defaultDsn: string, text: string): { dsn: string; text: string } {
  const t = text.replace(/^\s+/, '');
  const len = dsnValid(t);
  if (len > 0) return { dsn: t.slice(0, len), text: t.slice(len + 1).replace(/^\s+/, '') };
  return { dsn: defaultDsn, text: t };
}

const DSN_MAP: readonly (readonly [string, string, string])[] = [
  ['1', '4.1.7', '4.1.1'],
  ['2', '4.1.8', '4.1.2'],
  ['3', '4.1.7', '4.1.3'],
  ['4', '4.1.7', '4.1.4'],
  ['5', '4.1.0', '4.1.5'],
  ['6', '4.1.7', '4.1.6'],
  ['7', '4.1.7', '4.1.3'],
  ['8', '4.1.8', '4.1.2'],
];
/** SND_DSN in Postfix: the status for a bad sender mailbox address. */
export const SENDER_DSN = '4.1.7';

/**
 * smtpdDsnFix - adjust an address status (`X.1.Y`) to what is being rejected.
 * `info` is the message smtpd logs when it changes the code.
 */
export function smtpdDsnFix(status: string, replyClass: string): { status: string; info?: string } {
  if (!/^\d\.1\./.test(status)) return { status };
  let result: string;
  if (replyClass === 'Sender address' || replyClass === 'Recipient address') {
    const micro = status.slice(4);
    const row = DSN_MAP.find((r) => r[0] === micro);
    result = row ? (replyClass === 'Sender address' ? row[1] : row[2]) : '4.1.0';
  } else {
    result = '4.0.0';
  }
  if (status.slice(2) !== result.slice(2))
    return { status: result, info: `mapping DSN status ${status} into ${replyClass} status ${status[0]}${result.slice(1)}` };
  return { status: result };
}
