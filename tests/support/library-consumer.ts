// Type-checked by `npm run check` against the published declarations (dist-lib/types):
// a library user's view of the engine.
import { openTable } from 'postfix-sim';
import type { Host, LookupResult, Table } from 'postfix-sim';

const host: Host = { readFile: () => undefined };

export async function valueOf(spec: string, key: string): Promise<string | undefined> {
  const table: Table = await openTable(spec, { host });
  const result: LookupResult = table.lookup(key);
  return result.status === 'found' ? result.value : undefined;
}

import { createResolver, createTableCache, loadMainCf, parseDnsFacts, prepareSmtpd, runClient } from 'postfix-sim';
import type { DeliveryResult, SessionResult, SmtpdEvent } from 'postfix-sim';

/** The replies smtpd gives a dialogue, and the final recipients of one address. */
export async function simulate(
  mainCf: string,
  dialogue: string,
  address: string,
): Promise<{ replies: string[]; final: DeliveryResult['final']; trace: SmtpdEvent[] }> {
  const params = loadMainCf(mainCf);
  const cache = createTableCache(host, params);
  const resolver = await createResolver(params, { host, cache });
  const smtpd = await prepareSmtpd({ host, params, cache, resolver, dns: parseDnsFacts('') });
  const session: SessionResult = runClient(smtpd, dialogue, { addr: '192.0.2.1' });
  return { replies: session.exchanges.flatMap((e) => e.server), final: resolver.resolveDelivery('', address).final, trace: session.trace };
}
