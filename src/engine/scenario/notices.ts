/*
 * NAME
 *   scenario/notices - what the simulator does not model, for what a scenario runs
 * DESCRIPTION
 *   Nothing is silently ignored: a parameter that changes what Postfix
 *   does, that the simulator does not model and that is set to a value
 *   other than its default gets a notice (config/coverage.ts), for each
 *   program a run involves, with that program's own parameters (its
 *   master.cf entry, config/daemons.ts). Tables that ask a server (tcp:,
 *   socketmap:, memcache:, nis:) are named once each, with the setting in
 *   main.cf or master.cf that names them. A play involves smtpd (behind
 *   postscreen, the pass service it hands clients to; postscreen's own
 *   notices are in its PostscreenConfig and not repeated), trivial-rewrite,
 *   cleanup, local and virtual; a resolve (sendmail -bv) the last four with
 *   main.cf's views. Each parameter is named once, by the first program
 *   that reads it. master.cf services a daemon's clients cannot reach are
 *   noticed too.
 * SEE ALSO
 *   postconf(5), master(5)
 */
import type { Diagnostic } from '../trace/types.ts';
import { serviceView } from '../config/maincf.ts';
import type { MainCf, ParameterView } from '../config/maincf.ts';
import type { MasterCf } from '../config/mastercf.ts';
import type { MailDaemonViews } from '../config/daemons.ts';
import { notSimulatedNotices } from '../config/coverage.ts';
import { POSTSCREEN_NOT_SIMULATED } from '../postscreen/index.ts';
import { SERVER_TABLE_TYPES, serverWhat } from '../tables/servers.ts';

/** Scenario.notices. */
export interface ScenarioNotices {
  readonly play: readonly Diagnostic[];
  readonly resolve: readonly Diagnostic[];
}

/**
 * scenarioNotices - what is not simulated, for the programs a play and a
 * resolve involve, each notice once (the first program that reads the
 * parameter names it). Behind postscreen, smtpd is the pass service it
 * hands clients to; postscreen's own notices (PostscreenConfig) are not repeated.
 */
export function scenarioNotices(
  main: MainCf,
  master: MasterCf | undefined,
  params: ParameterView,
  postscreen: boolean,
  smtpdDaemons: MailDaemonViews,
  mailDaemons: MailDaemonViews,
): ScenarioNotices {
  const collect = (runs: [string, ParameterView][], daemonNotices: readonly Diagnostic[]): Diagnostic[] => {
    const seen = new Set<string>();
    const out: Diagnostic[] = [];
    for (const [program, view] of runs)
      for (const d of notSimulatedNotices(view, program)) {
        const name = d.message.split(' ')[0]!;
        if (seen.has(name) || (program === 'postscreen' && POSTSCREEN_NOTICED.has(name))) continue;
        seen.add(name);
        out.push({ ...d, program });
      }
    return [...out, ...daemonNotices.map((d): Diagnostic => ({ ...d, severity: 'info' }))];
  };
  const daemons = (v: MailDaemonViews): [string, ParameterView][] => [
    ['trivial-rewrite', v['trivial-rewrite']],
    ['cleanup', v.cleanup],
    ['local', v.local],
    ['virtual', v.virtual],
  ];
  const front: [string, ParameterView][] = [];
  if (postscreen) {
    front.push(['postscreen', params]);
    const pass = master?.services.find((s) => s.type === 'pass' && s.service === params.get('smtpd_service_name'));
    if (master && pass) front.push(['smtpd', serviceView(main, master, pass.service, 'pass')]);
  } else front.push(['smtpd', params]);
  // sendmail -bv meets no smtpd or postscreen setting (restriction classes are smtpd's too).
  const classes = new Set((main.get('smtpd_restriction_classes') ?? '').split(/[\s,]+/));
  const smtpdOnly = (name: string): boolean => /^(?:smtpd|postscreen)_/.test(name) || classes.has(name);
  return {
    play: [...collect([...front, ...daemons(smtpdDaemons)], smtpdDaemons.notices), ...serverTableNotices(main, master, () => true)],
    resolve: [...collect(daemons(mailDaemons), mailDaemons.notices), ...serverTableNotices(main, master, (name) => !smtpdOnly(name))],
  };
}

/** The server tables a setting's text names, also behind proxy: and inside unionmap:{...} and pipemap:{...}. */
function serverSpecs(value: string): string[] {
  return value
    .split(/[\s,{}]+/)
    .map((t) => t.replace(/^(?:proxy:)+/, ''))
    .filter((t) => SERVER_TABLE_TYPES.includes(t.slice(0, t.indexOf(':'))));
}

/**
 * serverTableNotices - one notice per server table the configuration names
 * (the simulator has no server: each lookup fails as where nothing listens),
 * at the first setting that names it: main.cf, then master.cf's -o overrides.
 */
function serverTableNotices(main: MainCf, master: MasterCf | undefined, wanted: (name: string) => boolean): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  const visit = (name: string, value: string, file: string, line: number | undefined): void => {
    if (!wanted(name)) return;
    for (const spec of serverSpecs(value)) {
      if (seen.has(spec)) continue;
      seen.add(spec);
      const colon = spec.indexOf(':');
      const type = spec.slice(0, colon);
      out.push({
        severity: 'info',
        message: `${name} names ${spec}: ${type} tables are not simulated: ${serverWhat(type, spec.slice(colon + 1))}`,
        file,
        ...(line !== undefined && { line }),
      });
    }
  };
  for (const [name, value] of main.params) visit(name, value, main.path, main.lines.get(name));
  for (const service of master?.services ?? []) for (const [name, value] of service.overrides) visit(name, value, master!.path, service.line);
  return out;
}

/** The parameters postscreen gives its own notices for. */
const POSTSCREEN_NOTICED: ReadonlySet<string> = new Set(POSTSCREEN_NOT_SIMULATED.map(([name]) => name));
