/*
 * Small ready-made inputs for the page: one per kind of table (the first
 * one is what the page opens with), then SMTP sessions and address
 * resolution. The session and resolution examples are golden groups
 * (tests/golden/smtpd/GROUP, tests/golden/resolve/GROUP) taken as they
 * are, so what the page shows for them was recorded from real Postfix.
 */
export interface Example {
  name: string;
  files: { path: string; text: string }[];
  spec: string;
  key: string;
  environment?: string;
}

export const EXAMPLES: readonly Example[] = [
  {
    name: 'hash: access table',
    files: [
      {
        path: '/etc/postfix/access',
        text: `# access(5) table, built with "postmap hash:/etc/postfix/access"
example.com        REJECT spam domain
user@example.org   OK
.sub.example.net   DISCARD no thanks
`,
      },
    ],
    spec: 'hash:/etc/postfix/access',
    key: 'Example.COM',
  },
  {
    name: 'regexp: with $N substitution',
    files: [
      {
        path: '/etc/postfix/transport_regexp',
        text: `# regexp_table(5)
/^postmaster@/                OK
/^(.*)@(.*)\\.example\\.com$/   relay:[$2.internal]:$1
/\\.invalid$/                  REJECT bad TLD
`,
      },
    ],
    spec: 'regexp:/etc/postfix/transport_regexp',
    key: 'joe@mail.example.com',
  },
  {
    name: 'pcre: lookahead',
    files: [
      {
        path: '/etc/postfix/outgoing.pcre',
        text: `# pcre_table(5), from the man page
/^(?!owner-)(.*)-outgoing@(.*)/   $1@$2
/^owner-/                          OWNER
`,
      },
    ],
    spec: 'pcre:/etc/postfix/outgoing.pcre',
    key: 'list-outgoing@example.org',
  },
  {
    name: 'cidr: IPv4 and IPv6',
    files: [
      {
        path: '/etc/postfix/client.cidr',
        text: `# cidr_table(5): first match wins
192.168.0.0/16        REJECT private net
10.1.2.3              OK
[2001:db8:1::]/48     REJECT v6 narrower
2001:db8::/32         DUNNO v6 doc range
172.16.1.1/12         BAD host bits
`,
      },
    ],
    spec: 'cidr:/etc/postfix/client.cidr',
    key: '2001:db8:1::25',
  },
  {
    name: 'inline: and static:',
    files: [],
    spec: 'inline:{ a=1, { b = text with space } }',
    key: 'b',
  },
  {
    name: 'unionmap: all results joined',
    files: [],
    spec: 'unionmap:{inline:{a=1, b=x}, inline:{b=2}, static:three}',
    key: 'b',
  },
  {
    name: 'pipemap: one feeds the next',
    files: [],
    spec: 'pipemap:{inline:{a=b}, inline:{b=c}}',
    key: 'a',
  },
  {
    name: 'environ: the environment you give',
    files: [],
    spec: 'environ:env',
    key: 'greeting',
    environment: 'greeting=hello world\n',
  },
];

/** A workspace file. */
export interface ExampleFile {
  path: string;
  text: string;
}

/** An SMTP session example: /etc/postfix files (main.cf, tables, dns) and a dialogue. */
export interface SmtpdExample {
  name: string;
  /** The golden group and session it comes from. */
  source: string;
  files: ExampleFile[];
  dialogue: string;
}

/** An address resolution example: /etc/postfix files and `sendmail -bv` arguments. */
export interface ResolveExample {
  name: string;
  source: string;
  files: ExampleFile[];
  sender: string;
  addresses: string;
}

/** Files of golden groups that are not part of /etc/postfix (sessions, cases, build steps, recordings). */
const NOT_CONFIG = new Set(['expected.json', 'build', 'cases', 'README.md']);

/** The configuration files of golden groups, by group: `group/name` -> text. */
const GOLDEN_FILES: Record<string, string> = {
  ...import.meta.glob(['../../tests/golden/smtpd/{relay-table,access-recipient-actions,dns-client}/*', '!**/expected.json'], {
    query: '?raw',
    import: 'default',
    eager: true,
  }),
  ...import.meta.glob(['../../tests/golden/resolve/{classes-conflicts,virtual-alias-expansion}/*', '!**/expected.json'], {
    query: '?raw',
    import: 'default',
    eager: true,
  }),
};
const SESSIONS: Record<string, string> = import.meta.glob(
  [
    '../../tests/golden/smtpd/relay-table/sessions/outside-relay-domain.smtp',
    '../../tests/golden/smtpd/access-recipient-actions/sessions/prepend.smtp',
    '../../tests/golden/smtpd/dns-client/sessions/rbl-listed.smtp',
  ],
  { query: '?raw', import: 'default', eager: true },
);

