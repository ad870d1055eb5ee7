/**
 * The reference's `Pattern::matches`, used for auth scopes (`action:pattern`) [wire §8.3].
 */

import { globMatch } from './glob.ts'

/**
 * `Pattern::matches(address)`: glob semantics ({@link globMatch}) when the pattern contains
 * `*`, otherwise exact, case-sensitive string equality — so `/a/?` only matches the literal
 * address `/a/?`, while `/a/?/*` matches `/a/b/c`.
 *
 * The reference only evaluates this for patterns that compiled (see `compilePattern`); for
 * other inputs the result is well defined but has no reference counterpart.
 */
export function patternMatches(pattern: string, address: string): boolean {
  // A compiled pattern starts with `/`, so "a segment contains `*`" equals "the text does".
  return pattern.includes('*') ? globMatch(pattern, address) : pattern === address
}
