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
 * SEE ALSO
 *   MILTER_README, postconf(5) (smtpd_milters, non_smtpd_milters, milter_default_action)
 */
import { splitList, stripBraces } from '../util/lists.ts';

/** One Milter of a list: its service name and its default action. */
export interface MilterSpec {
  name: string;
  defaultAction: string;
}

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
