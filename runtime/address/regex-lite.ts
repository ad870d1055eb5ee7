/**
 * Would Rust `regex_lite::Regex::new(pattern)` (regex-lite 0.1.x, default configuration)
 * accept `pattern`? The reference's `Pattern::compile` rejects a subscription pattern whose
 * naive regex translation fails here [wire §8.3], so the router must reproduce this check.
 *
 * JavaScript's RegExp disagrees with regex-lite in too many places (a lone `]` or `}` is a
 * literal for regex-lite but an error for a `u`-mode RegExp; `{a,b}` is the reverse for
 * non-`u` mode; inline flags, `\<`, `\b{start}`, POSIX classes...), so this is a port of the
 * validating parts of regex-lite's parser (`hir/parse.rs`), plus the two limits applied after
 * parsing: the nesting limit (50) and the compiled NFA size limit (10 MiB, computed with the
 * same accounting as `nfa.rs`). It builds only the small tree those limits need. Error messages
 * are regex-lite's, verbatim.
 */

const NEST_LIMIT = 50
const NFA_SIZE_LIMIT = 10 * (1 << 20)
// Sizes used by regex-lite's NFA memory accounting on a 64-bit target.
const SIZE_OF_STATE = 32
const SIZE_OF_CAPTURE_NAME_SLOT = 16
const SIZE_OF_STATE_ID = 4
const SIZE_OF_RANGE = 8
const MAX_CHAR = 0x10ffff

const ERR_TOO_MUCH_NESTING = 'pattern has too much nesting'
const ERR_DUPLICATE_CAPTURE_NAME = 'duplicate capture group name'
const ERR_UNCLOSED_GROUP = "found open group without closing ')'"
const ERR_UNCLOSED_GROUP_QUESTION = "expected closing ')', but got end of pattern"
const ERR_UNOPENED_GROUP = "found closing ')' without matching '('"
const ERR_LOOK_UNSUPPORTED = 'look-around is not supported'
const ERR_EMPTY_FLAGS = "empty flag directive '(?)' is not allowed"
const ERR_MISSING_GROUP_NAME = 'expected capture group name, but got end of pattern'
const ERR_INVALID_GROUP_NAME = 'invalid group name'
const ERR_UNCLOSED_GROUP_NAME = 'expected end of capture group name, but got end of pattern'
const ERR_EMPTY_GROUP_NAME = 'empty capture group names are not allowed'
const ERR_FLAG_UNRECOGNIZED = 'unrecognized inline flag'
const ERR_FLAG_REPEATED_NEGATION = 'inline flag negation cannot be repeated'
const ERR_FLAG_DUPLICATE = 'duplicate inline flag is not allowed'
const ERR_FLAG_UNEXPECTED_EOF = "expected ':' or ')' to end inline flags, but got end of pattern"
const ERR_FLAG_DANGLING_NEGATION = 'inline flags cannot end with negation directive'
const ERR_DECIMAL_NO_DIGITS = 'expected decimal number, but found no digits'
const ERR_DECIMAL_INVALID = 'got invalid decimal number'
const ERR_HEX_BRACE_INVALID_DIGIT = 'expected hexadecimal number in braces, but got non-hex digit'
const ERR_HEX_BRACE_UNEXPECTED_EOF = 'expected hexadecimal number, but saw end of pattern before closing brace'
const ERR_HEX_BRACE_EMPTY = 'expected hexadecimal number in braces, but got no digits'
const ERR_HEX_BRACE_INVALID = 'got invalid hexadecimal number in braces'
const ERR_HEX_FIXED_UNEXPECTED_EOF = 'expected fixed length hexadecimal number, but saw end of pattern first'
const ERR_HEX_FIXED_INVALID_DIGIT = 'expected fixed length hexadecimal number, but got non-hex digit'
const ERR_HEX_FIXED_INVALID = 'got invalid fixed length hexadecimal number'
const ERR_HEX_UNEXPECTED_EOF = 'expected hexadecimal number, but saw end of pattern first'
const ERR_ESCAPE_UNEXPECTED_EOF = 'saw start of escape sequence, but saw end of pattern before it finished'
const ERR_BACKREF_UNSUPPORTED = 'backreferences are not supported'
const ERR_UNICODE_CLASS_UNSUPPORTED = 'Unicode character classes are not supported'
const ERR_ESCAPE_UNRECOGNIZED = 'unrecognized escape sequence'
const ERR_UNCOUNTED_REP_SUB_MISSING = 'uncounted repetition operator must be applied to a sub-expression'
const ERR_COUNTED_REP_SUB_MISSING = 'counted repetition operator must be applied to a sub-expression'
const ERR_COUNTED_REP_UNCLOSED = 'found unclosed counted repetition operator'
const ERR_COUNTED_REP_MIN_UNCLOSED = 'found incomplete and unclosed counted repetition operator'
const ERR_COUNTED_REP_COMMA_UNCLOSED = 'found counted repetition operator with a comma that is unclosed'
const ERR_COUNTED_REP_MIN_MAX_UNCLOSED = 'found counted repetition with min and max that is unclosed'
const ERR_COUNTED_REP_INVALID = 'expected closing brace for counted repetition, but got something else'
const ERR_COUNTED_REP_INVALID_RANGE = 'found counted repetition with a min bigger than its max'
const ERR_CLASS_UNCLOSED_AFTER_ITEM = 'non-empty character class has no closing bracket'
const ERR_CLASS_INVALID_RANGE_ITEM = 'character class ranges must start and end with a single character'
const ERR_CLASS_INVALID_ITEM = 'invalid escape sequence in character class'
const ERR_CLASS_UNCLOSED_AFTER_DASH = 'non-empty character class has no closing bracket after dash'
const ERR_CLASS_UNCLOSED_AFTER_NEGATION = 'negated character class has no closing bracket'
const ERR_CLASS_UNCLOSED_AFTER_CLOSING = "character class begins with literal ']' but has no closing bracket"
const ERR_CLASS_INVALID_RANGE = 'invalid range in character class'
const ERR_CLASS_UNCLOSED = 'found unclosed character class'
const ERR_CLASS_NEST_UNSUPPORTED = 'nested character classes are not supported'
const ERR_CLASS_INTERSECTION_UNSUPPORTED = 'character class intersection is not supported'
const ERR_CLASS_DIFFERENCE_UNSUPPORTED = 'character class difference is not supported'
const ERR_CLASS_SYMDIFFERENCE_UNSUPPORTED = 'character class symmetric difference is not supported'
const ERR_SPECIAL_WORD_BOUNDARY_UNCLOSED = 'special word boundary assertion is unclosed or has an invalid character'
const ERR_SPECIAL_WORD_BOUNDARY_UNRECOGNIZED = 'special word boundary assertion is unrecognized'
const ERR_SPECIAL_WORD_OR_REP_UNEXPECTED_EOF = 'found start of special word boundary or repetition without an end'
const ERR_SIZE_LIMIT = 'compiled regex exceeded size limit'

