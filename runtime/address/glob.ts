/**
 * A port of `glob_match` from the Rust crate `glob-match` 0.2.1, the matcher the reference uses
 * for snapshot-on-subscribe, the full connect snapshot, QUERY and federation namespace checks
 * [wire §8.3].
 *
 * It is ported line by line (captures left out, they never influence the result) rather than
 * re-derived, because the reference's quirks are observable on the wire: `/lights/**` does not
 * match `/lights`, `/a/b**` matches `/a/b/c`, `?`, `[..]` and `{..}` are active, a leading `!`
 * negates, and malformed patterns simply fail to match. Like the original it works on UTF-8
 * bytes and is iterative, with one backtrack point per wildcard plus at most 10 brace frames;
 * see {@link globMatchDetailed} for the inputs on which the original never returns.
 */

const SLASH = 0x2f
const BACKSLASH = 0x5c
const STAR = 0x2a
const OPEN_BRACE = 0x7b
const CLOSE_BRACE = 0x7d
const COMMA = 0x2c
const OPEN_BRACKET = 0x5b
const CLOSE_BRACKET = 0x5d
const QUESTION = 0x3f
// Braces nest at most this deep in the original (a fixed-size stack); deeper is "no match".
const MAX_BRACE_DEPTH = 10

// A matcher state is six integers. Brace frames and snapshots store them in this order.
const PATH = 0
const GLOB = 1
const WILDCARD_GLOB = 2
const WILDCARD_PATH = 3
const GLOBSTAR_GLOB = 4
const GLOBSTAR_PATH = 5
const STATE_SIZE = 6

const MATCH = 1
const NO_MATCH = 0
const LOOPS = -1
const CAPPED = -2
type MatchResult = typeof MATCH | typeof NO_MATCH | typeof LOOPS | typeof CAPPED

type SkipResult = 'invalid' | 'comma' | 'end'

/**
 * The matching machine. One instance is reused for every call: matching is synchronous and
 * never re-entered, so keeping the buffers and brace frames here makes a match allocation-free.
 */
class GlobMachine {
  private readonly encoder = new TextEncoder()
  private glob = new Uint8Array(256)
  private path = new Uint8Array(256)
  private globLen = 0
  private pathLen = 0

  // The current state (the original's `State`, captures removed).
  private pathIndex = 0
  private globIndex = 0
  // Where to resume after a failed character: the last `*` or `**`.
  private wildcardGlob = 0
  private wildcardPath = 0
  // The last `**`, so a `*` that runs into a `/` can fall back to it.
  private globstarGlob = 0
  private globstarPath = 0

  private readonly braceStack = new Int32Array(MAX_BRACE_DEPTH * STATE_SIZE)
  private braceLength = 0
  private longestBraceMatch = 0

  // Brent cycle detection: a saved copy of the whole machine state.
  private readonly snapshotState = new Int32Array(STATE_SIZE)
  private readonly snapshotStack = new Int32Array(MAX_BRACE_DEPTH * STATE_SIZE)
  private snapshotTaken = false
  private snapshotBraceLength = 0
  private snapshotLongest = 0

  /** Main-loop iterations used by the last run. */
  steps = 0

  run(pattern: string, address: string, maxSteps: number): MatchResult {
    this.globLen = this.load(pattern, 'glob')
    this.pathLen = this.load(address, 'path')
    this.pathIndex = 0
    this.globIndex = 0
    this.wildcardGlob = 0
    this.wildcardPath = 0
    this.globstarGlob = 0
    this.globstarPath = 0
    this.braceLength = 0
    this.longestBraceMatch = 0
    this.snapshotTaken = false
    this.steps = 0
    return this.match(maxSteps)
  }

