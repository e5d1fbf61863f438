/*
 * NAME
 *   lazy - the editor component, loaded after the page's first render
 * DESCRIPTION
 *   CodeMirror is the biggest part of the page's code; the page shows the
 *   files as plain text until it has loaded (stack-notes §7).
 */
import type { Component } from 'svelte';

type EditorModule = typeof import('./Editor.svelte');
let loading: Promise<EditorModule> | undefined;

export function loadEditor(): Promise<EditorModule> {
  return (loading ??= import('./Editor.svelte'));
}

export type EditorComponent = Component<Record<string, unknown>>;
