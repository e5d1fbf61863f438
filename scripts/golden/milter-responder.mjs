/*
 * NAME
 *   milter-responder - tiny Milter applications for golden recordings
 * SYNOPSIS
 *   import { startMilterResponders } from './milter-responder.mjs';
 *   const milters = await startMilterResponders(facts);   // facts from parseMilterFacts
 *   ... milters.events   // [{ server, stage, attrs: { ... }, verdict }]
 *   await milters.close();
 * DESCRIPTION
 *   Speaks the Sendmail 8 Milter protocol (version 6) as libmilter does:
 *   option negotiation (every event, a reply to each), then macros (no
 *   reply), connect, helo, mail, rcpt, data, header, eoh, body and
 *   end-of-message events, each answered with one decision; abort and quit
 *   get none. One TCP listener per SERVER named in the group's `facts`
 *   file (inet:127.x.x.x:PORT only; the recorder runs inside its private
 *   network namespace).
 *
 *   For each event the first `milter SERVER STAGE [name=value ...] =>
 *   VERDICT` line of that server and stage whose pairs all equal what the
 *   Milter knows at that point (values compared case-insensitively:
 *   client_name, client_address, helo, sender, recipient) gives the
 *   decision; no such line: continue. VERDICT is continue, accept, reject,
 *   tempfail, discard, quarantine [reason] (end of message only) or an
 *   SMTP reply "4NN|5NN text". A server that main.cf names but `facts` does
 *   not has no listener (connection refused: milter_default_action).
 *   The simulator applies the same rule to the same file
 *   (src/engine/smtpd/facts/outside.ts).
 */
import { listeners } from './policy-responder.mjs';

/** @import { MilterFactLine } from './smtpd-format.mjs' */

/**
 * What a Milter knows of the session so far (client_name, client_address, helo, sender, recipient).
 * @typedef {Record<string, string>} MilterAttrs
 */
/**
 * One decision a Milter made.
 * @typedef {{ server: string; stage: string; attrs: MilterAttrs; verdict: string }} MilterEvent
 */

/**
 * The stage of each MTA command byte that expects a decision.
 * @type {Record<string, string | undefined>}
 */
const STAGES = { C: 'connect', H: 'helo', M: 'mail', R: 'rcpt', T: 'data', L: 'header', N: 'eoh', B: 'body', E: 'eom', U: 'unknown' };

/**
 * chooseVerdict - the VERDICT of the first fact of `server` and `stage` that matches `attrs`, or 'continue'.
 * @param {MilterFactLine[]} facts
 * @param {string} server
 * @param {string} stage
 * @param {MilterAttrs} attrs
 * @returns {string}
 */
export function chooseVerdict(facts, server, stage, attrs) {
  const hit = facts.find((f) => f.server === server && f.stage === stage && f.match.every(([k, v]) => (attrs[k] ?? '').toLowerCase() === v.toLowerCase()));
  return hit ? hit.verdict : 'continue';
}

/**
 * packet - one Milter packet: 32-bit length, command byte, data.
 * @param {string} cmd
 * @param {Buffer} [data]
 * @returns {Buffer}
 */
function packet(cmd, data = Buffer.alloc(0)) {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(data.length + 1, 0);
  head.write(cmd, 4, 'latin1');
  return Buffer.concat([head, data]);
}

/**
 * response - the packets that carry `verdict`.
 * @param {string} verdict
 * @returns {Buffer}
 */
function response(verdict) {
  const v = verdict.trim();
  const word = v.split(/\s+/)[0].toLowerCase();
  switch (word) {
    case 'continue':
      return packet('c');
    case 'accept':
      return packet('a');
    case 'reject':
      return packet('r');
    case 'tempfail':
      return packet('t');
    case 'discard':
      return packet('d');
    case 'quarantine':
      // The quarantine request is no decision: libmilter follows it with the filter's reply.
      return Buffer.concat([packet('q', Buffer.from(v.slice(word.length).trim() + '\0', 'utf8')), packet('c')]);
    default:
      return packet('y', Buffer.from(v + '\0', 'utf8'));
  }
}

/** strings - the NUL-terminated strings of a packet's data. */
const strings = (/** @type {Buffer} */ data) => data.toString('utf8').split('\0').slice(0, -1);
/** angle - an address argument without its angle brackets. */
const angle = (/** @type {string | undefined} */ a) => (a ?? '').replace(/^<(.*)>$/, '$1');

/**
 * startMilterResponders - listen for every milter of `facts`; resolves { events, close() }.
 * @param {MilterFactLine[]} facts
 * @returns {Promise<{ events: MilterEvent[]; close: () => Promise<void> }>}
 */
export async function startMilterResponders(facts) {
  /** @type {MilterEvent[]} */
  const events = [];
  const { close } = await listeners([...new Set(facts.map((f) => f.server))], (name, socket) => {
    /** @type {MilterAttrs} */
    const attrs = {};
    let buffer = Buffer.alloc(0);
    socket.on('data', (/** @type {Buffer} */ chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      while (buffer.length >= 4 && buffer.length >= 4 + buffer.readUInt32BE(0)) {
        const len = buffer.readUInt32BE(0);
        const cmd = String.fromCharCode(buffer[4]);
        const data = buffer.subarray(5, 4 + len);
        buffer = buffer.subarray(4 + len);
        const reply = answer(name, cmd, data, attrs, facts, events);
        if (reply === null) {
          socket.destroy();
          return;
        }
        if (reply) socket.write(reply);
        if (cmd === 'Q') socket.end();
      }
    });
  });
  return { events, close };
}

/**
 * answer - the reply to one MTA packet (undefined: none; null: hang up), keeping what the Milter knows in `attrs`.
 * @param {string} name
 * @param {string} cmd
 * @param {Buffer} data
 * @param {MilterAttrs} attrs
 * @param {MilterFactLine[]} facts
 * @param {MilterEvent[]} events
 * @returns {Buffer | undefined | null}
 */
function answer(name, cmd, data, attrs, facts, events) {
  if (cmd === 'O') {
    // Version 6, no actions beyond quarantine, every event, a reply to each.
    const reply = Buffer.alloc(12);
    reply.writeUInt32BE(6, 0);
    reply.writeUInt32BE(1 << 5, 4);
    reply.writeUInt32BE(0, 8);
    return packet('O', reply);
  }
  if (cmd === 'D' || cmd === 'A') return undefined;
  if (cmd === 'Q' || cmd === 'K') {
    for (const k of Object.keys(attrs)) delete attrs[k];
    return undefined;
  }
  const stage = STAGES[cmd];
  if (!stage) return null;
  const s = strings(data);
  if (cmd === 'C') {
    attrs.client_name = s[0] ?? '';
    // hostname NUL, family, port (2 bytes), address NUL
    const rest = data.subarray(Buffer.byteLength(s[0] ?? '', 'utf8') + 1);
    attrs.client_address = rest.length > 3 ? rest.subarray(3).toString('utf8').replace(/\0$/, '') : '';
  } else if (cmd === 'H') attrs.helo = s[0] ?? '';
  else if (cmd === 'M') {
    attrs.sender = angle(s[0]);
    delete attrs.recipient;
  } else if (cmd === 'R') attrs.recipient = angle(s[0]);
  const verdict = chooseVerdict(facts, name, stage, attrs);
  events.push({ server: name, stage, attrs: { ...attrs }, verdict });
  return response(verdict);
}
