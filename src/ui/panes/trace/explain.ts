/*
 * NAME
 *   explain - each step of a trace in plain words
 * DESCRIPTION
 *   What a row means and why it went that way, from the typed trace alone
 *   (verdicts, effects, statuses; and, for a key that was not found, the
 *   table's text). The row's own words are the engine's (smtpdEventText);
 *   these sentences add what they mean. A restriction
 *   that did not decide hands over to the next one; OK ends a list; an
 *   address class says which parameter put the domain there; a key not
 *   found says when the table has the same name with a leading dot (which
 *   matches subdomains only) or without one (which smtpd's parent-domain
 *   search does not try unless parent_domain_matches_subdomains says so).
 */
import type { AddressClass, AddressEvent, LookupTrace, SmtpdEvent, SmtpdEventOf } from '../../../engine/index.ts';
import { tablePath } from './links.ts';
import { eventTone } from './verdict.ts';
import type { Tone } from './verdict.ts';

/** The text of a workspace file, for explanations that look at a table. */
export type FileText = (path: string) => string | undefined;

const CLASS_WHY: Record<AddressClass, string> = {
  local: 'the domain is listed in mydestination (or is one of the machine’s own addresses): mail is for a local user',
  virtual_alias: 'the domain is listed in virtual_alias_domains: every address must be rewritten by virtual_alias_maps',
  virtual_mailbox: 'the domain is listed in virtual_mailbox_domains: mail is delivered to a mailbox by the virtual transport',
  relay: 'the domain is listed in relay_domains: this server accepts mail for it and passes it on',
  default:
    'the domain is in none of mydestination, virtual_alias_domains, virtual_mailbox_domains or relay_domains: mail for it leaves through default_transport, and reject_unauth_destination refuses it from clients that are not permitted to relay',
};

