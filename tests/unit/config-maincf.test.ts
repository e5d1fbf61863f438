import { describe, expect, it } from 'vitest';
import { loadMainCf } from '../../src/engine/config/maincf.ts';
import { builtinDefault, compareCompatLevels, mynetworksOf, serviceParameters, DEFAULT_FACTS } from '../../src/engine/config/names.ts';

describe('loadMainCf', () => {
  it('gives legacy defaults without compatibility_level', () => {
    const m = loadMainCf('myhostname = mx.example.org\n');
    expect(m.get('relay_domains')).toBe('mx.example.org, localhost.example.org, localhost');
    expect(m.get('smtputf8_enable')).toBe('no');
    expect(m.get('smtpd_relay_restrictions')).toBe('');
    expect(m.get('append_dot_mydomain')).toBe('yes');
    expect(m.get('mynetworks')).toBe('127.0.0.0/8 [::1]/128');
  });
  it('follows compatibility_level, comparing 3.10 above 3.9', () => {
    const m = loadMainCf('compatibility_level = 3.10\n');
    expect(m.get('relay_domains')).toBe('');
    expect(m.get('mynetworks_style')).toBe('host');
    expect(m.get('mynetworks')).toBe('127.0.0.1/32 [::1]/128');
    expect(m.get('smtpd_relay_before_recipient_restrictions')).toBe('yes');
    expect(m.get('smtpd_relay_restrictions')).toBe('permit_mynetworks, permit_sasl_authenticated, defer_unauth_destination');
    expect(loadMainCf('compatibility_level = 2\n').get('respectful_logging')).toBe('no');
  });
  it('keeps raw values, continuation lines and # inside values', () => {
    const m = loadMainCf('# c\nx = a # b\ny = one\n  two\n');
    expect(m.dynamic.raw('x')).toBe('a # b');
    expect(m.dynamic.get('y')).toBe('one  two');
    expect(m.dynamic.raw('nosuch')).toBeUndefined();
    expect(m.dynamic.get('nosuch')).toBeUndefined();
  });
  it('derives mydomain from the configured myhostname, and myhostname from a configured mydomain', () => {
    expect(loadMainCf('myhostname = mail.example.net\n').get('mydomain')).toBe('example.net');
    expect(loadMainCf('myhostname = mail.example\n').get('mydomain')).toBe('example');
    expect(loadMainCf('myhostname = mail\n').get('mydomain')).toBe('localdomain');
    expect(loadMainCf('myhostname = $h.example.org\nh = mx1\n').get('mydestination')).toBe('mx1.example.org, localhost.example.org, localhost');
    const box = { ...DEFAULT_FACTS, hostname: 'box' };
    expect(loadMainCf('mydomain = example.org\n', undefined, box).get('myhostname')).toBe('box.example.org');
    expect(loadMainCf('', undefined, box).get('myhostname')).toBe('box.localdomain');
    // A myhostname that refers back to $mydomain sees it undefined, as Postfix does, instead of looping.
    expect(loadMainCf('myhostname = mail.$mydomain\n').get('mydomain')).toBe('');
  });
  it('reports a malformed line as fatal', () => {
    expect(loadMainCf('a b\n', '/etc/postfix/main.cf').error?.message).toBe(`/etc/postfix/main.cf, line 1: missing '=' after attribute name: "a b"`);
  });
});

describe('names', () => {
  it('compares compatibility levels numerically', () => {
    expect(compareCompatLevels('3.10', '3.9')! > 0).toBe(true);
    expect(compareCompatLevels('1', '1.0')).toBe(0);
    expect(compareCompatLevels('x', '1')).toBeUndefined();
  });
  it('derives machine defaults from facts', () => {
    expect(builtinDefault('myhostname', { ...DEFAULT_FACTS, hostname: 'box' })).toBe('box.localdomain');
    expect(builtinDefault('mydomain', { ...DEFAULT_FACTS, hostname: 'a.b.example' })).toBe('b.example');
    expect(builtinDefault('mydomain', { ...DEFAULT_FACTS, hostname: 'box' })).toBe('localdomain');
    expect(builtinDefault('mydomain', { ...DEFAULT_FACTS, hostname: 'a.b' })).toBe('b');
    const facts = {
      ...DEFAULT_FACTS,
      interfaces: [
        { address: '192.0.2.10', prefixLength: 24 },
        { address: 'fd00::5', prefixLength: 64 },
      ],
    };
    expect(mynetworksOf(facts, 'subnet')).toBe('192.0.2.0/24 [fd00::]/64');
    expect(mynetworksOf(facts, 'host')).toBe('192.0.2.10/32 [fd00::5]/128');
    expect(mynetworksOf(facts, 'class')).toBe('192.0.2.0/24 [fd00::]/64');
  });
  it('knows legacy parameters with an empty default and unknown names as undefined', () => {
    expect(builtinDefault('virtual_maps')).toBe('');
    expect(builtinDefault('no_such_parameter')).toBeUndefined();
  });
  it('derives per-service parameters from master.cf commands', () => {
    expect(serviceParameters('maildrop', 'pipe')).toContainEqual(['maildrop_time_limit', '$command_time_limit']);
    expect(serviceParameters('local', 'local')).toContainEqual(['local_destination_concurrency_limit', '2']);
    expect(serviceParameters('pickup', 'pickup')).toEqual([]);
  });
});
