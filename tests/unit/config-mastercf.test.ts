import { describe, expect, it } from 'vitest';
import { effectiveChroot, findService, parseMasterCf } from '../../src/engine/config/mastercf.ts';
import { loadMainCf, serviceView } from '../../src/engine/config/maincf.ts';

const MASTER = `# comment
smtp      inet  n       -       y       -       -       smtpd
submission inet n       -       -       -       -       smtpd
  -o syslog_name=postfix/submission
  # comment inside the entry
  -o { smtpd_client_restrictions = $mua, reject }
  -osmtpd_sasl_auth_enable=yes
relay     unix  -       -       y       -       -       smtp -o smtp_fallback_relay= -v {arg with space}
`;

describe('parseMasterCf', () => {
  const m = parseMasterCf(MASTER);
  it('reads entries with continuation lines', () => {
    expect(m.error).toBeUndefined();
    expect(m.services.map((s) => `${s.service}/${s.type}@${s.line}`)).toEqual(['smtp/inet@2', 'submission/inet@3', 'relay/unix@8']);
  });
  it('normalises -o forms and collects overrides', () => {
    const sub = findService(m, 'submission', 'inet')!;
    expect(sub.argv.slice(7)).toEqual([
      'smtpd',
      '-o',
      'syslog_name=postfix/submission',
      '-o',
      'smtpd_client_restrictions=$mua, reject',
      '-o',
      'smtpd_sasl_auth_enable=yes',
    ]);
    expect([...sub.overrides]).toEqual([
      ['syslog_name', 'postfix/submission'],
      ['smtpd_client_restrictions', '$mua, reject'],
      ['smtpd_sasl_auth_enable', 'yes'],
    ]);
    const relay = findService(m, 'relay', 'unix')!;
    expect(relay.argv.slice(7)).toEqual(['smtp', '-o', 'smtp_fallback_relay=', '-v', 'arg with space']);
    expect(relay.overrides.get('smtp_fallback_relay')).toBe('');
  });
  it('gives Postfix fatal errors', () => {
    expect(parseMasterCf('smtp inet n - y - -\n', '/x/master.cf').error?.message).toBe('file /x/master.cf: line 1: bad field count');
    expect(parseMasterCf('x tcp n - y - - smtpd\n').error?.message).toBe('invalid type field "tcp" in "x tcp n - y - - smtpd"');
    expect(parseMasterCf('x unix q - y - - smtpd\n').error?.message).toBe('invalid private field "q" in "x unix q - y - - smtpd"');
    expect(parseMasterCf('x unix - - - 1x - smtpd\n').error?.message).toBe('invalid wakeup field "1x" in "x unix - - - 1x - smtpd"');
    expect(parseMasterCf('x unix - - - 60? z smtpd\n').error?.message).toBe('invalid process_limit field "z" in "x unix - - - 60? z smtpd"');
  });
  it('resolves the chroot default by compatibility level', () => {
    const sub = findService(m, 'submission', 'inet')!;
    expect(effectiveChroot(sub, '0')).toEqual({ chroot: true, notice: 'using backwards-compatible default setting chroot=y' });
    expect(effectiveChroot(sub, '3.6')).toEqual({ chroot: false });
    expect(effectiveChroot(findService(m, 'smtp', 'inet')!, '0')).toEqual({ chroot: true });
  });
});

describe('serviceView', () => {
  it('applies a service`s -o overrides over main.cf and defaults', () => {
    const main = loadMainCf('compatibility_level = 3.6\nmua = permit_sasl_authenticated\nsmtpd_client_restrictions = permit_mynetworks\n');
    const m = parseMasterCf(MASTER);
    const sub = serviceView(main, m, 'submission', 'inet');
    expect(sub.get('smtpd_client_restrictions')).toBe('permit_sasl_authenticated, reject');
    expect(sub.get('syslog_name')).toBe('postfix/submission');
    expect(main.get('smtpd_client_restrictions')).toBe('permit_mynetworks');
    expect(serviceView(main, m, 'smtp', 'inet').get('smtpd_sasl_auth_enable')).toBe('no');
  });
});