/** The keys of a table source: the first word of each line that is not a comment or a continuation. */
function tableKeys(text: string): Set<string> {
  const keys = new Set<string>();
  for (const l of text.split('\n')) {
    const m = /^([^\s#]\S*)/.exec(l);
    if (m) keys.add(m[1]!.toLowerCase());
  }
  return keys;
}

/**
 * Why a key was not found, when the table has a near miss. `parentStyle`:
 * parent domains are looked up without a dot (the program's parameter is in
 * parent_domain_matches_subdomains), with one (false), or not known.
 */
export function whyNotFound(t: LookupTrace, fileText: FileText, parentStyle?: boolean): string | undefined {
  const path = tablePath(t.table);
  const text = path ? fileText(path) : undefined;
  if (!text) return undefined;
  const keys = tableKeys(text);
  const key = (t.foldedKey ?? t.key).toLowerCase();
  if (!key.startsWith('.') && keys.has(`.${key}`)) {
    if (parentStyle === true)
      return `The table has “.${key}”, but here parent domains are looked up without a dot (the parameter is listed in parent_domain_matches_subdomains), so “.${key}” is never asked; write “${key}” to match ${key} and its subdomains.`;
    if (parentStyle === false) return `The table has “.${key}”, which matches subdomains of ${key} only (the leading dot); ${key} itself is not listed.`;
    return `The table has “.${key}”: a leading dot matches only subdomains of ${key}, and only where parent domains are looked up with the dot (see parent_domain_matches_subdomains); ${key} itself is not listed.`;
  }
  if (key.startsWith('.') && keys.has(key.slice(1)))
    return `The table lists “${key.slice(1)}” without a dot. Parent domains are looked up as “${key}” here, because the parameter is not listed in parent_domain_matches_subdomains; add “${key}” to the table to match subdomains.`;
  return undefined;
}

function lookupWords(e: SmtpdEventOf<'lookup'>, fileText: FileText): string {
  const t = e.trace;
  const key = t.foldedKey ?? t.key;
  if (t.skipped) return `${t.table} was not asked: ${t.skipped}.`;
  if (e.status === 'found')
    return `“${key}” is in ${t.table}${t.match?.line !== undefined ? ` at line ${t.match.line}` : ''}; its value decides what happens next.`;
  if (e.status === 'error') return `The lookup of “${key}” in ${t.table} failed; smtpd answers with a temporary error.`;
  return [`“${key}” is not in ${t.table}.`, whyNotFound(t, fileText)].filter(Boolean).join(' ');
}

/** What an access table action does to the request (the row's detail says what it does to the message). */
function actionWords(e: SmtpdEventOf<'action'>, tone: Tone): string {
  const value = `The table’s value is the action ${e.action}`;
  switch (e.effect) {
    case 'reject':
      return tone === 'defer' ? `${value}: it defers the request with a temporary (4xx) error.` : `${value}: it rejects the request.`;
    case 'permit':
      return `${value}: it permits the request, and the rest of this list is not evaluated.`;
    case 'dunno':
      return 'The table’s value is DUNNO: the search of this table stops, and the restriction does not decide.';
    case 'discard':
      return `${value}: it permits the request, and the whole message is discarded (no recipient receives it).`;
    case 'defer_if_permit':
      return `${value}: nothing is decided yet; if a later restriction permits the request, it is deferred instead.`;
    case 'defer_if_reject':
      return `${value}: nothing is decided yet; if a later restriction rejects the request, the rejection becomes this deferral.`;
    default:
      return `${value}: it applies to the message and does not decide the request; the next restriction is evaluated.`;
  }
}

/** explainStep - one smtpd trace event in plain words. */
export function explainStep(e: SmtpdEvent, fileText: FileText): string | undefined {
  const tone = eventTone(e);
  switch (e.kind) {
    case 'command': {
      const code = e.reply[0]?.slice(0, 3) ?? '';
      if (e.crash !== undefined) return 'smtpd died while handling this command; the client sees the connection close.';
      if (tone === 'reject') return `The server refused this command (${code}). The step that decided it is marked.`;
      if (tone === 'defer')
        return `The server answered with a temporary error (${code}); the client should try again later. The step that decided it is marked.`;
      return undefined;
    }
    case 'stage':
      if (tone === 'reject') return 'This restriction list rejected the request; the lists after it are not evaluated.';
      if (tone === 'defer') return 'This restriction list deferred the request with a temporary error.';
      if (tone === 'permit') return 'This restriction list permitted the request and stopped there; other lists are still evaluated on their own.';
      if (e.verdict === 'DUNNO') return 'No restriction in this list decided, so the list permits (the default at its end).';
      return undefined;
    case 'restriction': {
      // The reply itself is the row's detail.
      if (tone === 'reject') return `${e.name} rejected the request; the rest of this list is not evaluated.`;
      if (tone === 'defer') return `${e.name} deferred the request with a temporary (4xx) error.`;
      if (tone === 'permit') return `${e.name} permitted the request: the rest of this list is not evaluated.`;
      if (e.verdict === 'DUNNO') {
        const list = e.children?.find((c) => c.kind === 'list' && c.parameter === 'mynetworks' && !c.matched);
        if (e.name.toLowerCase() === 'permit_mynetworks' && list?.kind === 'list') {
          // Each item is tried on the name and on the address: name it once.
          const items = [...new Set(list.trace?.items.map((it) => (it.negated ? `!${it.item}` : it.item)))];
          return `The client (${list.subject.join(' ')}) is not in mynetworks${items.length ? ` (${items.join(' ')})` : ''}, so permit_mynetworks did not apply; the next restriction is evaluated.`;
        }
        return `${e.name} did not decide (DUNNO); the next restriction is evaluated.`;
      }
      return undefined;
    }
    case 'class':
      return e.name !== undefined
        ? `${e.name} is a restriction class (smtpd_restriction_classes): its restrictions are evaluated here in turn.`
        : 'The table’s value is a list of restrictions: they are evaluated here in turn.';
    case 'lookup':
      return lookupWords(e, fileText);
    case 'action':
      return actionWords(e, tone);
    case 'resolve':
      return `Address class ${e.class}: ${CLASS_WHY[e.class]}.`;
    default:
      return undefined;
  }
}

/** explainEvent - one address-resolution step in plain words. */
export function explainEvent(e: AddressEvent, fileText: FileText): string | undefined {
  switch (e.kind) {
    case 'class':
      return `${e.domain} is in class ${e.class}${e.parameter ? ` because of ${e.parameter}` : ''}: ${CLASS_WHY[e.class]}.`;
    case 'find':
      if (e.trace.status === 'found')
        return `${e.trace.maps} has “${e.trace.key}”${e.trace.extension ? ` (the extension ${e.trace.extension} was stripped to find it)` : ''}.`;
      if (e.trace.status === 'error') return `A table of ${e.trace.maps} failed; the address is deferred.`;
      for (const k of e.trace.keys)
        for (const l of k.lookups) {
          const why = whyNotFound(l, fileText);
          if (why) return `${e.trace.maps} has none of the keys tried. ${why}`;
        }
      return `${e.trace.maps} has none of the keys tried, so the address is left as it is.`;
    case 'list':
      return e.trace.matched ? `${e.trace.subject.join(' ')} is listed in ${e.trace.list}.` : `${e.trace.subject.join(' ')} is not listed in ${e.trace.list}.`;
    case 'transport':
      return `${e.step}: mail goes to transport ${e.transport}, next hop ${e.nexthop}${e.source ? ` (from “${e.source}”)` : ''}.`;
    default:
      return undefined;
  }
}
