/*
 * NAME
 *   verdict - the colour of a step: what it decided, never whether a key was found
 * DESCRIPTION
 *   reject (red): 5xx replies, REJECT, DISCARD. defer (amber): 4xx replies,
 *   DEFER and its variants, HOLD, lookup errors (they become 4xx). permit
 *   (green): 2xx/3xx replies, OK, PERMIT, RELAY. neutral: everything that
 *   did not decide (DUNNO, found, not found, a class, a note). A table that
 *   has the key is neutral; the action its value names has the colour.
 *
 *   decisivePath marks the steps that decided a command: in each node the
 *   last child that decided something (restrictions stop at the first
 *   decision, so the last one evaluated is it), down to the action.
 */
import type { TraceNode } from '../../../engine/index.ts';

export type Tone = 'reject' | 'defer' | 'permit' | 'neutral';

/** Steps that describe rather than decide: always neutral, whatever their result says. */
const DESCRIBING = new Set(['resolve', 'class', 'note', 'dns', 'fact', 'lookup', 'session']);

export function toneOf(result: string | undefined, kind?: string): Tone {
  if (kind !== undefined && DESCRIBING.has(kind)) return 'neutral';
  const r = (result ?? '').trim();
  if (/^5\d\d\b/.test(r) || /^(REJECT|DISCARD)\b/i.test(r) || /^reject\b/i.test(r)) return 'reject';
  if (/^4\d\d\b/.test(r) || /^(DEFER|DEFER_IF_PERMIT|DEFER_IF_REJECT|HOLD)\b/i.test(r) || /^(defer|retry|error|lookup error|temporary)/i.test(r))
    return 'defer';
  if (/^[23]\d\d\b/.test(r) || /^(OK|PERMIT|RELAY|accept)\b/i.test(r) || /^permit\b/i.test(r)) return 'permit';
  return 'neutral';
}

/** The tone of a trace node: an action is named by its title (REJECT, DEFER, OK...). */
export function nodeTone(node: TraceNode): Tone {
  return toneOf(node.kind === 'action' ? (node.result ?? node.title) : node.result, node.kind);
}

/** The nodes on the decisive path of each command (by identity). */
export function decisivePath(nodes: readonly TraceNode[]): Set<TraceNode> {
  const out = new Set<TraceNode>();
  /** Marks `node` and its last deciding child, recursively. */
  const walk = (node: TraceNode): void => {
    out.add(node);
    const kids = node.children ?? [];
    for (let i = kids.length - 1; i >= 0; i--) {
      const k = kids[i]!;
      if (nodeTone(k) === 'neutral') continue;
      walk(k);
      // The lookup whose value named the action sits right before it.
      const prev = kids[i - 1];
      if (k.kind === 'action' && prev?.lookup) out.add(prev);
      return;
    }
  };
  for (const n of nodes) {
    if (n.kind !== 'command') continue;
    const tone = nodeTone(n);
    // A refused command always has a decisive path; an accepted one when a step permitted it.
    if (tone === 'reject' || tone === 'defer' || (n.children ?? []).some((k) => nodeTone(k) === 'permit')) walk(n);
  }
  return out;
}
