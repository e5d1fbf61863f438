/*
 * NAME
 *   smtpd/state - what smtpd knows about one SMTP session
 * DESCRIPTION
 *   The session state of smtpd(8) that restrictions read and write: client
 *   facts (possibly replaced by XCLIENT), HELO, envelope, the deferred-
 *   decision flags, the actions delegated to cleanup (FILTER, HOLD, ...),
 *   and the log lines and trace of the session so far.
 * SEE ALSO
 *   smtpd(8)
 */
import type { SmtpdEvent } from '../trace/types.ts';
import type { Milters } from './milter.ts';

/** What TLS tells smtpd about the client: facts the user supplies. */
export interface TlsFacts {
  /** The client certificate, when the client sent one. */
  ccert?: {
    /** Certificate fingerprint, as smtpd_tls_fingerprint_digest computes it (AA:BB:...). */
    fingerprint: string;
    /** Public-key fingerprint. */
    pkeyFingerprint?: string;
    /** The certificate chain is trusted (smtpd_tls_CAfile). */
    verified: boolean;
    /** The subject CommonName, for log lines. */
    commonName?: string;
  };
}

/** A deferred decision: DEFER_IF_PERMIT or DEFER_IF_REJECT and the reply it would give. */
export interface DeferredReply {
  active: boolean;
  errorClass: ErrorClass;
  code: number;
  dsn: string;
  reason: string;
}

/** The kinds of error smtpd distinguishes (MAIL_ERROR_*); some cannot be turned into warnings. */
export type ErrorClass = 'policy' | 'protocol' | 'bounce' | 'software' | 'resource' | 'data';

/** Host name lookup outcome (SMTPD_PEER_CODE_*). */
export type PeerStatus = 'ok' | 'temp' | 'perm' | 'forged';

/** One line Postfix would log, without time stamp, host name and pid. */
export interface LogLine {
  /** e.g. `postfix/smtpd`, `postfix/cleanup`. */
  program: string;
  text: string;
}

export interface SessionState {
  /** Client host name, or `unknown`. */
  name: string;
  nameStatus: PeerStatus;
  reverseName: string;
  reverseNameStatus: PeerStatus;
  /** Client address in Postfix's printable form (IPv6 without brackets). */
  addr: string;
  /** Address as it appears in headers: `IPv6:...` for IPv6. */
  rfcAddr: string;
  port: string;
  /** `name[addr]`, as logged. */
  namaddr: string;
  heloName?: string;
  /** `SMTP` or `ESMTP`. */
  protocol: string;
  /** The session is encrypted (STARTTLS done, or a TLS-wrapped port), with what the client showed. */
  tls?: TlsFacts;
  saslUsername?: string;
  saslMethod?: string;
  sender?: string;
  /** MAIL FROM asked for SMTPUTF8. */
  smtputf8?: boolean;
  /** MAIL FROM's AUTH= sender. */
  saslSender?: string;
  recipient?: string;
  rcptCount: number;
  etrnName?: string;
  /** The command (or protocol stage) being processed: `RCPT`, `CONNECT`, `END-OF-MESSAGE`, ... */
  where: string;
  queueId?: string;
  /** Restriction evaluation state. */
  deferIfPermit: DeferredReply;
  deferIfReject: DeferredReply;
  deferIfPermitClient: boolean;
  deferIfPermitHelo: boolean;
  deferIfPermitSender: boolean;
  warnIfReject: number;
  recursion: number;
  /** The restriction classes being evaluated, outermost first, each with the number of table answers being evaluated when it was entered. */
  classPath: { name: string; tables: number }[];
  /** Restriction lists that access tables answered with, being evaluated. */
  tableLists: number;
  senderRcptmapChecked: boolean;
  recipientRcptmapChecked: boolean;
  /** The Milters of the connection (smtpd_milters), with what each has decided so far. */
  milters?: Milters;
  /** A Milter discards the message (the Milters hear nothing more of it). */
  milterDiscard: boolean;
  /** Actions delegated to cleanup. */
  discard: boolean;
  hold: boolean;
  savedFilter?: string;
  savedRedirect?: string;
  savedBcc: string[];
  prepend: string[];
  /** The text of the last rejection (smtpd's error_text). */
  errorText: string;
  errorCount: number;
  /** Commands counted towards smtpd_junk_command_limit since the last message. */
  junkCmds: number;
  /** RCPT commands beyond smtpd_recipient_limit in this transaction. */
  rcptOvershoot: number;
  accessDenied?: string;
  illegalPipelining: boolean;
  /** XCLIENT is allowed for the current client. */
  xclientAllowed: boolean;
  log: LogLine[];
  /** Where trace nodes of the current step go. */
  trace: SmtpdEvent[];
}

export const emptyDeferred = (): DeferredReply => ({ active: false, errorClass: 'policy', code: 0, dsn: '', reason: '' });
