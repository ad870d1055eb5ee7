/** Helpers over CLASP values and times. */
import type { ClaspValue } from '../../generated/types.ts'

/** Milliseconds (float) → integer microseconds. */
export function msToMicros(ms: number): bigint {
  return BigInt(Math.round(ms * 1000))
}

/** Accept µs as bigint or number (rounded). */
export function toMicros(v: bigint | number): bigint {
  return typeof v === 'bigint' ? v : BigInt(Math.round(v))
}

/** Structural equality as the wire sees it (maps compare by keys, bytes by content). */
export function valueEquals(a: ClaspValue | undefined, b: ClaspValue | undefined): boolean {
  if (a === b) return true
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b)
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array && b instanceof Uint8Array) || a.length !== b.length) return false
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
    return true
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!(Array.isArray(a) && Array.isArray(b)) || a.length !== b.length) return false
    return a.every((x, i) => valueEquals(x, b[i]))
  }
  const ea = entriesOf(a)
  const eb = new Map(entriesOf(b))
  if (ea.length !== eb.size) return false
  return ea.every(([k, v]) => eb.has(k) && valueEquals(v, eb.get(k)))
}

function entriesOf(v: object): [string, ClaspValue][] {
  return v instanceof Map ? [...(v as ReadonlyMap<string, ClaspValue>)] : Object.entries(v as Record<string, ClaspValue>)
}
