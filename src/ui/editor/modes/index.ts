/*
 * NAME
 *   modes - which syntax a file is written in
 * DESCRIPTION
 *   By what main.cf says about the file first (a file named as
 *   `pcre:/etc/postfix/x` is a pcre table, one in alias_maps an aliases
 *   file), then by its name (main.cf, master.cf, *.cf, *.pcre, *.cidr,
 *   aliases, *.sql), then as an indexed table (`key value`).
 */
import type { Extension } from '@codemirror/state';
import { sql, SQLite } from '@codemirror/lang-sql';
import { aliases } from './aliases.ts';
import { cf } from './cf.ts';
import { cidr } from './cidr.ts';
import { dialogue } from './dialogue.ts';
import { dns, facts } from './facts.ts';
import { maincf } from './maincf.ts';
import { mastercf } from './mastercf.ts';
import { regexp } from './regexp.ts';
import { table } from './table.ts';
import type { Mode } from './names.ts';

export type { Mode } from './names.ts';

/** The language extension of a mode. */
export function language(mode: Mode): Extension {
  switch (mode) {
    case 'maincf':
      return maincf;
    case 'mastercf':
      return mastercf;
    case 'table':
      return table;
    case 'regexp':
      return regexp;
    case 'cidr':
      return cidr;
    case 'cf':
      return cf;
    case 'aliases':
      return aliases;
    case 'dialogue':
      return dialogue;
    case 'dns':
      return dns;
    case 'facts':
      return facts;
    case 'sql':
      return sql({ dialect: SQLite });
    case 'plain':
      return [];
  }
}