/**
 * Check `pattern` against regex-lite's syntax and limits.
 *
 * @returns `null` when regex-lite would compile it, otherwise regex-lite's error message.
 */
export function regexLiteError(pattern: string): string | null {
  try {
    const hir = new Parser(pattern).parse()
    checkNfaSize(hir)
    return null
  } catch (e) {
    if (e instanceof RegexLiteSyntaxError) return e.message
    throw e
  }
}

class RegexLiteSyntaxError extends Error {}

function fail(message: string): never {
  throw new RegexLiteSyntaxError(message)
}

// ---------------------------------------------------------------------------------------------
// The reduced HIR: just what the nesting check and the NFA size accounting look at.

/** Inclusive code point ranges, flattened as [start0, end0, start1, end1, ...], canonical. */
type Ranges = number[]

type Hir =
  | { readonly kind: 'empty' }
  | { readonly kind: 'char'; readonly ch: number }
  | { readonly kind: 'class'; readonly ranges: Ranges }
  | { readonly kind: 'look' }
  | { readonly kind: 'repetition'; readonly min: number; readonly max: number | null; readonly sub: Hir; readonly matchEmpty: boolean }
  | { readonly kind: 'capture'; readonly index: number; readonly name: string | null; readonly sub: Hir; readonly matchEmpty: boolean }
  | { readonly kind: 'concat'; readonly subs: Hir[]; readonly matchEmpty: boolean }
  | { readonly kind: 'alternation'; readonly subs: Hir[]; readonly matchEmpty: boolean }

const EMPTY: Hir = { kind: 'empty' }
const LOOK: Hir = { kind: 'look' }

function isMatchEmpty(h: Hir): boolean {
  switch (h.kind) {
    case 'empty':
    case 'look':
      return true
    case 'char':
    case 'class':
      return false
    default:
      return h.matchEmpty
  }
}

// The smart constructors simplify exactly like regex-lite's, because the simplified shape is
// what gets nesting-checked and compiled.
function hirRepetition(min: number, max: number | null, sub: Hir): Hir {
  if (min === 0 && max === 0) return EMPTY
  if (min === 1 && max === 1) return sub
  return { kind: 'repetition', min, max, sub, matchEmpty: min === 0 || isMatchEmpty(sub) }
}

function hirConcat(subs: Hir[]): Hir {
  if (subs.length === 0) return EMPTY
  if (subs.length === 1) return subs[0]
  return { kind: 'concat', subs, matchEmpty: subs.every(isMatchEmpty) }
}

function hirAlternation(subs: Hir[]): Hir {
  // No branches compiles to a class that never matches.
  if (subs.length === 0) return { kind: 'class', ranges: [] }
  if (subs.length === 1) return subs[0]
  return { kind: 'alternation', subs, matchEmpty: subs.some(isMatchEmpty) }
}

function hirClass(ranges: Ranges): Hir {
  return { kind: 'class', ranges: canonicalize(ranges) }
}

// ---------------------------------------------------------------------------------------------
// Character class arithmetic (regex-lite skips the surrogate block when stepping chars).

function nextChar(c: number): number {
  return c === 0xd7ff ? 0xe000 : c + 1
}

