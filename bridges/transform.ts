/**
 * The one transform layer every bridge shares (bridges.md §0, "mapping.rs/transform.rs"): an
 * address rewrite with `*` captures and a small chain of value operations, applied on the way in
 * (external → CLASP) and undone on the way out. Pure functions, testable without any protocol.
 *
 * A rule `{ match: '/osc/mixer/*', to: '/mixer/*', scale: { from: [0, 127], to: [0, 1] } }` turns
 * an OSC-side `/osc/mixer/fader1 = 64` into `/mixer/fader1 = 0.504`, and a CLASP `/mixer/fader1 = 1`
 * back into `/osc/mixer/fader1 = 127` for output. Each `*` captures one segment; `**` captures the
 * rest of the address; captures are substituted in order.
 */
import type { ClaspValue } from '../generated/types.ts'

export interface TransformRule {
  /** Address pattern on the external side (`*` one segment, `**` the rest). */
  match: string
  /** CLASP-side address with the same wildcards, filled from the captures; default: unchanged. */
  to?: string
  /** Linear map from the external range to the CLASP range (numbers only). */
  scale?: { from: [number, number]; to: [number, number] }
  /** Clamp the CLASP-side value to [min, max] after scaling. */
  clamp?: [number, number]
  /** 1 − x on the CLASP side (after scale and clamp). */
  invert?: boolean
  /** Round the external-side value to an integer on output (e.g. DMX, MIDI). */
  integerOut?: boolean
  /** Apply to input, output or both (default both). */
  direction?: 'in' | 'out' | 'both'
}

/** Common normalisations, usable as `scale`. */
export const Normalize: Record<'dmx' | 'midi' | 'midi14', { from: [number, number]; to: [number, number] }> = {
  dmx: { from: [0, 255], to: [0, 1] },
  midi: { from: [0, 127], to: [0, 1] },
  midi14: { from: [0, 16383], to: [0, 1] },
}

interface Compiled {
  rule: TransformRule
  external: RegExp
  clasp: RegExp
}

function patternRegex(pattern: string): RegExp {
  let src = '^'
  for (const part of pattern.split(/(\*\*|\*)/)) {
    if (part === '**') src += '(.*)'
    else if (part === '*') src += '([^/]*)'
    else src += part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')
  }
  return new RegExp(`${src}$`)
}

function fill(template: string, captures: string[]): string {
  let i = 0
  return template.replace(/\*\*|\*/g, () => captures[i++] ?? '')
}

const lerp = (x: number, [a, b]: readonly [number, number], [c, d]: readonly [number, number]) => (b === a ? c : c + ((x - a) * (d - c)) / (b - a))

export class Transforms {
  private readonly rules: Compiled[]

  constructor(rules: readonly TransformRule[] = []) {
    this.rules = rules.map((rule) => ({ rule, external: patternRegex(rule.match), clasp: patternRegex(rule.to ?? rule.match) }))
  }

  /** External address and value → CLASP address and value. */
  inbound(address: string, value: ClaspValue): { address: string; value: ClaspValue } {
    for (const { rule, external } of this.rules) {
      if (rule.direction === 'out') continue
      const m = external.exec(address)
      if (!m) continue
      return { address: rule.to ? fill(rule.to, m.slice(1)) : address, value: mapNumber(value, (x) => this.valueIn(rule, x), rule.scale !== undefined) }
    }
    return { address, value }
  }

  /** CLASP address and value → external address and value (the inverse of `inbound`). */
  outbound(address: string, value: ClaspValue): { address: string; value: ClaspValue } {
    for (const { rule, clasp } of this.rules) {
      if (rule.direction === 'in') continue
      const m = clasp.exec(address)
      if (!m) continue
      return { address: rule.to ? fill(rule.match, m.slice(1)) : address, value: mapNumber(value, (x) => this.valueOut(rule, x), rule.scale !== undefined) }
    }
    return { address, value }
  }

  private valueIn(rule: TransformRule, x: number): number {
    let v = rule.scale ? lerp(x, rule.scale.from, rule.scale.to) : x
    if (rule.clamp) v = Math.min(rule.clamp[1], Math.max(rule.clamp[0], v))
    if (rule.invert) v = 1 - v
    return v
  }

  private valueOut(rule: TransformRule, x: number): number {
    let v = rule.invert ? 1 - x : x
    if (rule.clamp) v = Math.min(rule.clamp[1], Math.max(rule.clamp[0], v))
    if (rule.scale) {
      v = lerp(v, rule.scale.to, rule.scale.from)
      const [lo, hi] = [Math.min(...rule.scale.from), Math.max(...rule.scale.from)]
      v = Math.min(hi, Math.max(lo, v))
    }
    return rule.integerOut ? Math.round(v) : v
  }
}

/**
 * Apply `f` to a numeric value. A scaled integer is always a float (MIDI CC 0 and 64 both become
 * floats); an unscaled one stays an integer when the result is whole.
 */
function mapNumber(value: ClaspValue, f: (x: number) => number, scaled: boolean): ClaspValue {
  if (typeof value === 'number') return f(value)
  if (typeof value === 'bigint') {
    const x = Number(value)
    const out = f(x)
    // An unscaled Int the rule left as it was (a rename, a clamp it is inside) keeps all 64 bits;
    // going through a double would round anything beyond 2^53.
    if (!scaled && out === x) return value
    return !scaled && Number.isInteger(out) ? BigInt(out) : out
  }
  return value
}
