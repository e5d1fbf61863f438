/*
 * NAME
 *   coverage - which parameters the simulator models, and notices for those it does not
 * SYNOPSIS
 *   notSimulated(program?)
 *   notSimulatedNotices(view, program?)
 *   coverageRows()
 * DESCRIPTION
 *   The one place that says what is simulated. The parameters that
 *   matter are those the simulated programs read at start-up (smtpd,
 *   postscreen, trivial-rewrite, cleanup, local, virtual, and the global
 *   ones every program reads), as Postfix itself lists them
 *   (parameter-checks.generated.ts, generated from the defaults by
 *   running the programs). Each is:
 *
 *   - simulated: the engine uses its value (SIMULATED below; a unit test
 *     checks that every name in it is read by an engine module);
 *   - operational: it cannot change an answer the simulator gives
 *     (timeouts, process, queue and IPC tuning, service names,
 *     directories, logging, TLS key material, milter plumbing), found by
 *     the rules in isOperational();
 *   - not simulated: everything else. It changes what Postfix does, and
 *     the simulator does not model it: a non-default value gets a notice
 *     ("smtpd_proxy_filter is set: not simulated") wherever that
 *     program's parameters are shown.
 *
 *   The README's table of what is and is not simulated is rendered from
 *   coverageRows() by scripts/render-coverage.mjs.
 * SEE ALSO
 *   postconf(5)
 */
import type { Diagnostic } from '../trace/types.ts';
import type { ParameterView } from './maincf.ts';
import { builtinDefault } from './names.ts';
import { CHECKS, READS } from './parameter-checks.generated.ts';

/** Parameters that reach the simulation only through other parameters' defaults (as `$name`). */
export const THROUGH_DEFAULTS: readonly string[] = ['reject_tempfail_action', 'virtual_maps'];

