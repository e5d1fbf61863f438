/*
 * NAME
 *   postfix-sim - command-line front end
 * SYNOPSIS
 *   postfix-sim postmap [-f] [-c config_dir] -q key [type:]name...
 *   postfix-sim postmap [-f] [-c config_dir] -q - [type:]name... < keys
 *   postfix-sim postmap [-c config_dir] [type:]name...
 *   postfix-sim postmap [-fF] [-c config_dir] -s [type:]name
 *   postfix-sim postalias [-fnNrw] [-c config_dir] -q key|-s|- [type:]name...
 *   postfix-sim postconf [-c config_dir] [-dfhHnx] [-M|-P] [name...]
 *   postfix-sim resolve [-c config_dir] [-f sender] [--facts FILE] [--json] address...
 *   postfix-sim smtpd [-c config_dir] [--service NAME] [--client ADDR[,NAME]] [--dns FILE] [--facts FILE] [--log] [--json] [--trace] < dialogue
 *   postfix-sim test [-c] config_dir [--dns FILE] [--facts FILE] [file.expect...]
 * DESCRIPTION
 *   Argument dispatch only; each command lives in its own module.
 */
import { readFileSync } from 'node:fs';
import { decodeBytes, encodeBytes } from '../engine/index.ts';
import { runPostalias, runPostmap } from './postmap.ts';
import { runPostconf } from './postconf.ts';
import { runSmtpd } from './smtpd.ts';
import { runResolve } from './resolve.ts';
import { runTest } from './test.ts';
import { lastResort } from './report.ts';

const USAGE = `usage: postfix-sim COMMAND [ARGS...]
commands:
  postmap [-f] [-c config_dir] -q key [type:]name...   look a key up, as postmap -q
  postmap [-f] [-c config_dir] -q - [type:]name...     look up keys from stdin
  postmap [-c config_dir] [type:]name...               check a source file as postmap would build it
  postmap [-fF] [-c config_dir] -s [type:]name         list a table, as postmap -s
  postalias [-fnNrw] [-c config_dir] -q key [type:]name...  look an alias up, as postalias -q (also -q -, -s, build check)
  postconf [-c config_dir] [-dfhHnx] [-M|-P] [name...] show parameters or master.cf, as postconf
  smtpd [-c config_dir] [--service NAME] [--client ADDR[,NAME]] [--dns FILE] [--facts FILE] [--log] [--json] [--trace] < dialogue
                                                       play an SMTP dialogue against smtpd's restrictions
  resolve [-c config_dir] [-f sender] [--facts FILE] [--json] address...  where mail for each address goes, as sendmail -bv
  test [-c] config_dir [--dns FILE] [--facts FILE] [file.expect...]
                                                       check the expectation files (*.expect, tests/*.expect); TAP report
With -c DIR, paths under /etc/postfix/ are read from DIR.`;

/** writeBytes - a command's output as the bytes it stands for. */
function writeBytes(out: { stdout: string; stderr: string }): void {
  process.stdout.write(encodeBytes(out.stdout));
  process.stderr.write(encodeBytes(out.stderr));
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'postmap' || command === 'postalias') {
    const needsStdin = rest.some((a, i) => a === '-' && (rest[i - 1] === '-q' || /^-[a-zA-Z]*q$/.test(rest[i - 1] ?? '')));
    // Keys are bytes: whatever is not UTF-8 travels as the engine's byte escapes.
    const stdin = needsStdin ? decodeBytes(readFileSync(0)) : undefined;
    const out = await (command === 'postmap' ? runPostmap : runPostalias)(rest, { ...(stdin !== undefined && { stdin }) });
    writeBytes(out);
    return out.status;
  }
  if (command === 'resolve') {
    const out = await runResolve(rest);
    writeBytes(out);
    return out.status;
  }
  if (command === 'test') {
    const out = await runTest(rest);
    process.stdout.write(out.stdout);
    process.stderr.write(out.stderr);
    return out.status;
  }
  if (command === 'postconf') {
    const out = await runPostconf(rest);
    writeBytes(out);
    return out.status;
  }
  if (command === 'smtpd') {
    const out = await runSmtpd(rest, { stdin: readFileSync(0, 'utf8') });
    writeBytes(out);
    return out.status;
  }
  if (command === '-h' || command === '--help' || command === 'help') {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  process.stderr.write(`postfix-sim: ${command === undefined ? 'no command given' : `unknown command "${command}"`}\n${USAGE}\n`);
  return 2;
}

main(process.argv.slice(2)).then(
  (status) => {
    process.exitCode = status;
  },
  (e: unknown) => {
    process.stderr.write(lastResort(process.argv.slice(2), e));
    process.exitCode = 70;
  },
);
