/*
 * NAME
 *   smtpd/session/dialogue - the client side of a session, as a file
 * DESCRIPTION
 *   Lines exactly as typed into telnet. Leading lines starting with `#` are
 *   comments; `# client: ADDR` among them says which address connects
 *   (as the golden recorder uses it), and `# pipelined` that the client sends
 *   every line at once after the banner instead of waiting for each reply.
 *   Everything after them is sent.
 * SEE ALSO
 *   smtpd(8)
 */

export interface Dialogue {
  /** The connecting address from `# client: ADDR`, if given. */
  client?: string;
  /** `# pipelined`: the client sends every line at once after the banner. */
  pipelined: boolean;
  comments: string[];
  /** The lines to send. */
  text: string;
}

/** parseDialogue - split leading comments from the lines to send. */
export function parseDialogue(text: string): Dialogue {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const comments: string[] = [];
  let client: string | undefined;
  let pipelined = false;
  let i = 0;
  for (; i < lines.length && lines[i]!.startsWith('#'); i++) {
    const m = /^#\s*client:\s*(\S+)\s*$/i.exec(lines[i]!);
    if (m) client = m[1];
    else if (/^#\s*pipelined\s*$/i.test(lines[i]!)) pipelined = true;
    else comments.push(lines[i]!.replace(/^#\s?/, ''));
  }
  return { ...(client !== undefined && { client }), pipelined, comments, text: lines.slice(i).join('\n') };
}
