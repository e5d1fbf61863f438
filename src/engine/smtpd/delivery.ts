/*
 * NAME
 *   smtpd/delivery - what becomes of a message smtpd accepted
 * DESCRIPTION
 *   The actions smtpd handed to cleanup decide the message's fate: DISCARD
 *   drops it, HOLD parks it in the hold queue, REDIRECT replaces every
 *   recipient, BCC adds recipients, FILTER sends all of it to the content
 *   filter. Otherwise each recipient goes through cleanup, trivial-rewrite
 *   and the delivery agents (the shared resolver's pipeline), local(8)
 *   with the message's Delivered-To: headers for its loop check; deliveries
 *   are grouped per transport and nexthop with their recipients sorted, as
 *   qmgr hands them to an agent.
 * SEE ALSO
 *   cleanup(8), qmgr(8), access(5)
 */
import { deliveredHdrInit } from '../resolve/delivered-hdr.ts';
import type { DeliveryResult, FinalRecipient } from '../resolve/pipeline.ts';
import type { AcceptedMessage } from './session/context.ts';

export interface Delivery {
  transport: string;
  nexthop: string;
  /** The delivery agent's command (smtp, lmtp, local, virtual, pipe, error, discard). */
  agent: string;
  recipients: string[];
}

export interface MailOutcome {
  queueId: string;
  /** Where the message ends up: delivered (active), the hold queue, or discarded. */
  queue: 'active' | 'hold' | 'discarded';
  /** The envelope recipients cleanup writes (after REDIRECT and BCC). */
  recipients: string[];
  deliveries: Delivery[];
  finals: FinalRecipient[];
}

export interface DeliveryResolver {
  resolveDelivery(sender: string, address: string, probe?: boolean, delivered?: ReadonlySet<string>): DeliveryResult;
}

/** mailOutcome - the fate of one accepted message. */
export function mailOutcome(msg: AcceptedMessage, resolver: DeliveryResolver, agentOf: (transport: string) => string | undefined): MailOutcome {
  const recipients = msg.redirect !== undefined ? [msg.redirect] : [...msg.recipients, ...msg.bcc];
  if (msg.discard) return { queueId: msg.queueId, queue: 'discarded', recipients, deliveries: [], finals: [] };
  if (msg.hold) return { queueId: msg.queueId, queue: 'hold', recipients, deliveries: [], finals: [] };
  const finals: FinalRecipient[] = [];
  const groups = new Map<string, Delivery>();
  const add = (transport: string, nexthop: string, agent: string, recipient: string): void => {
    const key = `${transport}\u0000${nexthop}`;
    const g = groups.get(key) ?? { transport, nexthop, agent, recipients: [] };
    g.recipients.push(recipient);
    groups.set(key, g);
  };
  // local(8) breaks loops on the Delivered-To: headers of the queue file: smtpd's own first, then the client's.
  const delivered = deliveredHdrInit([...msg.prepended, ...msg.headers]);
  for (const rcpt of recipients) {
    const r = resolver.resolveDelivery(msg.sender, rcpt, false, delivered);
    if (msg.filter !== undefined) {
      // The content filter gets every recipient, after cleanup's rewriting and expansion.
      const colon = msg.filter.indexOf(':');
      const transport = msg.filter.slice(0, colon);
      for (const a of r.expanded) add(transport, msg.filter.slice(colon + 1), agentOf(transport) ?? 'unknown', a);
      continue;
    }
    for (const f of r.final) {
      finals.push(f);
      add(f.transport, f.nexthop, agentOf(f.transport) ?? f.agent, f.recipient);
    }
  }
  const deliveries = [...groups.values()].map((g) => ({ ...g, recipients: [...new Set(g.recipients)].sort() }));
  return { queueId: msg.queueId, queue: 'active', recipients, deliveries, finals };
}
