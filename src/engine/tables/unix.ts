/*
 * NAME
 *   unix - the unix:passwd.byname and unix:group.byname tables
 * DESCRIPTION
 *   Postfix asks getpwnam()/getgrnam(); the simulator answers from the
 *   accounts of a Debian system (base-passwd and the postfix user) plus the
 *   facts file /etc/postfix/passwd (passwd(5) lines, e.g.
 *   `joe:x:1001:1001::/home/joe:/bin/sh`), which stands for the accounts a
 *   scenario needs. A found key's value is the whole passwd (or group)
 *   line, as Postfix's dict_unix returns it.
 */
import type { Table, TableDriver } from './types.ts';
import { fatal, keyTrace, surrogateTable, tableRecord } from './driver.ts';

/**
 * The accounts the simulator assumes: the system accounts every Debian
 * machine with Postfix has (and the only ones the golden recorders' private
 * namespaces have). A scenario adds more in /etc/postfix/passwd.
 */
export const DEBIAN_PASSWD: readonly string[] = [
  'root:x:0:0:root:/root:/bin/bash',
  'daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin',
  'bin:x:2:2:bin:/bin:/usr/sbin/nologin',
  'sys:x:3:3:sys:/dev:/usr/sbin/nologin',
  'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin',
  'postfix:x:102:109::/var/spool/postfix:/usr/sbin/nologin',
];

/** Where a scenario lists the extra accounts it assumes. */
export const PASSWD_FACTS = '/etc/postfix/passwd';

export const unixDriver: TableDriver = {
  open(type, name, options): Table {
    if (name !== 'passwd.byname' && name !== 'group.byname') return surrogateTable(type, name, fatal(`unknown table: ${type}:${name}`));
    const entries = new Map<string, string>();
    const add = (line: string): void => {
      const user = line.split(':')[0];
      if (user && !entries.has(user)) entries.set(user, line);
    };
    if (name === 'passwd.byname') {
      DEBIAN_PASSWD.forEach(add);
      const extra = options.host.readFile(PASSWD_FACTS);
      if (extra)
        new TextDecoder()
          .decode(extra)
          .split('\n')
          .map((l) => l.trim())
          .filter((l) => l && !l.startsWith('#'))
          .forEach(add);
    } else {
      for (const line of DEBIAN_PASSWD) {
        const [user, , , gid] = line.split(':');
        add(`${user}:x:${gid}:`);
      }
    }
    return tableRecord(type, name, true, (key, spec) => {
      // getpwnam() is case-sensitive; Postfix folds the key first (DICT_FLAG_FOLD_FIX).
      const k = options.foldFixed === false ? key : key.toLowerCase();
      const value = entries.get(k);
      const trace = keyTrace(spec, key, k);
      return value === undefined ? { status: 'notfound', trace } : { status: 'found', value, trace: { ...trace, match: { rule: value } } };
    });
  },
};
