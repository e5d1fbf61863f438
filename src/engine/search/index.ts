/*
 * NAME
 *   search - public pieces of Postfix's list and map searches
 * DESCRIPTION
 *   Match lists (match_list(3)), maps (maps(3)), address search orders
 *   (mail_addr_find(3)) and RFC 822 local-part quoting, over a shared table cache.
 */
export { aliasDatabaseHost, createSearchContext, createTableCache, daemonOpenOptions, isFixedTable, openAliasTable } from './context.ts';
export type { SearchContext, TableCache, TableFlags } from './context.ts';
export { openMatchList, matchParentStyle } from './match-list.ts';
export type { MatchList, MatchListKind, MatchListResult } from './match-list.ts';
export { openMaps, makeMaps } from './maps.ts';
export type { Maps, MapsResult } from './maps.ts';
export { MA_FIND, MA_FIND_DEFAULT, mailAddrFind, splitExtension, stripExtension } from './addr-find.ts';
export type { AddrFindOptions, AddrFindResult, QueryForm } from './addr-find.ts';
export { externalForm, quote822Local, unquote822Local } from './quote.ts';
export type { QuoteOptions } from './quote.ts';
export { CONSUMERS, lookupAs } from './consumer.ts';
export type { Consumer, ConsumerLookup, ConsumerOptions } from './consumer.ts';
export { ruleSource } from './rule-source.ts';
