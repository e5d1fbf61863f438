/*
 * NAME
 *   daemons - the parameters each daemon runs with, as master(8) starts it
 * SYNOPSIS
 *   daemonView(main, master, daemon, client?)
 *   daemonViews(main, master, client?)
 * DESCRIPTION
 *   master(8) passes a service's `-o name=value` overrides to that one
 *   process only. A daemon that another one talks to runs with its own
 *   master.cf entry: smtpd asks the trivial-rewrite service named by
 *   rewrite_service_name (the `rewrite` unix service) to classify an
 *   address, so relay_domains, parent_domain_matches_subdomains and the
 *   rest come from main.cf and *that* entry's -o, not from smtpd's; mail
 *   smtpd accepts goes to the service named by cleanup_service_name (the
 *   `cleanup` unix service, or e.g. a `-o cleanup_service_name=pre-cleanup`
 *   in smtpd's own entry), with that entry's -o (canonical_maps,
 *   receive_override_options, ...). The client's view names the service;
 *   the service's entry gives the daemon's view.
 *
 *   daemonView() returns that view (main.cf, then the entry's -o, with
 *   service_name and process_name as master(8) sets them) and what it
 *   found: the service name, the entry, and a notice when master.cf has no
 *   such service or it runs another program (real clients then cannot
 *   connect, or reach the wrong daemon).
 * SEE ALSO
 *   master(5), postconf(5) rewrite_service_name, cleanup_service_name
 */
import type { Diagnostic } from '../trace/types.ts';
import { serviceView } from './maincf.ts';
import type { MainCf, ParameterGetters, ParameterView } from './maincf.ts';
import { findService } from './mastercf.ts';
import type { MasterCf, MasterService } from './mastercf.ts';

/** The daemons a client reaches through a service-name parameter, and that parameter. */
export const DAEMON_SERVICES = {
  'trivial-rewrite': 'rewrite_service_name',
  cleanup: 'cleanup_service_name',
  verify: 'address_verify_service_name',
  proxymap: 'proxymap_service_name',
  bounce: 'bounce_service_name',
  qmgr: 'queue_service_name',
  flush: 'flush_service_name',
  showq: 'showq_service_name',
  error: 'error_service_name',
} as const;

/** A daemon Postfix reaches by a service name. */
export type Daemon = keyof typeof DAEMON_SERVICES;

/** What daemonView() found. */
export interface DaemonView {
  daemon: Daemon;
  /** The service name the client uses (its *_service_name). */
  service: string;
  /** The master.cf entry `service unix ...`, when there is one. */
  entry?: MasterService;
  /** The parameters the daemon runs with. */
  view: ParameterView;
  /** Why the simulator's answer may differ from a running Postfix (no such service, another program). */
  notices: Diagnostic[];
}

/** commandOf - the program a master.cf entry runs (field 8, without a directory). */
const commandOf = (entry: MasterService): string => entry.argv[7]!.replace(/^.*\//, '');

/** withNames - master(8) gives every daemon -n service_name and its process_name. */
function withNames(view: ParameterView, service: string, process: string): ParameterView {
  const own = (name: string): string | undefined => (name === 'service_name' ? service : name === 'process_name' ? process : undefined);
  const wrap = <N extends string>(g: ParameterGetters<N>): ParameterGetters<N> => ({
    get: (name) => own(name) ?? g.get(name),
    raw: (name) => own(name) ?? g.raw(name),
    rawOrDefault: (name) => own(name) ?? g.rawOrDefault(name),
    source: (name) => (own(name) === undefined ? g.source(name) : undefined),
  });
  return { ...wrap(view), dynamic: wrap(view.dynamic), expand: (value) => view.expand(value) };
}

/**
 * daemonView - the parameter view of `daemon` as master.cf runs it: the
 * `unix` service that `client` (default: main.cf) names in the daemon's
 * *_service_name parameter. Without master.cf (or without the entry)
 * main.cf alone, with a notice.
 */
export function daemonView(main: MainCf, master: MasterCf | undefined, daemon: Daemon, client: ParameterView = main): DaemonView {
  const parameter = DAEMON_SERVICES[daemon];
  const service = client.get(parameter) ?? daemon;
  const notices: Diagnostic[] = [];
  const entry = master && findService(master, service, 'unix');
  if (!master) return { daemon, service, view: withNames(main, service, daemon), notices };
  if (!entry) {
    notices.push({
      severity: 'warning',
      message: `${parameter} = ${service}: master.cf has no "${service} unix" service; Postfix's ${daemon} clients cannot connect (main.cf settings assumed)`,
    });
    return { daemon, service, view: withNames(main, service, daemon), notices };
  }
  if (commandOf(entry) !== daemon)
    notices.push({
      severity: 'warning',
      message: `master.cf service ${service}/unix runs ${commandOf(entry)}, not ${daemon}: the simulator models it as ${daemon}`,
      line: entry.line,
    });
  return { daemon, service, entry, view: withNames(serviceView(main, master, service, 'unix'), service, commandOf(entry)), notices };
}

/** daemonViews - trivial-rewrite's and cleanup's views for a client (smtpd's service view, or main.cf for sendmail/pickup). */
export function daemonViews(main: MainCf, master: MasterCf | undefined, client: ParameterView = main): { 'trivial-rewrite': DaemonView; cleanup: DaemonView } {
  return { 'trivial-rewrite': daemonView(main, master, 'trivial-rewrite', client), cleanup: daemonView(main, master, 'cleanup', client) };
}

/** The parameters of the daemons that handle a client's mail, by program. */
export interface MailDaemonViews {
  'trivial-rewrite': ParameterView;
  cleanup: ParameterView;
  local: ParameterView;
  virtual: ParameterView;
  /** daemonView()'s notices for trivial-rewrite and cleanup. */
  notices: Diagnostic[];
}

/**
 * mailDaemonViews - what createResolver() needs for a client (smtpd's
 * service view, or main.cf for sendmail): trivial-rewrite and cleanup as
 * the client names their services, local and virtual as their own
 * master.cf entries (`local unix`, `virtual unix`) run them.
 */
export function mailDaemonViews(main: MainCf, master: MasterCf | undefined, client: ParameterView = main): MailDaemonViews {
  const daemons = daemonViews(main, master, client);
  const agent = (service: string): ParameterView => (master ? serviceView(main, master, service, 'unix') : main);
  return {
    'trivial-rewrite': daemons['trivial-rewrite'].view,
    cleanup: daemons.cleanup.view,
    local: agent('local'),
    virtual: agent('virtual'),
    notices: [...daemons['trivial-rewrite'].notices, ...daemons.cleanup.notices],
  };
}
