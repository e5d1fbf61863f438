/*
 * NAME
 *   resolve - public pieces of address rewriting and resolution
 * DESCRIPTION
 *   trivial-rewrite (rewrite, resolve, transport_maps), cleanup (canonical,
 *   masquerade, virtual aliases), local(8) aliases and virtual(8) mailboxes,
 *   behind createResolver().
 */
export { createResolver } from './resolver.ts';
export type { Program, Resolver, ResolverOptions } from './resolver.ts';
export { RESOLVE, RESOLVE_CLASS_FINAL, classOf } from './resolve.ts';
export type { ResolveReply } from './resolve.ts';
export type { DeliveryResult, FinalRecipient } from './pipeline.ts';
export type { AgentReport, DeliveryTarget } from './local-agent.ts';
export { DEBIAN_AGENTS, agentsFromMasterCf } from './agents.ts';
export type { Agent } from './agents.ts';
export type { RewriteRule } from './rewrite.ts';
export { parseTransportEntry, updateEntry } from './transport.ts';
export { commandLineAddress } from '../util/tok822.ts';
