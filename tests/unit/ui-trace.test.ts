// Trace rendering helpers of the page: verdict colours by what a step decided (the typed
// verdicts and effects, never "found"), the decisive path, links from events to file lines,
// the lines that took part, the transcript-to-command map, and the plain-words explanations.
import { describe, expect, it } from 'vitest';
import { createResolver, createTableCache, loadMainCf, parseDnsFacts, prepareSmtpd, runClient } from '../../src/engine/index.ts';
import type { SmtpdEvent, SmtpdEventOf } from '../../src/engine/index.ts';
import { commandIndexes } from '../../src/ui/panes/results/command-map.ts';
import { explainStep, whyNotFound } from '../../src/ui/panes/trace/explain.ts';
import { eventSource, lookupLine, parameterLine, tablePath } from '../../src/ui/panes/trace/links.ts';
import { smtpdLines } from '../../src/ui/panes/trace/took-part.ts';
import { decisivePath, eventTone, replyTone } from '../../src/ui/panes/trace/verdict.ts';
import { memoryHost } from '../support/memory-host.ts';

const ACCESS = 'hash:/etc/postfix/access';
const lookup = (status: 'found' | 'notfound' | 'error', value?: string, line?: number): SmtpdEventOf<'lookup'> => ({
  kind: 'lookup',
  table: ACCESS,
  key: 'x@example.com',
  status,
  ...(value !== undefined && { value }),
  trace: { table: ACCESS, key: 'x@example.com', ...(line !== undefined && { match: { line, rule: 'x@example.com' } }) },
  ...(line !== undefined && { source: { file: '/etc/postfix/access', line } }),
});
const action = (word: string, effect: SmtpdEventOf<'action'>['effect']): SmtpdEventOf<'action'> => ({ kind: 'action', action: word, effect, table: ACCESS });
const restriction = (verdict: 'OK' | 'DUNNO' | 'REJECT', reply?: string): SmtpdEventOf<'restriction'> => ({
  kind: 'restriction',
  name: 'check_recipient_access',
  arg: ACCESS,
  verdict,
  ...(reply !== undefined && { reply }),
});
const command = (line: string, reply: string, children?: SmtpdEvent[]): SmtpdEventOf<'command'> => ({
  kind: 'command',
  line,
  reply: [reply],
  ...(children && { children }),
});

describe('eventTone', () => {
  it('colours a command by its reply code, a restriction or list by its verdict', () => {
    expect(['554 5.7.1 no', '450 4.7.1 later', '250 2.1.5 Ok', '354 go on', ''].map(replyTone)).toEqual(['reject', 'defer', 'permit', 'permit', 'neutral']);
    expect(eventTone(command('RCPT TO:<x@y>', '554 5.7.1 no'))).toBe('reject');
    expect(eventTone({ kind: 'command', line: 'DATA', reply: [], crash: 'recursion' })).toBe('defer');
    expect(eventTone(restriction('REJECT', '554 5.7.1 <x@y>: Recipient address rejected'))).toBe('reject');
    expect(eventTone(restriction('REJECT', '450 4.7.1 <x@y>: Recipient address rejected'))).toBe('defer');
    expect(eventTone(restriction('OK'))).toBe('permit');
    expect(eventTone(restriction('DUNNO'))).toBe('neutral');
    expect(eventTone({ kind: 'stage', stage: 'relay', parameter: 'smtpd_relay_restrictions', verdict: 'OK' })).toBe('permit');
  });
  it('colours an action by its effect, never a lookup by what it found', () => {
    expect(
      [action('REJECT', 'reject'), action('DEFER', 'reject'), action('450', 'reject'), action('DISCARD', 'discard'), action('HOLD', 'hold')].map(eventTone),
    ).toEqual(['reject', 'defer', 'defer', 'reject', 'defer']);
    expect(
      [action('OK', 'permit'), action('DUNNO', 'dunno'), action('PREPEND', 'prepend'), action('DEFER_IF_PERMIT', 'defer_if_permit')].map(eventTone),
    ).toEqual(['permit', 'neutral', 'neutral', 'defer']);
    expect(eventTone(lookup('found', 'REJECT', 3))).toBe('neutral');
    expect(eventTone(lookup('error'))).toBe('neutral');
    expect(eventTone({ kind: 'resolve', address: 'd@x', class: 'relay', transport: 'relay', nexthop: 'x', recipient: 'd@x' })).toBe('neutral');
  });
});

