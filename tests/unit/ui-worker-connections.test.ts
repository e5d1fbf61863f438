// The page's worker plays a dialogue as connections when the service runs
// postscreen or the dialogue has `# connection` lines (as `postfix-sim smtpd`
// does), with what became of each connection's mail, postscreen's notices,
// and its fatal error in the words it logs.
import { describe, expect, it } from 'vitest';
import { runSmtpdRequest } from '../../src/ui/worker/simulate.ts';
import type { SmtpdRequest } from '../../src/ui/worker/protocol.ts';
import { memoryHost } from '../support/memory-host.ts';

const MAIN = 'compatibility_level = 3.6\nmyhostname = host.example.com\nmydestination = host.example.com\nalias_maps =\nmynetworks = 127.0.0.1/32\n';
// With the services smtpd's clients connect to, so only postscreen's own notices show.
const POSTSCREEN = 'smtp inet n - y - 1 postscreen\nsmtpd pass - - y - - smtpd\ncleanup unix n - y - 0 cleanup\nrewrite unix - - y - - trivial-rewrite\n';
const request = (dialogue: string, extra: Partial<SmtpdRequest> = {}): SmtpdRequest => ({
  id: 1,
  kind: 'smtpd',
  environment: {},
  service: 'smtp',
  clientAddr: '',
  clientName: '',
  tls: false,
  ccertFingerprint: '',
  ccertPkeyFingerprint: '',
  ccertVerified: false,
  dnsPath: '',
  factsPath: '',
  dialogue,
  ...extra,
});
const MAIL = 'EHLO x\nMAIL FROM:<a@example.org>\nRCPT TO:<root@host.example.com>\nDATA\nSubject: t\n\nhi\n.\nQUIT\n';

describe('the worker and connections', () => {
  it('without postscreen, `# connection` lines make connections of smtpd sessions, each with its mail', async () => {
    const host = memoryHost({ '/etc/postfix/main.cf': MAIN });
    const a = await runSmtpdRequest(host, request(`# connection client=127.0.0.1\n${MAIL}# connection client=192.0.2.1 at=5\nQUIT\n`));
    expect(a.session).toBeUndefined();
    expect(a.multi).toBe(true);
    expect(a.postscreen).toBe(false);
    expect(a.connections?.map((c) => [c.connection.client, c.connection.start, c.accepted.length, c.outcomes.length, c.postscreen])).toEqual([
      ['127.0.0.1', 0, 1, 1, undefined],
      ['192.0.2.1', 5, 0, 0, undefined],
    ]);
  });

  it('behind postscreen, a plain dialogue is one connection; the page client is its client', async () => {
    const host = memoryHost({ '/etc/postfix/main.cf': MAIN + 'postscreen_greet_wait = 1s\n', '/etc/postfix/master.cf': POSTSCREEN });
    const a = await runSmtpdRequest(host, request(MAIL, { clientAddr: '127.0.0.1' }));
    expect(a.multi).toBe(false);
    expect(a.postscreen).toBe(true);
    expect(a.connections).toHaveLength(1);
    const [c] = a.connections!;
    expect(c!.postscreen).toMatchObject({ client: '127.0.0.1', outcome: 'handed-off' });
    expect(c!.postscreenTrace?.[0]?.kind).toBe('connection');
    expect(c!.outcomes).toHaveLength(1);
  });

  it('postscreen settings it does not model are notices; a fatal one is postscreen’s fatal error', async () => {
    const host = memoryHost({
      '/etc/postfix/main.cf': MAIN + 'postscreen_upstream_proxy_protocol = haproxy\n',
      '/etc/postfix/master.cf': POSTSCREEN,
    });
    const a = await runSmtpdRequest(host, request('QUIT\n'));
    expect(a.notices).toEqual([
      {
        message: 'postscreen_upstream_proxy_protocol: the haproxy protocol is not simulated: clients connect directly',
        parameter: 'postscreen_upstream_proxy_protocol',
      },
    ]);
    const dead = memoryHost({ '/etc/postfix/main.cf': MAIN + 'postscreen_greet_action = bounce\n', '/etc/postfix/master.cf': POSTSCREEN });
    const d = await runSmtpdRequest(dead, request('QUIT\n'));
    expect(d.configFatal?.text).toBe('postfix/postscreen: fatal: bad postscreen_greet_action value: bounce');
    expect(d.connections?.[0]?.postscreenTrace).toEqual([{ kind: 'no-start', reason: 'bad postscreen_greet_action value: bounce' }]);
  });

  it('bad `# connection` lines are located warnings', async () => {
    const host = memoryHost({ '/etc/postfix/main.cf': MAIN });
    const a = await runSmtpdRequest(host, request('# connection at=soon\nQUIT\n'));
    expect(a.diagnostics.map((d) => d.message)).toContain('dialogue, line 1: at= needs a number of seconds, got "soon"');
  });
});
