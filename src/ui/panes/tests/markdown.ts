/*
 * NAME
 *   markdown - the little Markdown a scenario's README uses, as data to render
 * DESCRIPTION
 *   Paragraphs, `- ` bullet lists (continued by indented lines), fenced or
 *   indented code blocks, and `inline code`. Returned as blocks of text
 *   runs, so the page renders them with ordinary elements (no HTML from
 *   text, no injection).
 */

/** A run of inline text: plain, or `code`. */
export interface Run {
  code: boolean;
  text: string;
}

export type Block = { kind: 'p'; runs: Run[] } | { kind: 'ul'; items: Run[][] } | { kind: 'pre'; text: string };

/** Inline code spans in a line of text. */
export function runs(text: string): Run[] {
  const out: Run[] = [];
  const re = /`([^`]+)`/g;
  let at = 0;
  for (let m; (m = re.exec(text));) {
    if (m.index > at) out.push({ code: false, text: text.slice(at, m.index) });
    out.push({ code: true, text: m[1]! });
    at = m.index + m[0].length;
  }
  if (at < text.length) out.push({ code: false, text: text.slice(at) });
  return out;
}

/** blocks - a Markdown text as paragraphs, lists and code blocks. */
export function blocks(text: string): Block[] {
  const out: Block[] = [];
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  let para: string[] = [];
  let items: string[] | undefined;
  const flush = (): void => {
    if (para.length) out.push({ kind: 'p', runs: runs(para.join(' ')) });
    if (items) out.push({ kind: 'ul', items: items.map(runs) });
    para = [];
    items = undefined;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^```/.test(line)) {
      flush();
      const code: string[] = [];
      for (i++; i < lines.length && !/^```/.test(lines[i]!); i++) code.push(lines[i]!);
      out.push({ kind: 'pre', text: code.join('\n') });
    } else if (line.trim() === '') flush();
    else if (/^[-*] /.test(line)) {
      if (para.length) flush();
      (items ??= []).push(line.slice(2).trim());
    } else if (items && /^\s+\S/.test(line)) items[items.length - 1] += ' ' + line.trim();
    else if (/^ {4}/.test(line) && para.length === 0) {
      flush();
      const code = [line.slice(4)];
      while (i + 1 < lines.length && (/^ {4}/.test(lines[i + 1]!) || lines[i + 1] === '')) code.push(lines[++i]!.slice(4));
      out.push({ kind: 'pre', text: code.join('\n').trimEnd() });
    } else {
      if (items) flush();
      para.push(line.trim());
    }
  }
  flush();
  return out;
}
