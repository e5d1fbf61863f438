import { describe, expect, it } from 'vitest';
import { runPostconf } from '../../src/cli/postconf.ts';
import { printLine, printMasterEntry } from '../../src/engine/config/postconf.ts';
import type { Host } from '../../src/engine/index.ts';
import { memoryHost } from '../support/memory-host.ts';

const host = (files: Record<string, string>): Host => ({
  readFile: (p: string) => (p in files ? new TextEncoder().encode(files[p]) : undefined),
  environment: {},
  loadSqlJs: () => Promise.reject(new Error('no sql')),
});

describe('runPostconf', () => {
  it('prints -n sorted with unused and unknown warnings', async () => {
    const out = await runPostconf(['-n', 'x'], { host: host({ '/etc/postfix/main.cf': 'zz = 1\nmyhostname = a.example\n', '/etc/postfix/master.cf': '' }) });
    expect(out.stdout).toBe('');
    expect(out.stderr).toBe('postconf: warning: x: unknown parameter\npostconf: warning: /etc/postfix/main.cf: unused parameter: zz=1\n');
    const all = await runPostconf(['-n'], { host: host({ '/etc/postfix/main.cf': 'zz = $b\nb = 2\nmyhostname = a.example\n', '/etc/postfix/master.cf': '' }) });
    expect(all.stdout).toBe('b = 2\nmyhostname = a.example\n');
  });
  it('fails like postconf on a missing main.cf', async () => {
    const out = await runPostconf(['-n'], { host: host({}) });
    expect(out).toEqual({ stdout: '', stderr: 'postconf: fatal: open /etc/postfix/main.cf: No such file or directory\n', status: 1 });
  });
  it('rejects editing', async () => {
    expect((await runPostconf(['a=b'], { host: host({}) })).status).toBe(1);
  });
});

describe('printing', () => {
  it('normalises whitespace and folds at 80 columns', () => {
    expect(printLine('a  =  b\tc', false)).toBe('a = b c\n');
    const long = 'name = ' + Array.from({ length: 20 }, (_, i) => `word${i}`).join(' ');
    expect(
      printLine(long, true)
        .split('\n')
        .every((l) => l.length <= 80),
    ).toBe(true);
    expect(printLine(long, true)).toContain('\n    word');
  });
  it('aligns master.cf fields and braces values with spaces', () => {
    expect(printMasterEntry(['smtp', 'inet', 'n', '-', 'y', '-', '-', 'smtpd', '-o', 'a=b c'], false)).toBe(
      'smtp       inet  n       -       y       -       -       smtpd -o {a=b c}\n',
    );
  });
});

describe('postfix-sim postconf --notices', () => {
  it('lists what main.cf and master.cf -o set that the simulator does not model', async () => {
    const host = memoryHost({
      '/etc/postfix/main.cf': 'smtpd_proxy_filter = 127.0.0.1:10025\nsmtpd_timeout = 60s\nrelay_domains = x.example\n',
      '/etc/postfix/master.cf': 'submission inet n - y - - smtpd\n  -o smtpd_history_flush_threshold=10\n  -o smtpd_tls_security_level=encrypt\n',
    });
    const out = await runPostconf(['--notices'], { host });
    expect(out).toEqual({
      stdout: '',
      stderr:
        'postfix-sim: notice: main.cf: smtpd_proxy_filter is set: not simulated\npostfix-sim: notice: master.cf: submission/inet: smtpd_history_flush_threshold is set: not simulated\n',
      status: 0,
    });
  });
});
