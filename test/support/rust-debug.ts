/**
 * A parser for Rust `{:?}` (`Debug`) renderings, as found in the golden vectors' `rust.decoded`,
 * `rust_message`, `rust_redecoded` and `rust_decode.decoded` fields (vectors README §1.6), e.g.
 *
 *   Set(SetMessage { address: "/x", value: Map({"k": Int(1)}), revision: Some(9007199254740993),
 *   lock: false, unlock: false, ttl: Some(Sliding(35)) })
 *
 * into a generic tree. Integers stay exact (`bigint`) because u64 revisions and i64 values above
 * 2^53 are the point of several vectors; floats become JS numbers (`NaN`, `inf`, `-inf`, `-0.0`
 * included) and keep their source text. Both the compact and the pretty (`{:#?}`) forms are
 * accepted: whitespace is insignificant and trailing commas are allowed.
 */

/** A node of a parsed Rust `Debug` rendering. */
export type RustNode =
  /** `Name { field: value, ... }` (field order kept by the Map). */
  | { readonly kind: 'struct'; readonly name: string; readonly fields: Map<string, RustNode> }
  /** `Name(a, b)` such as `Some(x)` or `Int(1)`; `name` is null for anonymous tuples `(0.0, 1.0)`. */
  | { readonly kind: 'tuple'; readonly name: string | null; readonly items: RustNode[] }
  /** A bare identifier: unit variants and structs (`None`, `Ping`, `Event`, `Never`). */
  | { readonly kind: 'unit'; readonly name: string }
  /** `[a, b]` (Vec, slices, arrays). */
  | { readonly kind: 'list'; readonly items: RustNode[] }
  /** `{k: v, ...}` (HashMap, BTreeMap), entries in written order. */
  | { readonly kind: 'map'; readonly entries: [RustNode, RustNode][] }
  /** `{a, b}` (HashSet, BTreeSet). `{}` is always read as an empty map. */
  | { readonly kind: 'set'; readonly items: RustNode[] }
  | { readonly kind: 'str'; readonly value: string }
  /** A `char` literal such as `'a'`. */
  | { readonly kind: 'char'; readonly value: string }
  | { readonly kind: 'int'; readonly value: bigint }
  /** `text` is the literal as written, e.g. `1.0`, `9.223372036854776e18`, `NaN`, `-inf`. */
  | { readonly kind: 'float'; readonly value: number; readonly text: string }
  | { readonly kind: 'bool'; readonly value: boolean }

/** Malformed input: the message names the offset and shows the text around it. */
export class RustDebugSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    text: string,
  ) {
    const from = Math.max(0, offset - 30)
    const context = text.slice(from, offset) + '⟨here⟩' + text.slice(offset, offset + 30)
    super(`Rust Debug syntax error at offset ${offset}: ${message} (near ${JSON.stringify(context)})`)
    this.name = 'RustDebugSyntaxError'
  }
}

/**
 * Parse one complete Rust `Debug` rendering.
 *
 * @throws RustDebugSyntaxError on malformed input, including trailing text after the value.
 */
export function parseRustDebug(text: string): RustNode {
  const parser = new Parser(text)
  const node = parser.value()
  parser.end()
  return node
}

/**
 * Render a node back in Rust's compact `Debug` style. For strings written by Rust itself
 * `formatRustDebug(parseRustDebug(s)) === s`, which the tests use to prove nothing is lost.
 */
export function formatRustDebug(node: RustNode): string {
  switch (node.kind) {
    case 'struct': {
      if (node.fields.size === 0) return node.name
      const fields = [...node.fields].map(([k, v]) => `${k}: ${formatRustDebug(v)}`)
      return `${node.name} { ${fields.join(', ')} }`
    }
    case 'tuple': {
      const items = node.items.map(formatRustDebug)
      // A one-element anonymous tuple needs its trailing comma: `(x,)`.
      if (node.name === null && items.length === 1) return `(${items[0]},)`
      return `${node.name ?? ''}(${items.join(', ')})`
    }
    case 'unit':
      return node.name
    case 'list':
      return `[${node.items.map(formatRustDebug).join(', ')}]`
    case 'map':
      return `{${node.entries.map(([k, v]) => `${formatRustDebug(k)}: ${formatRustDebug(v)}`).join(', ')}}`
    case 'set':
      return `{${node.items.map(formatRustDebug).join(', ')}}`
    case 'str':
      return `"${escapeRust(node.value, '"')}"`
    case 'char':
      return `'${escapeRust(node.value, "'")}'`
    case 'int':
      return node.value.toString()
    case 'float':
      return node.text
    case 'bool':
      return String(node.value)
  }
}

