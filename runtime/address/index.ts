/**
 * Addresses and patterns [wire §8]: syntax, SUBSCRIBE/scope validation, and the reference's
 * matchers — the router trie for live fan-out, `globMatch` for snapshots/QUERY/federation, and
 * `patternMatches` for auth scopes.
 */

export { parseAddress, type ParseAddressResult } from './parse.ts'
export {
  compilePattern,
  patternToRegexSource,
  type CompiledPattern,
  type CompilePatternResult,
  type PatternError,
  type PatternErrorCode,
} from './compile.ts'
export { regexLiteError } from './regex-lite.ts'
export { globMatch, globMatchDetailed, type GlobMatchOutcome } from './glob.ts'
export { patternMatches } from './scope.ts'
export { SubscriptionTrie, trieMatches } from './trie.ts'
