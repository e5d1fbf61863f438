/*
 * NAME
 *   mode-of - the syntax of a workspace file, from main.cf's references and its name
 * DESCRIPTION
 *   Kept apart from the modes themselves so the page can name a file's
 *   syntax before the editor (and CodeMirror) has loaded.
 */
import type { Mode } from './modes/names.ts';

/** A `type:path` reference as the worker reports it. */
interface Ref {
  type: string;
  path?: string;
  parameter: string;
}

const ALIAS_PARAMETERS = new Set(['alias_maps', 'alias_database']);

export function modeOf(path: string, refs: readonly Ref[], facts: { dns: string; facts: string }): Mode {
  const base = path.slice(path.lastIndexOf('/') + 1);
  if (path === '/etc/postfix/main.cf' || base === 'main.cf') return 'maincf';
  if (path === '/etc/postfix/master.cf' || base === 'master.cf') return 'mastercf';
  if (path === facts.dns) return 'dns';
  if (path === facts.facts) return 'facts';
  for (const r of refs) {
    if (r.path !== path) continue;
    if (ALIAS_PARAMETERS.has(r.parameter) && !['regexp', 'pcre', 'cidr'].includes(r.type)) return 'aliases';
    if (r.type === 'regexp' || r.type === 'pcre') return 'regexp';
    if (r.type === 'cidr') return 'cidr';
    if (['sqlite', 'mysql', 'pgsql', 'ldap', 'memcache'].includes(r.type)) return 'cf';
    return 'table';
  }
  if (/\.(pcre|regexp|re)$/.test(base)) return 'regexp';
  if (/\.cidr$/.test(base)) return 'cidr';
  if (/\.sql$/.test(base)) return 'sql';
  if (/\.cf$/.test(base)) return 'cf';
  if (/^aliases(\.|$)/.test(base)) return 'aliases';
  return 'table';
}
