/*
 * NAME
 *   workspace - the page's state: one set of files shared by every view
 * DESCRIPTION
 *   The files (main.cf, tables, DNS facts, ...) and each view's inputs and
 *   last answer live here, outside the view components, so switching
 *   views never loses work. Each view has its own engine client (its own
 *   worker): a newer request supersedes an older one of the same view
 *   only, and a request that runs too long is stopped (see worker/client.ts).
 */
import { EXAMPLES, RESOLVE_EXAMPLES, SMTPD_EXAMPLES } from './examples.ts';
import type { Example, ExampleFile, ResolveExample, SmtpdExample } from './examples.ts';
import { parseEnvironment } from './host.ts';
import { EngineClient } from './worker/client.ts';
import type { LookupOutcome, Outcome } from './worker/client.ts';
import type { ResolveRequest, ResolveResponse, SmtpdRequest, SmtpdResponse } from './worker/protocol.ts';

export const TIMEOUT_MS = 5000;

export type View = 'lookup' | 'smtpd' | 'resolve';
export const VIEWS: readonly { id: View; title: string }[] = [
  { id: 'lookup', title: 'Lookup tables' },
  { id: 'smtpd', title: 'SMTP session' },
  { id: 'resolve', title: 'Address resolution' },
];

export interface FileEntry {
  uid: number;
  path: string;
  /** Text files are edited here; uploaded binary files keep their bytes. */
  text: string;
  bytes?: Uint8Array;
}

/** The examples of every view, in one list for the picker. */
export type AnyExample = { view: 'lookup'; example: Example } | { view: 'smtpd'; example: SmtpdExample } | { view: 'resolve'; example: ResolveExample };
export const ALL_EXAMPLES: readonly AnyExample[] = [
  ...EXAMPLES.map((example) => ({ view: 'lookup' as const, example })),
  ...SMTPD_EXAMPLES.map((example) => ({ view: 'smtpd' as const, example })),
  ...RESOLVE_EXAMPLES.map((example) => ({ view: 'resolve' as const, example })),
];

let uid = 0;
const encoder = new TextEncoder();

class Workspace {
  view: View = $state('lookup');
  files: FileEntry[] = $state([]);
  environment = $state('');
  exampleIndex = $state(0);

  // Lookup tables
  spec = $state('');
  key = $state('');
  noFold = $state(false);
  lookupRunning = $state(false);
  lookupOutcome: LookupOutcome | undefined = $state.raw();

  // SMTP session
  service = $state('smtp');
  clientAddr = $state('');
  clientName = $state('');
  tls = $state(false);
  ccertFingerprint = $state('');
  ccertPkeyFingerprint = $state('');
  ccertVerified = $state(false);
  dnsPath = $state('/etc/postfix/dns');
  factsPath = $state('/etc/postfix/facts');
  dialogue = $state('');
  smtpdRunning = $state(false);
  smtpdOutcome: Outcome<SmtpdResponse> | undefined = $state.raw();

  // Address resolution
  sender = $state('');
  addresses = $state('');
  resolveRunning = $state(false);
  resolveOutcome: Outcome<ResolveResponse> | undefined = $state.raw();

  private readonly clients: Record<View, EngineClient | undefined> = { lookup: undefined, smtpd: undefined, resolve: undefined };

  client(view: View): EngineClient {
    return (this.clients[view] ??= new EngineClient(TIMEOUT_MS));
  }

  dispose(): void {
    for (const c of Object.values(this.clients)) c?.dispose();
  }

  private setFiles(files: readonly ExampleFile[]): void {
    this.files = files.map((f) => ({ uid: ++uid, path: f.path, text: f.text }));
  }

  newFile(path: string, text = ''): FileEntry {
    const entry = { uid: ++uid, path, text };
    this.files.push(entry);
    return entry;
  }

  nextUid(): number {
    return ++uid;
  }

  file(path: string): FileEntry | undefined {
    return this.files.find((f) => f.path === path);
  }

  /** Loads an example into the workspace (replacing the files) and shows its view. */
  loadExample(any: AnyExample): void {
    this.view = any.view;
    if (any.view === 'lookup') {
      const example = any.example;
      this.setFiles(example.files);
      this.spec = example.spec;
      this.key = example.key;
      this.environment = example.environment ?? '';
      this.noFold = false;
      this.lookupOutcome = undefined;
    } else if (any.view === 'smtpd') {
      this.setFiles(any.example.files);
      this.dialogue = any.example.dialogue;
      this.service = 'smtp';
      this.clientAddr = '';
      this.clientName = '';
      this.tls = false;
      this.ccertFingerprint = '';
      this.ccertPkeyFingerprint = '';
      this.ccertVerified = false;
      this.dnsPath = '/etc/postfix/dns';
      this.factsPath = '/etc/postfix/facts';
      this.smtpdOutcome = undefined;
    } else {
      this.setFiles(any.example.files);
      this.sender = any.example.sender;
      this.addresses = any.example.addresses;
      this.resolveOutcome = undefined;
    }
  }

  /** The files as the worker gets them (copies: the worker owns what it is sent). */
  fileBytes(): [string, Uint8Array][] {
    return this.files.map((f): [string, Uint8Array] => [f.path, f.bytes ? f.bytes.slice() : encoder.encode(f.text)]);
  }

  async runLookup(): Promise<void> {
    this.lookupRunning = true;
    const result = await this.client('lookup').lookup({
      files: this.fileBytes(),
      environment: parseEnvironment(this.environment),
      spec: this.spec.trim(),
      key: this.key,
      noFold: this.noFold,
    });
    if (result.kind === 'superseded') return; // a newer lookup owns the display
    this.lookupOutcome = result;
    this.lookupRunning = false;
  }

  /** The SMTP session request for the current inputs (read synchronously, so an $effect tracks them). */
  smtpdRequest(): Omit<SmtpdRequest, 'id'> {
    return {
      kind: 'smtpd',
      files: this.fileBytes(),
      environment: parseEnvironment(this.environment),
      service: this.service,
      clientAddr: this.clientAddr,
      clientName: this.clientName,
      tls: this.tls,
      ccertFingerprint: this.ccertFingerprint,
      ccertPkeyFingerprint: this.ccertPkeyFingerprint,
      ccertVerified: this.ccertVerified,
      dnsPath: this.dnsPath,
      factsPath: this.factsPath,
      dialogue: this.dialogue,
    };
  }

  async runSmtpd(request = this.smtpdRequest()): Promise<void> {
    this.smtpdRunning = true;
    const result = await this.client('smtpd').run<SmtpdRequest>(request);
    if (result.kind === 'superseded') return;
    this.smtpdOutcome = result;
    this.smtpdRunning = false;
  }

  resolveRequest(): Omit<ResolveRequest, 'id'> {
    return {
      kind: 'resolve',
      files: this.fileBytes(),
      environment: parseEnvironment(this.environment),
      sender: this.sender,
      addresses: this.addresses.split('\n'),
    };
  }

  async runResolve(request = this.resolveRequest()): Promise<void> {
    this.resolveRunning = true;
    const result = await this.client('resolve').run<ResolveRequest>(request);
    if (result.kind === 'superseded') return;
    this.resolveOutcome = result;
    this.resolveRunning = false;
  }
}

export const ws = new Workspace();
