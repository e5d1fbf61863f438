/*
 * NAME
 *   report - how the commands print what the engine reports
 * DESCRIPTION
 *   A Diagnostic reads on stderr as Postfix logs it: `program: severity:
 *   message`. Its own `program` wins (postconf, postfix/master); otherwise
 *   the command's. A file that cannot be opened is named where it is on
 *   this disk: with -c DIR, DIR stands for /etc/postfix.
 */
import { CONFIG_DIRECTORY, printable } from '../engine/index.ts';
import type { Diagnostic } from '../engine/index.ts';

/** formatDiagnostic - one stderr line for `d`; `program` names the command's own program. */
export function formatDiagnostic(d: Diagnostic, program: string, configDirectory?: string): string {
  const who = d.program === 'postfix-sim' ? program.replace(/^postfix\//, 'postfix-sim ') : (d.program ?? program);
  const message = configDirectory !== undefined && d.message.startsWith('open ') ? d.message.replace(`${CONFIG_DIRECTORY}/`, `${configDirectory}/`) : d.message;
  return `${who}: ${d.severity === 'info' ? '' : `${d.severity}: `}${printable(message, true)}\n`;
}

/**
 * lastResort - an error nothing else caught, as one line naming the command
 * and the input it was given (never a stack trace: this is for the user).
 */
export function lastResort(argv: readonly string[], e: unknown): string {
  const what = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  const stdin = argv[0] === 'smtpd' ? ', dialogue on stdin' : argv.includes('-') ? ', keys on stdin' : '';
  return `postfix-sim: internal error while running "postfix-sim ${argv.join(' ')}"${stdin}: ${what.replace(/\s*\n\s*/g, ' ')} (a bug in the simulator, not in your input)\n`;
}

/**
 * formatNotices - what the simulator does not model (Scenario.notices), as
 * `postfix-sim COMMAND: notice: PROGRAM: message` lines on stderr.
 */
export function formatNotices(notices: readonly Diagnostic[], command: string): string {
  return notices.map((d) => `postfix-sim ${command}: notice: ${d.program ? `${d.program}: ` : ''}${printable(d.message, true)}\n`).join('');
}
