/**
 * Lossless JSON for CLASP values, shared by the MQTT, HTTP, WebSocket-JSON and Socket.IO bridges
 * (bridges.md "deliberate differences" 14: a float 1.0 must come back as a float).
 *
 * The form is plain JSON that any JSON library reads, plus two conventions:
 *
 * | CLASP value        | JSON text                         | note                                   |
 * |--------------------|-----------------------------------|----------------------------------------|
 * | Int (bigint)       | `42`, `-7`, `9007199254740993`     | never a `.` or exponent                |
 * | Float (number)     | `1.0`, `0.5`, `-0.0`, `1e+21`      | always a `.` or exponent               |
 * | Float NaN / ±inf   | `{"$float":"NaN"}`, `"Infinity"`…  | JSON has no literal for them           |
 * | Bytes              | `{"$bytes":"<base64>"}`            |                                        |
 * | Null, Bool, String | `null`, `true`, `"text"`           |                                        |
 * | Array, Map         | `[...]`, `{...}`                   | a map whose only key is `$bytes`,      |
 * |                    |                                   | `$float`, `$int` or `$map` is escaped  |
 * |                    |                                   | as `{"$map":{...}}`                    |
 *
 * Reading: a number without `.`/exponent that fits i64 is an Int, every other number a Float.
 * `{"$float": 1}` and `{"$int": "123"}` are accepted so that JavaScript senders, whose
 * `JSON.stringify(1.0)` is `1`, can still say "float" (or an integer beyond 2^53).
 * `JSON.parse` cannot tell `1` from `1.0`, hence the small parser below.
 */
import type { ClaspValue } from '../generated/types.ts'

const TAGS = new Set(['$bytes', '$float', '$int', '$map'])
const MAX_DEPTH = 64
const I64_MIN = -(2n ** 63n)
const I64_MAX = 2n ** 63n - 1n

/** Input that is not (lossless) JSON; `offset` is where parsing stopped. */
export class JsonValueError extends Error {
  override name = 'JsonValueError'
  constructor(message: string, readonly offset: number) {
    super(`${message} at offset ${offset}`)
  }
}

// ---- writing --------------------------------------------------------------------------------

/** A float as JSON text that reads back as a float. */
function floatText(n: number): string {
  if (!Number.isFinite(n)) return `{"$float":"${Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity'}"}`
  if (Object.is(n, -0)) return '-0.0'
  const s = String(n)
  return /[.eE]/.test(s) ? s : `${s}.0`
}

function entries(v: object): [string, ClaspValue][] {
  return v instanceof Map ? [...(v as ReadonlyMap<string, ClaspValue>)] : Object.entries(v as Record<string, ClaspValue>)
}

/** CLASP value → lossless JSON text. */
export function toJsonText(v: ClaspValue): string {
  if (v === null) return 'null'
  switch (typeof v) {
    case 'boolean': return v ? 'true' : 'false'
    case 'bigint': return v.toString()
    case 'number': return floatText(v)
    case 'string': return JSON.stringify(v)
  }
  if (v instanceof Uint8Array) return `{"$bytes":"${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64')}"}`
  if (Array.isArray(v)) return `[${v.map(toJsonText).join(',')}]`
  const kv = entries(v)
  const body = `{${kv.map(([k, x]) => `${JSON.stringify(k)}:${toJsonText(x)}`).join(',')}}`
  return kv.length === 1 && TAGS.has(kv[0][0]) ? `{"$map":${body}}` : body
}

// ---- reading --------------------------------------------------------------------------------

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/y

class Parser {
  i = 0
  constructor(readonly s: string) {}

  fail(what: string): never {
    throw new JsonValueError(what, this.i)
  }

  ws(): void {
    for (;;) {
      const c = this.s.charCodeAt(this.i)
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.i++
      else return
    }
  }

