/*
 * NAME
 *   smtpd/session/cleanup - what smtpd and cleanup make of a message at the end of DATA
 * DESCRIPTION
 *   While it reads the message, smtpd counts its size the way it stores
 *   it: each line in records of at most line_length_limit bytes, each
 *   record counted with two bytes more; past message_size_limit it stops
 *   storing and warns "queue file size limit exceeded". cleanup(8) may not
 *   write a queue file larger than message_size_limit either, and the queue
 *   file holds the envelope and the headers smtpd and cleanup add, so a
 *   message a little under the limit is refused there. Its size is
 *   estimated from Postfix 3.7's record layout; the time stamps and the
 *   queue id vary, so it may be off by a few bytes (the trace says so).
 *   After the end of data cleanup processes the envelope and the headers:
 *   it refuses the
 *   message for now when virtual alias expansion passes its limits
 *   (CLEANUP_STAT_DEFER) or a table lookup fails (CLEANUP_STAT_WRITE), and
 *   for good when the message has been through too many hops (Received:
 *   headers, smtpd's own included, reaching hopcount_limit). smtpd answers
 *   with the most severe of these, as common_post_message_handling() does.
 * SEE ALSO
 *   smtpd(8), cleanup(8), postconf(5) (message_size_limit, hopcount_limit,
 *   virtual_alias_expansion_limit, virtual_alias_recursion_limit)
 */
import type { SmtpdConfig } from '../restrictions/checker.ts';
import type { AcceptedMessage } from './context.ts';
import { byteLength } from './input.ts';

/** messageSize - the bytes smtpd counts for the message lines (act_size). */
export function messageSize(cfg: SmtpdConfig, lines: readonly string[]): number {
  const limit = cfg.int('line_length_limit');
  let size = 0;
  for (const line of lines) {
    let rest = byteLength(line);
    // A long line is stored as records of `limit` bytes, and what is left.
    if (limit > 0)
      while (rest >= limit) {
        size += limit + 2;
        rest -= limit;
      }
    size += rest + 2;
  }
  return size;
}

/** sizeExceeded - the message passes message_size_limit (0: no limit). */
export function sizeExceeded(cfg: SmtpdConfig, lines: readonly string[]): boolean {
  const limit = cfg.int('message_size_limit');
  return limit > 0 && messageSize(cfg, lines) > limit;
}

/** The length of a queue file record of `n` data bytes: type, length (7 bits a byte), data. */
const record = (n: number): number => 1 + (n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : 4) + n;

/** The parts of a queue file whose length depends on the clock or the file: seconds, microseconds, queue id, a mail date. */
const TIME = 10;
const USEC = 6;
const QUEUE_ID = 11;
const MAIL_DATE = 'Sat,  5 Dec 2026 23:54:04 +0000 (UTC)'.length;

/** The session facts the queue file records. */
export interface QueueFileFacts {
  sender: string;
  recipients: readonly string[];
  name: string;
  reverseName: string;
  addr: string;
  port: string;
  helo?: string;
  protocol: string;
  myhostname: string;
}

