/*
 * NAME
 *   policy-responder - tiny policy servers for golden recordings
 * SYNOPSIS
 *   import { startPolicyResponders } from './policy-responder.mjs';
 *   const policy = await startPolicyResponders(facts);   // facts from parsePolicyFacts
 *   ... policy.requests   // [{ server, attrs: [[name, value]...], action | null }]
 *   await policy.close();
 * DESCRIPTION
 *   Speaks Postfix's policy delegation protocol (SMTPD_POLICY_README): a
 *   request is name=value lines ended by an empty line; the answer is
 *   "action=ACTION" and an empty line. Several requests may come over one
 *   connection (smtpd keeps it open).
 *
 *   One TCP listener per SERVER named in the group's `facts` file (only
 *   inet:127.x.x.x:PORT or inet:localhost:PORT; the recorder runs it inside
 *   its private network namespace). The first `policy SERVER name=value ...
 *   => ACTION` line of that server whose pairs all equal the request's
 *   attributes (values compared case-insensitively) gives the answer; when
 *   no line matches, the server closes the connection without answering.
 *   A server that main.cf names but `facts` does not has no listener at all
 *   (connection refused). This is the rule the simulator applies to the
 *   same file (src/engine/smtpd/facts/outside.ts).
 */
import { createServer } from 'node:net';
import { readLines } from './namespace.mjs';

/** @import { Server, Socket } from 'node:net' */
/** @import { PolicyFactLine } from './smtpd-format.mjs' */

/**
 * One request a policy server got, and its answer (null: none, the connection was closed).
 * @typedef {{ server: string; attrs: [string, string][]; action: string | null }} PolicyRequest
 */

/**
 * listenAddress - { host, port } of an inet:HOST:PORT server name the recorder can serve, or null.
 * @param {string} server
 * @returns {{ host: string; port: number } | null}
 */
export function listenAddress(server) {
  const m = /^inet:(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost):(\d{1,5})$/.exec(server);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) return null;
  return { host: m[1] === 'localhost' ? '127.0.0.1' : m[1], port: Number(m[2]) };
}

/**
 * listeners - TCP servers on `names` (each an inet:127.x.x.x:PORT name),
 * each connection handed to `onConnection(name, socket)`; resolves
 * { close() } once all listen. The responders for policy servers and
 * Milters share it.
 * @param {string[]} names
 * @param {(name: string, socket: Socket) => void} onConnection
 * @returns {Promise<{ close: () => Promise<void> }>}
 */
export async function listeners(names, onConnection) {
  /** @type {Server[]} */
  const servers = [];
  /** @type {Set<Socket>} */
  const sockets = new Set();
  for (const name of names) {
    const where = listenAddress(name);
    if (!where) throw new Error(`${name}: only inet:127.x.x.x:PORT can be served`);
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {});
      onConnection(name, socket);
    });
    await /** @type {Promise<void>} */ (
      new Promise((resolvePromise, reject) => {
        server.once('error', reject);
        server.listen(where.port, where.host, () => {
          server.off('error', reject);
          resolvePromise();
        });
      })
    );
    servers.push(server);
  }
  return {
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    },
  };
}

/**
 * chooseAction - the ACTION of the first fact of `server` that matches `attrs` (a Map), or null.
 * @param {PolicyFactLine[]} facts
 * @param {string} server
 * @param {Map<string, string>} attrs
 * @returns {string | null}
 */
export function chooseAction(facts, server, attrs) {
  const hit = facts.find((f) => f.server === server && f.match.every(([k, v]) => (attrs.get(k) ?? '').toLowerCase() === v.toLowerCase()));
  return hit ? hit.action : null;
}

/**
 * startPolicyResponders - listen for every server of `facts`; resolves { requests, close() }.
 * @param {PolicyFactLine[]} facts
 * @returns {Promise<{ requests: PolicyRequest[]; close: () => Promise<void> }>}
 */
export async function startPolicyResponders(facts) {
  /** @type {PolicyRequest[]} */
  const requests = [];
  const { close } = await listeners([...new Set(facts.map((f) => f.server))], (name, socket) => {
    /** @type {Map<string, string>} */
    let attrs = new Map();
    /** @type {[string, string][]} */
    let order = [];
    readLines(socket, (line) => {
      if (line !== '') {
        const eq = line.indexOf('=');
        const key = eq < 0 ? line : line.slice(0, eq);
        attrs.set(key, eq < 0 ? '' : line.slice(eq + 1));
        order.push([key, eq < 0 ? '' : line.slice(eq + 1)]);
        return true;
      }
      const action = chooseAction(facts, name, attrs);
      requests.push({ server: name, attrs: order, action });
      attrs = new Map();
      order = [];
      if (action === null) {
        socket.destroy();
        return false;
      }
      socket.write(`action=${action}\n\n`);
      return true;
    });
  });
  return { requests, close };
}
