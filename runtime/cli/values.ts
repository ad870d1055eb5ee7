/**
 * CLASP values on the command line. Typed forms are explicit (`--type`); by default a value is
 * read the way a person means it: `42` an integer (i64), `0.5` or `1e3` a float, `true`/`false`,
 * `null`, JSON arrays and objects, anything else a string.
 */
import type { ClaspValue } from '../../generated/types.ts'
import { UsageError } from './args.ts'

export type ValueType = 'auto' | 'int' | 'float' | 'string' | 'bool' | 'json'

export function parseValue(text: string, type: ValueType = 'auto'): ClaspValue {
  switch (type) {
    case 'string': return text
    case 'int':
      if (!/^-?\d+$/.test(text)) throw new UsageError(`'${text}' is not an integer`)
      return BigInt(text)
    case 'float': {
      const n = Number(text)
      if (text.trim() === '' || Number.isNaN(n) && text !== 'NaN') throw new UsageError(`'${text}' is not a number`)
      return n
    }
    case 'bool':
      if (text !== 'true' && text !== 'false') throw new UsageError(`'${text}' is not true or false`)
      return text === 'true'
    case 'json':
      try {
        return fromJson(JSON.parse(text))
      } catch {
        throw new UsageError(`'${text}' is not valid JSON`)
      }
  }
  if (/^-?\d+$/.test(text) && BigInt.asIntN(64, BigInt(text)) === BigInt(text)) return BigInt(text)
  if (/^-?(\d+\.\d*|\.\d+|\d+(\.\d*)?[eE][-+]?\d+)$/.test(text)) return Number(text)
  if (text === 'true' || text === 'false') return text === 'true'
  if (text === 'null') return null
  if (/^[[{]/.test(text)) {
    try {
      return fromJson(JSON.parse(text))
    } catch {
      // not JSON: a string that happens to start with a bracket
    }
  }
  return text
}

/** JSON → value: integral numbers stay floats (JSON has no int type); objects become maps. */
function fromJson(x: unknown): ClaspValue {
  if (Array.isArray(x)) return x.map(fromJson)
  if (x !== null && typeof x === 'object') {
    const m: Record<string, ClaspValue> = Object.create(null)
    for (const [k, v] of Object.entries(x)) m[k] = fromJson(v)
    return m
  }
  return x as ClaspValue
}

/** A value as one line of text: JSON-like, integers without a decimal point, bytes as hex. */
export function formatValue(v: unknown): string {
  return JSON.stringify(toJsonable(v))
}

export function toJsonable(v: unknown): unknown {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString()
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v)
  if (v instanceof Uint8Array) return { bytes: Buffer.from(v).toString('hex') }
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [k, toJsonable(x)]))
  if (Array.isArray(v)) return v.map(toJsonable)
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJsonable(x)]))
  return v
}