/** The parameters whose values the simulator models (read by its engine modules, or through defaults). */
export const SIMULATED: ReadonlySet<string> = new Set([
  ...THROUGH_DEFAULTS,
  'access_map_defer_code',
  'access_map_reject_code',
  'alias_database',
  'alias_maps',
  'allow_mail_to_commands',
  'allow_mail_to_files',
  'allow_min_user',
  'allow_percent_hack',
  'allow_untrusted_routing',
  'append_at_myorigin',
  'append_dot_mydomain',
  'broken_sasl_auth_clients',
  'canonical_classes',
  'canonical_maps',
  'compatibility_level',
  'default_database_type',
  'default_rbl_reply',
  'default_transport',
  'defer_code',
  'disable_vrfy_command',
  'double_bounce_sender',
  'empty_address_default_transport_maps_lookup_key',
  'empty_address_recipient',
  'empty_address_relayhost_maps_lookup_key',
  'fallback_transport',
  'fast_flush_domains',
  'helpful_warnings',
  'home_mailbox',
  'hopcount_limit',
  'inet_interfaces',
  'inet_protocols',
  'invalid_hostname_reject_code',
  'line_length_limit',
  'local_recipient_maps',
  'local_transport',
  'luser_relay',
  'mail_spool_directory',
  'mailbox_command',
  'mailbox_transport',
  'maps_rbl_domains',
  'maps_rbl_reject_code',
  'masquerade_classes',
  'masquerade_domains',
  'masquerade_exceptions',
  'message_size_limit',
  'multi_recipient_bounce_reject_code',
  'mydestination',
  'mydomain',
  'myhostname',
  'mynetworks',
  'mynetworks_style',
  'myorigin',
  'non_fqdn_reject_code',
  'non_smtpd_milters',
  'owner_request_special',
  'parent_domain_matches_subdomains',
  'permit_mx_backup_networks',
  'plaintext_reject_code',
  'postscreen_access_list',
  'postscreen_allowlist_interfaces',
  'postscreen_bare_newline_action',
  'postscreen_bare_newline_enable',
  'postscreen_cache_map',
  'postscreen_client_connection_count_limit',
  'postscreen_command_count_limit',
  'postscreen_denylist_action',
  'postscreen_disable_vrfy_command',
  'postscreen_discard_ehlo_keywords',
  'postscreen_dnsbl_action',
  'postscreen_dnsbl_allowlist_threshold',
  'postscreen_dnsbl_reply_map',
  'postscreen_dnsbl_sites',
  'postscreen_dnsbl_threshold',
  'postscreen_enforce_tls',
  'postscreen_forbidden_commands',
  'postscreen_greet_action',
  'postscreen_greet_banner',
  'postscreen_greet_wait',
  'postscreen_helo_required',
  'postscreen_non_smtp_command_action',
  'postscreen_non_smtp_command_enable',
  'postscreen_pipelining_action',
  'postscreen_pipelining_enable',
  'postscreen_tls_security_level',
  'postscreen_use_tls',
  'propagate_unmatched_extensions',
  'proxy_interfaces',
  'rbl_reply_maps',
  'receive_override_options',
  'recipient_canonical_classes',
  'recipient_canonical_maps',
  'recipient_delimiter',
  'reject_code',
  'relay_clientcerts',
  'relay_domains',
  'relay_domains_reject_code',
  'relay_recipient_maps',
  'relay_transport',
  'relayhost',
  'relocated_maps',
  'remote_header_rewrite_domain',
  'resolve_dequoted_address',
  'resolve_null_domain',
  'resolve_numeric_domain',
  'sender_canonical_classes',
  'sender_canonical_maps',
  'sender_dependent_default_transport_maps',
  'sender_dependent_relayhost_maps',
  'show_user_unknown_table_name',
  'smtpd_authorized_verp_clients',
  'smtpd_authorized_xclient_hosts',
  'smtpd_banner',
  'smtpd_client_port_logging',
  'smtpd_client_restrictions',
  'smtpd_command_filter',
  'smtpd_data_restrictions',
  'smtpd_delay_reject',
  'smtpd_discard_ehlo_keywords',
  'smtpd_end_of_data_restrictions',
  'smtpd_enforce_tls',
  'smtpd_etrn_restrictions',
  'smtpd_forbid_unauth_pipelining',
  'smtpd_forbidden_commands',
  'smtpd_hard_error_limit',
  'smtpd_helo_required',
  'smtpd_helo_restrictions',
  'smtpd_junk_command_limit',
  'smtpd_log_access_permit_actions',
  'smtpd_milter_maps',
  'smtpd_milters',
  'smtpd_noop_commands',
  'smtpd_null_access_lookup_key',
  'smtpd_policy_service_default_action',
  'smtpd_recipient_limit',
  'smtpd_recipient_overshoot_limit',
  'smtpd_recipient_restrictions',
  'smtpd_reject_footer',
  'smtpd_reject_unlisted_recipient',
  'smtpd_reject_unlisted_sender',
  'smtpd_relay_before_recipient_restrictions',
  'smtpd_relay_restrictions',
  'smtpd_restriction_classes',
  'smtpd_sasl_auth_enable',
  'smtpd_sasl_exceptions_networks',
  'smtpd_sasl_path',
  'smtpd_sasl_type',
  'smtpd_sender_login_maps',
  'smtpd_sender_restrictions',
  'smtpd_tls_ask_ccert',
  'smtpd_tls_auth_only',
  'smtpd_tls_fingerprint_digest',
  'smtpd_tls_security_level',
  'smtpd_tls_wrappermode',
  'smtpd_use_tls',
  'smtputf8_enable',
  'soft_bounce',
  'strict_rfc821_envelopes',
  'strict_smtputf8',
  'swap_bangpath',
  'transport_maps',
  'unknown_address_reject_code',
  'unknown_address_tempfail_action',
  'unknown_client_reject_code',
  'unknown_helo_hostname_tempfail_action',
  'unknown_hostname_reject_code',
  'unknown_local_recipient_reject_code',
  'unknown_relay_recipient_reject_code',
  'unknown_virtual_alias_reject_code',
  'unknown_virtual_mailbox_reject_code',
  'unverified_recipient_defer_code',
  'unverified_recipient_reject_code',
  'unverified_recipient_reject_reason',
  'unverified_recipient_tempfail_action',
  'unverified_sender_defer_code',
  'unverified_sender_reject_code',
  'unverified_sender_reject_reason',
  'unverified_sender_tempfail_action',
  'virtual_alias_address_length_limit',
  'virtual_alias_domains',
  'virtual_alias_expansion_limit',
  'virtual_alias_maps',
  'virtual_alias_recursion_limit',
  'virtual_gid_maps',
  'virtual_mailbox_base',
  'virtual_mailbox_domains',
  'virtual_mailbox_maps',
  'virtual_minimum_uid',
  'virtual_transport',
  'virtual_uid_maps',
]);