  /** Write `s` as UTF-8 into the glob or path buffer; returns its byte length. */
  private load(s: string, which: 'glob' | 'path'): number {
    // UTF-8 needs at most 3 bytes per UTF-16 code unit.
    let buf = which === 'glob' ? this.glob : this.path
    if (buf.length < s.length * 3) {
      buf = new Uint8Array(s.length * 3)
      if (which === 'glob') this.glob = buf
      else this.path = buf
    }
    // Addresses are usually ASCII; copying code units directly avoids the encoder call.
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i)
      if (c >= 0x80) return this.encoder.encodeInto(s, buf).written
      buf[i] = c
    }
    return s.length
  }

  private match(maxSteps: number): MatchResult {
    const glob = this.glob
    const path = this.path
    const globLen = this.globLen
    const pathLen = this.pathLen

    let negated = false
    while (this.globIndex < globLen && glob[this.globIndex] === 0x21 /* ! */) {
      negated = !negated
      this.globIndex++
    }

    let power = 1
    let lambda = 1
    while (this.globIndex < globLen || this.pathIndex < pathLen) {
      if (++this.steps > maxSteps) return CAPPED
      // The machine is deterministic over a finite state, so a repeated state means the
      // original would never return. Comparisons stop at the first differing field.
      if (this.sameAsSnapshot()) return LOOPS
      if (lambda === power) {
        this.takeSnapshot()
        power *= 2
        lambda = 0
      }
      lambda++

      if (this.globIndex < globLen) {
        const g = glob[this.globIndex]
        const havePath = this.pathIndex < pathLen

        if (g === STAR) {
          const isGlobstar = this.globIndex + 1 < globLen && glob[this.globIndex + 1] === STAR
          if (isGlobstar) {
            // Coalesce `**/**/**` into one globstar.
            this.globIndex = skipGlobstars(glob, globLen, this.globIndex + 2) - 2
          }
          this.wildcardGlob = this.globIndex
          this.wildcardPath = this.pathIndex + 1

          // `**` only crosses separators as a whole segment; `a**b` behaves like `a*b`.
          if (isGlobstar) {
            this.globIndex += 2
            if (globLen === this.globIndex) {
              // A trailing `**` without a following separator.
              this.globstarGlob = this.wildcardGlob
              this.globstarPath = this.wildcardPath
            } else if ((this.globIndex < 3 || glob[this.globIndex - 3] === SLASH) && glob[this.globIndex] === SLASH) {
              // A full `/**/` segment: make it optional so `a/**/b` matches `a/b`.
              if (this.pathIndex === 0 || (this.pathIndex < pathLen && path[this.pathIndex - 1] === SLASH)) {
                this.globIndex++
              }
              this.globstarGlob = this.wildcardGlob
              this.globstarPath = this.wildcardPath
            }
          } else {
            this.globIndex++
          }

          // A `*` that meets a separator either falls back to an earlier `**` or stops here.
          if (this.globstarPath !== this.wildcardPath && this.pathIndex < pathLen && path[this.pathIndex] === SLASH) {
            // The original does not jump back for a `/` at the very end of the path.
            if (this.globstarPath > 0 && this.pathIndex + 1 < pathLen) {
              this.globIndex = this.globstarGlob
              this.wildcardGlob = this.globstarGlob
            } else {
              this.wildcardPath = 0
            }
          }

          // A wildcard directly before `,` or `}` ends this brace option.
          if (
            this.braceLength > 0 &&
            this.globIndex < globLen &&
            (glob[this.globIndex] === COMMA || glob[this.globIndex] === CLOSE_BRACE)
          ) {
            if (this.skipBraces(false) === 'invalid') return NO_MATCH
          }
          continue
        }

        if (g === QUESTION && havePath) {
          if (path[this.pathIndex] !== SLASH) {
            this.globIndex++
            this.pathIndex++
            continue
          }
        } else if (g === OPEN_BRACKET && havePath) {
          this.globIndex++
          const c = path[this.pathIndex]
          let classNegated = false
          if (this.globIndex < globLen && (glob[this.globIndex] === 0x5e || glob[this.globIndex] === 0x21)) {
            classNegated = true
            this.globIndex++
          }
          let first = true
          let isMatch = false
          // A `]` right after `[` (or `[!`) is a literal member, as in the original.
          while (this.globIndex < globLen && (first || glob[this.globIndex] !== CLOSE_BRACKET)) {
            let low = glob[this.globIndex]
            if (low === BACKSLASH) {
              this.globIndex++
              if (this.globIndex >= globLen) return NO_MATCH
              low = unescapeByte(glob[this.globIndex])
            }
            this.globIndex++
            let high = low
            if (this.globIndex + 1 < globLen && glob[this.globIndex] === 0x2d && glob[this.globIndex + 1] !== CLOSE_BRACKET) {
              this.globIndex++
              high = glob[this.globIndex]
              if (high === BACKSLASH) {
                this.globIndex++
                if (this.globIndex >= globLen) return NO_MATCH
                high = unescapeByte(glob[this.globIndex])
              }
              this.globIndex++
            }
            if (low <= c && c <= high) isMatch = true
            first = false
          }
          // An unclosed class is an invalid pattern.
          if (this.globIndex >= globLen) return NO_MATCH
          this.globIndex++
          if (isMatch !== classNegated) {
            this.pathIndex++
            continue
          }
        } else if (g === OPEN_BRACE && havePath) {
          if (this.braceLength >= MAX_BRACE_DEPTH) return NO_MATCH
          this.pushBrace()
          continue
        } else if (g === CLOSE_BRACE && this.braceLength > 0) {
          // End of the last option: it matched.
          this.longestBraceMatch = Math.max(this.longestBraceMatch, this.pathIndex)
          this.globIndex++
          this.popBrace()
          continue
        } else if (g === COMMA && this.braceLength > 0) {
          // An option matched; still try the others in case one matches more of the path.
          this.longestBraceMatch = Math.max(this.longestBraceMatch, this.pathIndex)
          this.pathIndex = this.braceStack[(this.braceLength - 1) * STATE_SIZE + PATH]
          this.globIndex++
          this.wildcardGlob = 0
          this.wildcardPath = 0
          this.globstarGlob = 0
          this.globstarPath = 0
          continue
        } else if (havePath) {
          let c = g
          if (c === BACKSLASH) {
            this.globIndex++
            if (this.globIndex >= globLen) return NO_MATCH
            c = unescapeByte(glob[this.globIndex])
          }
          if (path[this.pathIndex] === c) {
            if (this.braceLength > 0 && this.globIndex > 0 && glob[this.globIndex - 1] === CLOSE_BRACE) {
              this.longestBraceMatch = this.pathIndex
              this.popBrace()
            }
            this.globIndex++
            this.pathIndex++
            // A literal other than `/` locks in the previous globstar.
            if (c !== SLASH) this.globstarPath = 0
            continue
          }
        }
      }

      // No progress: resume from the last wildcard if it can still consume a byte.
      if (this.wildcardPath > 0 && this.wildcardPath <= pathLen) {
        this.globIndex = this.wildcardGlob
        this.pathIndex = this.wildcardPath
        continue
      }

      if (this.braceLength > 0) {
        // Inside braces: try the next option from where the `{` was seen.
        const skipped = this.skipBraces(true)
        if (skipped === 'invalid') return NO_MATCH
        if (skipped === 'comma') {
          this.pathIndex = this.braceStack[(this.braceLength - 1) * STATE_SIZE + PATH]
          continue
        }
        if (this.longestBraceMatch > 0) {
          // An earlier option matched; continue after the group.
          this.popBrace()
          continue
        }
        // No option matched: restore the state from before `{` and fall back to its wildcard.
        this.restoreBraceFrame()
        if (this.wildcardPath > 0 && this.wildcardPath <= pathLen) {
          this.globIndex = this.wildcardGlob
          this.pathIndex = this.wildcardPath
          continue
        }
      }

      return negated ? MATCH : NO_MATCH
    }

    return negated ? NO_MATCH : MATCH
  }

  private pushBrace(): void {
    const at = this.braceLength * STATE_SIZE
    const stack = this.braceStack
    stack[at + PATH] = this.pathIndex
    stack[at + GLOB] = this.globIndex
    stack[at + WILDCARD_GLOB] = this.wildcardGlob
    stack[at + WILDCARD_PATH] = this.wildcardPath
    stack[at + GLOBSTAR_GLOB] = this.globstarGlob
    stack[at + GLOBSTAR_PATH] = this.globstarPath
    this.braceLength++
    this.globIndex++
    this.wildcardGlob = 0
    this.wildcardPath = 0
    this.globstarGlob = 0
    this.globstarPath = 0
  }

  /**
   * Leave the innermost brace group: continue at the longest option match, with the wildcard
   * backtrack points that were active before the `{`.
   */
  private popBrace(): void {
    this.braceLength--
    const at = this.braceLength * STATE_SIZE
    this.pathIndex = this.longestBraceMatch
    this.wildcardGlob = this.braceStack[at + WILDCARD_GLOB]
    this.wildcardPath = this.braceStack[at + WILDCARD_PATH]
    this.globstarGlob = this.braceStack[at + GLOBSTAR_GLOB]
    this.globstarPath = this.braceStack[at + GLOBSTAR_PATH]
    if (this.braceLength === 0) this.longestBraceMatch = 0
  }

  /** Discard the innermost brace group, restoring the whole state from before its `{`. */
  private restoreBraceFrame(): void {
    this.braceLength--
    const at = this.braceLength * STATE_SIZE
    this.pathIndex = this.braceStack[at + PATH]
    this.globIndex = this.braceStack[at + GLOB]
    this.wildcardGlob = this.braceStack[at + WILDCARD_GLOB]
    this.wildcardPath = this.braceStack[at + WILDCARD_PATH]
    this.globstarGlob = this.braceStack[at + GLOBSTAR_GLOB]
    this.globstarPath = this.braceStack[at + GLOBSTAR_PATH]
  }

  /** Skip to the next `,` of the current brace group (when stopOnComma) or past its `}`. */
  private skipBraces(stopOnComma: boolean): SkipResult {
    const glob = this.glob
    const globLen = this.globLen
    let braces = 1
    let inBrackets = false
    while (this.globIndex < globLen && braces > 0) {
      const c = glob[this.globIndex]
      if (c === OPEN_BRACE && !inBrackets) braces++
      else if (c === CLOSE_BRACE && !inBrackets) braces--
      else if (c === COMMA && stopOnComma && braces === 1 && !inBrackets) {
        this.globIndex++
        return 'comma'
      } else if ((c === STAR || c === QUESTION || c === OPEN_BRACKET) && !inBrackets) {
        if (c === OPEN_BRACKET) inBrackets = true
        if (c === STAR && this.globIndex + 1 < globLen && glob[this.globIndex + 1] === STAR) {
          this.globIndex = skipGlobstars(glob, globLen, this.globIndex + 2) - 2
          this.globIndex++
        }
      } else if (c === CLOSE_BRACKET) inBrackets = false
      else if (c === BACKSLASH) this.globIndex++
      this.globIndex++
    }
    return braces !== 0 ? 'invalid' : 'end'
  }

  private sameAsSnapshot(): boolean {
    const s = this.snapshotState
    if (
      !this.snapshotTaken ||
      this.pathIndex !== s[PATH] ||
      this.globIndex !== s[GLOB] ||
      this.wildcardPath !== s[WILDCARD_PATH] ||
      this.wildcardGlob !== s[WILDCARD_GLOB] ||
      this.globstarPath !== s[GLOBSTAR_PATH] ||
      this.globstarGlob !== s[GLOBSTAR_GLOB] ||
      this.braceLength !== this.snapshotBraceLength ||
      this.longestBraceMatch !== this.snapshotLongest
    ) {
      return false
    }
    // Frames above braceLength are dead (always rewritten before being read again).
    for (let i = 0; i < this.braceLength * STATE_SIZE; i++) {
      if (this.braceStack[i] !== this.snapshotStack[i]) return false
    }
    return true
  }

  private takeSnapshot(): void {
    const s = this.snapshotState
    s[PATH] = this.pathIndex
    s[GLOB] = this.globIndex
    s[WILDCARD_GLOB] = this.wildcardGlob
    s[WILDCARD_PATH] = this.wildcardPath
    s[GLOBSTAR_GLOB] = this.globstarGlob
    s[GLOBSTAR_PATH] = this.globstarPath
    this.snapshotBraceLength = this.braceLength
    this.snapshotLongest = this.longestBraceMatch
    this.snapshotStack.set(this.braceStack.subarray(0, this.braceLength * STATE_SIZE))
    this.snapshotTaken = true
  }
}

