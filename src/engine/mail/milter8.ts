/*
 * NAME
 *   mail/milter8 - a list of Milter applications (smtpd_milters, non_smtpd_milters), as milter(3) and milter8 drive them
 * DESCRIPTION
 *   setupMilters() makes the Milters of a list (smtpd's choice between
 *   smtpd_milter_maps and smtpd_milters, or cleanup's non_smtpd_milters),
 *   each with its milter_default_action or a `{ name, default_action = ...
 *   }` override.
 *   Each event goes to the Milters in list order until one answers
 *   something other than "go on".
 *
 *   A Milter is a conversation the simulator cannot have, so its
 *   decisions are facts (facts/outside.ts). One that no fact names is not
 *   running: the connection fails ("connect to Milter service ...:
 *   Connection refused") and milter_default_action decides from then on,
 *   for every event: tempfail gives 451 4.7.1, reject 550 5.5.0,
 *   quarantine holds the message, accept lets everything through.
 *
 *   Each Milter keeps milter8's state: after a decision at connect or helo
 *   (reject, tempfail, a reply) it is the answer to every later event of
 *   the connection; accept at connect or helo skips the Milter for the
 *   connection, elsewhere for the message; discard and quarantine act on
 *   the message. The message itself (headers, end of headers, body, end of
 *   message) goes to the Milters from cleanup, on a copy of that state.
 *
 *   smtpd (smtpd/milter.ts, smtpd/session/milters.ts) and cleanup for
 *   local submissions (resolve/milters.ts, non_smtpd_milters) drive the
 *   same machine; each records the decisions as MilterDecision events.
 * SEE ALSO
 *   MILTER_README, postconf(5) (smtpd_milters, smtpd_milter_maps, milter_default_action)
 */
import { connectFailure, defaultReply, parseMilterList } from './milter.ts';
import type { MilterFacts, MilterStage } from './milter.ts';
import type { MilterDecision } from '../trace/types.ts';

/** milter8's view of one Milter: MILTER8_STAT_*. */
type MilterState = 'closed' | 'envelope' | 'message' | 'accept-con' | 'accept-msg' | 'reject-con' | 'error';

/** One Milter of the list. */
interface Milter {
  name: string;
  defaultAction: string;
  state: MilterState;
  /** The answer to every event from now on (milter8's def_reply): a reply, H (hold) or D (discard). */
  defReply?: string;
}

/** What the Milters are told about the session; their facts match on it. */
export type MilterAttrs = Record<'client_name' | 'client_address' | 'helo' | 'sender' | 'recipient', string>;

/** What the Milters need from smtpd. */
export interface MilterHost {
  facts: MilterFacts;
  softBounce: boolean;
  warn(text: string): void;
  /** Record a trace event: a Milter's decision, or a notice. */
  step(event: MilterDecision | { kind: 'notice'; text: string }): void;
}

/** The Milters of one connection. */
export interface Milters {
  list: Milter[];
  attrs: MilterAttrs;
}

const CONNECT_LEVEL: readonly MilterStage[] = ['connect', 'helo'];

/** setupMilters - the Milters of a list (smtpd_milter_maps' answer, or smtpd_milters), as setup_milters() creates them. */
export function setupMilters(spec: string, defaultAction: string): Milters | undefined {
  const list: Milter[] = parseMilterList(spec, defaultAction).map((m) => ({ ...m, state: 'closed' }));
  return list.length ? { list, attrs: { client_name: '', client_address: '', helo: '', sender: '', recipient: '' } } : undefined;
}

/** commError - milter8_comm_error(): no conversation; the default action answers from now on. */
function commError(h: MilterHost, m: Milter): void {
  const d = defaultReply(m.defaultAction);
  if (d.unrecognized) h.warn(`milter ${m.name}: unrecognized default action: ${m.defaultAction}`);
  m.defReply = d.reply;
  m.state = 'error';
}

/** confError - milter8_conf_error(): a configuration problem; only accept and quarantine soften it. */
function confError(m: Milter): void {
  const a = m.defaultAction.toLowerCase();
  m.defReply = a === 'accept' ? undefined : a === 'quarantine' ? 'H' : '451 4.3.5 Server configuration problem - try again later';
  m.state = 'error';
}

/** connect - milter8_connect(): the endpoint is known and the Milter runs (a fact names it). */
function connect(h: MilterHost, m: Milter): void {
  m.defReply = undefined;
  const colon = m.name.indexOf(':');
  const transport = m.name.slice(0, colon);
  if (colon <= 0 || colon === m.name.length - 1) {
    h.warn(`Milter service needs transport:endpoint instead of "${m.name}"`);
    return confError(m);
  }
  if (!['inet', 'unix', 'local'].includes(transport)) {
    h.warn(`invalid transport name: ${transport} in Milter service: ${m.name}`);
    return confError(m);
  }
  if (!h.facts.milterRuns(m.name)) {
    h.warn(connectFailure(m.name));
    h.step({ kind: 'notice', text: `no milter fact names ${m.name}: it is not running, milter_default_action = ${m.defaultAction} decides` });
    return commError(h, m);
  }
  m.state = 'envelope';
}

