/*
 * NAME
 *   postconf-format - the golden postconf case format, shared by the recorder and the vitest harness
 * DESCRIPTION
 *   A group's `commands` file: one postconf argument list per line,
 *   whitespace-separated; blank lines and # comments are ignored.
 */

/** parseCommands - the argument lists of a group's `commands` file. */
export function parseCommands(text) {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => l.split(/\s+/));
}