/** A golden group as /etc/postfix files. */
function groupFiles(kind: 'smtpd' | 'resolve', group: string): ExampleFile[] {
  const prefix = `../../tests/golden/${kind}/${group}/`;
  return Object.entries(GOLDEN_FILES)
    .filter(([p]) => p.startsWith(prefix) && !NOT_CONFIG.has(p.slice(prefix.length)))
    .map(([p, text]) => ({ path: `/etc/postfix/${p.slice(prefix.length)}`, text }))
    .sort((a, b) => (a.path === '/etc/postfix/main.cf' ? -1 : b.path === '/etc/postfix/main.cf' ? 1 : a.path.localeCompare(b.path)));
}

/** The `cases` file of a resolve group: SENDER<TAB>ADDRESS lines, comments skipped. */
function groupCases(group: string): { sender: string; addresses: string } {
  const text = import.meta.glob('../../tests/golden/resolve/{classes-conflicts,virtual-alias-expansion}/cases', {
    query: '?raw',
    import: 'default',
    eager: true,
  })[`../../tests/golden/resolve/${group}/cases`] as string;
  const pairs = text
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .map((l) => l.split('\t') as [string, string]);
  return { sender: pairs[0]?.[0] ?? '', addresses: pairs.map((p) => p[1]).join('\n') + '\n' };
}

function smtpdExample(name: string, group: string, session: string): SmtpdExample {
  return {
    name,
    source: `tests/golden/smtpd/${group}, session ${session}`,
    files: groupFiles('smtpd', group),
    dialogue: SESSIONS[`../../tests/golden/smtpd/${group}/sessions/${session}.smtp`] ?? '',
  };
}

function resolveExample(name: string, group: string): ResolveExample {
  return { name, source: `tests/golden/resolve/${group}`, files: groupFiles('resolve', group), ...groupCases(group) };
}

/** The configuration of the scenario tests/golden/scenarios/postscreen-dnsbl (sessions recorded from real Postfix in its postscreen.expect). */
const POSTSCREEN_FILES: Record<string, string> = import.meta.glob(
  ['../../tests/golden/scenarios/postscreen-dnsbl/{main.cf,master.cf,dns,aliases,passwd,postscreen_access.cidr}'],
  { query: '?raw', import: 'default', eager: true },
);

/**
 * postscreen in front of smtpd: two connections of the scenario's recorded
 * sessions (zen-listed, allowlisted-outweighs), from two clients, so each
 * gets what it got alone.
 */
const POSTSCREEN_DIALOGUE = `# connection client=203.0.113.4
# zen.example.net lists this client (weight 3, the threshold): postscreen's dummy engine refuses it.
EHLO spam.example
MAIL FROM:<offers@spam.example>
RCPT TO:<alice@example.com>
QUIT
# connection client=203.0.113.7 at=10
# zen lists it too, but an allow list's weight -4 outweighs that: it passes and meets smtpd.
EHLO mail.bigprovider.example
MAIL FROM:<user@bigprovider.example>
RCPT TO:<alice@example.com>
QUIT
`;

function postscreenExample(): SmtpdExample {
  const prefix = '../../tests/golden/scenarios/postscreen-dnsbl/';
  const files = Object.entries(POSTSCREEN_FILES)
    .map(([p, text]) => ({ path: `/etc/postfix/${p.slice(prefix.length)}`, text }))
    .sort((a, b) => (a.path === '/etc/postfix/main.cf' ? -1 : b.path === '/etc/postfix/main.cf' ? 1 : a.path.localeCompare(b.path)));
  return {
    name: 'postscreen: DNSBL score, access list, two connections',
    source: 'tests/golden/scenarios/postscreen-dnsbl, sessions zen-listed and allowlisted-outweighs',
    files,
    dialogue: POSTSCREEN_DIALOGUE,
  };
}

export const SMTPD_EXAMPLES: readonly SmtpdExample[] = [
  // tests/golden/smtpd/relay-table, outside-relay-domain: two accepted recipients, "Relay access denied", queued.
  smtpdExample('relay control: relay_domains, mynetworks table', 'relay-table', 'outside-relay-domain'),
  // tests/golden/smtpd/access-recipient-actions, prepend: an access table action on accepted mail.
  smtpdExample('access table: PREPEND on accepted mail', 'access-recipient-actions', 'prepend'),
  // tests/golden/smtpd/dns-client, rbl-listed: DNS facts (a DNSBL answer with TXT).
  smtpdExample('DNS facts: reject_rbl_client', 'dns-client', 'rbl-listed'),
  // tests/golden/scenarios/postscreen-dnsbl: postscreen's access list and weighted DNSBLs, two clients.
  postscreenExample(),
];

export const RESOLVE_EXAMPLES: readonly ResolveExample[] = [
  // tests/golden/resolve/classes-conflicts: local, virtual alias, virtual mailbox and relay domains.
  resolveExample('address classes: local, virtual alias, virtual mailbox, relay', 'classes-conflicts'),
  // tests/golden/resolve/virtual-alias-expansion: one address becomes several.
  resolveExample('virtual alias expansion', 'virtual-alias-expansion'),
];
