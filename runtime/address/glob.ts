/**
 * A port of `glob_match` from the Rust crate `glob-match` 0.2.1, the matcher the reference uses
 * for snapshot-on-subscribe, the full connect snapshot, QUERY and federation namespace checks
 * [wire §8.3].
 *
 * It is ported line by line (captures left out, they never influence the result) rather than
 * re-derived, because the reference's quirks are observable on the wire: `/lights/**` does not
 * match `/lights`, `/a/b**` matches `/a/b/c`, `?`, `[..]` and `{..}` are active, a leading `!`
 * negates, and malformed patterns simply fail to match. Like the original it works on UTF-8
 * bytes, and it is iterative with a single backtrack point per wildcard (plus at most 10 brace
 * frames); see {@link globMatchDetailed} for the inputs on which the original never returns.
 */

/** One matcher position plus the backtrack points for the last `*` and the last `**`. */
interface State {
  pathIndex: number
  globIndex: number
  // `wildcard` is where to resume after a failed character (the last `*` or `**`).
  wildcardGlob: number
  wildcardPath: number
  // `globstar` remembers the last `**` so a `*` that runs into a `/` can fall back to it.
  globstarGlob: number
  globstarPath: number
}

const SLASH = 0x2f
const BACKSLASH = 0x5c
// Braces nest at most this deep in the original (a fixed-size stack); deeper is "no match".
const MAX_BRACE_DEPTH = 10

const encoder = new TextEncoder()
// Scratch buffers reused across calls so matching allocates nothing for ordinary inputs.
let globScratch = new Uint8Array(256)
let pathScratch = new Uint8Array(256)

function newState(): State {
  return { pathIndex: 0, globIndex: 0, wildcardGlob: 0, wildcardPath: 0, globstarGlob: 0, globstarPath: 0 }
}

function copyState(from: State, to: State): void {
  to.pathIndex = from.pathIndex
  to.globIndex = from.globIndex
  to.wildcardGlob = from.wildcardGlob
  to.wildcardPath = from.wildcardPath
  to.globstarGlob = from.globstarGlob
  to.globstarPath = from.globstarPath
}

/** Encode `s` as UTF-8 into a reusable buffer; returns the byte length. */
function encodeInto(s: string, which: 'glob' | 'path'): number {
  // UTF-8 needs at most 3 bytes per UTF-16 code unit.
  const needed = s.length * 3
  if (which === 'glob') {
    if (globScratch.length < needed) globScratch = new Uint8Array(needed)
    return encoder.encodeInto(s, globScratch).written
  }
  if (pathScratch.length < needed) pathScratch = new Uint8Array(needed)
  return encoder.encodeInto(s, pathScratch).written
}

/**
 * `glob_match(pattern, address)` with the exact results of `glob-match` 0.2.1.
 *
 * Supports `*` (within a segment), `**` (whole segments), `?`, `[abc]`, `[a-z]`, `[!a]`/`[^a]`,
 * `{a,b}` (nested up to 10 deep), `\` escapes and leading `!` negation. Never throws; an
 * invalid pattern (unclosed `[` or `{`, trailing `\`) yields `false` (or the negation's result
 * when the reference would reach it first).
 */
