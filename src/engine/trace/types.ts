/*
 * NAME
 *   trace/types - the one vocabulary of diagnostics and trace data
 * DESCRIPTION
 *   Every decision the engine makes is recorded with these types; the UI
 *   and the CLI only render them. This module imports nothing.
 */

/** How bad a diagnostic is, in the words Postfix logs it with. */
export type Severity = 'info' | 'warning' | 'error' | 'fatal';

/**
 * A message Postfix would log, located where the user can fix it.
 * `message` is Postfix's own text without the "program: severity:" prefix,
 * e.g. `regexp map /etc/postfix/x, line 3: unknown regexp option "q": skipping this rule`.
 */
export interface Diagnostic {
  severity: Severity;
  message: string;
  /** The file the message is about (as Postfix names it), when there is one. */
  file?: string;
  /** 1-based line number in `file`, when there is one. */
  line?: number;
  /** The program that logs it (`postconf`, `postfix/master`, ...) when it is not the one being simulated. */
  program?: string;
}

/** What one table lookup did: the input to every renderer. */
export interface LookupTrace {
  /** The table as configured, e.g. `hash:/etc/postfix/access`. */
  table: string;
  /** The key as the caller asked it. */
  key: string;
  /** The key as the table saw it (after case folding), when different. */
  foldedKey?: string;
  /** The rule or entry that decided the answer. */
  match?: RuleMatch;
  /** Rules that were evaluated and did not match, in order (pattern tables only, bounded). */
  tried?: number;
  /** The SQL statement sent, for sqlite tables. */
  query?: string;
  /** Why the table did not look at all (e.g. sqlite `domain` filter, suppressed query). */
  skipped?: string;
  /** Member lookups of unionmap/pipemap/proxy, in order. */
  children?: LookupTrace[];
  /** Free-form remarks about fidelity or engines. */
  notes?: string[];
}

/** The rule of a pattern table (or the entry of an indexed table) that matched. */
export interface RuleMatch {
  /** 1-based line of the rule in its file (first line of a continued rule). */
  line?: number;
  /** The rule text (pattern, or key) as written. */
  rule?: string;
  /** Captured groups, index 0 being the whole match; undefined for an unset group. */
  groups?: (string | undefined)[];
  /** Which regular-expression engine decided, for regexp/pcre. */
  engine?: RegexEngineName;
}

/** The regular-expression engines the simulator can use. */
export type RegexEngineName = 're2js' | 'js-regexp' | 'backtrack';

/** The three outcomes Postfix distinguishes for a dictionary lookup. */
export type LookupResult =
  | { status: 'found'; value: string; trace: LookupTrace; warnings?: Diagnostic[] }
  | { status: 'notfound'; trace: LookupTrace; warnings?: Diagnostic[] }
  | {
      status: 'error';
      /**
       * Severity `fatal`: the driver itself gave up, as Postfix's msg_fatal()
       * (postmap prints the message as is). Otherwise the table returned an
       * error code; postmap then says "table TYPE:NAME: query error" followed
       * by `: message` when the message is not empty (Postfix's `%m`).
       */
      error: Diagnostic;
      trace: LookupTrace;
      /** What was logged before the error (e.g. "Expansion limit exceeded"). */
      warnings?: Diagnostic[];
    };

/* Address resolution (match lists, maps, trivial-rewrite, cleanup, local, virtual). */

/** One item of a match list (match_list(3)) as it was tried. */
export interface ListItemTrace {
  /** The pattern or `type:table` as listed, without `!`. */
  item: string;
  /** The item was negated (an odd number of `!`). */
  negated: boolean;
  /** The `/file/name` the item came from, when it came from a file. */
  file?: string;
  /** The item matched the subject (before negation is applied). */
  matched: boolean;
  /** Table lookups the item made, in order. */
  lookups?: LookupTrace[];
}

/** A match list evaluation: the first matching item decides. */
export interface MatchListTrace {
  /** The parameter that holds the list, e.g. `mydestination`. */
  list: string;
  /** What was matched (a domain; or a name and an address). */
  subject: string[];
  items: ListItemTrace[];
  /** The list's answer (a matching `!item` answers false). */
  matched: boolean;
  /** A table lookup failed: the list answers "no match" with this error. */
  error?: Diagnostic;
  /** What the table lookups logged (e.g. a surrogate table's reason), before `error`. */
  warnings?: Diagnostic[];
}