function prevChar(c: number): number {
  return c === 0xe000 ? 0xd7ff : c - 1
}

function canonicalize(ranges: Ranges): Ranges {
  const pairs: [number, number][] = []
  for (let i = 0; i < ranges.length; i += 2) pairs.push([ranges[i], ranges[i + 1]])
  pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1])
  const out: Ranges = []
  for (const [s, e] of pairs) {
    const n = out.length
    // Contiguity is by scalar value + 1, so ranges either side of the surrogates stay apart.
    if (n > 0 && Math.max(out[n - 2], s) <= Math.min(out[n - 1], e) + 1) {
      out[n - 2] = Math.min(out[n - 2], s)
      out[n - 1] = Math.max(out[n - 1], e)
    } else {
      out.push(s, e)
    }
  }
  return out
}

function negate(ranges: Ranges): Ranges {
  if (ranges.length === 0) return [0, MAX_CHAR]
  const out: Ranges = []
  if (ranges[0] > 0) out.push(0, prevChar(ranges[0]))
  for (let i = 2; i < ranges.length; i += 2) out.push(nextChar(ranges[i - 1]), prevChar(ranges[i]))
  if (ranges[ranges.length - 1] < MAX_CHAR) out.push(nextChar(ranges[ranges.length - 1]), MAX_CHAR)
  return out
}

function asciiCaseFold(ranges: Ranges): Ranges {
  const out = ranges.slice()
  for (let i = 0; i < ranges.length; i += 2) {
    const s = ranges[i]
    const e = ranges[i + 1]
    // Like regex-lite, only the first of the two letter blocks a range touches is folded.
    if (Math.max(s, 0x61) <= Math.min(e, 0x7a)) out.push(Math.max(s, 0x61) - 32, Math.min(e, 0x7a) - 32)
    else if (Math.max(s, 0x41) <= Math.min(e, 0x5a)) out.push(Math.max(s, 0x41) + 32, Math.min(e, 0x5a) + 32)
  }
  return canonicalize(out)
}

const POSIX_CLASSES: Record<string, Ranges> = {
  alnum: [0x30, 0x39, 0x41, 0x5a, 0x61, 0x7a],
  alpha: [0x41, 0x5a, 0x61, 0x7a],
  ascii: [0x00, 0x7f],
  blank: [0x09, 0x09, 0x20, 0x20],
  cntrl: [0x00, 0x1f, 0x7f, 0x7f],
  digit: [0x30, 0x39],
  graph: [0x21, 0x7e],
  lower: [0x61, 0x7a],
  print: [0x20, 0x7e],
  punct: [0x21, 0x2f, 0x3a, 0x40, 0x5b, 0x60, 0x7b, 0x7e],
  space: [0x09, 0x09, 0x0a, 0x0a, 0x0b, 0x0b, 0x0c, 0x0c, 0x0d, 0x0d, 0x20, 0x20],
  upper: [0x41, 0x5a],
  word: [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a],
  xdigit: [0x30, 0x39, 0x41, 0x46, 0x61, 0x66],
}

// ---------------------------------------------------------------------------------------------
// Character predicates matching Rust's `char` methods.

/** Rust `char::is_whitespace` (Unicode White_Space). */
function isWhitespace(c: number): boolean {
  return (
    (c >= 0x09 && c <= 0x0d) ||
    c === 0x20 ||
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  )
}

const ALPHABETIC = /^\p{Alphabetic}$/u
const ALPHANUMERIC = /^[\p{Alphabetic}\p{N}]$/u

function isCaptureChar(c: number, first: boolean): boolean {
  const s = String.fromCodePoint(c)
  if (first) return c === 0x5f || ALPHABETIC.test(s)
  return c === 0x5f || c === 0x2e || c === 0x5b || c === 0x5d || ALPHANUMERIC.test(s)
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46)
}

function isMetaCharacter(c: number): boolean {
  return c < 0x80 && '\\.+*?()|[]{}^$#&-~'.includes(String.fromCharCode(c))
}

function isEscapableCharacter(c: number): boolean {
  if (isMetaCharacter(c)) return true
  if (c >= 0x80) return false
  if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) return false
  // `<` and `>` are reserved for word-boundary escapes.
  return c !== 0x3c && c !== 0x3e
}

function isValidScalar(n: number): boolean {
  return n <= MAX_CHAR && !(n >= 0xd800 && n <= 0xdfff)
}

interface Flags {
  caseInsensitive: boolean
  dotMatchesNewLine: boolean
  crlf: boolean
  ignoreWhitespace: boolean
}

const NONE = -1

// ---------------------------------------------------------------------------------------------
// The parser. Method names and control flow follow regex-lite's `Parser` so the two can be
// compared side by side; positions are code point indices instead of byte offsets.

class Parser {
  private readonly cps: number[]
  private pos = 0
  private depth = 0
  private captureIndex = 0
  private flags: Flags = { caseInsensitive: false, dotMatchesNewLine: false, crlf: false, ignoreWhitespace: false }
  private readonly captureNames = new Set<string>()

  constructor(pattern: string) {
    this.cps = Array.from(pattern, (ch) => ch.codePointAt(0)!)
  }

