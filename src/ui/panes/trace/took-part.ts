/*
 * NAME
 *   took-part - the file lines that took part in an answer
 * DESCRIPTION
 *   For the editors' marks: every table line a lookup matched (in the
 *   session, the addresses or the lookup box); in the session, the file
 *   line each event names (a restriction list's or class's main.cf line,
 *   a facts line; postscreen's access list, DNSBL and test settings); in the addresses, the main.cf line of the list or
 *   table parameter that decided.
 */
import type { AddressEvent, LookupTrace, PostscreenEvent, SmtpdEvent, SourceLine } from '../../../engine/index.ts';
import type { QueryResponse, ResolveResponse, SmtpdResponse } from '../../worker/protocol.ts';
import { responseOf, type Live } from '../../state/live.svelte.ts';
import type { View } from '../../state/types.ts';
import { eventSource, lookupLines, parameterLine } from './links.ts';

const MAIN_CF = '/etc/postfix/main.cf';

/** Lines by path. */
export type Lines = Map<string, number[]>;

class Collector {
  readonly lines: Lines = new Map();
  private readonly mainCf: string | undefined;
  constructor(mainCf: string | undefined) {
    this.mainCf = mainCf;
  }
  add(path: string, line: number): void {
    const l = this.lines.get(path) ?? [];
    if (!l.includes(line)) l.push(line);
    this.lines.set(path, l);
  }
  lookup(t: LookupTrace | undefined): void {
    for (const { path, line } of lookupLines(t)) this.add(path, line);
  }
  parameter(name: string | undefined): void {
    const line = name && this.mainCf !== undefined ? parameterLine(this.mainCf, name) : undefined;
    if (line !== undefined) this.add(MAIN_CF, line);
  }
  source(s: SourceLine | undefined): void {
    if (s?.line !== undefined) this.add(s.file, s.line);
  }
  smtpd(events: readonly SmtpdEvent[] | undefined): void {
    for (const e of events ?? []) {
      this.source(eventSource(e));
      if (e.kind === 'lookup') this.lookup(e.trace);
      else if (e.kind === 'list') for (const it of e.trace?.items ?? []) for (const l of it.lookups ?? []) this.lookup(l);
      this.smtpd(e.children);
    }
  }
  postscreen(events: readonly PostscreenEvent[] | undefined): void {
    for (const e of events ?? []) {
      if ('source' in e) this.source(e.source);
      if (e.kind === 'lookup') this.lookup(e.trace);
      this.postscreen(e.children);
    }
  }
  events(events: readonly AddressEvent[]): void {
    for (const e of events) {
      if (e.kind === 'find') {
        for (const k of e.trace.keys) for (const l of k.lookups) this.lookup(l);
        if (e.trace.status === 'found') this.parameter(e.trace.maps);
      } else if (e.kind === 'maps') for (const l of e.trace.lookups) this.lookup(l);
      else if (e.kind === 'list') {
        for (const it of e.trace.items) for (const l of it.lookups ?? []) this.lookup(l);
        if (e.trace.matched) this.parameter(e.trace.list);
      } else if (e.kind === 'class') this.parameter(e.parameter);
      else if (e.kind === 'map') this.parameter(e.parameter);
    }
  }
}

export function smtpdLines(r: Extract<SmtpdResponse, { ok: true }>): Lines {
  const c = new Collector(undefined);
  c.smtpd(r.session?.trace);
  for (const x of r.connections ?? []) {
    c.postscreen(x.postscreenTrace);
    c.smtpd(x.trace);
  }
  return c.lines;
}

export function resolveLines(r: Extract<ResolveResponse, { ok: true }>, mainCf: string | undefined): Lines {
  const c = new Collector(mainCf);
  for (const a of r.addresses) c.events(a.result.trace);
  return c.lines;
}

export function queryLines(r: Extract<QueryResponse, { ok: true }>): Lines {
  const c = new Collector(undefined);
  c.lookup(r.result?.trace);
  for (const s of r.consumer?.steps ?? []) for (const l of s.lookups) c.lookup(l);
  return c.lines;
}

/**
 * answerLines - the lines that took part in the answer `view` shows (none
 * while it has none, nor for a view without an answer of its own).
 */
export function answerLines(view: View, live: Pick<Live, 'smtpd' | 'resolve' | 'query'>, mainCf: string | undefined): Lines {
  if (view === 'smtpd') {
    const r = responseOf(live.smtpd);
    return r ? smtpdLines(r) : new Map();
  }
  if (view === 'resolve') {
    const r = responseOf(live.resolve);
    return r ? resolveLines(r, mainCf) : new Map();
  }
  if (view === 'lookup') {
    const r = responseOf(live.query);
    return r ? queryLines(r) : new Map();
  }
  return new Map();
}
