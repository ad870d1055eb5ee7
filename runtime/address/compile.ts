/**
 * Pattern validation as the reference's `Pattern::compile` does it [wire §8.3]: the check the
 * router applies to SUBSCRIBE patterns (failure → ERROR 202) and to auth scopes.
 */

import { parseAddress } from './parse.ts'
import { regexLiteError } from './regex-lite.ts'

/** Why a pattern was rejected; mirrors the reference's `Error` variant. */
export type PatternErrorCode =
  /** The pattern fails `Address::parse` (empty, no leading `/`, empty inner segment). */
  | 'INVALID_ADDRESS'
  /** The pattern's regex translation is not a valid regex-lite regex (e.g. `{a,b}`, `(`). */
  | 'INVALID_PATTERN'

/** A pattern that the reference would accept. */
export interface CompiledPattern {
  readonly ok: true
  /** The pattern text, unchanged. */
  readonly pattern: string
  /** Its segments after the leading `/` (the last one may be empty). */
  readonly segments: readonly string[]
  /** True when any segment contains `*`: matching then uses glob semantics, not equality. */
  readonly hasWildcard: boolean
}

/** A rejected pattern, with a stable code and the reference's message. */
export interface PatternError {
  readonly ok: false
  readonly code: PatternErrorCode
  readonly message: string
}

/** Result of {@link compilePattern}. */
export type CompilePatternResult = CompiledPattern | PatternError

/**
 * Validate a subscription or scope pattern exactly as Rust `Pattern::compile` does.
 *
 * Steps: `Address::parse`; then, only if a `*` is present, translate naively to a regex
 * ({@link patternToRegexSource}) and require regex-lite to accept it. Characters other than `*`
 * are copied verbatim, so `{b,c}` ("expected decimal number") or an unclosed `(` are rejected
 * while `?`, `[bc]`, `.` or `+` pass. Patterns without `*` are never regex-checked.
 */
export function compilePattern(pattern: string): CompilePatternResult {
  const parsed = parseAddress(pattern)
  if (!parsed.ok) return { ok: false, code: 'INVALID_ADDRESS', message: parsed.error }
  const hasWildcard = parsed.segments.some((segment) => segment.includes('*'))
  if (hasWildcard) {
    const error = regexLiteError(patternToRegexSource(pattern))
    if (error !== null) return { ok: false, code: 'INVALID_PATTERN', message: error }
  }
  return { ok: true, pattern, segments: parsed.segments, hasWildcard }
}

// The reference's placeholder for `/**` during translation. A pattern that itself contains
// `§§` is mangled the same way, which only matters for acceptance and is kept on purpose.
const GLOBSTAR_PLACEHOLDER = '§§'

/**
 * The reference's regex translation of a pattern, anchored: `/**` → `(/[^/]+)*`, `*` →
 * `[^/]*`, every other character verbatim. Only its validity matters (matching uses glob), but
 * the string replacements are reproduced step for step so validity agrees exactly.
 */
export function patternToRegexSource(pattern: string): string {
  const translated = pattern
    .replaceAll('/**', GLOBSTAR_PLACEHOLDER)
    // Never matches after the previous step; kept because the reference has it.
    .replaceAll('/**/', `${GLOBSTAR_PLACEHOLDER}/`)
    .replaceAll('*', '[^/]*')
    .replaceAll(GLOBSTAR_PLACEHOLDER, '(/[^/]+)*')
  return `^${translated}$`
}