  parse(): Hir {
    const hir = this.parseInner()
    checkHirNesting(hir, 0)
    return hir
  }

  // --- helpers -------------------------------------------------------------------------------

  private char(): number {
    return this.pos < this.cps.length ? this.cps[this.pos] : NONE
  }

  private isDone(): boolean {
    return this.pos === this.cps.length
  }

  private bump(): boolean {
    if (this.isDone()) return false
    this.pos++
    return !this.isDone()
  }

  private bumpIf(prefix: string): boolean {
    const p = Array.from(prefix, (ch) => ch.codePointAt(0)!)
    for (let i = 0; i < p.length; i++) {
      if (this.cps[this.pos + i] !== p[i]) return false
    }
    this.pos += p.length
    return true
  }

  private bumpAndBumpSpace(): boolean {
    if (!this.bump()) return false
    this.bumpSpace()
    return !this.isDone()
  }

  private bumpSpace(): void {
    if (!this.flags.ignoreWhitespace) return
    while (!this.isDone()) {
      if (isWhitespace(this.char())) {
        this.bump()
      } else if (this.char() === 0x23 /* # */) {
        this.bump()
        while (!this.isDone()) {
          const c = this.char()
          this.bump()
          if (c === 0x0a) break
        }
      } else {
        break
      }
    }
  }

  private peek(): number {
    if (this.isDone()) return NONE
    return this.pos + 1 < this.cps.length ? this.cps[this.pos + 1] : NONE
  }

  private peekSpace(): number {
    if (!this.flags.ignoreWhitespace) return this.peek()
    if (this.isDone()) return NONE
    let start = this.pos + 1
    let inComment = false
    // Mirrors regex-lite, including its quirk that a comment's non-newline characters stop
    // the scan (only whitespace, `#` and `\n` are stepped over).
    for (let i = start; i < this.cps.length; i++) {
      const c = this.cps[i]
      if (isWhitespace(c)) continue
      else if (!inComment && c === 0x23) inComment = true
      else if (inComment && c === 0x0a) inComment = false
      else {
        start = i
        break
      }
    }
    return start < this.cps.length ? this.cps[start] : NONE
  }

  private incrementDepth(): number {
    const old = this.depth
    if (old > NEST_LIMIT) fail(ERR_TOO_MUCH_NESTING)
    this.depth = old + 1
    return old
  }

  // --- grammar -------------------------------------------------------------------------------

  private parseInner(): Hir {
    const depth = this.incrementDepth()
    const alternates: Hir[] = []
    let concat: Hir[] = []
    for (;;) {
      this.bumpSpace()
      if (this.isDone()) break
      const c = this.char()
      if (c === 0x28 /* ( */) {
        // Flags set by a group are reset when it closes; `(?i)` alone keeps them.
        const oldFlags = { ...this.flags }
        const sub = this.parseGroup()
        if (sub !== null) {
          concat.push(sub)
          this.flags = oldFlags
        }
        if (this.char() !== 0x29) fail(ERR_UNCLOSED_GROUP)
        this.bump()
      } else if (c === 0x29 /* ) */) {
        if (depth === 0) fail(ERR_UNOPENED_GROUP)
        break
      } else if (c === 0x7c /* | */) {
        alternates.push(hirConcat(concat))
        concat = []
        this.bump()
      } else if (c === 0x5b /* [ */) {
        concat.push(this.parseClass())
      } else if (c === 0x3f || c === 0x2a || c === 0x2b /* ? * + */) {
        this.parseUncountedRepetition(concat)
      } else if (c === 0x7b /* { */) {
        this.parseCountedRepetition(concat)
      } else {
        concat.push(this.parsePrimitive())
      }
    }
    this.depth--
    alternates.push(hirConcat(concat))
    return hirAlternation(alternates)
  }

  private parsePrimitive(): Hir {
    const c = this.char()
    this.bump()
    switch (c) {
      case 0x5c: return this.parseEscape()
      case 0x2e: return this.hirDot()
      case 0x5e: // ^
      case 0x24: // $
        return LOOK
      default:
        return this.hirChar(c)
    }
  }

  private parseEscape(): Hir {
    if (this.isDone()) fail(ERR_ESCAPE_UNEXPECTED_EOF)
    const c = this.char()
    if (c >= 0x30 && c <= 0x39) fail(ERR_BACKREF_UNSUPPORTED)
    if (c === 0x70 || c === 0x50) fail(ERR_UNICODE_CLASS_UNSUPPORTED) // p P
    if (c === 0x78 || c === 0x75 || c === 0x55) return this.parseHex() // x u U
    if ('dswDSW'.includes(String.fromCodePoint(c))) return this.parsePerlClass()

    this.bump()
    if (isMetaCharacter(c) || isEscapableCharacter(c)) return this.hirChar(c)
    switch (c) {
      case 0x61: return this.hirChar(0x07) // \a
      case 0x66: return this.hirChar(0x0c) // \f
      case 0x74: return this.hirChar(0x09) // \t
      case 0x6e: return this.hirChar(0x0a) // \n
      case 0x72: return this.hirChar(0x0d) // \r
      case 0x76: return this.hirChar(0x0b) // \v
      case 0x41: // \A
      case 0x7a: // \z
      case 0x42: // \B
      case 0x3c: // \<
      case 0x3e: // \>
        return LOOK
      case 0x62: // \b, possibly \b{start} and friends
        if (!this.isDone() && this.char() === 0x7b) this.maybeParseSpecialWordBoundary()
        return LOOK
      default:
        return fail(ERR_ESCAPE_UNRECOGNIZED)
    }
  }

