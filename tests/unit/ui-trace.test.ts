// Trace rendering helpers: verdict colours by what a step decided, the decisive path,
// links from rows to file lines, and the plain-words explanations.
import { describe, expect, it } from 'vitest';
import type { TraceNode } from '../../src/engine/index.ts';
import { explainNode, whyNotFound } from '../../src/ui/panes/trace/explain.ts';
import { lookupLine, parameterLine, tablePath } from '../../src/ui/panes/trace/links.ts';
import { decisivePath, toneOf } from '../../src/ui/panes/trace/verdict.ts';

describe('toneOf', () => {
  it('colours by the decision, never by "found"', () => {
    expect(['554', 'REJECT', 'reject', 'DISCARD'].map((r) => toneOf(r))).toEqual(['reject', 'reject', 'reject', 'reject']);
    expect(['451', 'DEFER_IF_PERMIT', 'HOLD', 'lookup error'].map((r) => toneOf(r))).toEqual(['defer', 'defer', 'defer', 'defer']);
    expect(['250', 'OK', 'PERMIT', '354'].map((r) => toneOf(r))).toEqual(['permit', 'permit', 'permit', 'permit']);
    expect(['found', 'not found', 'DUNNO', 'no match', undefined].map((r) => toneOf(r))).toEqual(['neutral', 'neutral', 'neutral', 'neutral', 'neutral']);
    // A lookup that found REJECT is neutral: its action is the verdict. A class is never a verdict.
    expect(toneOf('found: REJECT', 'lookup')).toBe('neutral');
    expect(toneOf('relay', 'resolve')).toBe('neutral');
  });
});

const lookup = (result: string, line?: number): TraceNode => ({
  kind: 'lookup',
  title: 'hash:/etc/postfix/access',
  result,
  lookup: { table: 'hash:/etc/postfix/access', key: 'x@example.com', ...(line !== undefined && { match: { line, rule: 'x@example.com' } }) },
});

describe('decisivePath', () => {
  const reject: TraceNode = {
    kind: 'restriction',
    title: 'check_recipient_access hash:/etc/postfix/access',
    result: 'REJECT',
    children: [lookup('found', 3), { kind: 'action', title: 'REJECT' }],
  };
  (reject.children![1] as TraceNode).result = 'REJECT';
  const dunno: TraceNode = { kind: 'restriction', title: 'permit_mynetworks', result: 'DUNNO' };
  const stage: TraceNode = { kind: 'stage', title: 'smtpd_recipient_restrictions', result: 'REJECT', children: [dunno, reject] };
  const cmd: TraceNode = { kind: 'command', title: 'RCPT TO:<x@example.com>', result: '554', children: [stage] };
  const ok: TraceNode = { kind: 'command', title: 'EHLO x', result: '250' };
  it('marks the command, the list, the restriction, its action and the lookup that gave the value', () => {
    const path = decisivePath([ok, cmd]);
    expect([...path].map((n) => n.title)).toEqual([
      'RCPT TO:<x@example.com>',
      'smtpd_recipient_restrictions',
      'check_recipient_access hash:/etc/postfix/access',
      'REJECT',
      'hash:/etc/postfix/access',
    ]);
    expect(path.has(dunno)).toBe(false);
    expect(path.has(ok)).toBe(false);
  });
});

describe('links', () => {
  it('a table spec names its file; a match names its line', () => {
    expect(tablePath('hash:/etc/postfix/access')).toBe('/etc/postfix/access');
    expect(tablePath('proxy:hash:/etc/postfix/x')).toBe('/etc/postfix/x');
    expect(tablePath('inline:{a=b}')).toBeUndefined();
    expect(lookupLine(lookup('found', 3).lookup!)).toEqual({ path: '/etc/postfix/access', line: 3 });
    expect(parameterLine('a = 1\nsmtpd_relay_restrictions = x\n  y\nsmtpd_relay_restrictions = z\n', 'smtpd_relay_restrictions')).toBe(4);
  });
});

describe('explanations', () => {
  const files: Record<string, string> = { '/etc/postfix/access': '# access\n.example.com REJECT\nparent.example OK\n' };
  const text = (p: string) => files[p];
  it('why example.com is not found when the table has .example.com, in both parent styles', () => {
    const t = { table: 'hash:/etc/postfix/access', key: 'example.com' };
    expect(whyNotFound(t, text, false)).toContain('“.example.com”, which matches subdomains of example.com only');
    expect(whyNotFound(t, text, true)).toContain('so “.example.com” is never asked; write “example.com”');
    expect(whyNotFound(t, text)).toContain('only where parent domains are looked up with the dot');
  });
  it('why .parent.example is not found when the table has parent.example', () => {
    expect(whyNotFound({ table: 'hash:/etc/postfix/access', key: '.parent.example' }, text)).toContain('parent_domain_matches_subdomains');
  });
  it('a DUNNO restriction hands over to the next one; permit_mynetworks names mynetworks', () => {
    expect(explainNode({ kind: 'restriction', title: 'reject_unknown_sender_domain', result: 'DUNNO' }, text)).toContain('the next restriction is evaluated');
    const pm: TraceNode = {
      kind: 'restriction',
      title: 'permit_mynetworks',
      result: 'DUNNO',
      children: [{ kind: 'note', title: 'mynetworks = 127.0.0.0/8', result: 'no match' }],
    };
    expect(explainNode(pm, text)).toContain('not in mynetworks (127.0.0.0/8)');
  });
  it('the default class says why reject_unauth_destination refuses it', () => {
    expect(explainNode({ kind: 'resolve', title: 'resolve d@x', result: 'default' }, text)).toContain('reject_unauth_destination');
  });
});
