/*
 * NAME
 *   panes - what an embed shows (`?embed&panes=...`)
 * DESCRIPTION
 *   files        the workspace's files, as tabs with an editor
 *   session      the SMTP session: the dialogue and its form
 *   transcript, log, trace, mail
 *                the SMTP session's answer, as tabs (any of the four)
 *   addresses    the addresses to resolve; resolution: where they go
 *   lookup       the lookup box and its answer
 *   tests        the workspace's expectations (and its scenario or exercise)
 *   Without `panes`, the embed shows what the workspace's view shows.
 *   Unknown names are reported on the page, not dropped silently.
 */
import type { View } from '../state/types.ts';

export const PANES = ['files', 'session', 'transcript', 'log', 'trace', 'mail', 'addresses', 'resolution', 'lookup', 'tests'] as const;
export type Pane = (typeof PANES)[number];
export type ResultsPane = 'transcript' | 'log' | 'trace' | 'mail';
export const RESULT_PANES: readonly ResultsPane[] = ['transcript', 'log', 'trace', 'mail'];

const DEFAULTS: Record<View, Pane[]> = {
  smtpd: ['files', 'session', 'transcript', 'log', 'trace', 'mail'],
  resolve: ['files', 'addresses', 'resolution'],
  lookup: ['files', 'lookup'],
  database: ['files'],
  tests: ['files', 'tests'],
};

/** The view whose answer a pane shows. */
export const viewOf = (p: Pane): View | undefined =>
  p === 'session' || (RESULT_PANES as readonly string[]).includes(p)
    ? 'smtpd'
    : p === 'addresses' || p === 'resolution'
      ? 'resolve'
      : p === 'lookup'
        ? 'lookup'
        : p === 'tests'
          ? 'tests'
          : undefined;

/** choosePanes - the panes asked for (known ones, in the page's order), or the view's; and what was not understood. */
export function choosePanes(asked: readonly string[] | undefined, view: View): { panes: Pane[]; unknown: string[] } {
  if (!asked || asked.length === 0) return { panes: DEFAULTS[view], unknown: [] };
  const unknown = asked.filter((p) => !(PANES as readonly string[]).includes(p));
  const panes = PANES.filter((p) => asked.includes(p));
  return { panes: panes.length > 0 ? panes : DEFAULTS[view], unknown };
}