/** One maps_find(3): a key sent to each table of a list in order. */
export interface MapsTrace {
  /** The parameter naming the tables, e.g. `transport_maps`. */
  maps: string;
  key: string;
  /** A partial key: pattern tables (regexp, pcre, ...) were skipped. */
  partial: boolean;
  status: 'found' | 'notfound' | 'error';
  value?: string;
  /** The table that answered (found or error). */
  table?: string;
  lookups: LookupTrace[];
  /** Tables not asked because the key is partial and they only take full keys. */
  skipped?: string[];
  warnings?: Diagnostic[];
}

/** One mail_addr_find(3): the keys derived from an address, in the order tried. */
export interface AddrFindTrace {
  maps: string;
  address: string;
  /** The strategy flags in Postfix's names (full, noext, localpart_if_local, ...). */
  strategy: string[];
  keys: MapsTrace[];
  status: 'found' | 'notfound' | 'error';
  value?: string;
  /** The key that found `value`. */
  key?: string;
  /** The address extension that was stripped to find `value` (with its delimiter). */
  extension?: string;
}

/**
 * A Milter application's decision for one event: a milter fact (`verdict`,
 * the fact's `verdict` or continue), or, when no fact names the Milter,
 * milter_default_action (`default`, with the `reply` it makes). smtpd
 * (smtpd_milters) and cleanup (non_smtpd_milters) record the same event.
 */
export interface MilterDecision {
  kind: 'fact';
  fact: 'milter';
  milter: string;
  /** connect, helo, mail, rcpt, data, header, eoh, body, eom, unknown. */
  stage: string;
  answer: 'verdict' | 'default';
  verdict?: string;
  /** What the daemon makes of it (a reply, or H / D for hold and discard); absent: go on. */
  reply?: string;
  source?: SourceLine;
}

/** One decision of the address pipeline; renderers switch on `kind`. */
export type AddressEvent =
  | { kind: 'rewrite'; context: 'local' | 'remote'; step: string; before: string; after: string; detail?: string }
  | { kind: 'list'; trace: MatchListTrace }
  | { kind: 'find'; trace: AddrFindTrace }
  | { kind: 'maps'; trace: MapsTrace }
  | { kind: 'class'; domain: string; class: AddressClass; parameter?: string }
  | { kind: 'transport'; step: string; transport: string; nexthop: string; source?: string }
  | {
      kind: 'map';
      step: 'canonical' | 'virtual' | 'masquerade' | 'alias' | 'relocated' | 'bcc';
      parameter: string;
      before: string;
      after: string[];
      note?: string;
    }
  | { kind: 'diagnostic'; diagnostic: Diagnostic; /** The program that logs it (trivial-rewrite when absent). */ program?: string }
  /** cleanup asks a Milter of non_smtpd_milters about a local submission. */
  | MilterDecision
  /**
   * local(8)'s loop check: is the recipient (`key`: external form, lower
   * case) already in a Delivered-To: header of the message? `loop`: yes,
   * and the recipient bounces ("mail forwarding loop for ...").
   */
  | { kind: 'delivered-to'; recipient: string; key: string; loop: boolean }
  | { kind: 'note'; text: string };

/** The address classes of ADDRESS_CLASS_README. */
export type AddressClass = 'local' | 'virtual_alias' | 'virtual_mailbox' | 'relay' | 'default';

/* smtpd: one session, as the decisions smtpd(8) made. */

/** A line of a file a decision came from: a table rule, a main.cf parameter, a facts line. */
export interface SourceLine {
  /** The file as Postfix names it, e.g. `/etc/postfix/access`, `/etc/postfix/main.cf`. */
  file: string;
  /** 1-based line; absent when the file as a whole decided. */
  line?: number;
}

/** SMTPD_CHECK_*: what a restriction, a restriction class or a stage answers. */
export type CheckVerdict = 'OK' | 'DUNNO' | 'REJECT';