  private maybeParseSpecialWordBoundary(): void {
    const isValid = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2d
    const start = this.pos
    if (!this.bumpAndBumpSpace()) fail(ERR_SPECIAL_WORD_OR_REP_UNEXPECTED_EOF)
    // Not a word boundary name: back up and let `{` be parsed as a counted repetition.
    if (!isValid(this.char())) {
      this.pos = start
      return
    }
    let scratch = ''
    while (!this.isDone() && isValid(this.char())) {
      scratch += String.fromCodePoint(this.char())
      this.bumpAndBumpSpace()
    }
    if (this.isDone() || this.char() !== 0x7d) fail(ERR_SPECIAL_WORD_BOUNDARY_UNCLOSED)
    this.bump()
    if (!['start', 'end', 'start-half', 'end-half'].includes(scratch)) fail(ERR_SPECIAL_WORD_BOUNDARY_UNRECOGNIZED)
  }

  private parseHex(): Hir {
    const digitLen = this.char() === 0x78 ? 2 : this.char() === 0x75 ? 4 : 8
    if (!this.bumpAndBumpSpace()) fail(ERR_HEX_UNEXPECTED_EOF)
    return this.char() === 0x7b ? this.parseHexBrace() : this.parseHexDigits(digitLen)
  }

  private parseHexDigits(digitLen: number): Hir {
    let scratch = ''
    for (let i = 0; i < digitLen; i++) {
      if (i > 0 && !this.bumpAndBumpSpace()) fail(ERR_HEX_FIXED_UNEXPECTED_EOF)
      if (!isHex(this.char())) fail(ERR_HEX_FIXED_INVALID_DIGIT)
      scratch += String.fromCodePoint(this.char())
    }
    this.bumpAndBumpSpace()
    const n = parseInt(scratch, 16)
    if (!isValidScalar(n)) fail(ERR_HEX_FIXED_INVALID)
    return this.hirChar(n)
  }

  private parseHexBrace(): Hir {
    let scratch = ''
    while (this.bumpAndBumpSpace() && this.char() !== 0x7d) {
      if (!isHex(this.char())) fail(ERR_HEX_BRACE_INVALID_DIGIT)
      scratch += String.fromCodePoint(this.char())
    }
    if (this.isDone()) fail(ERR_HEX_BRACE_UNEXPECTED_EOF)
    this.bumpAndBumpSpace()
    if (scratch === '') fail(ERR_HEX_BRACE_EMPTY)
    // Many digits are fine as long as the value fits (u32, then a valid scalar).
    const n = parseInt(scratch, 16)
    if (!isValidScalar(n)) fail(ERR_HEX_BRACE_INVALID)
    return this.hirChar(n)
  }

  private parseDecimal(): number {
    let digits = ''
    while (!this.isDone() && isWhitespace(this.char())) this.bump()
    while (!this.isDone() && this.char() >= 0x30 && this.char() <= 0x39) {
      digits += String.fromCodePoint(this.char())
      this.bumpAndBumpSpace()
    }
    while (!this.isDone() && isWhitespace(this.char())) this.bumpAndBumpSpace()
    if (digits === '') fail(ERR_DECIMAL_NO_DIGITS)
    const n = Number(digits)
    if (n > 0xffffffff) fail(ERR_DECIMAL_INVALID)
    return n
  }

  private parseUncountedRepetition(concat: Hir[]): void {
    const sub = concat.pop()
    if (sub === undefined) fail(ERR_UNCOUNTED_REP_SUB_MISSING)
    const c = this.char()
    const min = c === 0x2b ? 1 : 0
    const max = c === 0x3f ? 1 : null
    // An optional `?` makes it lazy; laziness does not affect validity or size.
    if (this.bump() && this.char() === 0x3f) this.bump()
    concat.push(hirRepetition(min, max, sub))
  }

  private parseCountedRepetition(concat: Hir[]): void {
    const sub = concat.pop()
    if (sub === undefined) fail(ERR_COUNTED_REP_SUB_MISSING)
    if (!this.bumpAndBumpSpace()) fail(ERR_COUNTED_REP_UNCLOSED)
    const min = this.parseDecimal()
    let max: number | null = min
    if (this.isDone()) fail(ERR_COUNTED_REP_MIN_UNCLOSED)
    if (this.char() === 0x2c /* , */) {
      if (!this.bumpAndBumpSpace()) fail(ERR_COUNTED_REP_COMMA_UNCLOSED)
      max = this.char() !== 0x7d ? this.parseDecimal() : null
      if (this.isDone()) fail(ERR_COUNTED_REP_MIN_MAX_UNCLOSED)
    }
    if (this.char() !== 0x7d) fail(ERR_COUNTED_REP_INVALID)
    if (this.bumpAndBumpSpace() && this.char() === 0x3f) this.bump()
    if (max !== null && min > max) fail(ERR_COUNTED_REP_INVALID_RANGE)
    concat.push(hirRepetition(min, max, sub))
  }

