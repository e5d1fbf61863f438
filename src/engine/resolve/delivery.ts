/*
 * NAME
 *   delivery - what the delivery agent of a transport reports (verify mode)
 * DESCRIPTION
 *   virtual(8): the recipient (case-folded) is looked up in
 *   virtual_mailbox_maps (extension ignored); the mailbox is
 *   $virtual_mailbox_base/RESULT, Maildir when it ends in `/`, else mbox;
 *   the owner comes from virtual_uid_maps (at least virtual_minimum_uid)
 *   and virtual_gid_maps (positive). A missing entry is "unknown user",
 *   a bad owner "mail system configuration error".
 *   error(8)/retry: the nexthop is the reason, with its status code.
 *   discard(8): the nexthop is the text, status 2.0.0.
 *   pipe(8): "delivers to command: ARGV0".
 *   smtp(8)/lmtp(8): needs the network; the report names the nexthop.
 * SEE ALSO
 *   virtual(8), error(8), discard(8), pipe(8), smtp(8)
 */
import { dsnSplit } from '../mail/dsn.ts';
import type { AddrFindOptions } from '../search/addr-find.ts';
import { mailAddrFind } from '../search/addr-find.ts';
import type { Maps } from '../search/maps.ts';
import { foldKey } from '../util/casefold.ts';
import type { AddressEvent } from '../trace/types.ts';
import type { Agent } from './agents.ts';
import type { AgentReport } from './local-agent.ts';

/** What virtual(8) reads. */
export interface VirtualEnvironment {
  mailboxMaps?: Maps;
  uidMaps?: Maps;
  gidMaps?: Maps;
  mailboxBase: string;
  minimumUid: number;
  find: Omit<AddrFindOptions, 'strategy'>;
}

/** virtualDeliver - virtual(8)'s deliver_mailbox() for one recipient. */
export function virtualDeliver(env: VirtualEnvironment, rcpt: string, origTo: string, relay: string, events: AddressEvent[]): AgentReport {
  const user = foldKey(rcpt);
  const r = (dsn: string, text: string, extra: Partial<AgentReport> = {}): AgentReport => ({
    agent: 'postfix/virtual',
    to: rcpt,
    origTo,
    relay,
    dsn,
    status: dsn.startsWith('2') ? 'deliverable' : 'undeliverable',
    text,
    ...extra,
  });
  const warn = (message: string): void => void events.push({ kind: 'diagnostic', diagnostic: { severity: 'warning', message }, program: 'virtual' });
  const config = (): AgentReport => r('4.3.5', 'mail system configuration error');
  if (!env.mailboxBase.startsWith('/')) {
    warn(`do not specify relative pathname: virtual_mailbox_base = ${env.mailboxBase}`);
    return config();
  }
  const lookup = (maps: Maps | undefined) => {
    if (!maps) return undefined;
    const f = mailAddrFind(maps, user, env.find);
    events.push({ kind: 'find', trace: f.trace });
    return f;
  };
  const box = lookup(env.mailboxMaps);
  if (!box || box.status === 'notfound') return r('5.1.1', `unknown user: "${user}"`, { target: { kind: 'none', reason: 'not in virtual_mailbox_maps' } });
  if (box.status === 'error') {
    warn(`table ${env.mailboxMaps!.title}: lookup ${user}: Resource temporarily unavailable`);
    return config();
  }
  const path = `${env.mailboxBase}/${box.value}`;
  const uid = lookup(env.uidMaps);
  if (!uid || uid.status !== 'found') {
    warn(`recipient ${user}: not found in ${env.uidMaps?.title ?? 'virtual_uid_maps'}`);
    return config();
  }
  const uidN = parseInt(uid.value!, 10) || 0;
  if (uidN < env.minimumUid) {
    warn(`recipient ${user}: bad uid ${uid.value} in ${env.uidMaps!.title}`);
    return config();
  }
  const gid = lookup(env.gidMaps);
  if (!gid || gid.status !== 'found') {
    warn(`recipient ${user}: not found in ${env.gidMaps?.title ?? 'virtual_gid_maps'}`);
    return config();
  }
  const gidN = parseInt(gid.value!, 10) || 0;
  if (gidN <= 0) {
    warn(`recipient ${user}: bad gid ${gid.value} in ${env.gidMaps!.title}`);
    return config();
  }
  const format = path.endsWith('/') ? 'maildir' : 'mbox';
  return r('2.0.0', format === 'maildir' ? 'delivers to maildir' : 'delivers to mailbox', {
    target: { kind: 'virtual-mailbox', path, format, uid: uidN, gid: gidN },
  });
}

/** otherAgent - the report of error, retry, discard, pipe, smtp, lmtp and unknown agents. */
export function otherAgent(agent: Agent | undefined, transport: string, nexthop: string, rcpt: string, origTo: string): AgentReport {
  const base = { to: rcpt, origTo };
  switch (agent?.command) {
    case 'error': {
      const retry = transport === 'retry' || nexthop.startsWith('4');
      const d = dsnSplit(retry ? '4.0.0' : '5.0.0', nexthop);
      return { ...base, agent: 'postfix/error', relay: 'none', dsn: d.dsn, status: 'undeliverable', text: d.text, target: { kind: 'none', reason: d.text } };
    }
    case 'discard': {
      const d = dsnSplit('2.0.0', nexthop);
      return {
        ...base,
        agent: 'postfix/discard',
        relay: 'none',
        dsn: d.dsn,
        status: 'deliverable',
        text: d.text,
        target: { kind: 'none', reason: 'discarded' },
      };
    }
    case 'pipe': {
      const argv0 = agent.argv?.[0] ?? '';
      return {
        ...base,
        agent: 'postfix/pipe',
        relay: transport,
        dsn: '2.0.0',
        status: 'deliverable',
        text: `delivers to command: ${argv0}`,
        target: { kind: 'command', command: (agent.argv ?? []).join(' ') },
      };
    }
    case 'smtp':
    case 'lmtp':
      return {
        ...base,
        agent: `postfix/${agent.command}`,
        relay: nexthop,
        dsn: '',
        status: 'unknown',
        text: `would connect to ${nexthop} (needs the network)`,
        target: { kind: 'remote', transport, nexthop },
      };
    default:
      return {
        ...base,
        agent: agent ? `postfix/${agent.command}` : 'postfix/qmgr',
        relay: transport,
        dsn: agent ? '' : '4.3.0',
        status: agent ? 'unknown' : 'undeliverable',
        text: agent ? `delivered by ${agent.command}(8)` : `mail transport unavailable`,
        target: { kind: 'remote', transport, nexthop },
      };
  }
}
