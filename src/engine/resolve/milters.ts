/*
 * NAME
 *   resolve/milters - what non_smtpd_milters decide about a local submission (cleanup_milter)
 * DESCRIPTION
 *   cleanup(8) shows mail that did not come through smtpd (sendmail,
 *   pickup) to non_smtpd_milters by emulating an SMTP session: connect
 *   from localhost[127.0.0.1], EHLO localhost, MAIL FROM with the
 *   envelope sender after cleanup's rewriting, RCPT TO with the recipient
 *   after rewriting (before virtual alias expansion), DATA, then the
 *   message itself: one header event per header line (sendmail -bv's
 *   probe has five once cleanup has added its own), end of headers and end
 *   of message; the probe has no body, so there is no body event.
 *
 *   Each event goes to the Milters in list order (mail/milter8.ts) until
 *   one answers; cleanup_milter_apply() then acts on the answer and logs
 *   it as `milter-reject`, `milter-hold` or `milter-discard: EVENT from
 *   localhost[127.0.0.1]: TEXT; from=<SENDER>` (with ` to=<RECIPIENT>`
 *   from the RCPT event on). A 5xx makes cleanup bounce every recipient
 *   itself; a 4xx refuses the message for now; discard drops it; hold
 *   (quarantine) puts it in the hold queue but lets later events go on.
 *   After a rejection, a temporary failure or a discard the Milters hear
 *   nothing more. A Milter cannot reject a recipient of a local
 *   submission: cleanup logs a configuration error and refuses the
 *   message for now (4.3.5).
 * SEE ALSO
 *   cleanup(8), MILTER_README (non_smtpd_milters), postconf(5) (milter_default_action)
 */
import { quote822Local } from '../search/quote.ts';
import { milterEvent, milterMessage, setupMilters } from '../mail/milter8.ts';
import type { MilterHost } from '../mail/milter8.ts';
import type { MilterFacts } from '../mail/milter.ts';
import type { AddressEvent, Diagnostic } from '../trace/types.ts';

/** The client cleanup pretends for a local submission (cleanup_milter_client_init()). */
const CLIENT_NAME = 'localhost';
const CLIENT_ADDR = '127.0.0.1';

/** The header lines of sendmail -bv's probe as the Milters see them (From:, To:, Subject:, Date:, Message-Id:). */
const PROBE_HEADERS = 5;

/** What the Milters decided about the message. */
export interface MilterOutcome {
  /** A 5xx reply: cleanup bounces every recipient with its status and text. */
  bounce?: { dsn: string; text: string };
  /** A 4xx reply, or a recipient rejection: cleanup does not accept the message for now. */
  defer?: Diagnostic;
  hold?: true;
  discard?: true;
}

/** Where cleanup logs what it does with the message, and what it warns about without a queue id. */
export interface MilterLog {
  info(text: string): void;
  /** A warning with the message's queue id. */
  warn(text: string): void;
  /** A warning without a queue id (connecting to a Milter). */
  unattached(text: string): void;
}

/** cleanupMilters - the emulated session for (sender, recipient), both after cleanup's rewriting (internal form). */
export function cleanupMilters(
  spec: string,
  defaultAction: string,
  facts: MilterFacts,
  softBounce: boolean,
  sender: string,
  recipient: string,
  log: MilterLog,
  trace: AddressEvent[],
  /** cleanup refused the recipient for now (virtual alias limits): no recipient event and nothing after it. */
  recipientRefused = false,
): MilterOutcome {
  const ms = setupMilters(spec, defaultAction);
  if (!ms) return {};
  const h: MilterHost = {
    facts,
    softBounce,
    warn: (t) => log.unattached(t),
    step: (e) => void trace.push(e.kind === 'notice' ? { kind: 'note', text: `non_smtpd_milters: ${e.text}` } : e),
  };
  const out: MilterOutcome = {};
  /** The recipient cleanup's log names (state->recip): set from the RCPT event on. */
  const seen: { recip?: string } = {};
  // Sendmail 8.13 does not externalize the null address.
  const ext = (a: string): string => (a === '' ? '' : quote822Local(a));
  /** cleanup_milter_apply(): act on a reply; true when the Milters hear nothing more (CLEANUP_MILTER_OK fails). */
  const apply = (event: string, reply: string): boolean => {
    let action: string;
    let text: string;
    if (reply === 'H') {
      if (out.hold) return false;
      out.hold = true;
      action = 'milter-hold';
      text = 'milter triggers HOLD action';
    } else if (reply === 'D') {
      out.discard = true;
      action = 'milter-discard';
      text = 'milter triggers DISCARD action';
    } else {
      action = 'milter-reject';
      text = reply.slice(4);
      if (reply[0] === '4') out.defer = { severity: 'info', message: `milter-reject: ${reply}` };
      else {
        const [dsn, ...words] = text.split(' ');
        out.bounce = { dsn: dsn!, text: words.join(' ') };
      }
    }
    log.info(
      `${action}: ${event} from ${CLIENT_NAME}[${CLIENT_ADDR}]: ${text}; from=<${ext(sender)}>${seen.recip !== undefined ? ` to=<${ext(seen.recip)}>` : ''}`,
    );
    return out.discard === true || out.defer !== undefined || out.bounce !== undefined;
  };

  // cleanup_milter_emul_mail(): connect, EHLO, MAIL FROM; a reply to one ends the emulation of the others.
  ms.attrs.client_name = CLIENT_NAME;
  ms.attrs.client_address = CLIENT_ADDR;
  let reply = milterEvent(h, ms, 'connect');
  if (reply !== undefined) {
    if (apply('CONNECT', reply)) return out;
  } else {
    ms.attrs.helo = CLIENT_NAME;
    reply = milterEvent(h, ms, 'helo');
    if (reply !== undefined) {
      if (apply('EHLO', reply)) return out;
    } else {
      ms.attrs.sender = ext(sender);
      reply = milterEvent(h, ms, 'mail');
      if (reply !== undefined && apply('MAIL', reply)) return out;
    }
  }
  if (recipientRefused) return out;
  // cleanup_milter_emul_rcpt()
  ms.attrs.sender = ext(sender);
  ms.attrs.recipient = ext(recipient);
  seen.recip = recipient;
  reply = milterEvent(h, ms, 'rcpt');
  if (reply !== undefined && apply('RCPT', reply)) {
    if (out.discard) return out;
    delete out.bounce;
    log.warn(`milter configuration error: can't reject recipient in non-smtpd(8) submission`);
    log.warn('message not accepted, try again later');
    out.defer = {
      severity: 'info',
      message: "milter configuration error: can't reject recipient in non-smtpd(8) submission (4.3.5 Server configuration error)",
    };
    return out;
  }
  // cleanup_milter_emul_data(), then cleanup_milter_inspect(): the message.
  reply = milterEvent(h, ms, 'data');
  if (reply !== undefined && apply('DATA', reply)) return out;
  reply = milterMessage(h, ms, { headers: PROBE_HEADERS, body: false });
  if (reply !== undefined) apply('END-OF-MESSAGE', reply);
  return out;
}