describe('decisivePath', () => {
  const found = lookup('found', 'REJECT gone', 3);
  const reject: SmtpdEvent = { ...restriction('REJECT', '554 5.7.1 gone'), children: [lookup('notfound'), found, action('REJECT', 'reject')] };
  const dunno: SmtpdEvent = { kind: 'restriction', name: 'permit_mynetworks', verdict: 'DUNNO' };
  const stage: SmtpdEvent = {
    kind: 'stage',
    stage: 'recipient',
    parameter: 'smtpd_recipient_restrictions',
    verdict: 'REJECT',
    reply: '554 5.7.1 gone',
    children: [dunno, reject],
  };
  const cmd = command('RCPT TO:<x@example.com>', '554 5.7.1 gone', [stage]);
  const ok = command('EHLO x', '250 host');
  it('marks the command, the list, the restriction, its action and the lookup that gave the value', () => {
    const path = decisivePath([ok, cmd]);
    expect([...path].map((e) => e.kind)).toEqual(['command', 'stage', 'restriction', 'action', 'lookup']);
    expect(path.has(found)).toBe(true);
    expect(path.has(reject.children![0]!)).toBe(false);
    expect(path.has(dunno)).toBe(false);
    expect(path.has(ok)).toBe(false);
  });
  it('goes through the restrictions a table answered with', () => {
    const inner: SmtpdEvent = { kind: 'restriction', name: 'reject', verdict: 'REJECT', reply: '554 5.7.1 no' };
    const cls: SmtpdEvent = { kind: 'class', restrictions: ['reject'], children: [inner] };
    const viaTable: SmtpdEvent = { ...restriction('REJECT', '554 5.7.1 no'), children: [lookup('found', 'reject', 2), cls] };
    const path = decisivePath([command('RCPT TO:<x@y>', '554 5.7.1 no', [viaTable])]);
    expect(path.has(cls)).toBe(true);
    expect(path.has(inner)).toBe(true);
    expect(path.has(viaTable.children![0]!)).toBe(true);
  });
});

describe('links', () => {
  it('an event names its file line; a table spec names its file; a match names its line', () => {
    expect(eventSource(lookup('found', 'OK', 3))).toEqual({ file: '/etc/postfix/access', line: 3 });
    expect(eventSource(restriction('DUNNO'))).toBeUndefined();
    expect(tablePath('hash:/etc/postfix/access')).toBe('/etc/postfix/access');
    expect(tablePath('proxy:hash:/etc/postfix/x')).toBe('/etc/postfix/x');
    expect(tablePath('inline:{a=b}')).toBeUndefined();
    expect(lookupLine(lookup('found', 'OK', 3).trace)).toEqual({ path: '/etc/postfix/access', line: 3 });
    expect(parameterLine('a = 1\nsmtpd_relay_restrictions = x\n  y\nsmtpd_relay_restrictions = z\n', 'smtpd_relay_restrictions')).toBe(4);
  });
  it('pairs transcript exchanges with the trace’s commands by their line', () => {
    const trace = [command('EHLO x', '250 host'), command('RCPT TO:<a@b>', '554 no')];
    expect(
      commandIndexes([{ server: ['220 hi'] }, { client: 'EHLO x', server: ['250 host'] }, { client: 'RCPT TO:<a@b>', server: ['554 no'] }], trace),
    ).toEqual([-1, 0, 1]);
  });
});

