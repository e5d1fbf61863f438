/*
 * NAME
 *   examples - the built-in examples as whole workspaces
 * DESCRIPTION
 *   Each example of ../examples.ts (table lookups; SMTP sessions and
 *   address resolution taken from golden groups, so what they show was
 *   recorded from real Postfix) becomes a workspace that opens on its
 *   view. The first SMTP session example is the workspace a new visitor gets.
 */
import { EXAMPLES, RESOLVE_EXAMPLES, SMTPD_EXAMPLES } from '../examples.ts';
import { readForm } from './dialogue-form.ts';
import { EMPTY_SESSION, emptyWorkspace } from './types.ts';
import type { WorkspaceData } from './types.ts';

export interface WorkspaceExample {
  id: string;
  group: string;
  name: string;
  data: () => WorkspaceData;
}

const withFiles = (files: { path: string; text: string }[]): Pick<WorkspaceData, 'files' | 'open' | 'active'> => {
  const main = files.find((f) => f.path.endsWith('/main.cf'));
  const first = main ?? files[0];
  return { files: files.map((f) => ({ path: f.path, text: f.text })), open: first ? [first.path] : [], active: first?.path ?? '' };
};

/** For a session example, the other views ask about the same mail: its recipients, and the first table. */
function otherViews(files: readonly { path: string; text: string }[], dialogue: string): Pick<WorkspaceData, 'resolve' | 'lookup'> {
  const form = readForm(dialogue);
  const main = files.find((f) => f.path.endsWith('/main.cf'))?.text ?? '';
  const table = /\b(hash|btree|lmdb|cdb|texthash|regexp|pcre|cidr|sqlite):(\/\S+?)(?=[\s,]|$)/m.exec(main);
  const client = /(?:^# client:|ADDR=)\s*(\S+)/m.exec(dialogue)?.[1] ?? '127.0.0.1';
  const key = table?.[1] === 'cidr' ? client : (form.recipients[0] ?? '');
  return {
    resolve: { sender: form.sender, addresses: form.recipients.join('\n') + (form.recipients.length > 0 ? '\n' : '') },
    lookup: { spec: table ? `${table[1]}:${table[2]}` : '', key, noFold: false, consumer: table && table[1] !== 'cidr' ? 'access' : '' },
  };
}

export const WORKSPACE_EXAMPLES: readonly WorkspaceExample[] = [
  ...SMTPD_EXAMPLES.map((e, i) => ({
    id: `smtpd-${i}`,
    group: 'SMTP session',
    name: e.name,
    data: (): WorkspaceData => ({
      ...emptyWorkspace(),
      ...withFiles(e.files),
      sessions: [{ ...EMPTY_SESSION, name: e.name.replace(/:.*/, ''), dialogue: e.dialogue }],
      ...otherViews(e.files, e.dialogue),
      view: 'smtpd',
    }),
  })),
  ...RESOLVE_EXAMPLES.map((e, i) => ({
    id: `resolve-${i}`,
    group: 'Address resolution',
    name: e.name,
    data: (): WorkspaceData => ({ ...emptyWorkspace(), ...withFiles(e.files), resolve: { sender: e.sender, addresses: e.addresses }, view: 'resolve' }),
  })),
  ...EXAMPLES.map((e, i) => ({
    id: `lookup-${i}`,
    group: 'Table lookup',
    name: e.name,
    data: (): WorkspaceData => ({
      ...emptyWorkspace(),
      ...withFiles(e.files),
      environment: e.environment ?? '',
      lookup: { spec: e.spec, key: e.key, noFold: false, consumer: '' },
      view: 'lookup',
    }),
  })),
];

/** The workspace a first visit opens with. */
export const FIRST_VISIT = WORKSPACE_EXAMPLES[0]!;
