/*
 * Small ready-made inputs for the page: one per kind of table. The first
 * one is what the page opens with.
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
