// Types of resolve-format.mjs (plain ESM shared by the recorder and a vitest harness).
export declare const CONFIG_DIRECTORY: string;
export declare const RECORD_ENVIRONMENT: Readonly<Record<string, string>>;
export declare const REQUIRED_PARAMETERS: readonly string[];
export declare const RECORDER_PARAMETERS: Readonly<Record<string, string>>;
export declare const STAND_IN_COMMANDS: readonly string[];
export declare const STAND_IN_ARGV: string;
export declare const BASE_ACCOUNTS: readonly string[];
export declare const MESSAGE_TEXT: string;
export declare const RESOLVE_FLAGS: Readonly<Record<string, number>>;
export declare const CLASS_NAMES: Readonly<Record<string, ResolveClass>>;

export type ResolveClass = 'local' | 'virtual_alias' | 'virtual_mailbox' | 'relay' | 'default';

export interface ResolveCase {
  line: number;
  sender: string;
  address: string;
}
export interface BuildStep {
  line: number;
  command: 'postmap' | 'postalias';
  map: string;
  argv: string[];
}
export interface PasswdEntry {
  line: number;
  name: string;
  uid: number;
  gid: number;
  home: string;
  entry: string;
}
export interface LogLine {
  program: string;
  pid: number | null;
  message: string;
  severity: 'warning' | 'error' | 'fatal' | 'panic' | null;
  queueId: string | null;
  text: string;
}
export interface Delivery {
  to: string;
  orig_to?: string;
  relay: string;
  dsn: string;
  status: string;
  text: string;
}

export declare function decodeResolveFlags(flags: number): { names: string[]; class: string | null };
export declare function parseCases(text: string, where?: string): ResolveCase[];
export declare function parseBuild(text: string, where?: string): BuildStep[];
export declare function parsePasswd(text: string, where?: string): PasswdEntry[];
export declare function parseLogLine(raw: string): LogLine | null;
export declare const ENVIRONMENT_NOISE: readonly RegExp[];
export declare function isEnvironmentNoise(line: LogLine): boolean;
export declare function formatLine(line: LogLine, rename?: (queueId: string) => string | null | undefined): string;
export declare function normaliseText(text: string, rename: (queueId: string) => string | null | undefined): string;
export declare function parseDelivery(text: string): Delivery | null;

/** The shape of tests/golden/resolve/<group>/expected.json (see the README there). */
export interface GoldenRewrite {
  request: { request: 'rewrite'; rule: string; address: string };
  serverFlags: number;
  address: string;
}
export interface GoldenResolve {
  request: { request: 'resolve'; sender: string; address: string };
  serverFlags: number;
  transport: string;
  nexthop: string;
  recipient: string;
  flags: number;
  flagNames: string[];
  class: string | null;
  warnings: string[];
}
export interface GoldenRecipient extends Delivery {
  /** The program that logged the record, e.g. postfix/local, postfix/pipe (stand-ins), postfix/error. */
  agent: string;
  resolve: GoldenResolve;
}
export interface GoldenCase {
  line: number;
  sender: string;
  address: string;
  rewrite: GoldenRewrite;
  resolve: GoldenResolve;
  sendmail: { argv: string[]; status: number; stdout: string; stderr: string };
  queued: boolean;
  from: string | null;
  recipients: GoldenRecipient[];
  log: string[];
  warnings: string[];
}
export interface GoldenResolveGroup {
  postfix: string;
  builds: { argv: string[]; command: 'postmap' | 'postalias'; stdout: string; stderr: string; status: number }[];
  startup: string[];
  cases: GoldenCase[];
}
