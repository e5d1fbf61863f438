/*
 * NAME
 *   postconf - the simulator's postconf(1): show main.cf and master.cf settings
 * SYNOPSIS
 *   postfix-sim postconf [-c config_dir] [-dfhHnx] [parameter...]
 *   postfix-sim postconf [-c config_dir] [-fx] -M [service[/type]...]
 *   postfix-sim postconf [-c config_dir] [-fhHx] -P [service[/type[/parameter]]...]
 * DESCRIPTION
 *   Output, warnings and exit status are those of real postconf for these
 *   options (engine/config/postconf.ts). Editing options (-e, -#, -X) and
 *   the other displays (-a, -A, -l, -m, -t, -T, -F) are not simulated.
 */
import { CHECKED_PROGRAMS, loadMainCf, notSimulatedNotices, parseMasterCf, postconfShow, printable, serviceView } from '../engine/index.ts';
import type { Host, MachineFacts } from '../engine/index.ts';
import { getopt } from './getopt.ts';
import { createNodeHost } from './node-host.ts';
import type { CommandOutput } from './postmap.ts';

const USAGE = 'usage: postconf [-c config_dir] [-dfhHnx] [-M|-P] [name...]';
const SIMULATED = new Set(['d', 'f', 'h', 'H', 'n', 'x', 'M', 'P']);
const NOT_SIMULATED = new Set(['a', 'A', 'b', 'e', 'F', 'l', 'm', 'p', 't', 'T', 'X', '#', 'o', 'v']);

/**
 * notices - `postfix-sim postconf [-c DIR] --notices`: the parameters that
 * main.cf (and each master.cf service's -o) sets to a non-default value
 * and that the simulator does not model (engine/config/coverage.ts).
 */
function notices(host: Host): CommandOutput {
  const read = (path: string): string | undefined => {
    const b = host.readFile(path);
    return b && new TextDecoder().decode(b);
  };
  const main = loadMainCf(read('/etc/postfix/main.cf'));
  const lines = notSimulatedNotices(main).map((d) => `postfix-sim: notice: main.cf: ${d.message}`);
  const masterText = read('/etc/postfix/master.cf');
  if (masterText !== undefined) {
    const master = parseMasterCf(masterText);
    for (const s of master.services) {
      if (s.overrides.size === 0) continue;
      const program = s.argv[7]!.replace(/^.*\//, '');
      if (!CHECKED_PROGRAMS.includes(program)) continue;
      const seen = new Set(lines);
      for (const d of notSimulatedNotices(serviceView(main, master, s.service, s.type), program)) {
        const name = d.message.replace(/ is set:.*$/, '');
        if (!s.overrides.has(name)) continue;
        const line = `postfix-sim: notice: master.cf: ${s.service}/${s.type}: ${d.message}`;
        if (!seen.has(line)) lines.push(line);
      }
    }
  }
  return { stdout: '', stderr: lines.map((l) => l + '\n').join(''), status: 0 };
}

/** runPostconf - runs one postconf command line; never throws. */
export async function runPostconf(argv: readonly string[], io: { host?: Host; facts?: MachineFacts } = {}): Promise<CommandOutput> {
  const at = argv.indexOf('--notices');
  if (at >= 0) {
    const c = argv.indexOf('-c');
    const dir = c >= 0 ? argv[c + 1] : undefined;
    return notices(io.host ?? createNodeHost(dir === undefined ? {} : { configDirectory: dir }));
  }
  const flags = new Set<string>();
  let configDirectory: string | undefined;
  let stderr = '';
  const fail = (message: string): CommandOutput => ({ stdout: '', stderr: stderr + `postconf: fatal: ${message}\n`, status: 1 });
  const end = getopt('postconf', argv, 'c:' + [...SIMULATED, ...NOT_SIMULATED].join(''), (c, value) => {
    if (c === 'c') configDirectory = value;
    else if (SIMULATED.has(c)) flags.add(c);
    else return fail(`-${c} is not simulated`);
    return undefined;
  });
  if ('stop' in end) return end.stop;
  if ('error' in end) {
    stderr += end.error + '\n';
    return fail(USAGE);
  }
  const names = argv.slice(end.operands);
  if (names.some((n) => n.includes('='))) return fail('editing main.cf or master.cf (name=value) is not simulated');
  const host = io.host ?? createNodeHost(configDirectory === undefined ? {} : { configDirectory });
  const decoder = new TextDecoder();
  const out = postconfShow({
    defaults: flags.has('d'),
    nondefault: flags.has('n'),
    expand: flags.has('x'),
    hideName: flags.has('h'),
    hideValue: flags.has('H'),
    fold: flags.has('f'),
    masterEntries: flags.has('M'),
    masterParams: flags.has('P'),
    names,
    configDirectory: configDirectory ?? '/etc/postfix',
    configDirectoryFromOption: configDirectory !== undefined,
    ...(io.facts && { facts: io.facts }),
    // With -c DIR the node host maps /etc/postfix/X to DIR/X; ask for the /etc/postfix name.
    readFile: (path) => {
      const p = configDirectory !== undefined && path.startsWith(configDirectory + '/') ? '/etc/postfix/' + path.slice(configDirectory.length + 1) : path;
      const bytes = host.readFile(p);
      return bytes && decoder.decode(bytes);
    },
  });
  return { stdout: out.stdout, stderr: stderr + out.messages.map((m) => `postconf: ${printable(m, true)}\n`).join(''), status: out.status };
}