  /** `raw`: leave a single-key object as it is (the body of a `$map` escape). */
  value(depth: number, raw = false): ClaspValue {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH}`)
    this.ws()
    const c = this.s[this.i]
    if (c === '{') return this.object(depth, raw)
    if (c === '[') return this.array(depth)
    if (c === '"') return this.string()
    for (const [word, v] of LITERALS) {
      if (this.s.startsWith(word, this.i)) {
        this.i += word.length
        return v
      }
    }
    return this.number()
  }

  /** Consume `c` (after white space) or fail. */
  expect(c: string, what: string): void {
    this.ws()
    if (this.s[this.i] !== c) this.fail(what)
    this.i++
  }

  number(): ClaspValue {
    NUMBER.lastIndex = this.i
    const m = NUMBER.exec(this.s)
    if (!m) this.fail(this.i >= this.s.length ? 'unexpected end of input' : `unexpected character ${JSON.stringify(this.s[this.i])}`)
    this.i += m[0].length
    if (m[1] === undefined && m[2] === undefined) {
      const n = BigInt(m[0])
      if (n >= I64_MIN && n <= I64_MAX) return n
    }
    return Number(m[0])
  }

  string(): string {
    const start = this.i
    this.i++
    for (;;) {
      const c = this.s.charCodeAt(this.i)
      if (Number.isNaN(c)) this.fail('unterminated string')
      if (c < 0x20) this.fail('control character in string')
      if (c === 0x5c) this.i += 2
      else if (c === 0x22) break
      else this.i++
    }
    this.i++
    try {
      return JSON.parse(this.s.slice(start, this.i)) as string
    } catch {
      this.i = start
      return this.fail('bad string escape')
    }
  }

  array(depth: number): ClaspValue[] {
    this.i++
    const out: ClaspValue[] = []
    this.ws()
    if (this.s[this.i] === ']') {
      this.i++
      return out
    }
    for (;;) {
      out.push(this.value(depth + 1))
      this.ws()
      if (this.s[this.i] === ']') {
        this.i++
        return out
      }
      this.expect(',', "expected ',' or ']'")
    }
  }

  object(depth: number, raw: boolean): ClaspValue {
    const at = this.i
    this.i++
    const out: Record<string, ClaspValue> = Object.create(null)
    let count = 0
    this.ws()
    if (this.s[this.i] === '}') {
      this.i++
      return out
    }
    for (;;) {
      this.ws()
      if (this.s[this.i] !== '"') this.fail('expected a string key')
      const key = this.string()
      this.expect(':', "expected ':'")
      // Only the value of a lone `$map` key is an escape body; in a bigger object (or in a body)
      // `$map` is an ordinary key. Decided before parsing, as the value's decoding depends on it.
      out[key] = this.value(depth + 1, !raw && key === '$map' && count === 0 && this.lastInObject())
      count++
      this.ws()
      if (this.s[this.i] === '}') {
        this.i++
        break
      }
      this.expect(',', "expected ',' or '}'")
    }
    return count === 1 && !raw ? untag(out, at) : out
  }

  /** Is the value starting here the last one of its object? A bracket-counting scan, no parsing. */
  lastInObject(): boolean {
    const s = this.s
    let depth = 0
    for (let j = this.i; j < s.length; j++) {
      const c = s[j]
      if (c === '"') {
        for (j++; j < s.length && s[j] !== '"'; j++) if (s[j] === '\\') j++
      } else if (c === '{' || c === '[') depth++
      else if (c === '}' || c === ']') {
        if (depth === 0) return c === '}'
        depth--
      } else if (c === ',' && depth === 0) return false
    }
    return false
  }
}

const LITERALS: Array<[string, ClaspValue]> = [['true', true], ['false', false], ['null', null]]

/** Decode a single-key tagged object (`$bytes`, `$float`, `$int`, `$map`); others pass through. */
function untag(obj: Record<string, ClaspValue>, at: number): ClaspValue {
  const [key] = Object.keys(obj)
  const v = obj[key]
  const bad = (): never => {
    throw new JsonValueError(`bad ${key} value`, at)
  }
  switch (key) {
    case '$bytes':
      if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) return bad()
      return new Uint8Array(Buffer.from(v, 'base64'))
    case '$float':
      if (typeof v === 'number') return v
      if (typeof v === 'bigint') return Number(v)
      if (v === 'NaN') return NaN
      if (v === 'Infinity') return Infinity
      if (v === '-Infinity') return -Infinity
      return bad()
    case '$int':
      if (typeof v === 'bigint') return v
      if (typeof v === 'string' && /^-?\d+$/.test(v) && BigInt(v) >= I64_MIN && BigInt(v) <= I64_MAX) return BigInt(v)
      return bad()
    case '$map':
      return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array) ? v : bad()
    default:
      return obj
  }
}

/** Lossless JSON text → CLASP value. Throws `JsonValueError` on anything that is not JSON. */
export function parseJsonValue(text: string): ClaspValue {
  const p = new Parser(text)
  const v = p.value(0)
  p.ws()
  if (p.i !== text.length) p.fail('unexpected text after the value')
  return v
}

// ---- already-parsed JavaScript (Socket.IO, typed messages) -----------------------------------

/**
 * A JavaScript value (as Socket.IO delivers it) → CLASP value. Integral numbers are Ints unless
 * `numbers` is `float`; Buffers and typed arrays are Bytes; objects are maps; tags are honoured.
 * Returns undefined for what has no CLASP form (functions, symbols, undefined).
 */
export function fromJsonable(x: unknown, numbers: 'auto' | 'float' = 'auto', depth = 0, raw = false): ClaspValue | undefined {
  if (depth > MAX_DEPTH) return undefined
  if (x === null) return null
  switch (typeof x) {
    case 'boolean':
    case 'string':
      return x
    case 'bigint':
      return x
    case 'number':
      return numbers === 'auto' && Number.isSafeInteger(x) && !Object.is(x, -0) ? BigInt(x) : x
    case 'object':
      break
    default:
      return undefined
  }
  if (x instanceof Uint8Array) return new Uint8Array(x)
  if (x instanceof ArrayBuffer) return new Uint8Array(x.slice(0))
  if (ArrayBuffer.isView(x)) return new Uint8Array(x.buffer.slice(x.byteOffset, x.byteOffset + x.byteLength))
  if (Array.isArray(x)) {
    const out: ClaspValue[] = []
    for (const e of x) {
      const v = fromJsonable(e, numbers, depth + 1)
      out.push(v === undefined ? null : v)
    }
    return out
  }
  // Entries without a CLASP form are left out, and do not count for the tag rules.
  const kept = Object.entries(x as object).filter(([, e]) => depth < MAX_DEPTH && !['undefined', 'function', 'symbol'].includes(typeof e))
  const out: Record<string, ClaspValue> = Object.create(null)
  for (const [k, e] of kept) {
    // Only the value of a lone `$map` key is an escape body (see the parser).
    out[k] = fromJsonable(e, numbers, depth + 1, !raw && k === '$map' && kept.length === 1) as ClaspValue
  }
  if (kept.length === 1 && !raw) {
    try {
      return untag(out, 0)
    } catch {
      // a malformed tag ({"$bytes": 5}) stays an ordinary map
    }
  }
  return out
}

/**
 * CLASP value → a JavaScript value for Socket.IO: safe Ints become numbers (larger ones
 * `{"$int":"…"}`), non-finite floats `{"$float":"NaN"}`, Bytes a Buffer (a binary attachment).
 */
export function toJsonable(v: ClaspValue): unknown {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : { $int: v.toString() }
  if (typeof v === 'number') return Number.isFinite(v) ? v : { $float: Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity' }
  if (v instanceof Uint8Array) return Buffer.from(v)
  if (Array.isArray(v)) return v.map(toJsonable)
  const kv = entries(v)
  const obj = Object.fromEntries(kv.map(([k, x]) => [k, toJsonable(x)]))
  return kv.length === 1 && TAGS.has(kv[0][0]) ? { $map: obj } : obj
}

// ---- MQTT payloads ---------------------------------------------------------------------------

/** How values are written as MQTT payloads. */
export type PayloadFormat = 'json' | 'raw'

const utf8 = new TextDecoder('utf-8', { fatal: true })
const FLOAT_WORD = /^[-+]?(?:nan|inf|infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)$/i

/**
 * MQTT payload → value, never failing (bridges.md §3 order, made lossless):
 * empty → Null; not UTF-8 → Bytes; lossless JSON → its value; a number word (`NaN`, `inf`,
 * `+1`) → Float; anything else → String.
 */
export function payloadToValue(payload: Uint8Array): ClaspValue {
  if (payload.length === 0) return null
  let text: string
  try {
    text = utf8.decode(payload)
  } catch {
    return new Uint8Array(payload)
  }
  try {
    return parseJsonValue(text)
  } catch {
    const t = text.trim()
    if (FLOAT_WORD.test(t)) return /nan/i.test(t) ? NaN : /inf/i.test(t) ? (t.startsWith('-') ? -Infinity : Infinity) : Number(t)
    return text
  }
}

/**
 * Value → MQTT payload. `json` (default) is lossless for every value; `raw` sends Strings as
 * bare UTF-8 and Bytes as raw bytes (for plain-text devices), everything else as lossless JSON.
 */
export function valueToPayload(v: ClaspValue, format: PayloadFormat = 'json'): Buffer {
  if (format === 'raw') {
    if (typeof v === 'string') return Buffer.from(v, 'utf8')
    if (v instanceof Uint8Array) return Buffer.from(v)
  }
  return Buffer.from(toJsonText(v), 'utf8')
}