/** The escapes the original recognises inside a glob (note `\a` is a plain `a`). */
function unescapeByte(c: number): number {
  switch (c) {
    case 0x62: return 0x08 // \b
    case 0x6e: return 0x0a // \n
    case 0x72: return 0x0d // \r
    case 0x74: return 0x09 // \t
    default: return c
  }
}

/** Skip consecutive `/**` groups so repeated globstars cost one backtrack point. */
function skipGlobstars(glob: Uint8Array, globLen: number, index: number): number {
  while (index + 3 <= globLen && glob[index] === SLASH && glob[index + 1] === STAR && glob[index + 2] === STAR) {
    index += 3
  }
  return index
}

const machine = new GlobMachine()

/**
 * `glob_match(pattern, address)` with the exact results of `glob-match` 0.2.1.
 *
 * Supports `*` (within a segment), `**` (whole segments), `?`, `[abc]`, `[a-z]`, `[!a]`/`[^a]`,
 * `{a,b}` (nested up to 10 deep), `\` escapes and leading `!` negation, all over UTF-8 bytes
 * (so `?` matches one byte of `ü`). Never throws. Invalid patterns (unclosed `[` or `{`,
 * trailing `\`) fail to match, and inputs on which the original loops forever give `false`.
 */
export function globMatch(pattern: string, address: string): boolean {
  return machine.run(pattern, address, Infinity) === MATCH
}