/** Operational parameters that the rules below do not catch by name. */
const OPERATIONAL_NAMES: ReadonlySet<string> = new Set([
  'application_event_drain_time',
  'berkeley_db_create_buffer_size',
  'berkeley_db_read_buffer_size',
  'daemon_table_open_error_is_fatal',
  'debug_peer_level',
  'debug_peer_list',
  'default_privs',
  'default_verp_delimiters',
  'delay_logging_resolution_limit',
  'deliver_lock_attempts',
  'dns_ncache_ttl_fix_enable',
  'dnssec_probe',
  'dont_remove',
  'enable_long_queue_ids',
  'fault_injection_code',
  'fork_attempts',
  'hash_queue_depth',
  'hash_queue_names',
  'in_flow_delay',
  'info_log_address_format',
  'known_tcp_ports',
  'lmdb_map_size',
  'mail_name',
  'mail_owner',
  'mailbox_delivery_lock',
  'max_use',
  'notify_classes',
  'process_id_directory',
  'queue_minfree',
  'respectful_logging',
  'setgid_group',
  'smtpd_client_port_logging',
  'stale_lock_time',
  'stress',
  'tcp_windowsize',
  'verp_delimiter_filter',
  'virtual_mailbox_lock',
]);

/**
 * isOperational - a parameter that cannot change an answer the simulator
 * gives: time limits, process and queue tuning, service names,
 * directories, logging, TLS key material and ciphers, milter plumbing
 * (the milter lists themselves are not operational).
 */
export function isOperational(name: string): boolean {
  if (OPERATIONAL_NAMES.has(name)) return true;
  if (
    /_(timeout|time|delay|ttl|max_idle|max_ttl|interval|service_name|directory|loglevel|retry_delay|watchdog_timeout|buffer_size|request_limit|try_limit)$/.test(
      name,
    )
  )
    return true;
  if (/^(ipc|fork|trigger|max|daemon)_/.test(name)) return true;
  if (
    /^smtpd_tls_(c?a?file|capath|cert_file|key_file|dcert_file|dkey_file|eccert_file|eckey_file|chain_files|ciphers|mandatory_ciphers|exclude_ciphers|mandatory_exclude_ciphers|protocols|mandatory_protocols|dh512_param_file|dh1024_param_file|eecdh_grade|always_issue_session_ids|ccert_verifydepth|received_header|loglevel)$/i.test(
      name,
    )
  )
    return true;
  if (/^milter_/.test(name) && name !== 'milter_header_checks') return true;
  return false;
}

let cache: Map<string, readonly string[]> | undefined;

/** notSimulated - the parameters `program` reads (all simulated programs when none is given) that change what Postfix does and are not simulated. */
export function notSimulated(program?: string): readonly string[] {
  const key = program ?? '';
  cache ??= new Map();
  const hit = cache.get(key);
  if (hit) return hit;
  const names = new Set(program ? (READS[program] ?? []) : Object.values(READS).flat());
  const list = [...names].filter((n) => !SIMULATED.has(n) && !isOperational(n)).sort();
  cache.set(key, list);
  return list;
}

/**
 * notSimulatedNotices - a notice for each parameter that `program` reads
 * (all simulated programs when none is given), is not simulated, and
 * differs in `view` from its built-in default ("X is set: not simulated"),
 * located where it is set (main.cf line, master.cf entry).
 */
export function notSimulatedNotices(view: ParameterView, program?: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const name of notSimulated(program)) {
    const raw = view.dynamic.raw(name);
    if (raw === undefined) continue;
    // Booleans compare as Postfix reads them (yes and YES are the same value).
    const fold = CHECKS[name]?.kind === 'bool' ? (v: string) => v.toLowerCase() : (v: string) => v;
    const value = fold(view.expand(raw).value);
    const def = fold(view.expand(builtinDefault(name) ?? '').value);
    if (value === def) continue;
    // Where it is set: the main.cf line, or the master.cf entry whose -o sets it.
    const at = view.dynamic.source(name);
    out.push({ severity: 'info', message: `${name} is set: not simulated`, ...(at && { file: at.file, ...(at.line !== undefined && { line: at.line }) }) });
  }
  return out;
}

/** One row of the coverage table: a program's parameters by kind. */
export interface CoverageRow {
  program: string;
  simulated: string[];
  notSimulated: string[];
  operational: number;
}

/** coverageRows - per program (the global parameters first), what is simulated and what is not. */
export function coverageRows(): CoverageRow[] {
  const global = new Set(READS['postmap'] ?? []);
  return Object.entries(READS).map(([program, names]) => {
    const own = program === 'postmap' ? names : names.filter((n) => !global.has(n));
    return {
      program: program === 'postmap' ? 'every program (mail_params_init)' : program,
      simulated: own.filter((n) => SIMULATED.has(n)),
      notSimulated: own.filter((n) => !SIMULATED.has(n) && !isOperational(n)),
      operational: own.filter((n) => !SIMULATED.has(n) && isOperational(n)).length,
    };
  });
}
