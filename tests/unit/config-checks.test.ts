import { describe, expect, it } from 'vitest';
import { loadMainCf } from '../../src/engine/config/maincf.ts';
import { checkParameters, myoriginOf, PROGRAM_READS } from '../../src/engine/config/checks.ts';

const fatalOf = (text: string, program = 'postmap', files: Record<string, string> = {}): string | undefined =>
  checkParameters(loadMainCf(text), program, { readFile: (p) => (p in files ? new TextEncoder().encode(files[p]) : undefined) }).fatal?.message;

describe('checkParameters', () => {
  it('accepts the defaults for every program it knows', () => {
    for (const program of Object.keys(PROGRAM_READS)) {
      const r = checkParameters(loadMainCf('virtual_mailbox_base = /var/mail\n'), program);
      expect(r, program).toEqual({ warnings: [] });
    }
  });
  it('refuses numbers, times and booleans as strtol, conv_time and get_mail_conf_bool do', () => {
    expect(fatalOf('message_size_limit = {{ MESSAGE_SIZE_LIMIT }}\n')).toBe('bad numerical configuration: message_size_limit = {{ MESSAGE_SIZE_LIMIT }}');
    expect(fatalOf('message_size_limit = 10 000\n')).toBe('bad numerical configuration: message_size_limit = 10 000');
    expect(fatalOf('message_size_limit = 99999999999\n')).toBeUndefined(); // a long
    expect(fatalOf('line_length_limit = 99999999999\n')).toBe('bad numerical configuration: line_length_limit = 99999999999'); // an int
    expect(fatalOf('line_length_limit = 100\n')).toBe('invalid line_length_limit parameter value 100 < 512');
    expect(fatalOf('ipc_timeout = 10x\n')).toBe('parameter ipc_timeout: bad time value or unit: 10x');
    expect(fatalOf('ipc_timeout = 0\n')).toBe('invalid ipc_timeout: 0 (min 1)');
    expect(fatalOf('ipc_timeout = 1hx\n')).toBeUndefined(); // only the first letter counts
    expect(fatalOf('ipc_timeout = 2w\n')).toBeUndefined();
    expect(fatalOf('soft_bounce = true\n')).toBe('bad boolean configuration: soft_bounce = true');
    expect(fatalOf('soft_bounce = YES\n')).toBeUndefined();
  });
  it('checks what each daemon reads of its own, after the global parameters', () => {
    expect(fatalOf('smtpd_timeout = 5 minutes\n')).toBeUndefined();
    expect(fatalOf('smtpd_timeout = 5 minutes\n', 'smtpd')).toBe('parameter smtpd_timeout: bad time value or unit: 5 minutes');
    expect(fatalOf('smtpd_timeout = 5 minutes\nmessage_size_limit = x\n', 'smtpd')).toBe('bad numerical configuration: message_size_limit = x');
    expect(fatalOf('transport_maps = hash:/etc/postfix/transport foo\n', 'trivial-rewrite')).toBe(
      'open dictionary: expecting "type:name" form instead of "foo"',
    );
    expect(fatalOf('', 'virtual')).toBe('bad string length 0 < 1: virtual_mailbox_base = ');
  });
  it('reports bad $ syntax in a parameter the program reads, with the expander warning', () => {
    const r = checkParameters(loadMainCf('mydestination = $myhostname, $broken\nbroken = ${}\nunread = $(x\n'), 'postmap');
    expect(r.warnings.map((w) => w.message)).toEqual(['empty macro name: "${}"']);
    expect(r.fatal?.message).toBe('dictionary mail_dict: macro processing error');
    expect(fatalOf('unread = $(x\n')).toBeUndefined();
  });
  it('makes the checks of mail_params_init()', () => {
    expect(fatalOf('compatibility_level = 3.6.x\n')).toBe('malformed compatibility level syntax: "3.6.x"');
    expect(fatalOf('inet_protocols = ipv4, ipv5\n')).toBe('unknown inet_protocols value "ipv5" in "ipv4, ipv5"');
    expect(fatalOf('myhostname = mail.123\n')).toBe('file /etc/postfix/main.cf: parameter mydomain: bad parameter value: 123');
    const r = checkParameters(loadMainCf('myhostname = -mx.example\n'), 'postmap');
    expect(r.warnings.map((w) => w.message)).toEqual(['valid_hostname: misplaced hyphen: -mx.example']);
    expect(fatalOf('mynetworks_style = cidr\n')).toBe('unknown mynetworks mask style value "cidr" in "cidr"');
    expect(fatalOf('mynetworks_style = cidr\nmynetworks = 127.0.0.0/8\n')).toBeUndefined();
    expect(fatalOf('myhostname = mx.example.com\nrelayhost = MX.example.com\n')).toBe(
      'myhostname and relayhost parameter settings must not be identical: mx.example.com',
    );
    expect(fatalOf('myorigin = a, b\n')).toBe('myorigin parameter setting must not contain multiple values: a, b');
    expect(fatalOf('default_verp_delimiters = +=-\n')).toBe('bad string length 3 > 2: default_verp_delimiters = +=-');
  });
  it('reads myorigin from the file it names, as Debian does', () => {
    const files = { '/etc/mailname': '  mail.example.org \nignored\n', '/etc/empty': '\n' };
    expect(fatalOf('myorigin = /etc/mailname\n', 'postmap', files)).toBeUndefined();
    expect(fatalOf('myorigin = /etc/empty\n', 'postmap', files)).toBe('myorigin file /etc/empty is empty');
    expect(fatalOf('myorigin = /etc/nosuch\n', 'postmap', files)).toBe('/etc/nosuch: cannot open file: No such file or directory');
    const read = (p: string) => (p in files ? new TextEncoder().encode(files[p as keyof typeof files]) : undefined);
    expect(myoriginOf(loadMainCf('myorigin = /etc/mailname\n'), read)).toBe('mail.example.org');
    expect(myoriginOf(loadMainCf('myhostname = mx.example\n'), read)).toBe('mx.example');
  });
});