export function globMatch(pattern: string, address: string): boolean {
  const globLen = encodeInto(pattern, 'glob')
  const pathLen = encodeInto(address, 'path')
  return matchBytes(globScratch, globLen, pathScratch, pathLen, Infinity) === MATCH
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
 * state; this port detects the repetition (Brent's cycle detection, comparing against one
 * saved snapshot) and answers "no match". Every terminating input therefore gets exactly the
 * reference's answer, and a looping one costs only a few times its cycle length.
 */
export function globMatchDetailed(pattern: string, address: string, maxSteps = Infinity): GlobMatchOutcome {
  const globLen = encodeInto(pattern, 'glob')
  const pathLen = encodeInto(address, 'path')
  const result = matchBytes(globScratch, globLen, pathScratch, pathLen, maxSteps)
  return { matched: result === MATCH, loops: result === LOOPS, capped: result === CAPPED, steps: lastSteps }
}

const MATCH = 1
const NO_MATCH = 0
const LOOPS = -1
const CAPPED = -2
type MatchResult = typeof MATCH | typeof NO_MATCH | typeof LOOPS | typeof CAPPED

// Iterations used by the most recent match, for globMatchDetailed.
let lastSteps = 0

/** The ported algorithm over byte arrays; `glob`/`path` may be longer than their lengths. */
function matchBytes(glob: Uint8Array, globLen: number, path: Uint8Array, pathLen: number, maxSteps: number): MatchResult {
  const state = newState()
  let steps = 0

  // Brace frames are only allocated when a pattern actually uses braces.
  let braceStack: State[] | null = null
  let braceLength = 0
  let longestBraceMatch = 0

  let negated = false
  while (state.globIndex < globLen && glob[state.globIndex] === 0x21 /* ! */) {
    negated = !negated
    state.globIndex++
  }

  const pushBrace = (): void => {
    if (braceStack === null) braceStack = Array.from({ length: MAX_BRACE_DEPTH }, newState)
    copyState(state, braceStack[braceLength])
    braceLength++
    state.globIndex = state.globIndex + 1
    state.wildcardGlob = 0
    state.wildcardPath = 0
    state.globstarGlob = 0
    state.globstarPath = 0
  }

  // Leave the innermost brace group: resume after it at the longest option match, restoring
  // the wildcard backtrack points that were active before the `{`.
  const popBrace = (): void => {
    braceLength--
    const saved = braceStack![braceLength]
    state.pathIndex = longestBraceMatch
    state.wildcardGlob = saved.wildcardGlob
    state.wildcardPath = saved.wildcardPath
    state.globstarGlob = saved.globstarGlob
    state.globstarPath = saved.globstarPath
    if (braceLength === 0) longestBraceMatch = 0
  }

  const lastBrace = (): State => braceStack![braceLength - 1]

  // Skip to the next `,` of the current brace group (when stopOnComma) or past its `}`.
  const skipBraces = (stopOnComma: boolean): 'invalid' | 'comma' | 'end' => {
    let braces = 1
    let inBrackets = false
    while (state.globIndex < globLen && braces > 0) {
      const c = glob[state.globIndex]
      if (c === 0x7b /* { */ && !inBrackets) braces++
      else if (c === 0x7d /* } */ && !inBrackets) braces--
      else if (c === 0x2c /* , */ && stopOnComma && braces === 1 && !inBrackets) {
        state.globIndex++
        return 'comma'
      } else if ((c === 0x2a || c === 0x3f || c === 0x5b) /* * ? [ */ && !inBrackets) {
        if (c === 0x5b) inBrackets = true
        if (c === 0x2a && state.globIndex + 1 < globLen && glob[state.globIndex + 1] === 0x2a) {
          state.globIndex = skipGlobstars(glob, globLen, state.globIndex + 2) - 2
          state.globIndex++
        }
      } else if (c === 0x5d /* ] */) inBrackets = false
      else if (c === BACKSLASH) state.globIndex++
      state.globIndex++
    }
    return braces !== 0 ? 'invalid' : 'end'
  }

  const backtrack = (): void => {
    state.globIndex = state.wildcardGlob
    state.pathIndex = state.wildcardPath
  }

  // Brent's cycle detection: the full machine state is compared with a snapshot that is
  // re-taken at power-of-two intervals. Comparisons exit on the first differing field, so
  // terminating inputs pay about one or two integer comparisons per step.
  const snapshot = newState()
  let snapshotTaken = false
  let snapshotBraceLength = 0
  let snapshotLongest = 0
  let snapshotStack: State[] | null = null
  let power = 1
  let lambda = 1

  const sameAsSnapshot = (): boolean => {
    if (
      !snapshotTaken ||
      state.pathIndex !== snapshot.pathIndex ||
      state.globIndex !== snapshot.globIndex ||
      state.wildcardPath !== snapshot.wildcardPath ||
      state.wildcardGlob !== snapshot.wildcardGlob ||
      state.globstarPath !== snapshot.globstarPath ||
      state.globstarGlob !== snapshot.globstarGlob ||
      braceLength !== snapshotBraceLength ||
      longestBraceMatch !== snapshotLongest
    ) {
      return false
    }
    for (let i = 0; i < braceLength; i++) {
      const a = braceStack![i]
      const b = snapshotStack![i]
      if (
        a.pathIndex !== b.pathIndex ||
        a.globIndex !== b.globIndex ||
        a.wildcardPath !== b.wildcardPath ||
        a.wildcardGlob !== b.wildcardGlob ||
        a.globstarPath !== b.globstarPath ||
        a.globstarGlob !== b.globstarGlob
      ) {
        return false
      }
    }
    return true
  }

  const takeSnapshot = (): void => {
    snapshotTaken = true
    copyState(state, snapshot)
    snapshotBraceLength = braceLength
    snapshotLongest = longestBraceMatch
    if (braceLength > 0) {
      snapshotStack ??= Array.from({ length: MAX_BRACE_DEPTH }, newState)
      for (let i = 0; i < braceLength; i++) copyState(braceStack![i], snapshotStack[i])
    }
  }

  while (state.globIndex < globLen || state.pathIndex < pathLen) {
    if (++steps > maxSteps) return done(CAPPED, steps)
    if (sameAsSnapshot()) return done(LOOPS, steps)
    if (lambda === power) {
      takeSnapshot()
      power *= 2
      lambda = 0
    }
    lambda++
    if (state.globIndex < globLen) {
      const g = glob[state.globIndex]
      const havePath = state.pathIndex < pathLen

      if (g === 0x2a /* * */) {
        const isGlobstar = state.globIndex + 1 < globLen && glob[state.globIndex + 1] === 0x2a
        if (isGlobstar) {
          // Coalesce `**/**/**` into one globstar.
          state.globIndex = skipGlobstars(glob, globLen, state.globIndex + 2) - 2
        }
        state.wildcardGlob = state.globIndex
        state.wildcardPath = state.pathIndex + 1

        // `**` only crosses separators as a whole segment; `a**b` behaves like `a*b`.
        if (isGlobstar) {
          state.globIndex += 2
          if (globLen === state.globIndex) {
            // A trailing `**` without a following separator.
            state.globstarGlob = state.wildcardGlob
            state.globstarPath = state.wildcardPath
          } else if (
            (state.globIndex < 3 || glob[state.globIndex - 3] === SLASH) &&
            glob[state.globIndex] === SLASH
          ) {
            // A full `/**/` segment: make it optional so `a/**/b` matches `a/b`.
            if (state.pathIndex === 0 || (state.pathIndex < pathLen && path[state.pathIndex - 1] === SLASH)) {
              state.globIndex++
            }
            state.globstarGlob = state.wildcardGlob
            state.globstarPath = state.wildcardPath
          }
        } else {
          state.globIndex++
        }

        // A `*` that meets a separator either falls back to an earlier `**` or stops here.
        if (state.globstarPath !== state.wildcardPath && state.pathIndex < pathLen && path[state.pathIndex] === SLASH) {
          // The original does not jump back for a `/` at the very end of the path.
          if (state.globstarPath > 0 && state.pathIndex + 1 < pathLen) {
            state.globIndex = state.globstarGlob
            state.wildcardGlob = state.globstarGlob
          } else {
            state.wildcardPath = 0
          }
        }

        // A wildcard directly before `,` or `}` ends this brace option.
        if (
          braceLength > 0 &&
          state.globIndex < globLen &&
          (glob[state.globIndex] === 0x2c || glob[state.globIndex] === 0x7d)
        ) {
          if (skipBraces(false) === 'invalid') return done(NO_MATCH, steps)
        }
        continue
      }

      if (g === 0x3f /* ? */ && havePath) {
        if (path[state.pathIndex] !== SLASH) {
          state.globIndex++
          state.pathIndex++
          continue
        }
      } else if (g === 0x5b /* [ */ && havePath) {
        state.globIndex++
        const c = path[state.pathIndex]
        let classNegated = false
        if (state.globIndex < globLen && (glob[state.globIndex] === 0x5e || glob[state.globIndex] === 0x21)) {
          classNegated = true
          state.globIndex++
        }
        let first = true
        let isMatch = false
        // A `]` right after `[` (or `[!`) is a literal member, as in the original.
        while (state.globIndex < globLen && (first || glob[state.globIndex] !== 0x5d)) {
          let low = glob[state.globIndex]
          if (low === BACKSLASH) {
            state.globIndex++
            if (state.globIndex >= globLen) return done(NO_MATCH, steps)
            low = unescapeByte(glob[state.globIndex])
          }
          state.globIndex++
          let high = low
          if (state.globIndex + 1 < globLen && glob[state.globIndex] === 0x2d && glob[state.globIndex + 1] !== 0x5d) {
            state.globIndex++
            high = glob[state.globIndex]
            if (high === BACKSLASH) {
              state.globIndex++
              if (state.globIndex >= globLen) return done(NO_MATCH, steps)
              high = unescapeByte(glob[state.globIndex])
            }
            state.globIndex++
          }
          if (low <= c && c <= high) isMatch = true
          first = false
        }
        // An unclosed class is an invalid pattern.
        if (state.globIndex >= globLen) return done(NO_MATCH, steps)
        state.globIndex++
        if (isMatch !== classNegated) {
          state.pathIndex++
          continue
        }
      } else if (g === 0x7b /* { */ && havePath) {
        if (braceLength >= MAX_BRACE_DEPTH) return done(NO_MATCH, steps)
        pushBrace()
        continue
      } else if (g === 0x7d /* } */ && braceLength > 0) {
        // End of the last option: it matched.
        longestBraceMatch = Math.max(longestBraceMatch, state.pathIndex)
        state.globIndex++
        popBrace()
        continue
      } else if (g === 0x2c /* , */ && braceLength > 0) {
        // An option matched; still try the others in case one matches more of the path.
        longestBraceMatch = Math.max(longestBraceMatch, state.pathIndex)
        state.pathIndex = lastBrace().pathIndex
        state.globIndex++
        state.wildcardGlob = 0
        state.wildcardPath = 0
        state.globstarGlob = 0
        state.globstarPath = 0
        continue
      } else if (havePath) {
        let c = g
        if (c === BACKSLASH) {
          state.globIndex++
          if (state.globIndex >= globLen) return done(NO_MATCH, steps)
          c = unescapeByte(glob[state.globIndex])
        }
        if (path[state.pathIndex] === c) {
          if (braceLength > 0 && state.globIndex > 0 && glob[state.globIndex - 1] === 0x7d) {
            longestBraceMatch = state.pathIndex
            popBrace()
          }
          state.globIndex++
          state.pathIndex++
          // A literal other than `/` locks in the previous globstar.
          if (c !== SLASH) state.globstarPath = 0
          continue
        }
      }
    }

    // No progress: resume from the last wildcard if it can still consume a byte.
    if (state.wildcardPath > 0 && state.wildcardPath <= pathLen) {
      backtrack()
      continue
    }

    if (braceLength > 0) {
      // Inside braces: try the next option from where the `{` was seen.
      const skipped = skipBraces(true)
      if (skipped === 'invalid') return done(NO_MATCH, steps)
      if (skipped === 'comma') {
        state.pathIndex = lastBrace().pathIndex
        continue
      }
      if (longestBraceMatch > 0) {
        // An earlier option matched; continue after the group.
        popBrace()
        continue
      }
      // No option matched: restore the state from before `{` and fall back to its wildcard.
      copyState(lastBrace(), state)
      braceLength--
      if (state.wildcardPath > 0 && state.wildcardPath <= pathLen) {
        backtrack()
        continue
      }
    }

    return done(negated ? MATCH : NO_MATCH, steps)
  }

  return done(negated ? NO_MATCH : MATCH, steps)
}

function done(result: MatchResult, steps: number): MatchResult {
  lastSteps = steps
  return result
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
  while (index + 3 <= globLen && glob[index] === SLASH && glob[index + 1] === 0x2a && glob[index + 2] === 0x2a) {
    index += 3
  }
  return index
}
