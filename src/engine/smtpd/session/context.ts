/*
 * NAME
 *   smtpd/session/context - what the command handlers of one session share
 * DESCRIPTION
 *   SessionContext is one connection: the service's configuration, the
 *   restriction checker with the session state, the client's lines and
 *   where the dialogue is, the exchanges so far and the messages accepted.
 *   reply() answers as smtpd_chat_reply() does (421 and 521 close the
 *   connection), mailReset() and rcptReset() are mail_reset() and
 *   rcpt_reset(), greet() sends the banner (or, with
 *   smtpd_delay_reject = no, the client rejection instead).
 * SEE ALSO
 *   smtpd(8), postconf(5) (smtpd_banner, smtpd_delay_reject)
 */
import type { Checker, SmtpdConfig } from '../restrictions/checker.ts';
import { checkClient } from '../restrictions/stages.ts';
import type { PeerStatus, SessionState, TlsFacts } from '../state.ts';
import type { LogLine } from '../state.ts';
import type { SmtpdEvent } from '../../trace/types.ts';
import { abortMilters, connectMilters } from './milters.ts';
import { footerReply } from './reply.ts';
import type { SmtpToken } from './token.ts';

/** Who connects, before any XCLIENT. */
export interface ClientFacts {
  addr: string;
  /** Verified host name; omitted or `unknown` when there is none. */
  name?: string;
  nameStatus?: PeerStatus;
  reverseName?: string;
  /** The PTR name's own status: `ok` when it exists, even if it does not resolve back (then `nameStatus` is forged). */
  reverseNameStatus?: PeerStatus;
  port?: string;
  /** The session is encrypted, with what the client certificate says. */
  tls?: TlsFacts;
}

/** One exchange: the client's line (absent for the greeting) and the server's reply lines. */
export interface Exchange {
  client?: string;
  /** Message lines the client sent after DATA's 354, when this exchange is the end of data. */
  message?: string[];
  server: string[];
}

/** What a message accepted with DATA carries beyond its envelope. */
export interface AcceptedMessage {
  queueId: string;
  sender: string;
  recipients: string[];
  hold: boolean;
  discard: boolean;
  filter?: string;
  redirect?: string;
  bcc: string[];
  /** Headers smtpd adds: PREPEND texts, then its Received: header. */
  prepended: string[];
  /** The message's primary header as the client sent it (up to the first empty line). */
  headers: string[];
}

export interface SessionResult {
  exchanges: Exchange[];
  log: LogLine[];
  trace: SmtpdEvent[];
  accepted: AcceptedMessage[];
  /** smtpd could not start: the fatal error it logs; the client sees the connection close. */
  fatal?: string;
  /** smtpd died during the session (a restriction class that names itself). */
  crashed?: string;
}

export interface SessionOptions {
  /** Queue id for the n-th message of the session (1-based); Postfix's are random hex. */
  queueId?: (n: number) => string;
  /**
   * Log what smtpd logs when it starts (table open errors, ...). A real
   * smtpd process serves many sessions; only the first one shows these.
   * Default true.
   */
  startupLog?: boolean;
  /** Build the trace (default true); without it the session runs faster and `trace` is empty. */
  trace?: boolean;
  /** The client sends every line at once after the banner (a pipelining client), not one by one. */
  pipelined?: boolean;
}

/** A command's outcome: success, failure, or XCLIENT's restart (counted as neither). */
export type CommandOutcome = boolean | 'restart';

/** One SMTP command's handler: its words as smtpd_token() split them. */
export type CommandHandler = (ctx: SessionContext, argv: SmtpToken[]) => CommandOutcome;

/** formatNamaddr - `name[addr]` (with `:port` under smtpd_client_port_logging), as smtpd logs the client. */
export function formatNamaddr(cfg: SmtpdConfig, s: SessionState): string {
  return `${s.name}[${s.addr}]${cfg.bool('smtpd_client_port_logging') ? ':' + s.port : ''}`;
}

/** One connection, as the command handlers see it. */
export class SessionContext {
  readonly exchanges: Exchange[] = [];
  readonly accepted: AcceptedMessage[] = [];
  /** The envelope recipients accepted so far. */
  readonly recipients: string[] = [];
  /** The exchange being answered. */
  current: Exchange = { server: [] };
  /** The index of the next client line. */
  next = 0;
  /** The server has closed the connection. */
  hangup = false;
  private messages = 0;

  constructor(
    readonly cfg: SmtpdConfig,
    readonly c: Checker,
    /** The client's lines, as sent. */
    readonly lines: readonly string[],
    readonly options: SessionOptions,
  ) {
    this.exchanges.push(this.current);
  }

  get s(): SessionState {
    return this.c.state;
  }

  /** exchange - start the exchange of a client line (undefined: a reply nobody asked for). */
  exchange(client?: string, message?: string[]): Exchange {
    this.current = { ...(client !== undefined && { client }), ...(message && { message }), server: [] };
    this.exchanges.push(this.current);
    return this.current;
  }

  /** reply - the lines of one reply, to the exchange being answered. */
  reply(text: string): void {
    for (const line of footerReply(this.c, text)) this.current.server.push(line);
    if (/^(421|521)/.test(text)) this.hangup = true;
  }

  /** mailReset - forget the sender and what the transaction asked of cleanup (mail_reset()). */
  mailReset(): void {
    const s = this.s;
    abortMilters(s);
    s.milterDiscard = false;
    s.sender = undefined;
    s.smtputf8 = undefined;
    s.saslSender = undefined;
    s.queueId = undefined;
    s.discard = false;
    s.hold = false;
    s.savedFilter = undefined;
    s.savedRedirect = undefined;
    s.savedBcc = [];
    s.prepend = [];
  }

  /** rcptReset - forget the recipients (rcpt_reset()). */
  rcptReset(): void {
    this.s.recipient = undefined;
    this.s.rcptCount = 0;
    this.s.rcptOvershoot = 0;
    this.recipients.length = 0;
  }

  /** nextQueueId - the queue id of the session's next message. */
  nextQueueId(): string {
    return (this.options.queueId ?? ((n: number) => `Q${n}`))(++this.messages);
  }

  /** greet - the 220 banner, or the client rejection when smtpd_delay_reject = no, or the Milters' refusal. */
  greet(): void {
    const { cfg, c, s } = this;
    if (!cfg.bool('smtpd_delay_reject')) {
      const err = c.step({ kind: 'session', event: 'connect', client: s.namaddr }, () => checkClient(c));
      if (err !== undefined) {
        s.accessDenied = err;
        this.reply(err);
        s.errorCount++;
        return;
      }
    }
    // A Milter's refusal persists: it answers MAIL FROM and later commands too.
    const milter = connectMilters(this);
    if (milter?.[0] === '5') {
      this.reply(`554 ${cfg.str('myhostname')} ESMTP not accepting connections`);
      s.errorCount++;
    } else if (milter?.startsWith('421')) this.reply(`421 ${cfg.str('myhostname')} Service unavailable - try again later`);
    else this.reply(`220 ${cfg.str('smtpd_banner')}`);
  }
}