/** customReply - a Milter's own SMTP reply, as milter8 checks and adjusts it; undefined when malformed. */
function customReply(h: MilterHost, m: Milter, text: string): string | undefined {
  if (!/^[45]\d\d[ -]/.test(text) || (/^\d$/.test(text[4] ?? '') && text[4] !== text[0])) {
    h.warn(`milter ${m.name}: malformed reply: ${text}`);
    return undefined;
  }
  // Sendmail uses the reply as a format: "%%" is "%", a single "%" goes.
  let reply = text.replace(/%(%?)/g, '$1');
  if (h.softBounce && reply[0] === '5') reply = '4' + reply.slice(1, 4) + (reply[4] === '5' ? '4' : (reply[4] ?? '')) + reply.slice(5);
  return reply;
}

/** event - milter8_event(): one event to one Milter in conversation, and its decision. */
function event(h: MilterHost, ms: Milters, m: Milter, stage: MilterStage): string | undefined {
  if (m.defReply !== undefined) return m.defReply;
  const fact = h.facts.milterAnswer(m.name, stage, ms.attrs);
  const verdict = fact?.verdict ?? 'continue';
  const word = verdict.split(/\s+/)[0]!.toLowerCase();
  const connectLevel = CONNECT_LEVEL.includes(stage);
  let reply: string | undefined;
  const sticky = (r: string): string => {
    // A decision at connect or helo answers every later event of the connection.
    if (connectLevel) {
      m.state = 'reject-con';
      m.defReply = r;
    }
    return r;
  };
  if (word === 'accept') m.state = connectLevel ? 'accept-con' : 'accept-msg';
  else if (word === 'discard') {
    if (connectLevel) h.warn(`milter ${m.name}: DISCARD action is not allowed for connect or helo`);
    else {
      m.state = 'accept-msg';
      reply = 'D';
    }
  } else if (word === 'reject') reply = sticky('550 5.7.1 Command rejected');
  else if (word === 'tempfail') reply = sticky('451 4.7.1 Service unavailable - try again later');
  else if (word === 'quarantine') reply = m.defReply = 'H';
  else if (word !== 'continue') {
    const custom = customReply(h, m, verdict);
    if (custom === undefined) {
      confError(m);
      reply = m.defReply;
    } else reply = sticky(custom);
  }
  h.step({
    kind: 'fact',
    fact: 'milter',
    milter: m.name,
    stage,
    answer: 'verdict',
    verdict,
    ...(reply !== undefined && { reply }),
    ...(fact && { source: { file: h.facts.file, line: fact.line } }),
  });
  return reply;
}

/** traceDefault - a Milter that is not in conversation answers with its default reply. */
function traceDefault(h: MilterHost, m: Milter, stage: MilterStage): string | undefined {
  if (m.state === 'error')
    h.step({ kind: 'fact', fact: 'milter', milter: m.name, stage, answer: 'default', ...(m.defReply !== undefined && { reply: m.defReply }) });
  return m.defReply;
}

/** Which states let an event through, per event (milter8_*_event()). */
const OPEN: Readonly<Record<MilterStage, readonly MilterState[]>> = {
  connect: ['envelope'],
  helo: ['envelope', 'accept-msg'],
  mail: ['envelope'],
  rcpt: ['envelope'],
  data: ['envelope'],
  unknown: ['envelope'],
  header: ['message'],
  eoh: ['message'],
  body: ['message'],
  eom: ['message'],
};

/** milterEvent - milter_*_event(): the event to each Milter until one answers. */
export function milterEvent(h: MilterHost, ms: Milters, stage: Exclude<MilterStage, 'header' | 'eoh' | 'body' | 'eom'>): string | undefined {
  for (const m of ms.list) {
    if (stage === 'connect' && m.state === 'closed') connect(h, m);
    const reply = OPEN[stage].includes(m.state) ? event(h, ms, m, stage) : traceDefault(h, m, stage);
    if (reply !== undefined) return reply;
  }
  return undefined;
}

/** milterOther - milter_other_event(): VRFY, ETRN, AUTH, STARTTLS get what the Milters already decided. */
export function milterOther(ms: Milters): string | undefined {
  for (const m of ms.list) if (m.defReply !== undefined) return m.defReply;
  return undefined;
}

/** milterAbort - milter_abort(): the message is over; the Milters wait for the next one. */
export function milterAbort(ms: Milters): void {
  for (const m of ms.list) if (m.state === 'message' || m.state === 'accept-msg') m.state = 'envelope';
}

/** The parts of a message the Milters see: header lines (without Postfix's own Received:), and whether there is a body. */
export interface MilterMessage {
  headers: number;
  body: boolean;
}

/** milterMessage - milter_message() in cleanup: headers, end of headers, body, end of message; on copies of the Milters' state. */
export function milterMessage(h: MilterHost, ms: Milters, msg: MilterMessage): string | undefined {
  for (const orig of ms.list) {
    const m: Milter = { ...orig };
    if (m.state !== 'envelope') {
      const reply = traceDefault(h, m, 'eom');
      if (reply !== undefined) return reply;
      continue;
    }
    m.state = 'message';
    const stages: MilterStage[] = [...Array<MilterStage>(msg.headers).fill('header'), 'eoh', ...(msg.body ? ['body' as const] : []), 'eom'];
    let reply: string | undefined;
    for (const stage of stages) {
      reply = event(h, ms, m, stage);
      if (reply !== undefined || m.state !== 'message') break;
    }
    if (reply !== undefined) return reply;
  }
  return undefined;
}