/** The restriction lists, by the smtpd_check_* stage that evaluates them. */
export type RestrictionStage = 'client' | 'helo' | 'sender' | 'relay' | 'recipient' | 'etrn' | 'data' | 'end-of-data';

/** What an access table action does (check_table_result): its effect on the request or the message. */
export type AccessEffect =
  'permit' | 'reject' | 'dunno' | 'log' | 'filter' | 'hold' | 'discard' | 'redirect' | 'bcc' | 'prepend' | 'defer_if_permit' | 'defer_if_reject';

/** DNS record types the DNS facts know. */
export type DnsRecordType = 'A' | 'AAAA' | 'MX' | 'NS' | 'PTR' | 'TXT' | 'CNAME';

/** dns_lookup()'s outcomes: records, none (NXDOMAIN or NODATA), a temporary failure, a null MX. */
export type DnsQueryStatus = 'ok' | 'notfound' | 'retry' | 'nullmx';

/** What an address verification fact says (`pending`: no fact, a probe is in progress). */
export type VerifyFactStatus = 'deliverable' | 'undeliverable' | 'deferred' | 'pending';

/**
 * One decision of an smtpd session; renderers switch on `kind`. What the
 * decision led to is nested under it in `children` (a command's stages,
 * a stage's restrictions, a restriction's lookups and actions).
 */
export type SmtpdEvent = SmtpdEventData & { children?: SmtpdEvent[] };

/** The variants of SmtpdEvent, without their children. */
export type SmtpdEventData =
  /** smtpd_delay_reject = no: the client restrictions run when the client connects. */
  | { kind: 'session'; event: 'connect'; client: string }
  /** smtpd does not start, dies at start-up, or exits right after the connection. */
  | { kind: 'session'; event: 'no-start' | 'crash' | 'exit'; reason: string }
  /** One line the client sent, and the server's reply lines to it (DATA: the 354). */
  | {
      kind: 'command';
      line: string;
      /** The command name as smtpd's command table has it (`MAIL`); absent for an empty line. */
      verb?: string;
      reply: string[];
      /** smtpd died while handling the command: why. */
      crash?: string;
    }
  /** A restriction list evaluated by a stage, or a check smtpd makes on its own (`implicit`). */
  | {
      kind: 'stage';
      stage: RestrictionStage;
      /** The parameter that holds the list (or that asks for the implicit check), e.g. `smtpd_relay_restrictions`. */
      parameter: string;
      /** A check smtpd makes because `parameter = yes` (smtpd_reject_unlisted_sender, _recipient). */
      implicit?: true;
      /** The legacy default list that only warns ran instead (compatibility_level below 1). */
      legacy?: true;
      /** Reply name and class as smtpd writes them into a rejection (`<x@y>`, `Recipient address`). */
      replyName?: string;
      replyClass?: string;
      verdict?: CheckVerdict;
      /** The rejection reply, when the verdict is REJECT. */
      reply?: string;
      source?: SourceLine;
    }
  /** One restriction of a list, with its argument. */
  | {
      kind: 'restriction';
      /** Postfix's name as written, e.g. `check_recipient_access`, or a restriction class name. */
      name: string;
      /** Its argument: a `type:table`, an RBL domain, a policy server, a number. */
      arg?: string;
      /** Written as a bare `type:table`: the stage's own access restriction ran. */
      bare?: true;
      /** A preceding warn_if_reject turns a rejection into a warning. */
      warnIfReject?: true;
      verdict?: CheckVerdict;
      reply?: string;
    }
  /** A restriction class, or the restrictions an access table answered with, evaluated in turn. */
  | {
      kind: 'class';
      /** The class name (smtpd_restriction_classes); absent for a table's answer. */
      name?: string;
      restrictions: string[];
      source?: SourceLine;
    }
  /** One table lookup: the key sent and what came back. */
  | {
      kind: 'lookup';
      table: string;
      key: string;
      status: 'found' | 'notfound' | 'error';
      value?: string;
      trace: LookupTrace;
      /** The rule that matched. */
      source?: SourceLine;
    }
  /** What an access table (or policy server) answer does. */
  | {
      kind: 'action';
      /** The action word as written (`REJECT`, `OK`, `450`, `PREPEND`, ...). */
      action: string;
      /** The text after the word. */
      text?: string;
      effect: AccessEffect;
      /** The table or policy server that answered. */
      table: string;
    }
  /** One DNS query, answered from the DNS facts. */
  | { kind: 'dns'; name: string; type: DnsRecordType; status: DnsQueryStatus; answer: string[]; source?: SourceLine }
  /** trivial-rewrite's answer for an address (smtpd_resolve_addr). */
  | { kind: 'resolve'; address: string; class: AddressClass; transport: string; nexthop: string; recipient: string }
  /** A match list of main.cf (mynetworks, ...): does the client match? */
  | { kind: 'list'; parameter: string; subject: string[]; matched: boolean; source?: SourceLine; trace?: MatchListTrace }
  /** A fact the user supplied: an address verification answer. */
  | { kind: 'fact'; fact: 'verify'; address: string; status: VerifyFactStatus; text?: string; source?: SourceLine }
  /** A fact the user supplied: a policy server's answer (or that it gives none). */
  | {
      kind: 'fact';
      fact: 'policy';
      server: string;
      /** `action`: a matching policy fact; `no-answer`: facts for this server, none matching; `refused`: none at all. */
      answer: 'action' | 'no-answer' | 'refused';
      action?: string;
      source?: SourceLine;
    }
  /** A Milter application's decision for one event (smtpd_milters). */
  | MilterDecision
  /** A fact the user supplied: the session's TLS state and client certificate. */
  | { kind: 'fact'; fact: 'tls'; encrypted: boolean; fingerprint?: string; pkeyFingerprint?: string; verified?: boolean }
  /** A permit turns into the deferral a DEFER_IF_PERMIT remembered. */
  | { kind: 'note'; note: 'defer_if_permit'; reply: string }
  /** RCPT TO:<postmaster> is accepted without restrictions (RFC 5321). */
  | { kind: 'note'; note: 'postmaster' }
  /** XCLIENT replaced the client: who it is now. */
  | { kind: 'note'; note: 'xclient'; client: string; helo?: string; login?: string }
  /** The client sent more before smtpd answered: reject_unauth_pipelining rejects from now on. */
  | { kind: 'note'; note: 'pipelining'; after: string }
  /** Something the simulator does not model, and what it does instead. */
  | { kind: 'notice'; text: string };