  /** `null` for a bare flag directive such as `(?i)`. */
  private parseGroup(): Hir | null {
    this.bumpAndBumpSpace()
    if (this.bumpIf('?=') || this.bumpIf('?!') || this.bumpIf('?<=') || this.bumpIf('?<!')) fail(ERR_LOOK_UNSUPPORTED)
    if (this.bumpIf('?P<') || this.bumpIf('?<')) {
      const index = ++this.captureIndex
      const name = this.parseCaptureName()
      const sub = this.parseInner()
      return { kind: 'capture', index, name, sub, matchEmpty: isMatchEmpty(sub) }
    }
    if (this.bumpIf('?')) {
      if (this.isDone()) fail(ERR_UNCLOSED_GROUP_QUESTION)
      const start = this.pos
      this.flags = this.parseFlags()
      if (this.char() === 0x29) {
        if (this.pos === start) fail(ERR_EMPTY_FLAGS)
        return null
      }
      this.bump() // the ':'
      return this.parseInner()
    }
    const index = ++this.captureIndex
    const sub = this.parseInner()
    return { kind: 'capture', index, name: null, sub, matchEmpty: isMatchEmpty(sub) }
  }

  private parseCaptureName(): string {
    if (this.isDone()) fail(ERR_MISSING_GROUP_NAME)
    const start = this.pos
    for (;;) {
      if (this.char() === 0x3e /* > */) break
      if (!isCaptureChar(this.char(), this.pos === start)) fail(ERR_INVALID_GROUP_NAME)
      if (!this.bump()) break
    }
    const end = this.pos
    if (this.isDone()) fail(ERR_UNCLOSED_GROUP_NAME)
    this.bump()
    if (end === start) fail(ERR_EMPTY_GROUP_NAME)
    const name = String.fromCodePoint(...this.cps.slice(start, end))
    if (this.captureNames.has(name)) fail(ERR_DUPLICATE_CAPTURE_NAME)
    this.captureNames.add(name)
    return name
  }

  private parseFlags(): Flags {
    const flags = { ...this.flags }
    let negate = false
    let lastWasNegation = false
    const seen = new Set<number>()
    while (this.char() !== 0x3a && this.char() !== 0x29) {
      const c = this.char()
      if (c === 0x2d /* - */) {
        lastWasNegation = true
        if (negate) fail(ERR_FLAG_REPEATED_NEGATION)
        negate = true
      } else {
        lastWasNegation = false
        const enabled = !negate
        switch (c) {
          case 0x69: flags.caseInsensitive = enabled; break // i
          case 0x73: flags.dotMatchesNewLine = enabled; break // s
          case 0x52: flags.crlf = enabled; break // R
          case 0x78: flags.ignoreWhitespace = enabled; break // x
          case 0x6d: // m: multi-line anchors
          case 0x55: // U: swap greed
          case 0x75: // u: accepted as a no-op for compatibility with the regex crate
            break
          default:
            fail(ERR_FLAG_UNRECOGNIZED)
        }
        if (seen.has(c)) fail(ERR_FLAG_DUPLICATE)
        seen.add(c)
      }
      if (!this.bump()) fail(ERR_FLAG_UNEXPECTED_EOF)
    }
    if (lastWasNegation) fail(ERR_FLAG_DANGLING_NEGATION)
    return flags
  }

  private parseClass(): Hir {
    let union: Ranges = []
    if (!this.bumpAndBumpSpace()) fail(ERR_CLASS_UNCLOSED)
    let negated = false
    if (this.char() === 0x5e /* ^ */) {
      if (!this.bumpAndBumpSpace()) fail(ERR_CLASS_UNCLOSED_AFTER_NEGATION)
      negated = true
    }
    // Leading `-` are literals.
    while (this.char() === 0x2d) {
      union.push(0x2d, 0x2d)
      if (!this.bumpAndBumpSpace()) fail(ERR_CLASS_UNCLOSED_AFTER_DASH)
    }
    // A `]` first is a literal, so an empty class cannot be written.
    if (union.length === 0 && this.char() === 0x5d) {
      union.push(0x5d, 0x5d)
      if (!this.bumpAndBumpSpace()) fail(ERR_CLASS_UNCLOSED_AFTER_CLOSING)
    }
    for (;;) {
      this.bumpSpace()
      if (this.isDone()) fail(ERR_CLASS_UNCLOSED)
      const c = this.char()
      if (c === 0x5b /* [ */) {
        const posix = this.maybeParsePosixClass()
        if (posix === null) fail(ERR_CLASS_NEST_UNSUPPORTED)
        union = union.concat(posix)
        continue
      }
      if (c === 0x5d /* ] */) {
        this.bump()
        let ranges = canonicalize(union)
        if (this.flags.caseInsensitive) ranges = asciiCaseFold(ranges)
        if (negated) ranges = negate(ranges)
        return { kind: 'class', ranges }
      }
      if (c === 0x26 && this.peek() === 0x26) fail(ERR_CLASS_INTERSECTION_UNSUPPORTED)
      if (c === 0x2d && this.peek() === 0x2d) fail(ERR_CLASS_DIFFERENCE_UNSUPPORTED)
      if (c === 0x7e && this.peek() === 0x7e) fail(ERR_CLASS_SYMDIFFERENCE_UNSUPPORTED)
      this.parseClassRange(union)
    }
  }

