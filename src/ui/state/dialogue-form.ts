/*
 * NAME
 *   dialogue-form - an SMTP dialogue read as a form, and the form written back
 * DESCRIPTION
 *   The dialogue (lines as typed into telnet, `#` directives first) is the
 *   truth; the form shows its parts and edits them in place: the HELO or
 *   EHLO name, the XCLIENT LOGIN= name (the simulator's SASL login), the
 *   sender and recipients of the first mail transaction, and the message
 *   sent after its DATA (dot-stuffing undone in the form, redone in the
 *   dialogue). Every other line stays exactly as it was, so switching
 *   between the two never loses anything. A dialogue with more than one
 *   transaction says so (`transactions`); the form edits the first.
 */

/** The parts of a dialogue the form shows. */
export interface DialogueForm {
  helo: string;
  heloVerb: 'EHLO' | 'HELO';
  login: string;
  sender: string;
  recipients: string[];
  message: string;
  hasMessage: boolean;
  transactions: number;
}

interface Line {
  text: string;
  /** The command verb in upper case, '' for message lines, '#' for directives. */
  verb: string;
  /** Index of the transaction (MAIL FROM) the line belongs to, -1 before the first. */
  tx: number;
}

const split = (text: string): { lines: string[]; trailing: boolean } => {
  const trailing = text.endsWith('\n');
  const body = trailing ? text.slice(0, -1) : text;
  return { lines: body === '' ? [] : body.split('\n'), trailing };
};
const join = (lines: string[], trailing: boolean): string => lines.join('\n') + (trailing || lines.length > 0 ? '\n' : '');

function classify(lines: string[]): Line[] {
  const out: Line[] = [];
  let leading = true;
  let inData = false;
  let tx = -1;
  for (const text of lines) {
    if (leading && text.startsWith('#')) {
      out.push({ text, verb: '#', tx });
      continue;
    }
    leading = false;
    if (inData) {
      out.push({ text, verb: text.replace(/\r$/, '') === '.' ? '.' : '', tx });
      if (text.replace(/\r$/, '') === '.') inData = false;
      continue;
    }
    const verb = (/^\s*(\S+)/.exec(text)?.[1] ?? '').toUpperCase().replace(/:.*$/, '');
    if (verb === 'MAIL') tx++;
    out.push({ text, verb, tx });
    if (verb === 'DATA') inData = true;
  }
  return out;
}

const addressOf = (text: string): string => /<([^>]*)>/.exec(text)?.[1] ?? text.replace(/^\s*\S+\s+(FROM|TO)\s*:\s*/i, '').trim();

/** readForm - the form's fields, read from the dialogue. */
export function readForm(text: string): DialogueForm {
  const lines = classify(split(text).lines);
  const helo = lines.find((l) => l.verb === 'HELO' || l.verb === 'EHLO');
  const xclient = lines.find((l) => l.verb === 'XCLIENT' && /\bLOGIN=/i.test(l.text));
  const mail = lines.find((l) => l.verb === 'MAIL');
  const data = lines.findIndex((l) => l.verb === 'DATA' && l.tx === 0);
  const message: string[] = [];
  if (data >= 0) for (let i = data + 1; i < lines.length && lines[i]!.verb === ''; i++) message.push(lines[i]!.text.replace(/^\./, ''));
  return {
    helo: helo ? helo.text.trim().split(/\s+/).slice(1).join(' ') : '',
    heloVerb: helo?.verb === 'HELO' ? 'HELO' : 'EHLO',
    login: xclient ? (/\bLOGIN=(\S*)/i.exec(xclient.text)?.[1] ?? '') : '',
    sender: mail ? addressOf(mail.text) : '',
    recipients: lines.filter((l) => l.verb === 'RCPT' && l.tx === 0).map((l) => addressOf(l.text)),
    message: message.join('\n'),
    hasMessage: data >= 0,
    transactions: Math.max(0, ...lines.map((l) => l.tx + 1)),
  };
}

/** Where a new command goes: after the directives, XCLIENT and HELO lines. */
function afterGreeting(lines: Line[]): number {
  let at = 0;
  while (at < lines.length && ['#', 'XCLIENT', 'HELO', 'EHLO', 'STARTTLS'].includes(lines[at]!.verb)) at++;
  return at;
}

