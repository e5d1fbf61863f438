/*
 * NAME
 *   mail/milter - the Milter lists of smtpd_milters and non_smtpd_milters, and milter_default_action
 * DESCRIPTION
 *   parseMilterList() reads a list of Milter applications as milter_new()
 *   does: names separated by commas or white space, each optionally in
 *   braces with per-Milter settings, of which default_action matters here
 *   (`{ inet:127.0.0.1:8891, default_action = accept }`). DISABLE (what
 *   smtpd_milter_maps may answer) means none.
 *
 *   defaultReply() is what milter_default_action makes of a Milter that
 *   cannot be talked to (milter8_comm_error()): accept lets mail through,
 *   reject is 550 5.5.0, tempfail 451 4.7.1, quarantine holds the message
 *   (H); any other word is a configuration problem (451 4.3.5) that Postfix
 *   warns about.
 *
 *   MilterFact and MilterFacts are the decisions of Milter applications
 *   the user states as facts (`milter SERVER STAGE [name=value ...] =>
 *   VERDICT`, parsed with the other facts in smtpd/facts/outside.ts); both
 *   smtpd (smtpd_milters) and cleanup (non_smtpd_milters) ask them.
 * SEE ALSO
 *   MILTER_README, postconf(5) (smtpd_milters, non_smtpd_milters, milter_default_action)
 */
import { splitList, stripBraces } from '../util/lists.ts';

/** The events of the Milter protocol a decision can be stated for. */
export const MILTER_STAGES = ['connect', 'helo', 'mail', 'rcpt', 'data', 'header', 'eoh', 'body', 'eom', 'unknown'] as const;
export type MilterStage = (typeof MILTER_STAGES)[number];

/** A Milter application's decision at one stage (a line of the facts file). */
export interface MilterFact {
  server: string;
  stage: MilterStage;
  match: ReadonlyMap<string, string>;
  /** continue, accept, reject, tempfail, discard, quarantine [reason], or an SMTP reply. */
  verdict: string;
  line: number;
}

/** The Milter facts, as the daemons that talk to Milters ask them. */
export interface MilterFacts {
  /** The facts file, as named in trace sources. */
  file: string;
  /** The Milter runs (some fact names it). */
  milterRuns(server: string): boolean;
  /** The decision of a Milter at a stage, or undefined: continue. */
  milterAnswer(server: string, stage: MilterStage, attrs: Readonly<Record<string, string>>): MilterFact | undefined;
}

/** One Milter of a list: its service name and its default action. */
export interface MilterSpec {
  name: string;
  defaultAction: string;
}

/** No Milter facts: every Milter is unreachable. */
export const NO_MILTER_FACTS: MilterFacts = { file: 'facts', milterRuns: () => false, milterAnswer: () => undefined };

/** parseMilterList - the Milters of `spec`, each with `defaultAction` unless it says otherwise. */
export function parseMilterList(spec: string, defaultAction: string): MilterSpec[] {
  if (!spec.trim() || spec.trim().toLowerCase() === 'disable') return [];
  const out: MilterSpec[] = [];
  for (const item of splitList(spec)) {
    if (!item.startsWith('{')) {
      out.push({ name: item, defaultAction });
      continue;
    }
    const inner = stripBraces(item);
    if ('error' in inner) continue;
    const [name, ...rest] = splitList(inner.text);
    if (!name) continue;
    const override = /(?:^|[\s,])default_action\s*=\s*([^\s,]+)/.exec(rest.join(' '));
    out.push({ name, defaultAction: override ? override[1]! : defaultAction });
  }
  return out;
}

/** defaultReply - milter_default_action for a Milter that cannot be reached: the reply (H: hold), none (accept), and whether the action is unknown. */
export function defaultReply(action: string): { reply?: string; unrecognized?: true } {
  switch (action.toLowerCase()) {
    case 'accept':
      return {};
    case 'reject':
      return { reply: '550 5.5.0 Service unavailable' };
    case 'tempfail':
      return { reply: '451 4.7.1 Service unavailable - try again later' };
    case 'quarantine':
      return { reply: 'H' };
    default:
      return { reply: '451 4.3.5 Server configuration problem - try again later', unrecognized: true };
  }
}

/** connectFailure - how connecting to a Milter service fails when nothing listens (the words of connect(2)'s error). */
export const connectFailure = (name: string): string =>
  `connect to Milter service ${name}: ${name.startsWith('inet:') ? 'Connection refused' : 'No such file or directory'}`;
