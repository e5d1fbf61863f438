/*
 * NAME
 *   postconf-format - the golden postconf case format, shared by the recorder and the vitest harness
 * DESCRIPTION
 *   A group's `commands` file: one postconf argument list per line,
 *   whitespace-separated; blank lines and # comments are ignored.
 */

/**
 * parseCommands - the argument lists of a group's `commands` file.
 * @param {string} text
 * @returns {string[][]}
 */
export function parseCommands(text) {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => l.split(/\s+/));
}

/**
 * groupHostname - the machine's host name a group asks for: the first line
 * of its `hostname` file (text, or undefined without one); undefined for
 * the default (host.example.com).
 * @param {string | undefined} text
 * @returns {string | undefined}
 */
export function groupHostname(text) {
  if (text === undefined) return undefined;
  const name = text.split('\n')[0].trim();
  if (!/^[A-Za-z0-9.-]+$/.test(name)) throw new Error(`bad hostname file: ${JSON.stringify(text)}`);
  return name;
}