describe('explanations', () => {
  const files: Record<string, string> = { '/etc/postfix/access': '# access\n.example.com REJECT\nparent.example OK\n' };
  const text = (p: string) => files[p];
  it('why example.com is not found when the table has .example.com, in both parent styles', () => {
    const t = { table: ACCESS, key: 'example.com' };
    expect(whyNotFound(t, text, false)).toContain('“.example.com”, which matches subdomains of example.com only');
    expect(whyNotFound(t, text, true)).toContain('so “.example.com” is never asked; write “example.com”');
    expect(whyNotFound(t, text)).toContain('only where parent domains are looked up with the dot');
  });
  it('why .parent.example is not found when the table has parent.example', () => {
    expect(whyNotFound({ table: ACCESS, key: '.parent.example' }, text)).toContain('parent_domain_matches_subdomains');
  });
  it('a DUNNO restriction hands over to the next one; permit_mynetworks names mynetworks', () => {
    expect(explainStep({ kind: 'restriction', name: 'reject_unknown_sender_domain', verdict: 'DUNNO' }, text)).toContain('the next restriction is evaluated');
    const pm: SmtpdEvent = {
      kind: 'restriction',
      name: 'permit_mynetworks',
      verdict: 'DUNNO',
      children: [
        {
          kind: 'list',
          parameter: 'mynetworks',
          subject: ['client.example', '192.0.2.9'],
          matched: false,
          trace: {
            list: 'mynetworks',
            subject: ['client.example', '192.0.2.9'],
            matched: false,
            items: [
              { item: '127.0.0.0/8', negated: false, matched: false },
              { item: '127.0.0.0/8', negated: false, matched: false },
              { item: '10.0.0.0/8', negated: true, matched: false },
            ],
          },
        },
      ],
    };
    expect(explainStep(pm, text)).toContain('(client.example 192.0.2.9) is not in mynetworks (127.0.0.0/8 !10.0.0.0/8), so');
  });
  it('a rejection names the reply; a 4xx action defers; a lookup says where the key is', () => {
    expect(explainStep(restriction('REJECT', '554 5.7.1 gone'), text)).toBe(
      'check_recipient_access rejected the request; the rest of this list is not evaluated.',
    );
    expect(explainStep(action('DEFER', 'reject'), text)).toContain('defers the request');
    expect(explainStep({ ...action('BCC', 'bcc'), text: 'audit@x' }, text)).toContain('does not decide the request');
    expect(explainStep(lookup('found', 'OK', 3), text)).toBe('“x@example.com” is in hash:/etc/postfix/access at line 3; its value decides what happens next.');
    expect(explainStep({ ...lookup('notfound'), key: 'example.com', trace: { table: ACCESS, key: 'example.com' } }, text)).toContain('leading dot');
  });
  it('the default class says why reject_unauth_destination refuses it', () => {
    expect(explainStep({ kind: 'resolve', address: 'd@x', class: 'default', transport: 'smtp', nexthop: 'x', recipient: 'd@x' }, text)).toContain(
      'reject_unauth_destination',
    );
  });
});

describe('a real session', () => {
  const MAIN = [
    'compatibility_level = 3.6',
    'myhostname = host.example.com',
    'alias_maps =',
    'local_recipient_maps =',
    'smtpd_recipient_restrictions = check_recipient_access texthash:/etc/postfix/access, permit',
    '',
  ].join('\n');
  const FILES = { '/etc/postfix/main.cf': MAIN, '/etc/postfix/access': '# recipients we refuse\nnobody@host.example.com REJECT gone\n' };
  async function run() {
    const host = memoryHost(FILES);
    const params = loadMainCf(MAIN);
    const cache = createTableCache(host, params);
    const resolver = await createResolver(params, { host, cache });
    const cfg = await prepareSmtpd({ host, params, cache, resolver, dns: parseDnsFacts('', '/etc/postfix/dns') });
    return runClient(cfg, 'HELO client.example\nMAIL FROM:<a@example.org>\nRCPT TO:<nobody@host.example.com>\nQUIT\n', {
      addr: '192.0.2.9',
      name: 'client.example',
    });
  }
  it('the decisive path ends in the table line; the lines that took part are the stage’s and the rule’s', async () => {
    const r = await run();
    const path = [...decisivePath(r.trace)];
    const red = path.filter((e) => eventTone(e) === 'reject').map((e) => e.kind);
    expect(red).toEqual(['command', 'stage', 'restriction', 'action']);
    const decidedBy = path.find((e) => e.kind === 'lookup');
    expect(decidedBy && eventSource(decidedBy)).toEqual({ file: '/etc/postfix/access', line: 2 });
    const lines = smtpdLines({ ok: true, session: r } as Parameters<typeof smtpdLines>[0]);
    expect(lines.get('/etc/postfix/access')).toEqual([2]);
    expect(lines.get('/etc/postfix/main.cf')).toContain(5);
  });
});
