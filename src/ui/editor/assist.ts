/*
 * NAME
 *   assist - completion and hover for main.cf and master.cf
 * DESCRIPTION
 *   Completion: parameter names at the start of a line (with the default
 *   and the first sentence of postconf(5)), `$name` after a dollar sign,
 *   and in values restriction names and table types. Hover on `$name`,
 *   `${name}` or a parameter being set shows its value as the programs see
 *   it, expanded, from the worker's last check of the workspace.
 */
import type { Completion, CompletionContext, CompletionResult } from '@codemirror/autocomplete';
import { hoverTooltip } from '@codemirror/view';
import type { Extension } from '@codemirror/state';
import { PARAMETERS, RESTRICTIONS, TABLE_TYPES } from './postconf-docs.generated.ts';

/** What the page knows about the current main.cf. */
export interface EditorInfo {
  parameters: Readonly<Record<string, { raw: string; expanded: string }>>;
  defaults: Readonly<Record<string, string>>;
}

const DOCS = new Map(PARAMETERS.map(([name, def, text]) => [name, { def, text }]));

const parameterOptions = (suffix: string): Completion[] =>
  PARAMETERS.map(([name, def, text]) => ({ label: name, type: 'property', detail: `default: ${def}`, info: text, apply: name + suffix }));
const AT_LINE_START = parameterOptions(' = ');
const AFTER_DOLLAR = parameterOptions('');
const IN_VALUE: Completion[] = [
  ...RESTRICTIONS.map(([name, text]) => ({ label: name, type: 'keyword', info: text })),
  ...TABLE_TYPES.map((type) => ({ label: `${type}:`, type: 'type', detail: 'lookup table type' })),
];

/** completion source for main.cf (`lineStart`) and master.cf `-o` values. */
export function postfixCompletion(mode: 'maincf' | 'mastercf') {
  return (ctx: CompletionContext): CompletionResult | null => {
    const line = ctx.state.doc.lineAt(ctx.pos);
    const before = line.text.slice(0, ctx.pos - line.from);
    const dollar = /\$\{?([A-Za-z0-9_]*)$/.exec(before);
    if (dollar) return { from: ctx.pos - dollar[1]!.length, options: AFTER_DOLLAR, validFor: /^[A-Za-z0-9_]*$/ };
    if (mode === 'maincf' && /^[A-Za-z0-9_]*$/.test(before)) {
      if (before === '' && !ctx.explicit) return null;
      return { from: line.from, options: AT_LINE_START, validFor: /^[A-Za-z0-9_]*$/ };
    }
    if (mode === 'mastercf') {
      const o = /-o\s+([A-Za-z0-9_]*)$/.exec(before);
      if (o) return { from: ctx.pos - o[1]!.length, options: parameterOptions('='), validFor: /^[A-Za-z0-9_]*$/ };
      if (!/-o\s+\S+=\S*$/.test(before)) return null;
    }
    const word = ctx.matchBefore(/[a-z0-9_]*/);
    if (!word || (word.from === word.to && !ctx.explicit)) return null;
    return { from: word.from, options: IN_VALUE, validFor: /^[a-z0-9_]*$/ };
  };
}

/** The parameter name at `pos`: in `$name`/`${name}`, or being set at the start of the line. */
function nameAt(text: string, col: number): { name: string; from: number; to: number } | undefined {
  for (const m of text.matchAll(/\$\{?([A-Za-z0-9_]+)\}?|^([A-Za-z0-9_]+)(?=\s*=)|(?<=-o\s+)([A-Za-z0-9_]+)(?==)/g)) {
    const from = m.index!;
    const to = from + m[0].length;
    if (col >= from && col <= to) return { name: (m[1] ?? m[2] ?? m[3])!, from, to };
  }
  return undefined;
}

export function postfixHover(info: () => EditorInfo | undefined): Extension {
  return hoverTooltip((view, pos) => {
    const line = view.state.doc.lineAt(pos);
    const hit = nameAt(line.text, pos - line.from);
    if (!hit) return null;
    const i = info();
    const set = i?.parameters[hit.name];
    const def = i?.defaults[hit.name];
    const doc = DOCS.get(hit.name);
    if (!set && def === undefined && !doc) return null;
    return {
      pos: line.from + hit.from,
      end: line.from + hit.to,
      above: true,
      create() {
        const dom = document.createElement('div');
        dom.className = 'cm-hover';
        const title = document.createElement('strong');
        title.textContent = hit.name;
        dom.append(title);
        const row = (label: string, value: string): void => {
          const p = document.createElement('div');
          const code = document.createElement('code');
          code.textContent = value === '' ? '(empty)' : value;
          p.append(`${label}: `, code);
          dom.append(p);
        };
        if (set) {
          row('value', set.expanded);
          if (set.raw !== set.expanded) row('as written', set.raw);
        } else if (def !== undefined) row('default, expanded', def);
        else if (doc) row('default', doc.def);
        if (doc) {
          const p = document.createElement('div');
          p.textContent = doc.text;
          dom.append(p);
        }
        return { dom };
      },
    };
  });
}