  private parseClassRange(union: Ranges): void {
    const prim1 = this.parseClassItem()
    this.bumpSpace()
    if (this.isDone()) fail(ERR_CLASS_UNCLOSED_AFTER_ITEM)
    // `-` before `]` is a literal; `--` is the (unsupported) difference operator.
    if (this.char() !== 0x2d || this.peekSpace() === 0x5d || this.peekSpace() === 0x2d) {
      union.push(...classItemRanges(prim1))
      return
    }
    if (!this.bumpAndBumpSpace()) fail(ERR_CLASS_UNCLOSED_AFTER_DASH)
    const prim2 = this.parseClassItem()
    const start = classItemChar(prim1)
    const end = classItemChar(prim2)
    if (start > end) fail(ERR_CLASS_INVALID_RANGE)
    union.push(start, end)
  }

  private parseClassItem(): Hir {
    const c = this.char()
    this.bump()
    // Unescaped items are plain chars even under (?i); folding happens on the whole class.
    return c === 0x5c ? this.parseEscape() : { kind: 'char', ch: c }
  }

  /** `[:name:]` inside a class, or `null` (position restored) if this is not one. */
  private maybeParsePosixClass(): Ranges | null {
    const startPos = this.pos
    const reset = (): null => {
      this.pos = startPos
      return null
    }
    let negated = false
    if (!this.bump() || this.char() !== 0x3a) return reset()
    if (!this.bump()) return reset()
    if (this.char() === 0x5e) {
      negated = true
      if (!this.bump()) return reset()
    }
    const nameStart = this.pos
    while (this.char() !== 0x3a && this.bump()) {
      // scan to the closing ':'
    }
    if (this.isDone()) return reset()
    const name = String.fromCodePoint(...this.cps.slice(nameStart, this.pos))
    if (!this.bumpIf(':]')) return reset()
    const ranges = Object.hasOwn(POSIX_CLASSES, name) ? POSIX_CLASSES[name] : undefined
    if (ranges === undefined) return reset()
    const canonical = canonicalize(ranges)
    return negated ? negate(canonical) : canonical
  }

  private parsePerlClass(): Hir {
    const c = this.char()
    this.bump()
    const lower = String.fromCodePoint(c).toLowerCase()
    const base = POSIX_CLASSES[lower === 'd' ? 'digit' : lower === 's' ? 'space' : 'word']
    const canonical = canonicalize(base)
    return { kind: 'class', ranges: c < 0x61 ? negate(canonical) : canonical }
  }

  private hirDot(): Hir {
    if (this.flags.dotMatchesNewLine) return { kind: 'class', ranges: [0, MAX_CHAR] }
    if (this.flags.crlf) return { kind: 'class', ranges: [0x00, 0x09, 0x0b, 0x0c, 0x0e, MAX_CHAR] }
    return { kind: 'class', ranges: [0x00, 0x09, 0x0b, MAX_CHAR] }
  }

  private hirChar(c: number): Hir {
    if (this.flags.caseInsensitive) {
      const isLower = c >= 0x61 && c <= 0x7a
      const isUpper = c >= 0x41 && c <= 0x5a
      if (isLower || isUpper) return hirClass([c, c, isLower ? c - 32 : c + 32, isLower ? c - 32 : c + 32])
    }
    return { kind: 'char', ch: c }
  }
}

function classItemRanges(h: Hir): Ranges {
  if (h.kind === 'char') return [h.ch, h.ch]
  if (h.kind === 'class') return h.ranges
  return fail(ERR_CLASS_INVALID_ITEM)
}

function classItemChar(h: Hir): number {
  if (h.kind === 'char') return h.ch
  return fail(ERR_CLASS_INVALID_RANGE_ITEM)
}

/** Repetitions nest without recursive parse calls, so the tree itself is depth-checked too. */
function checkHirNesting(h: Hir, depth: number): void {
  if (depth > NEST_LIMIT) fail(ERR_TOO_MUCH_NESTING)
  switch (h.kind) {
    case 'repetition':
    case 'capture':
      checkHirNesting(h.sub, depth + 1)
      break
    case 'concat':
    case 'alternation':
      for (const sub of h.subs) checkHirNesting(sub, depth + 1)
      break
    default:
      break
  }
}

// ---------------------------------------------------------------------------------------------
// NFA size accounting, following regex-lite's Thompson compiler state by state, but with
// repetition counts multiplied out instead of unrolled (so `a{100000}{100000}` costs nothing to
// check). Memory only grows during compilation, so checking the total equals checking after
// every step.

