import { describe, expect, it } from 'vitest';
import { loadMainCf, serviceView } from '../../src/engine/config/maincf.ts';
import { parseMasterCf } from '../../src/engine/config/mastercf.ts';
import { daemonView, daemonViews } from '../../src/engine/config/daemons.ts';

const MASTER = `smtp      inet  n       -       y       -       -       smtpd
  -o relay_domains=smtpd.example
  -o cleanup_service_name=pre-cleanup
submission inet n       -       y       -       -       smtpd
  -o rewrite_service_name=rewrite2
cleanup   unix  n       -       y       -       0       cleanup
  -o masquerade_domains=example.com
pre-cleanup unix n      -       y       -       0       cleanup
  -o canonical_maps=hash:/etc/postfix/pre
rewrite   unix  -       -       y       -       -       trivial-rewrite
  -o relay_domains=rewrite.example
rewrite2  unix  -       -       y       -       -       trivial-rewrite
notrw     unix  -       -       y       -       -       cleanup
`;

describe('daemonView', () => {
  const main = loadMainCf('relay_domains = main.example\n');
  const master = parseMasterCf(MASTER);
  it('gives trivial-rewrite the rewrite service entry, not the client smtpd -o', () => {
    const smtpd = serviceView(main, master, 'smtp', 'inet');
    expect(smtpd.get('relay_domains')).toBe('smtpd.example');
    const tr = daemonView(main, master, 'trivial-rewrite', smtpd);
    expect(tr.service).toBe('rewrite');
    expect(tr.view.get('relay_domains')).toBe('rewrite.example');
    expect(tr.view.get('service_name')).toBe('rewrite');
    expect(tr.view.get('process_name')).toBe('trivial-rewrite');
    expect(tr.notices).toEqual([]);
  });
  it('follows the client: cleanup_service_name and rewrite_service_name in its -o', () => {
    const smtpd = serviceView(main, master, 'smtp', 'inet');
    const cl = daemonView(main, master, 'cleanup', smtpd);
    expect(cl.service).toBe('pre-cleanup');
    expect(cl.view.get('canonical_maps')).toBe('hash:/etc/postfix/pre');
    expect(cl.view.get('masquerade_domains')).toBe('');
    expect(daemonView(main, master, 'cleanup').view.get('masquerade_domains')).toBe('example.com');
    const sub = serviceView(main, master, 'submission', 'inet');
    expect(daemonView(main, master, 'trivial-rewrite', sub).view.get('relay_domains')).toBe('main.example');
  });
  it('says when master.cf has no such service, or it runs another program', () => {
    const none = daemonView(main, parseMasterCf(''), 'trivial-rewrite');
    expect(none.view.get('relay_domains')).toBe('main.example');
    expect(none.notices[0]?.message).toMatch(/no "rewrite unix" service/);
    const other = daemonView(loadMainCf('rewrite_service_name = notrw\n'), master, 'trivial-rewrite');
    expect(other.notices[0]?.message).toMatch(/runs cleanup, not trivial-rewrite/);
    expect(daemonViews(main, undefined).cleanup.view.get('relay_domains')).toBe('main.example');
  });
});