/** The SmtpdEvent variants of one kind, e.g. `SmtpdEventOf<'restriction'>`. */
export type SmtpdEventOf<K extends SmtpdEvent['kind']> = Extract<SmtpdEventData, { kind: K }> & { children?: SmtpdEvent[] };

/* postscreen(8): what it decided for one connection. */

/** postscreen's tests, in the order of a cache entry's fields. */
export type PostscreenTestName = 'pregreet' | 'dnsbl' | 'pipelining' | 'non-smtp command' | 'bare newline';

/** What postscreen does when a test fails (`continue` is read as ignore). */
export type PostscreenAction = 'ignore' | 'enforce' | 'drop';

/**
 * When a passed test expires, in seconds since the dialogue's first
 * connection; `new`: never passed; `disabled`: never passed and the test
 * was off when the entry was written.
 */
export type PostscreenExpiry = number | 'new' | 'disabled';

/** One entry of the temporary allowlist (postscreen_cache_map). */
export interface PostscreenCacheEntry {
  client: string;
  expires: Record<PostscreenTestName, PostscreenExpiry>;
}

/** One (domain, filter, weight) of postscreen_dnsbl_sites and what it added to the score. */
export interface DnsblSiteScore {
  /** The entry as written, e.g. `bl.example.net=127.0.0.[2..11]*2`. */
  site: string;
  domain: string;
  filter?: string;
  weight: number;
  /** The name asked (reversed client address + domain) and the A records answered. */
  query: string;
  status: 'listed' | 'not listed' | 'error';
  replies: string[];
  /** The reply TTL dnsblog reported (-1: none). */
  ttl: number;
  /** The filter accepted a reply (or there is no filter and there was one): the weight counts. */
  matched: boolean;
  /** The line of the DNS facts that answered (its first record). */
  source?: SourceLine;
}