interface Cost {
  /** Number of NFA states. */
  states: number
  /** Heap bytes beyond the states themselves (split targets and class ranges). */
  extra: number
  /** Whether the fragment's end state is a `Splits`, where each patch adds a target. */
  endIsSplits: boolean
}

const PATCH = SIZE_OF_STATE_ID

function splitPatch(fromSplits: boolean): number {
  return fromSplits ? PATCH : 0
}

function cost(h: Hir): Cost {
  switch (h.kind) {
    case 'empty':
    case 'char':
    case 'look':
      return { states: 1, extra: 0, endIsSplits: false }
    case 'class':
      return { states: 1, extra: (h.ranges.length / 2) * SIZE_OF_RANGE, endIsSplits: false }
    case 'capture': {
      const inner = cost(h.sub)
      return { states: inner.states + 2, extra: inner.extra + splitPatch(inner.endIsSplits), endIsSplits: false }
    }
    case 'concat': {
      let states = 0
      let extra = 0
      let prevSplits = false
      h.subs.forEach((sub, i) => {
        const c = cost(sub)
        states += c.states
        extra += c.extra + (i > 0 ? splitPatch(prevSplits) : 0)
        prevSplits = c.endIsSplits
      })
      return { states, extra, endIsSplits: prevSplits }
    }
    case 'alternation': {
      let states = 2
      let extra = 0
      for (const sub of h.subs) {
        const c = cost(sub)
        states += c.states
        extra += c.extra + PATCH + splitPatch(c.endIsSplits)
      }
      return { states, extra, endIsSplits: false }
    }
    case 'repetition':
      return repetitionCost(h.min, h.max, h.sub)
  }
}

function exactlyCost(sub: Cost, n: number): Cost {
  if (n === 0) return { states: 1, extra: 0, endIsSplits: false }
  return {
    states: n * sub.states,
    extra: n * sub.extra + (n - 1) * splitPatch(sub.endIsSplits),
    endIsSplits: sub.endIsSplits,
  }
}

function repetitionCost(min: number, max: number | null, subHir: Hir): Cost {
  const sub = cost(subHir)
  const subPatch = splitPatch(sub.endIsSplits)
  if (min === 0 && max === 1) {
    return { states: sub.states + 2, extra: sub.extra + 2 * PATCH + subPatch, endIsSplits: false }
  }
  if (max === null) {
    if (min === 0) {
      if (!isMatchEmpty(subHir)) {
        return { states: sub.states + 1, extra: sub.extra + PATCH + subPatch, endIsSplits: true }
      }
      // `x*` with an empty-matching x is compiled as `(x+)?`.
      return { states: sub.states + 3, extra: sub.extra + subPatch + 4 * PATCH, endIsSplits: false }
    }
    if (min === 1) return { states: sub.states + 1, extra: sub.extra + subPatch + PATCH, endIsSplits: true }
    const prefix = exactlyCost(sub, min - 1)
    return {
      states: prefix.states + sub.states + 1,
      extra: prefix.extra + sub.extra + splitPatch(prefix.endIsSplits) + subPatch + PATCH,
      endIsSplits: true,
    }
  }
  if (min === max) return exactlyCost(sub, min)
  const prefix = exactlyCost(sub, min)
  const k = max - min
  return {
    states: prefix.states + 1 + k * (sub.states + 1),
    extra: prefix.extra + k * (sub.extra + 2 * PATCH) + splitPatch(prefix.endIsSplits) + k * subPatch,
    endIsSplits: false,
  }
}

/**
 * Capture slots and names. regex-lite records each group index once, when the group is first
 * compiled (a group removed by `{0}` is never compiled but leaves a placeholder slot if a later
 * group survives), and adds each recorded name's length.
 */
function captureCost(h: Hir, acc: { maxIndex: number; nameBytes: number }): void {
  switch (h.kind) {
    case 'capture':
      acc.maxIndex = Math.max(acc.maxIndex, h.index)
      if (h.name !== null) acc.nameBytes += utf8Length(h.name) + 4
      captureCost(h.sub, acc)
      break
    case 'repetition':
      captureCost(h.sub, acc)
      break
    case 'concat':
    case 'alternation':
      for (const sub of h.subs) captureCost(sub, acc)
      break
    default:
      break
  }
}

function checkNfaSize(hir: Hir): void {
  const body = cost(hir)
  // The whole pattern is wrapped in capture group 0 and followed by a Match state.
  const states = body.states + 3
  const extra = body.extra + splitPatch(body.endIsSplits)
  const captures = { maxIndex: 0, nameBytes: 0 }
  captureCost(hir, captures)
  const slots = captures.maxIndex + 1
  const memory = states * SIZE_OF_STATE + slots * SIZE_OF_CAPTURE_NAME_SLOT + extra + captures.nameBytes
  if (memory > NFA_SIZE_LIMIT) fail(ERR_SIZE_LIMIT)
}

function utf8Length(s: string): number {
  let n = 0
  for (const ch of s) {
    const c = ch.codePointAt(0)!
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4
  }
  return n
}
