/*
 * NAME
 *   agents - which delivery agent runs a transport (master.cf), and what it reports
 * DESCRIPTION
 *   A transport name is a master.cf service; its command (local, virtual,
 *   smtp, lmtp, pipe, error, discard) decides what happens to the
 *   recipient. Without a master.cf, Debian's default services are assumed.
 *   For pipe(8) the command's argv is kept: in verify mode (sendmail -bv)
 *   pipe reports "delivers to command: ARGV0".
 * SEE ALSO
 *   master(5), sendmail(1) -bv, local(8), virtual(8), pipe(8), error(8)
 */
import type { MasterCf } from '../config/mastercf.ts';

/** The delivery agent behind one transport. */
export interface Agent {
  /** The daemon: local, virtual, smtp, lmtp, pipe, error, discard, ... */
  command: string;
  /** For pipe: the argv= words. */
  argv?: string[];
}

/** Debian's default master.cf: service name to command (the unix services). */
export const DEBIAN_AGENTS: Readonly<Record<string, Agent>> = {
  smtp: { command: 'smtp' },
  relay: { command: 'smtp' },
  lmtp: { command: 'lmtp' },
  local: { command: 'local' },
  virtual: { command: 'virtual' },
  error: { command: 'error' },
  retry: { command: 'error' },
  discard: { command: 'discard' },
  uucp: { command: 'pipe', argv: ['uux', '-r', '-n', '-z', '-a$sender', '-', '$nexthop!rmail', '($recipient)'] },
  maildrop: { command: 'pipe', argv: ['/usr/bin/maildrop', '-d', '${recipient}'] },
};

/** agentsFromMasterCf - the unix services of a master.cf and their commands. */
export function agentsFromMasterCf(master: MasterCf): Record<string, Agent> {
  const out: Record<string, Agent> = {};
  for (const s of master.services) {
    if (s.type !== 'unix' || s.argv.length < 8) continue;
    const command = s.argv[7]!.split('/').pop()!;
    const agent: Agent = { command };
    if (command === 'pipe') {
      const args = s.argv.slice(8);
      const at = args.findIndex((a) => a.startsWith('argv='));
      if (at >= 0) agent.argv = [args[at]!.slice(5), ...args.slice(at + 1)].filter((a) => a !== '');
    }
    out[s.service] = agent;
  }
  return out;
}