/** queueFileSize - about how big cleanup's queue file for this message is (Postfix 3.7 record layout). */
export function queueFileSize(f: QueueFileFacts, lines: readonly string[], lineLimit: number): number {
  const attr = (name: string, value: string): number => record(byteLength(`${name}=${value}`));
  let size = record(95) + record(TIME + 1 + USEC) + attr('create_time', 'x'.repeat(TIME)) + attr('log_ident', 'x'.repeat(QUEUE_ID));
  size += attr('rewrite_context', 'local') + record(byteLength(f.sender));
  const origin = `${f.name}[${f.addr}]`;
  const helo = f.helo === undefined ? [] : [['log_helo_name', f.helo]];
  const client = [['log_client_name', f.name], ['log_client_address', f.addr], ['log_client_port', f.port], ['log_message_origin', origin], ...helo];
  client.push(['log_protocol_name', f.protocol], ['client_name', f.name], ['reverse_client_name', f.reverseName], ['client_address', f.addr]);
  client.push(['client_port', f.port], ['server_address', '127.0.0.1'], ['server_port', '25'], ...(f.helo === undefined ? [] : [['helo_name', f.helo]]));
  client.push(['protocol_name', f.protocol], ['client_address_type', f.addr.includes(':') ? '10' : '2']);
  for (const [n, v] of client) size += attr(n!, v!);
  for (const r of f.recipients) size += attr('dsn_orig_rcpt', `rfc822;${r}`) + 2 * record(byteLength(r));
  size += record(0);
  // smtpd's Received: header, then the message, then what cleanup adds.
  const one = f.recipients.length === 1;
  const received = [
    `Received: from ${f.helo ?? f.name} (${f.name} [${f.addr}])`,
    `\tby ${f.myhostname} (Postfix) with ${f.protocol} id ${'x'.repeat(QUEUE_ID)}${one ? '' : ';'}`,
    one ? `\tfor <${f.recipients[0]}>; ${'x'.repeat(MAIL_DATE)}` : `\t${'x'.repeat(MAIL_DATE)}`,
  ];
  const text = (line: string): number => {
    let n = byteLength(line);
    let total = 0;
    while (lineLimit > 0 && n > lineLimit) {
      total += record(lineLimit);
      n -= lineLimit;
    }
    return total + record(n);
  };
  for (const l of received) size += text(l);
  const end = lines.indexOf('');
  const header = end < 0 ? lines : lines.slice(0, end);
  const has = (name: string): boolean => header.some((l) => l.toLowerCase().startsWith(`${name}:`));
  if (!has('message-id')) size += text(`Message-Id: <${'x'.repeat(14)}.${'x'.repeat(QUEUE_ID)}@${f.myhostname}>`);
  if (!has('date')) size += text(`Date: ${'x'.repeat(MAIL_DATE)}`);
  if (!has('from')) size += text(`From: ${f.sender || 'MAILER-DAEMON'}`);
  for (const l of lines) size += text(l);
  return size + 2 * record(0);
}

/** primaryHeader - the message's lines up to the first empty line (the headers and what cleanup takes for them). */
export function primaryHeader(lines: readonly string[]): string[] {
  const end = lines.indexOf('');
  return lines.slice(0, end < 0 ? lines.length : end);
}

/** receivedCount - Received: headers in the message's primary header. */
function receivedCount(lines: readonly string[]): number {
  let n = 0;
  for (const line of lines) {
    if (line === '') break;
    if (/^received[ \t]*:/i.test(line)) n++;
  }
  return n;
}

/** What cleanup decided about a message: the reply when it refuses it, and whether its size was a close call. */
export interface CleanupVerdict {
  reply?: string;
  /** The estimated queue file size, when it is within a few bytes of message_size_limit. */
  closeSize?: number;
}

/** cleanupReply - what smtpd answers when cleanup does not accept `msg` (no reply: accepted). */
export function cleanupReply(cfg: SmtpdConfig, msg: AcceptedMessage, lines: readonly string[], facts: QueueFileFacts): CleanupVerdict {
  let defer = false;
  let write = false;
  if (cfg.cleanup && !msg.discard) {
    const recipients = msg.redirect !== undefined ? [msg.redirect] : [...msg.recipients, ...msg.bcc];
    for (const rcpt of recipients) {
      const status = cfg.cleanup(msg.sender, rcpt);
      if (status === 'defer') defer = true;
      else if (status === 'write') write = true;
    }
  }
  // smtpd's own Received: header counts too.
  const hops = receivedCount(lines) + 1 >= cfg.int('hopcount_limit');
  const limit = cfg.int('message_size_limit');
  const size = limit > 0 ? queueFileSize(facts, lines, cfg.int('line_length_limit')) : 0;
  const close = limit > 0 && Math.abs(size - limit) <= 16 ? { closeSize: size } : {};
  if (defer) return { reply: '451 4.6.0 Alias expansion error' };
  if (limit > 0 && size > limit) return { reply: '552 5.3.4 Error: message file too big', ...close };
  if (hops) return { reply: '554 5.4.0 Error: too many hops' };
  if (write) return { reply: '451 4.3.0 Error: queue file write error' };
  return close;
}
