/*
 * NAME
 *   rewrite - trivial-rewrite's address rewriting to standard form
 * SYNOPSIS
 *   rewriteTokens(tokens, context, settings, events)
 *   rewriteExternal(rule, address, settings) / rewriteInternal(rule, address, settings)
 * DESCRIPTION
 *   As trivial-rewrite(8) answers a `rewrite` request (and as the resolver
 *   uses it on the way): an empty address stays empty; a lone `@` becomes
 *   the empty address; a source route `@a,@b:user@domain` is dropped; an
 *   address without `@` becomes `user@site` from `site!user`
 *   (swap_bangpath), else `user@domain` from `user%domain`
 *   (allow_percent_hack), else gets `@$myorigin` (append_at_myorigin); a
 *   domain without a dot gets `.$mydomain` (append_dot_mydomain), except a
 *   domain literal; one trailing dot is removed.
 *
 *   The `local` rule uses $myorigin and $mydomain; the `remote` rule uses
 *   $remote_header_rewrite_domain for both (empty: nothing appended).
 *   Requests carry the external (quoted) form; the answer is the rewritten
 *   address's internal text quoted again as one address (so `"alice"@x`
 *   comes back as `alice@x`). rewriteInternal() quotes and unquotes around
 *   it, as rewrite_clnt_internal() does for cleanup.
 * SEE ALSO
 *   trivial-rewrite(8), ADDRESS_REWRITING_README
 */
import type { AddressEvent } from '../trace/types.ts';
import { quote822Local, unquote822Local } from '../search/quote.ts';
import type { Token } from '../util/tok822.ts';
import { externalize, internalize, lastIndexOfType, scanTokens } from '../util/tok822.ts';

/** What rewriting depends on. */
export interface RewriteSettings {
  myorigin: string;
  mydomain: string;
  remoteRewriteDomain: string;
  swapBangpath: boolean;
  percentHack: boolean;
  appendAtMyorigin: boolean;
  appendDotMydomain: boolean;
  /** Log the compatibility info when append_dot_mydomain rewrites (level < 1, not set). */
  warnAppendDotMydomain: boolean;
  /** resolve_class("localhost") is the default class (for the compatibility message). */
  localhostIsDefaultClass?: () => boolean;
}

/** The rewrite rule set: `local` or `remote`. */
export type RewriteRule = 'local' | 'remote';

const tok = (type: string, text = type): Token => ({ type, text });

/**
 * rewriteTokens - rewrite_tree(): rewrites `tokens` of one address in the
 * given context and returns the new list; each change is an event.
 */
export function rewriteTokens(input: readonly Token[], rule: RewriteRule, s: RewriteSettings, events: AddressEvent[]): Token[] {
  let t = [...input];
  const origin = rule === 'local' ? s.myorigin : s.remoteRewriteDomain;
  const domainName = rule === 'local' ? s.mydomain : s.remoteRewriteDomain;
  const step = (name: string, before: Token[], detail?: string): void => {
    events.push({ kind: 'rewrite', context: rule, step: name, before: externalize(before), after: externalize(t), ...(detail && { detail }) });
  };
  if (t.length === 0) return t;
  if (t.length === 1 && t[0]!.type === 'qstring' && t[0]!.text === '') return t;
  if (t.length === 1 && t[0]!.type === '@') {
    const before = t;
    t = [tok('qstring', '')];
    step('lone @ is the empty address', before);
    return t;
  }
  // Source route: drop everything up to the colon.
  if (t[0]!.type === '@') {
    const colon = t.findIndex((x) => x.type === ':');
    if (colon >= 0 && colon !== t.length - 1) {
      const before = t;
      t = t.slice(colon + 1);
      step('strip source route', before);
    }
  }
  if (lastIndexOfType(t, '@') < 0) {
    const bang = t.findIndex((x) => x.type === '!');
    const percent = lastIndexOfType(t, '%');
    const before = t;
    if (s.swapBangpath && bang >= 0) {
      t = [...t.slice(bang + 1), tok('@'), ...t.slice(0, bang)];
      step('swap_bangpath', before, 'site!user becomes user@site');
    } else if (s.percentHack && percent >= 0) {
      t = [...t.slice(0, percent), tok('@'), ...t.slice(percent + 1)];
      step('allow_percent_hack', before, 'user%domain becomes user@domain');
    } else if (s.appendAtMyorigin && origin !== '') {
      t = [...t, tok('@'), ...scanTokens(origin)];
      step('append_at_myorigin', before, `@${origin}`);
    }
  }
  const at = lastIndexOfType(t, '@');
  if (s.appendDotMydomain && domainName !== '' && at >= 0 && at !== t.length - 1 && !t.slice(at).some((x) => x.type === 'domlit' || x.type === '.')) {
    const before = t;
    const name = t[at + 1]!.text;
    let detail = `.${domainName}`;
    if (s.warnAppendDotMydomain && rule === 'local') {
      if (name.toLowerCase() !== 'localhost')
        detail = `using backwards-compatible default setting append_dot_mydomain=yes to rewrite "${name}" to "${name}.${s.mydomain}"`;
      else if (s.localhostIsDefaultClass?.())
        detail = `using backwards-compatible default setting append_dot_mydomain=yes to rewrite "${name}" to "${name}.${s.mydomain}"; please add "localhost" to mydestination or other address class`;
      if (detail !== `.${domainName}`) events.push({ kind: 'diagnostic', diagnostic: { severity: 'info', message: detail } });
    }
    t = [...t, tok('.'), ...scanTokens(domainName)];
    step('append_dot_mydomain', before, `.${domainName}`);
  }
  const n = t.length;
  if (n >= 2 && t[n - 1]!.type === '.' && t[n - 2]!.type !== '.' && t[n - 2]!.type !== '@') {
    const before = t;
    t = t.slice(0, -1);
    step('strip trailing dot', before);
  }
  return t;
}

/** rewriteExternal - a `rewrite` request: external-form address in, external form out. */
export function rewriteExternal(rule: RewriteRule, address: string, s: RewriteSettings, events: AddressEvent[] = []): string {
  if (address === '') {
    events.push({ kind: 'diagnostic', diagnostic: { severity: 'warning', message: 'rewrite_addr: null address' } });
    return '';
  }
  // The request is one address node: its text is the internal form, quoted as a whole.
  return quote822Local(internalize(rewriteTokens(scanTokens(address), rule, s, events)), { eightBitClean: true });
}

/** rewriteInternal - rewrite_clnt_internal(): internal form in and out. */
export function rewriteInternal(rule: RewriteRule, address: string, s: RewriteSettings, events: AddressEvent[] = []): string {
  return unquote822Local(rewriteExternal(rule, quote822Local(address), s, events));
}