/** Outcome of {@link globMatchDetailed}. */
export interface GlobMatchOutcome {
  /** The match result; `false` when the reference would loop or the step cap was reached. */
  readonly matched: boolean
  /** The reference algorithm never terminates on this input (a repeated state was detected). */
  readonly loops: boolean
  /** `maxSteps` was reached before an answer. */
  readonly capped: boolean
  /** Main-loop iterations used. */
  readonly steps: number
}

/**
 * {@link globMatch} with diagnostics and an optional cap on main-loop iterations.
 *
 * The original `glob-match` 0.2.1 loops forever on some malformed patterns that mix braces and
 * globstars (differential fuzzing found several; they are regression cases in
 * `test/address/matching.test.ts`), which would freeze a single-threaded router that runs
 * QUERY patterns through it. The algorithm is a deterministic machine over a finite state
 * (indices, backtrack points, at most 10 brace frames), so it either terminates or repeats a
 * state; this port detects the repetition (Brent's cycle detection against one saved snapshot)
 * and answers "no match". Every terminating input therefore gets exactly the reference's
 * answer, and a looping one costs only a small multiple of its cycle length.
 */
export function globMatchDetailed(pattern: string, address: string, maxSteps = Infinity): GlobMatchOutcome {
  const result = machine.run(pattern, address, maxSteps)
  return { matched: result === MATCH, loops: result === LOOPS, capped: result === CAPPED, steps: machine.steps }
}
