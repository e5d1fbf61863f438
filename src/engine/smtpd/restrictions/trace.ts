/*
 * NAME
 *   smtpd/restrictions/trace - the trace events restriction code records
 * DESCRIPTION
 *   Table lookups (with the file and line of the rule that answered), DNS
 *   queries (with the line of the DNS facts that answered) and resolver
 *   answers, each as one typed SmtpdEvent. Nothing is built when the
 *   session runs without a trace.
 * SEE ALSO
 *   access(5), trivial-rewrite(8)
 */
import type { DnsRecordType, LookupTrace, SourceLine } from '../../trace/types.ts';
import { splitSpec } from '../../tables/registry.ts';
import { classOf } from '../../resolve/resolve.ts';
import type { DnsAnswer } from '../../dns/facts.ts';
import type { Checker } from './checker.ts';
import type { MapsAnswer, ResolveAnswer } from './deps.ts';

/** ruleSource - the file and line of the rule that answered a lookup (the first member table that has one). */
export function ruleSource(trace: LookupTrace): SourceLine | undefined {
  if (trace.match?.line !== undefined) {
    const spec = splitSpec(trace.table);
    if (!('error' in spec)) return { file: spec.name, line: trace.match.line };
  }
  for (const child of trace.children ?? []) {
    const source = ruleSource(child);
    if (source) return source;
  }
  return undefined;
}

/** traceLookups - one event per table lookup of `answer`; the last one carries its outcome. */
export function traceLookups(c: Checker, answer: MapsAnswer): void {
  if (!c.tracing) return;
  const last = answer.lookups[answer.lookups.length - 1];
  for (const l of answer.lookups) {
    const status = l === last ? answer.status : 'notfound';
    const source = status === 'found' ? ruleSource(l) : undefined;
    c.step({
      kind: 'lookup',
      table: l.table,
      key: l.key,
      status,
      ...(status === 'found' && answer.value !== undefined && { value: answer.value }),
      trace: l,
      ...(source && { source }),
    });
  }
}

/** recordLookups - log what the tables warned about, and trace the lookups. */
export function recordLookups(c: Checker, answer: MapsAnswer): void {
  for (const w of answer.warnings ?? []) c.warn(w.message);
  traceLookups(c, answer);
}

/** dnsLookup - a query answered from the DNS facts, traced. */
export function dnsLookup(c: Checker, name: string, type: DnsRecordType): DnsAnswer {
  const answer = c.cfg.dns.lookup(name, type);
  traceDns(c, name, type, answer);
  return answer;
}

/** traceDns - the event of one DNS query; MX answers show their preference. */
export function traceDns(c: Checker, name: string, type: DnsRecordType, answer: DnsAnswer): void {
  if (!c.tracing) return;
  const line = answer.records[0]?.line;
  c.step({
    kind: 'dns',
    name,
    type,
    status: answer.status,
    answer: answer.records.map((r) => (r.type === 'MX' ? `${r.preference} ${r.data}` : r.data)),
    ...(line !== undefined && { source: { file: c.cfg.dns.file, line } }),
  });
}

/** traceResolve - what trivial-rewrite answered for `address`. */
export function traceResolve(c: Checker, address: string, reply: ResolveAnswer): void {
  if (!c.tracing) return;
  c.step({
    kind: 'resolve',
    address,
    class: classOf(reply.flags),
    transport: reply.transport,
    nexthop: reply.nexthop,
    recipient: reply.recipient,
  });
}
