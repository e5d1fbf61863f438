/*
 * NAME
 *   names - the syntaxes the editor knows, by name (no CodeMirror here, so the page can name them early)
 */
export type Mode = 'maincf' | 'mastercf' | 'table' | 'regexp' | 'cidr' | 'cf' | 'aliases' | 'dialogue' | 'dns' | 'facts' | 'sql' | 'plain';

/** What a mode is called in the page (the status line under the editor). */
export const MODE_NAMES: Record<Mode, string> = {
  maincf: 'main.cf',
  mastercf: 'master.cf',
  table: 'table (key value)',
  regexp: 'regexp/pcre table',
  cidr: 'cidr table',
  cf: 'table configuration (.cf)',
  aliases: 'aliases(5)',
  dialogue: 'SMTP dialogue',
  dns: 'DNS facts',
  facts: 'policy and verify facts',
  sql: 'SQL',
  plain: 'text',
};