/** The combined DNSBL score of a client. */
export interface DnsblScore {
  total: number;
  threshold: number;
  allowlistThreshold: number;
  sites: DnsblSiteScore[];
  /** The TTL postscreen keeps the result for, after postscreen_dnsbl_min_ttl/max_ttl. */
  ttl: number;
  /** The list named in the reject reply (the matching site with the largest weight, after postscreen_dnsbl_reply_map). */
  name?: string;
  /** How the score was used: blocked (>= threshold), allowlisted (<= allowlist threshold), or neither. */
  verdict: 'blocked' | 'allowlisted' | 'passed';
}

/** What became of one test in one connection. */
export interface PostscreenTestResult {
  test: PostscreenTestName;
  /** off: disabled; cached: still valid from an earlier connection; passed/failed in this connection; not done: to do but the session ended first. */
  state: 'off' | 'cached' | 'passed' | 'failed' | 'not done';
  action?: PostscreenAction;
  detail?: string;
}

/** postscreen's part of one connection: the verdict the page and the CLI show. */
export interface PostscreenVerdict {
  client: string;
  port: string;
  server: string;
  /** Seconds since the dialogue's first connection. */
  start: number;
  end: number;
  outcome: PostscreenOutcome;
  decidedBy: PostscreenDecider;
  /** The postscreen_access_list result. */
  access?: { result: PostscreenAclResult; item?: string; source?: SourceLine };
  tests: PostscreenTestResult[];
  dnsbl?: DnsblScore;
  /** The client's cache entry before the connection and after it (absent: none). */
  cacheBefore?: PostscreenCacheEntry;
  cacheAfter?: PostscreenCacheEntry;
  /** PASS NEW / PASS OLD when logged. */
  pass?: 'NEW' | 'OLD';
}

/** How a connection left postscreen: handed-off (passed to smtpd); the others end in postscreen. */
export type PostscreenOutcome = 'handed-off' | 'disconnected' | 'dropped' | 'hung up' | 'no server';

/** What decided a connection's outcome. */
export type PostscreenDecider =
  'access list' | 'cache' | 'connection count limit' | 'command count limit' | 'tests' | 'no tests' | 'client' | PostscreenTestName;

/** What postscreen_access_list (server_acl) answers; `error`: a lookup failed or a command is unknown. */
export type PostscreenAclResult = 'permit' | 'reject' | 'dunno' | 'error';

/**
 * One decision postscreen(8) made for a connection; renderers switch on
 * `kind`. The connection is the root; what a step led to is nested under it
 * (the access list's items and lookups, the DNSBL sites, the dummy SMTP
 * engine's commands and the tests they passed or failed). Each event that
 * a line of a file decided carries its `source`.
 */
export type PostscreenEvent = PostscreenEventData & { children?: PostscreenEvent[] };

