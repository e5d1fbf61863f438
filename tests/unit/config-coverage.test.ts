import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMainCf } from '../../src/engine/config/maincf.ts';
import { SIMULATED, THROUGH_DEFAULTS, coverageRows, isOperational, notSimulated, notSimulatedNotices } from '../../src/engine/config/coverage.ts';

/** Every string literal of the engine and CLI sources, except the modules that only list names. */
function literals(): Set<string> {
  const out = new Set<string>();
  const walk = (dir: string): void => {
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts') && !/generated|config[/](coverage|daemons)[.]ts$/.test(p))
        for (const m of readFileSync(p, 'utf8').matchAll(/['"`]([a-z0-9_]+)['"`]/g)) out.add(m[1]!);
    }
  };
  walk(join(import.meta.dirname, '..', '..', 'src', 'engine'));
  walk(join(import.meta.dirname, '..', '..', 'src', 'cli'));
  return out;
}

describe('coverage', () => {
  it('lists as simulated only parameters some module of the engine or CLI reads', () => {
    const used = literals();
    const stale = [...SIMULATED].filter((n) => !used.has(n) && !THROUGH_DEFAULTS.includes(n));
    expect(stale).toEqual([]);
  });
  it('derives the not-simulated list from what the programs read', () => {
    expect(notSimulated('smtpd')).toContain('smtpd_proxy_filter');
    expect(notSimulated('smtpd')).toContain('smtpd_history_flush_threshold');
    expect(notSimulated('cleanup')).toContain('header_size_limit');
    expect(notSimulated('smtpd')).not.toContain('smtpd_milters');
    expect(notSimulated('cleanup')).toContain('header_checks');
    expect(notSimulated('smtpd')).not.toContain('smtpd_recipient_restrictions');
    expect(notSimulated('smtpd')).not.toContain('smtpd_timeout');
    expect(isOperational('smtpd_timeout')).toBe(true);
    expect(isOperational('smtpd_tls_cert_file')).toBe(true);
    expect(isOperational('smtpd_milters')).toBe(false);
    expect(isOperational('smtpd_history_flush_threshold')).toBe(false);
    for (const name of notSimulated()) expect(SIMULATED.has(name) || isOperational(name), name).toBe(false);
  });
  it('gives a notice for a non-default value only', () => {
    const notices = (text: string, program?: string) => notSimulatedNotices(loadMainCf(text), program).map((d) => d.message);
    expect(notices('smtpd_proxy_filter = 127.0.0.1:10025\n')).toEqual(['smtpd_proxy_filter is set: not simulated']);
    expect(notices('smtpd_proxy_filter = 127.0.0.1:10025\n', 'trivial-rewrite')).toEqual([]);
    expect(notices('smtpd_proxy_filter =\n')).toEqual([]);
    expect(notices('smtpd_recipient_restrictions = reject\nsmtpd_timeout = 30s\n')).toEqual([]);
    expect(notices('disable_dns_lookups = NO\n')).toEqual([]);
    expect(
      notices('header_checks = regexp:/etc/postfix/header_checks\nsmtpd_proxy_filter = inet:localhost:10025\nsmtpd_milters = inet:localhost:8891\n'),
    ).toEqual(['header_checks is set: not simulated', 'smtpd_proxy_filter is set: not simulated']);
    expect(notices('header_size_limit = 1000\nsmtpd_history_flush_threshold = 10\n')).toEqual([
      'header_size_limit is set: not simulated',
      'smtpd_history_flush_threshold is set: not simulated',
    ]);
  });
  it('has a row per program with no name in two columns', () => {
    const rows = coverageRows();
    expect(rows.map((r) => r.program)).toContain('smtpd');
    for (const r of rows) expect(r.simulated.filter((n) => r.notSimulated.includes(n))).toEqual([]);
  });
});