/** Rust's `escape_debug` for the characters it escapes in practice; other text stays raw. */
function escapeRust(s: string, quote: '"' | "'"): string {
  let out = ''
  for (const ch of s) {
    const c = ch.codePointAt(0)!
    if (ch === quote || ch === '\\') out += '\\' + ch
    else if (ch === '\n') out += '\\n'
    else if (ch === '\r') out += '\\r'
    else if (ch === '\t') out += '\\t'
    else if (c === 0) out += '\\0'
    else if (c < 0x20 || c === 0x7f) out += `\\u{${c.toString(16)}}`
    else out += ch
  }
  return out
}

const IDENT_START = /[A-Za-z_]/
const IDENT_CONT = /[A-Za-z0-9_]/
const DIGIT = /[0-9]/
// An optionally signed decimal number: digits, optional fraction, optional exponent.
const NUMBER = /-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/y
const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '0': '\0', '\\': '\\', '"': '"', "'": "'" }

class Parser {
  private pos = 0

  constructor(private readonly text: string) {}

  /** Require that only whitespace remains. */
  end(): void {
    this.skipSpace()
    if (this.pos < this.text.length) this.fail('unexpected text after the value')
  }

  value(): RustNode {
    this.skipSpace()
    const c = this.text[this.pos]
    if (c === undefined) this.fail('unexpected end of input, expected a value')
    if (c === '"') return { kind: 'str', value: this.quoted('"') }
    if (c === "'") {
      const value = this.quoted("'")
      if ([...value].length !== 1) this.fail('a char literal must hold exactly one character')
      return { kind: 'char', value }
    }
    if (c === '[') return { kind: 'list', items: this.sequence('[', ']') }
    if (c === '{') return this.braced()
    if (c === '(') return { kind: 'tuple', name: null, items: this.sequence('(', ')') }
    if (c === '-' || DIGIT.test(c)) return this.number()
    if (IDENT_START.test(c)) return this.named()
    return this.fail(`unexpected character ${JSON.stringify(c)}`)
  }

  /** An identifier, then: `{ fields }` (struct), `( items )` (tuple) or nothing (unit). */
  private named(): RustNode {
    const start = this.pos
    const name = this.ident()
    switch (name) {
      case 'true':
        return { kind: 'bool', value: true }
      case 'false':
        return { kind: 'bool', value: false }
      case 'NaN':
        return { kind: 'float', value: NaN, text: name }
      case 'inf':
        return { kind: 'float', value: Infinity, text: name }
    }
    this.skipSpace()
    const c = this.text[this.pos]
    if (c === '(') return { kind: 'tuple', name, items: this.sequence('(', ')') }
    if (c === '{') return { kind: 'struct', name, fields: this.structFields() }
    if (this.text.startsWith('::', this.pos)) {
      this.pos = start
      this.fail('paths (`a::b`) do not occur in Debug output')
    }
    return { kind: 'unit', name }
  }

  private structFields(): Map<string, RustNode> {
    const fields = new Map<string, RustNode>()
    this.expect('{')
    for (;;) {
      this.skipSpace()
      if (this.eat('}')) return fields
      const at = this.pos
      if (!IDENT_START.test(this.text[this.pos] ?? '')) this.fail('expected a field name or `}`')
      const field = this.ident()
      if (fields.has(field)) {
        this.pos = at
        this.fail(`duplicate field ${field}`)
      }
      this.skipSpace()
      this.expect(':')
      fields.set(field, this.value())
      if (!this.separator('}')) return fields
    }
  }

