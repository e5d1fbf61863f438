// Types of smtpd-format.mjs (plain ESM shared by the smtpd recorder and a vitest harness).
export declare const CONFIG_DIRECTORY: string;
export declare const DEFAULT_CLIENT: string;
export declare const NON_CONFIG_FILES: readonly string[];
export declare const DNS_TYPES: readonly string[];
export declare const DNS_FAILURES: readonly string[];
export declare const DEFAULT_TTL: number;
export declare const QUEUE_ID: RegExp;

/** A sessions/NAME.smtp file. `lines` are sent verbatim, CRLF added. */
export interface SmtpSession {
  client: string;
  /** `# pipelined`: every line is sent at once after the banner. */
  pipelined: boolean;
  comments: string[];
  lines: string[];
}
export declare function parseSession(text: string, where?: string): SmtpSession;
export declare function isDataCommand(line: string): boolean;
export declare function isBdatCommand(line: string): boolean;
/** The next unit to send from lines[index]; afterData354: the previous unit was DATA and got 354. */
export declare function nextUnit(lines: string[], index: number, afterData354: boolean): { send: string[]; next: number };
export declare function replyCode(reply: string[] | undefined): number | null;

export interface DnsRecord {
  name: string;
  ttl: number;
  /** A AAAA MX NS PTR TXT, or SERVFAIL / TIMEOUT (then data is ""). */
  type: string;
  data: string;
  line: number;
}
export declare function parseDnsFile(text: string, where?: string): DnsRecord[];

export interface BuildStep {
  command: 'postmap' | 'postalias';
  argv: string[];
  line: number;
}
export declare function parseBuildFile(text: string, where?: string): BuildStep[];

/** A `policy SERVER [name=value ...] => ACTION` line of a group's `facts` file. */
export interface PolicyFactLine {
  server: string;
  match: [string, string][];
  action: string;
  line: number;
}
export declare function parsePolicyFacts(text: string, where?: string): PolicyFactLine[];

/** A `milter SERVER STAGE [name=value ...] => VERDICT` line of a group's `facts` file. */
export interface MilterFactLine {
  server: string;
  stage: string;
  match: [string, string][];
  verdict: string;
  line: number;
}
export declare const MILTER_STAGES: readonly string[];
export declare const MILTER_VERDICTS: readonly string[];
export declare function parseMilterFacts(text: string, where?: string): MilterFactLine[];

export declare function parseLogLine(raw: string): { process: string; text: string } | null;
export declare function normaliseLogText(text: string, label?: (id: string) => string | undefined): string;
export declare function normaliseHeader(line: string, label?: (id: string) => string | undefined): string;

/** tests/golden/smtpd/GROUP/expected.json */
export interface SmtpdExpected {
  postfix: string;
  builds: { argv: string[]; stdout: string; stderr: string; status: number }[];
  startup: { status: number; stderr: string[]; log: string[] };
  sessions: Record<string, SmtpdSessionRecord>;
  /** warning/error/fatal/panic lines no session owns, sorted. */
  other: string[];
}
export interface SmtpdSessionRecord {
  /** commands[i] is what was sent for replies[i + 1] (one line, or a message up to "."). */
  commands: string[][];
  /** replies[0] is the banner; a reply is all its lines. [] when none came. */
  replies: string[][];
  /** smtpd died (fatal error): nobody answered; the recorder gave up. */
  noServer?: true;
  /** Script lines never sent because the server had closed the connection (after 221/421, or it died). */
  unsent?: number;
  log: string[];
  mail: SmtpdMail[];
  /** "name TYPE" of every DNS query during the session, sorted, unique. */
  dns: string[];
  /** Groups with a `facts` file only: every policy request in the session, in order. */
  policy?: { server: string; request: Record<string, string>; action: string | null }[];
  /** Groups with `milter` facts only: every event a Milter application answered, in order. */
  milter?: { server: string; stage: string; attrs: Record<string, string>; verdict: string }[];
  /** Present instead of everything else when Postfix did not start. */
  skipped?: string;
}
export interface SmtpdMail {
  id: string;
  /** Where the message still is after the queue settled (hold, deferred), else null. */
  queue: { name: string; sender: string; recipients: { address: string; reason?: string }[] } | null;
  deliveries: {
    service: string;
    nexthop: string;
    sender: string;
    recipients: { original: string | null; recipient: string }[];
    headers: string[];
  }[];
}
