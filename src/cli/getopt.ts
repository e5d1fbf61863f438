/*
 * NAME
 *   getopt - getopt(3) as Postfix's commands call it
 * DESCRIPTION
 *   Options stop at the first non-option (`-` alone is an operand) or after
 *   `--`; letters may be grouped (`-fq key`), and a letter followed by `:`
 *   in the option string takes an argument, attached (`-cDIR`) or the next
 *   word. An unknown letter or a missing argument stops the scan with the
 *   line glibc's getopt prints (the caller then prints its usage).
 * SEE ALSO
 *   getopt(3), postconf(1), postmap(1)
 */

/** How a scan ended: the index of the first operand, the caller's own stop, or getopt's complaint. */
export type GetoptEnd<T> = { operands: number } | { stop: T } | { error: string };

/**
 * getopt - calls `option(letter, argument)` for each option in argv, in
 * order; `option` may end the scan by returning a value other than undefined.
 * `program` names the command in getopt's complaints.
 */
export function getopt<T>(
  program: string,
  argv: readonly string[],
  options: string,
  option: (c: string, value: string | undefined) => T | undefined,
): GetoptEnd<T> {
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') break;
    for (let j = 1; j < arg.length; j++) {
      const c = arg[j]!;
      const at = options.indexOf(c);
      if (at < 0 || c === ':') return { error: `${program}: invalid option -- '${c}'` };
      if (options[at + 1] === ':') {
        const value = j + 1 < arg.length ? arg.slice(j + 1) : argv[++i];
        if (value === undefined) return { error: `${program}: option requires an argument -- '${c}'` };
        const stop = option(c, value);
        if (stop !== undefined) return { stop };
        break;
      }
      const stop = option(c, undefined);
      if (stop !== undefined) return { stop };
    }
  }
  return { operands: i };
}