/** The variants of PostscreenEvent, without their children. */
export type PostscreenEventData =
  /** One connection from start to end: who, to where, how it ended and what decided. */
  | {
      kind: 'connection';
      client: string;
      port: string;
      server: string;
      serverPort: string;
      /** Seconds since the dialogue's first connection. */
      start: number;
      end: number;
      outcome: PostscreenOutcome;
      decidedBy: PostscreenDecider;
      pass?: 'NEW' | 'OLD';
    }
  /** postscreen does not start (a configuration error it dies of): nothing is screened. */
  | { kind: 'no-start'; reason: string }
  /** A limit was passed: too many connections from this client, too many commands, a command too long. */
  | {
      kind: 'limit';
      parameter: 'postscreen_client_connection_count_limit' | 'postscreen_command_count_limit' | 'line_length_limit';
      count: number;
      limit: number;
      reply: string;
      source?: SourceLine;
    }
  /** postscreen_access_list, first match wins: its answer and the item that gave it. */
  | { kind: 'access-list'; value: string; result: PostscreenAclResult; item?: string; source?: SourceLine }
  /** One item of the access list (or of a table's answer) and what it said. */
  | {
      kind: 'access-item';
      /** As written: `permit_mynetworks`, `reject`, `cidr:/etc/postfix/x` (a table's items are its lookup's children). */
      item: string;
      result: PostscreenAclResult | 'no match';
      /** permit_mynetworks: the mynetworks items. */
      mynetworks?: string[];
      /** Why the list ended in an error (an unknown command, a failed lookup). */
      error?: string;
      source?: SourceLine;
    }
  /** A table lookup of the access list: the client address sent and what came back. */
  | { kind: 'lookup'; table: string; key: string; status: 'found' | 'notfound' | 'error'; value?: string; trace: LookupTrace; source?: SourceLine }
  /** postscreen_denylist_action for a client the access list rejects. */
  | { kind: 'denylist'; action: PostscreenAction; reply?: string; source?: SourceLine }
  /** The local address is not in postscreen_allowlist_interfaces: the client is tested but not handed over. */
  | { kind: 'allowlist-veto'; server: string; source?: SourceLine }
  /** The temporary allowlist (postscreen_cache_map): the client's entry as found, and the tests to do. */
  | {
      kind: 'cache-lookup';
      client: string;
      /** postscreen_cache_map is set (else nothing is remembered). */
      enabled: boolean;
      entry?: PostscreenCacheEntry;
      /** The enabled tests whose time ran out (all of them for a new client). */
      todo: PostscreenTestName[];
      source?: SourceLine;
    }
  /** The client's entry as written when the connection passed a test. */
  | { kind: 'cache-update'; client: string; entry: PostscreenCacheEntry; source?: SourceLine }
  /** The DNSBL test: the combined score against the thresholds; the sites' queries are its children. */
  | {
      kind: 'dnsbl';
      total: number;
      threshold: number;
      allowlistThreshold: number;
      /** How long the result is kept (after postscreen_dnsbl_min_ttl and _max_ttl). */
      ttl: number;
      verdict: DnsblScore['verdict'];
      /** The list named in the reject reply. */
      name?: string;
      /** postscreen_dnsbl_action, when the score blocks. */
      action?: PostscreenAction;
      reply?: string;
      source?: SourceLine;
    }
  /** One entry of postscreen_dnsbl_sites: the query, the replies, whether the filter accepted one, the weight. */
  | { kind: 'dnsbl-site'; score: DnsblSiteScore; source?: SourceLine }
  /** A score at or below postscreen_dnsbl_allowlist_threshold: the other tests are skipped for `ttl` seconds. */
  | { kind: 'dnsbl-allowlist'; total: number; allowlistThreshold: number; ttl: number; source?: SourceLine }
  /** A test passed in this connection, and how long that holds. */
  | {
      kind: 'test';
      test: PostscreenTestName;
      result: 'pass';
      /** silent: quiet through postscreen_greet_wait (`wait` seconds); rcpt: the client got to RCPT TO. */
      how: 'silent' | 'rcpt';
      wait?: number;
      /** Seconds the pass is remembered (the test's TTL). */
      ttl: number;
      source?: SourceLine;
    }
  /** A test failed in this connection: what postscreen logged and the test's action. */
  | {
      kind: 'test';
      test: PostscreenTestName;
      result: 'fail';
      action: PostscreenAction;
      /** The log line that says what the client did. */
      text: string;
      /** ignore (deep tests): how long the failure is forgiven. */
      ttl?: number;
      /** The reply when the action is drop (at once) or enforce (to every RCPT). */
      reply?: string;
      source?: SourceLine;
    }
  /** The dummy SMTP engine talks to the client; its commands are the children. */
  | { kind: 'dummy'; deepTodo: PostscreenTestName[]; greeting: boolean }
  /** One line the dummy engine read, and its reply lines. */
  | { kind: 'command'; line: string; verb?: string; reply: string[] }
  /** The client closed the connection (it ran out of lines). */
  | { kind: 'hangup'; after: number; phase: string }
  /** The client passed: the connection goes to smtpd (private/SERVICE); `failed`: that service cannot be reached. */
  | { kind: 'handoff'; service: string; failed?: string; source?: SourceLine }
  /** Something the simulator does not model, and what it does instead. */
  | { kind: 'notice'; text: string };

/** The PostscreenEvent variants of one kind, e.g. `PostscreenEventOf<'test'>`. */
export type PostscreenEventOf<K extends PostscreenEvent['kind']> = Extract<PostscreenEventData, { kind: K }> & { children?: PostscreenEvent[] };
