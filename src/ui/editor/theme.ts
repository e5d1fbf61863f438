/*
 * NAME
 *   theme - the editors' look, in the page's colours (light and dark follow the system)
 * DESCRIPTION
 *   Colours are the page's CSS variables (app.css), so one theme serves
 *   both schemes. Lines that took part in the current answer have a
 *   marked background and a bar in the margin.
 */
import { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { EditorView } from '@codemirror/view';
import { tags as t } from '@lezer/highlight';

export const editorTheme = EditorView.theme({
  '&': { color: 'var(--fg)', backgroundColor: 'var(--editor-bg)', fontSize: '0.86rem', height: '100%' },
  '.cm-content': { fontFamily: 'var(--mono)', caretColor: 'var(--fg)' },
  '.cm-scroller': { fontFamily: 'var(--mono)', lineHeight: '1.45' },
  '.cm-gutters': { backgroundColor: 'var(--gutter-bg)', color: 'var(--muted)', borderRight: '1px solid var(--border)' },
  '.cm-activeLine': { backgroundColor: 'var(--active-line)' },
  '.cm-activeLineGutter': { backgroundColor: 'var(--active-line)' },
  '&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection': { backgroundColor: 'var(--selection) !important' },
  '&.cm-focused': { outline: '2px solid var(--accent)', outlineOffset: '-2px' },
  '.cm-took-part': { backgroundColor: 'var(--took-part-bg)', boxShadow: 'inset 3px 0 0 var(--took-part)' },
  '.cm-tooltip': { backgroundColor: 'var(--panel)', color: 'var(--fg)', border: '1px solid var(--border)' },
  '.cm-tooltip.cm-tooltip-autocomplete > ul > li[aria-selected]': { backgroundColor: 'var(--accent)', color: 'var(--on-accent)' },
  '.cm-completionInfo': { maxWidth: '28rem', whiteSpace: 'normal' },
  '.cm-hover': { padding: '0.3rem 0.5rem', maxWidth: '32rem', fontSize: '0.82rem' },
  '.cm-hover code': { fontFamily: 'var(--mono)', whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' },
  '.cm-panels': { backgroundColor: 'var(--panel)', color: 'var(--fg)' },
  '.cm-diagnostic': { fontFamily: 'var(--mono)', fontSize: '0.8rem' },
  '.cm-diagnostic-error': { borderLeft: '4px solid var(--bad)' },
  '.cm-diagnostic-warning': { borderLeft: '4px solid var(--warn)' },
  '.cm-diagnosticAction': { backgroundColor: 'var(--accent)', color: 'var(--on-accent)' },
  '.cm-lintRange-error': { backgroundImage: 'none', textDecoration: 'underline wavy var(--bad)' },
  '.cm-lintRange-warning': { backgroundImage: 'none', textDecoration: 'underline wavy var(--warn)' },
});

export const highlighting = syntaxHighlighting(
  HighlightStyle.define([
    { tag: t.comment, color: 'var(--hl-comment)', fontStyle: 'italic' },
    { tag: [t.propertyName, t.attributeName], color: 'var(--hl-name)' },
    { tag: t.definition(t.variableName), color: 'var(--hl-name)', fontWeight: '600' },
    { tag: t.variableName, color: 'var(--hl-var)' },
    { tag: t.typeName, color: 'var(--hl-type)', fontWeight: '600' },
    { tag: t.keyword, color: 'var(--hl-keyword)' },
    { tag: [t.atom, t.bool], color: 'var(--hl-atom)', fontWeight: '600' },
    { tag: [t.string, t.regexp], color: 'var(--hl-string)' },
    { tag: t.number, color: 'var(--hl-number)' },
    { tag: [t.meta, t.operator], color: 'var(--hl-meta)' },
    { tag: t.invalid, color: 'var(--bad)', textDecoration: 'underline' },
  ]),
);
