/*
 * NAME
 *   names - Postfix parameter names and their built-in defaults
 * DESCRIPTION
 *   The one place that names main.cf parameters. A default is a function
 *   of compatibility_level where Postfix's is (COMPATIBILITY_README).
 *   Values are those of `postconf -d` on Debian's Postfix 3.7.
 * SEE ALSO
 *   postconf(5)
 */

/** compatibility_level as a comparable tuple ("3.6" -> [3, 6]); garbage is level 0. */
export function parseCompatibilityLevel(value: string): number[] {
  return /^\d+(\.\d+){0,2}$/.test(value.trim()) ? value.trim().split('.').map(Number) : [0];
}

/** compatBelow - true when `level` is below `than`, comparing as Postfix does (3.10 > 3.9). */
export function compatBelow(level: number[], than: string): boolean {
  const t = than.split('.').map(Number);
  for (let i = 0; i < Math.max(level.length, t.length); i++) {
    const a = level[i] ?? 0;
    const b = t[i] ?? 0;
    if (a !== b) return a < b;
  }
  return false;
}

type Default = string | ((compatibilityLevel: number[]) => string);

/** The defaults of the parameters the simulator reads. */
export const PARAMETER_DEFAULTS: Readonly<Record<string, Default>> = {
  compatibility_level: '0',
  config_directory: '/etc/postfix',
  default_database_type: 'hash',
  smtputf8_enable: (level) => (compatBelow(level, '1') ? 'no' : 'yes'),
  syslog_name: 'postfix',
};