/** writeHelo - set (or, when empty, remove) the HELO/EHLO name. */
export function writeHelo(text: string, value: string, verb: 'EHLO' | 'HELO' = 'EHLO'): string {
  const { lines, trailing } = split(text);
  const ls = classify(lines);
  const i = ls.findIndex((l) => l.verb === 'HELO' || l.verb === 'EHLO');
  const v = value.trim();
  if (i >= 0) {
    if (v === '') lines.splice(i, 1);
    else lines[i] = `${ls[i]!.verb === 'HELO' ? 'HELO' : 'EHLO'} ${v}`;
  } else if (v !== '') {
    let at = 0;
    while (at < ls.length && (ls[at]!.verb === '#' || ls[at]!.verb === 'XCLIENT')) at++;
    lines.splice(at, 0, `${verb} ${v}`);
  }
  return join(lines, trailing);
}

/** writeLogin - set (or remove) `XCLIENT LOGIN=name`, the SASL login the simulator takes. */
export function writeLogin(text: string, value: string): string {
  const { lines, trailing } = split(text);
  const ls = classify(lines);
  const v = value.trim();
  const i = ls.findIndex((l) => l.verb === 'XCLIENT' && /\bLOGIN=/i.test(l.text));
  if (i >= 0) {
    const rest = lines[i]!.replace(/\s*\bLOGIN=\S*/i, '');
    if (v !== '') lines[i] = `${rest} LOGIN=${v}`;
    else if (rest.trim().toUpperCase() === 'XCLIENT') lines.splice(i, 1);
    else lines[i] = rest;
  } else if (v !== '') {
    let at = 0;
    while (at < ls.length && ls[at]!.verb === '#') at++;
    lines.splice(at, 0, `XCLIENT LOGIN=${v}`);
  }
  return join(lines, trailing);
}

/** writeSender - the first MAIL FROM address (ESMTP parameters after `>` kept). */
export function writeSender(text: string, value: string): string {
  const { lines, trailing } = split(text);
  const ls = classify(lines);
  const i = ls.findIndex((l) => l.verb === 'MAIL');
  if (i >= 0) {
    const suffix = /<[^>]*>(.*)$/.exec(lines[i]!)?.[1] ?? '';
    lines[i] = `MAIL FROM:<${value.trim()}>${suffix}`;
  } else lines.splice(afterGreeting(ls), 0, `MAIL FROM:<${value.trim()}>`);
  return join(lines, trailing);
}

/** writeRecipients - the RCPT TO lines of the first transaction, one per address. */
export function writeRecipients(text: string, values: readonly string[]): string {
  let { lines, trailing } = split(text);
  if (!classify(lines).some((l) => l.verb === 'MAIL')) ({ lines, trailing } = split(writeSender(text, '')));
  const ls = classify(lines);
  const old = ls.map((l, i) => [l, i] as const).filter(([l]) => l.verb === 'RCPT' && l.tx === 0);
  const suffixes = old.map(([, i]) => /<[^>]*>(.*)$/.exec(lines[i]!)?.[1] ?? '');
  const at = old.length > 0 ? old[0]![1] : ls.findIndex((l) => l.verb === 'MAIL') + 1;
  for (const [, i] of [...old].reverse()) lines.splice(i, 1);
  const wanted = values.map((v) => v.trim()).filter((v) => v !== '');
  lines.splice(at, 0, ...wanted.map((v, k) => `RCPT TO:<${v}>${suffixes[k] ?? ''}`));
  return join(lines, trailing);
}

/** writeMessage - the message after the first transaction's DATA; empty removes the DATA block. */
export function writeMessage(text: string, value: string): string {
  const { lines, trailing } = split(text);
  const ls = classify(lines);
  const data = ls.findIndex((l) => l.verb === 'DATA' && l.tx === 0);
  const body = value === '' ? [] : value.split('\n').map((l) => (l.startsWith('.') ? '.' + l : l));
  if (data >= 0) {
    let end = data + 1;
    while (end < ls.length && ls[end]!.verb === '') end++;
    const hasDot = end < ls.length && ls[end]!.verb === '.';
    if (value === '') lines.splice(data, end - data + (hasDot ? 1 : 0));
    else lines.splice(data + 1, end - data - 1, ...body, ...(hasDot ? [] : ['.']));
  } else if (value !== '') {
    if (!ls.some((l) => l.verb === 'MAIL')) return writeMessage(writeSender(text, ''), value);
    let at = ls.findIndex((l) => l.verb === 'MAIL') + 1;
    while (at < ls.length && ls[at]!.verb === 'RCPT' && ls[at]!.tx === 0) at++;
    lines.splice(at, 0, 'DATA', ...body, '.');
  }
  return join(lines, trailing);
}
