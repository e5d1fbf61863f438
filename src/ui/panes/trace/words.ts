/*
 * NAME
 *   words - what a trace tree needs to know about one kind of trace
 * DESCRIPTION
 *   TraceTree draws any tree of events that have a `kind` and `children`:
 *   smtpd's (SmtpdEvent) and postscreen's (PostscreenEvent). A TraceWords
 *   says, for one of them, the row's words (the engine's, the same the
 *   command line prints), its colour, the plain-words explanation, the
 *   table lookup it shows, and the file line it links to.
 */
import { postscreenEventText, smtpdEventText } from '../../../engine/index.ts';
import type { LookupTrace, PostscreenEvent, SmtpdEvent, SmtpdEventText, SourceLine } from '../../../engine/index.ts';
import { explainPostscreen, explainStep } from './explain.ts';
import type { FileText } from './explain.ts';
import { eventSource } from './links.ts';
import { eventTone, postscreenTone } from './verdict.ts';
import type { Tone } from './verdict.ts';

/** What every trace event has. */
export interface TraceNode {
  kind: string;
  children?: readonly TraceNode[];
}

export interface TraceWords<E extends TraceNode> {
  text(e: E): SmtpdEventText;
  tone(e: E): Tone;
  explain(e: E, fileText: FileText): string | undefined;
  /** The lookup the row opens to, for a lookup event. */
  lookup(e: E): LookupTrace | undefined;
  source(e: E): SourceLine | undefined;
  /** A badge for a row whose text has no result (smtpd: an access action's word). */
  badge(e: E, tone: Tone): string | undefined;
}

export const SMTPD_WORDS: TraceWords<SmtpdEvent> = {
  text: smtpdEventText,
  tone: eventTone,
  explain: explainStep,
  lookup: (e) => (e.kind === 'lookup' ? e.trace : undefined),
  source: eventSource,
  badge: (e, tone) => (e.kind === 'action' && tone !== 'neutral' ? e.action : undefined),
};

export const POSTSCREEN_WORDS: TraceWords<PostscreenEvent> = {
  text: postscreenEventText,
  tone: postscreenTone,
  explain: explainPostscreen,
  lookup: (e) => (e.kind === 'lookup' ? e.trace : undefined),
  source: (e) => ('source' in e ? e.source : undefined),
  badge: () => undefined,
};
