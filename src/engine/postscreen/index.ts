/*
 * NAME
 *   postscreen - public entry of the postscreen(8) simulation
 * DESCRIPTION
 *   preparePostscreen() reads a service's postscreen configuration once;
 *   a Postscreen then screens the connections of a dialogue in time order,
 *   with one cache. What it decides per connection is a PostscreenVerdict
 *   (trace/types.ts): the outcome, what decided it, each test's result,
 *   the DNSBL score per site, and the cache entry before and after. It
 *   never imports smtpd: a client it hands over is the caller's to play
 *   against smtpd (src/engine/connections/).
 * SEE ALSO
 *   postscreen(8), POSTSCREEN_README
 */
export { preparePostscreen, NOT_SIMULATED as POSTSCREEN_NOT_SIMULATED } from './config.ts';
export type { PostscreenConfig, PostscreenOptions } from './config.ts';
export { Postscreen } from './screen.ts';
export type { ConnectionInput, ScreenResult } from './screen.ts';
export type { ScreenExchange } from './session.ts';
export { TESTS, EARLY_TESTS, DEEP_TESTS, TEST_PARAMS } from './tests.ts';
export { parseDnsblSites, dnsblScore, reverseQuery } from './dnsbl.ts';
export { convTime } from './params.ts';
