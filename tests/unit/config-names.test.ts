// Parameter names are a type derived from the generated `postconf -d` defaults:
// a misspelt name does not compile. `npm run check` type-checks this file, so
// each @ts-expect-error below fails the check if the line ever compiles.
import { describe, expect, it } from 'vitest';
import { loadMainCf, parseMasterCf, serviceView } from '../../src/engine/index.ts';
import type { ParamName, ParameterView, SmtpdConfig } from '../../src/engine/index.ts';
import { isBuiltinParameter } from '../../src/engine/config/names.ts';

describe('ParamName', () => {
  it('is every built-in parameter, machine facts included, and nothing else', () => {
    const names: ParamName[] = ['mydomain', 'myhostname', 'mynetworks', 'process_id', 'smtpd_recipient_restrictions', '2bounce_notice_recipient'];
    expect(names.every(isBuiltinParameter)).toBe(true);
    // @ts-expect-error -- a typo is not a parameter name
    const typo: ParamName = 'mydomian';
    expect(isBuiltinParameter(typo)).toBe(false);
  });
  it('types the getters of a parameter view; run-time names go through `dynamic`', () => {
    const main = loadMainCf('mydomain = example.com\nmy_class = reject\n');
    expect(main.get('mydomain')).toBe('example.com');
    // @ts-expect-error -- cfg.str('mydomian') and friends do not compile
    expect(main.get('mydomian')).toBeUndefined();
    // A restriction class, a user-defined parameter: a name known only at run time.
    expect(main.dynamic.get('my_class')).toBe('reject');
    expect(main.source('mydomain')).toEqual({ file: '/etc/postfix/main.cf', line: 1 });
    expect(main.dynamic.source('my_class')).toEqual({ file: '/etc/postfix/main.cf', line: 2 });
    expect(main.source('myhostname')).toBeUndefined();
  });
  it('says where a service override is set: the master.cf entry', () => {
    const main = loadMainCf('mydomain = example.com\n');
    const master = parseMasterCf('smtp inet n - y - - smtpd\nsubmission inet n - y - - smtpd\n  -o mydomain=sub.example.com\n');
    const view: ParameterView = serviceView(main, master, 'submission', 'inet');
    expect(view.get('mydomain')).toBe('sub.example.com');
    expect(view.source('mydomain')).toEqual({ file: '/etc/postfix/master.cf', line: 2 });
  });
  it('types the accessors smtpd reads its configuration with', () => {
    const str = (cfg: Pick<SmtpdConfig, 'str'>): string =>
      // @ts-expect-error -- smtpd's cfg.str() takes a ParamName
      cfg.str('smtpd_recipent_restrictions');
    const seen: string[] = [];
    str({ str: (name) => (seen.push(name), '') });
    expect(seen).toEqual(['smtpd_recipent_restrictions']);
  });
});