  /** `{...}` is a map (`k: v` entries) or a set (plain items); `{}` reads as an empty map. */
  private braced(): RustNode {
    this.expect('{')
    this.skipSpace()
    if (this.eat('}')) return { kind: 'map', entries: [] }
    const first = this.value()
    this.skipSpace()
    if (this.text[this.pos] === ':') {
      const entries: [RustNode, RustNode][] = []
      let key = first
      for (;;) {
        this.skipSpace()
        this.expect(':')
        entries.push([key, this.value()])
        if (!this.separator('}')) return { kind: 'map', entries }
        key = this.value()
      }
    }
    const items = [first]
    while (this.separator('}')) items.push(this.value())
    return { kind: 'set', items }
  }

  /** Items between `open` and `close`, comma separated, trailing comma allowed. */
  private sequence(open: string, close: string): RustNode[] {
    const items: RustNode[] = []
    this.expect(open)
    this.skipSpace()
    if (this.eat(close)) return items
    for (;;) {
      items.push(this.value())
      if (!this.separator(close)) return items
    }
  }

  /**
   * After an item: consume `,` (returning true if another item follows) or the closing
   * delimiter (returning false). A trailing `,` before the delimiter is accepted.
   */
  private separator(close: string): boolean {
    this.skipSpace()
    if (this.eat(close)) return false
    if (!this.eat(',')) this.fail(`expected \`,\` or \`${close}\``)
    this.skipSpace()
    return !this.eat(close)
  }

  private number(): RustNode {
    const start = this.pos
    if (this.text.startsWith('-inf', start) && !IDENT_CONT.test(this.text[start + 4] ?? '')) {
      this.pos += 4
      return { kind: 'float', value: -Infinity, text: '-inf' }
    }
    NUMBER.lastIndex = start
    const m = NUMBER.exec(this.text)
    if (m === null) return this.fail('malformed number')
    this.pos = start + m[0].length
    // Rust renders every float with a `.` or an exponent (`1.0`, `5e-324`), never as `1`.
    if (IDENT_CONT.test(this.text[this.pos] ?? '') || this.text[this.pos] === '.') this.fail('malformed number')
    const text = m[0]
    if (m[1] === undefined && m[2] === undefined) return { kind: 'int', value: BigInt(text) }
    return { kind: 'float', value: Number(text), text }
  }

  private quoted(quote: '"' | "'"): string {
    this.expect(quote)
    let out = ''
    for (;;) {
      const c = this.text[this.pos]
      if (c === undefined) this.fail(`unterminated ${quote === '"' ? 'string' : 'char'} literal`)
      this.pos++
      if (c === quote) return out
      if (c !== '\\') {
        out += c
        continue
      }
      const e = this.text[this.pos]
      if (e !== undefined && Object.hasOwn(SIMPLE_ESCAPES, e)) {
        out += SIMPLE_ESCAPES[e]
        this.pos++
      } else if (e === 'u' && this.text[this.pos + 1] === '{') {
        const close = this.text.indexOf('}', this.pos)
        const hex = close === -1 ? '' : this.text.slice(this.pos + 2, close)
        if (!/^[0-9a-fA-F]{1,6}$/.test(hex)) this.fail('malformed \\u{...} escape')
        const cp = parseInt(hex, 16)
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) this.fail('\\u{...} escape is not a Unicode scalar value')
        out += String.fromCodePoint(cp)
        this.pos = close + 1
      } else {
        this.pos--
        this.fail(`unknown escape \\${e ?? ''}`)
      }
    }
  }

  private ident(): string {
    const start = this.pos
    while (this.pos < this.text.length && IDENT_CONT.test(this.text[this.pos])) this.pos++
    return this.text.slice(start, this.pos)
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) this.pos++
  }

  private eat(s: string): boolean {
    if (!this.text.startsWith(s, this.pos)) return false
    this.pos += s.length
    return true
  }

  private expect(s: string): void {
    if (!this.eat(s)) this.fail(`expected \`${s}\``)
  }

  private fail(message: string): never {
    throw new RustDebugSyntaxError(message, this.pos, this.text)
  }
}
