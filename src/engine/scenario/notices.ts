/*
 * NAME
 *   scenario/notices - what the simulator does not model, for what a scenario runs
 * DESCRIPTION
 *   Nothing is silently ignored: a parameter that changes what Postfix
 *   does, that the simulator does not model and that is set to a value
 *   other than its default gets a notice (config/coverage.ts), for each
 *   program a run involves, with that program's own parameters (its
 *   master.cf entry, config/daemons.ts). A play involves smtpd (behind
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
  return {
    play: collect([...front, ...daemons(smtpdDaemons)], smtpdDaemons.notices),
    resolve: collect(daemons(mailDaemons), mailDaemons.notices),
  };
}

/** The parameters postscreen gives its own notices for. */
const POSTSCREEN_NOTICED: ReadonlySet<string> = new Set(POSTSCREEN_NOT_SIMULATED.map(([name]) => name));
