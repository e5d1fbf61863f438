/*
 * NAME
 *   doc - an editable text the editors and the workspace share
 * DESCRIPTION
 *   A file's text or a session's dialogue. The editor hands over its
 *   document on every keystroke without turning it into a string (a 5 MB
 *   table would cost that on each key); the string is made when someone
 *   reads `text` (the worker sync, autosave), once per version. `version`
 *   is reactive: everything that depends on the text depends on it.
 */

/** What an editor hands over: a CodeMirror Text, or anything that can become a string. */
export interface DocSource {
  toString(): string;
  readonly length: number;
}

let uid = 0;
/** Versions are unique across all docs, so a new file at an old path never looks unchanged. */
let versions = 0;

export class Doc {
  readonly uid = ++uid;
  /** Changes with every edit, from an editor or from code; unique across all docs. */
  version = $state(++versions);
  #text: string;
  #source: DocSource | undefined;
  #length: number;

  constructor(text = '') {
    this.#text = text;
    this.#length = text.length;
  }

  /** A new version without a new text (binary files, whose bytes live elsewhere). */
  touch(): void {
    this.version = ++versions;
  }

  /** The text (reactive through `version`). */
  get text(): string {
    void this.version;
    if (this.#source) {
      this.#text = this.#source.toString();
      this.#source = undefined;
    }
    return this.#text;
  }

  set text(text: string) {
    this.#text = text;
    this.#source = undefined;
    this.#length = text.length;
    this.version = ++versions;
  }

  /** Length in UTF-16 units, without making the string. */
  get length(): number {
    void this.version;
    return this.#length;
  }

  /** An editor's new document: kept as it is until someone reads `text`. */
  fromEditor(source: DocSource): void {
    this.#source = source;
    this.#length = source.length;
    this.version = ++versions;
  }
}
