/**
 * The Rust `Debug` parser used to read the golden vectors' authoritative content
 * (vectors README §1.6): every Debug string in test/fixtures/vectors.json must parse, and print
 * back identically, plus focused cases for the tricky literals.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import { type RustNode, RustDebugSyntaxError, formatRustDebug, parseRustDebug } from './rust-debug.ts'

interface VectorDebugFields {
  name: string
  rust?: { decoded?: string }
  rust_message?: string
  rust_redecoded?: string
  rust_decode?: { status: string; decoded?: string }
}

const vectors = JSON.parse(
  readFileSync(fileURLToPath(new URL('../fixtures/vectors.json', import.meta.url)), 'utf8'),
) as VectorDebugFields[]

/** Every Debug string in the vectors, labelled by vector name and field. */
function debugStrings(): [string, string][] {
  const out: [string, string][] = []
  for (const v of vectors) {
    if (v.rust?.decoded !== undefined) out.push([`${v.name} rust.decoded`, v.rust.decoded])
    if (v.rust_message !== undefined) out.push([`${v.name} rust_message`, v.rust_message])
    if (v.rust_redecoded !== undefined) out.push([`${v.name} rust_redecoded`, v.rust_redecoded])
    if (v.rust_decode?.status === 'ok' && v.rust_decode.decoded !== undefined) {
      out.push([`${v.name} rust_decode.decoded`, v.rust_decode.decoded])
    }
  }
  return out
}

/** Navigate `Variant(Struct { ... })` to one field. */
function field(node: RustNode, name: string): RustNode {
  const inner = node.kind === 'tuple' ? node.items[0] : node
  if (inner.kind !== 'struct') throw new Error(`not a struct: ${inner.kind}`)
  const f = inner.fields.get(name)
  if (f === undefined) throw new Error(`no field ${name}`)
  return f
}

/** The payload of `Name(x)`. */
function inner(node: RustNode, name: string): RustNode {
  expect(node.kind).toBe('tuple')
  if (node.kind !== 'tuple') throw new Error('unreachable')
  expect(node.name).toBe(name)
  expect(node.items).toHaveLength(1)
  return node.items[0]
}

function floatOf(text: string): number {
  const node = inner(parseRustDebug(text), 'Float')
  if (node.kind !== 'float') throw new Error(`expected float, got ${node.kind}`)
  return node.value
}

describe('every Rust Debug string in vectors.json [vectors README §1.6]', () => {
  const all = debugStrings()

  test('the fixture holds the expected number of Debug strings', () => {
    // 117 rust.decoded + 53 rust_message + 51 rust_redecoded + 30 rust_decode.decoded (ok).
    expect(all).toHaveLength(251)
  })

  test.each(all)('%s parses and prints back identically', (_label, text) => {
    const node = parseRustDebug(text)
    expect(formatRustDebug(node)).toBe(text)
  })
})

describe('integers stay exact', () => {
  test('u64 above 2^53 (set_revision_bigint_above_2pow53)', () => {
    const node = parseRustDebug(
      'Set(SetMessage { address: "/x", value: Null, revision: Some(9007199254740993), lock: false, unlock: false, ttl: None })',
    )
    expect(inner(field(node, 'revision'), 'Some')).toEqual({ kind: 'int', value: 9007199254740993n })
    expect(field(node, 'value')).toEqual({ kind: 'unit', name: 'Null' })
    expect(field(node, 'lock')).toEqual({ kind: 'bool', value: false })
    expect(field(node, 'ttl')).toEqual({ kind: 'unit', name: 'None' })
  })

  test('i64 extremes and u64 max', () => {
    expect(inner(parseRustDebug('Int(9223372036854775807)'), 'Int')).toEqual({ kind: 'int', value: 9223372036854775807n })
    expect(inner(parseRustDebug('Int(-9223372036854775808)'), 'Int')).toEqual({ kind: 'int', value: -9223372036854775808n })
    expect(parseRustDebug('18446744073709551615')).toEqual({ kind: 'int', value: 18446744073709551615n })
  })

  test('Bytes([0, 1, 254, 255]) is a list of ints', () => {
    expect(inner(parseRustDebug('Bytes([0, 1, 254, 255])'), 'Bytes')).toEqual({
      kind: 'list',
      items: [0n, 1n, 254n, 255n].map((value) => ({ kind: 'int', value })),
    })
    expect(inner(parseRustDebug('Bytes([])'), 'Bytes')).toEqual({ kind: 'list', items: [] })
  })
})

describe('floats', () => {
  test('ints and floats are told apart by `.`, `e`, `inf`, `NaN`', () => {
    expect(parseRustDebug('42').kind).toBe('int')
    expect(parseRustDebug('42.0')).toEqual({ kind: 'float', value: 42, text: '42.0' })
    expect(parseRustDebug('5e-324')).toEqual({ kind: 'float', value: 5e-324, text: '5e-324' })
  })

  test('special values', () => {
    expect(floatOf('Float(NaN)')).toBeNaN()
    expect(floatOf('Float(inf)')).toBe(Infinity)
    expect(floatOf('Float(-inf)')).toBe(-Infinity)
    expect(Object.is(floatOf('Float(-0.0)'), -0)).toBe(true)
    expect(Object.is(floatOf('Float(0.0)'), 0)).toBe(true)
  })

  test('exponent forms and extremes', () => {
    expect(floatOf('Float(9.223372036854776e18)')).toBe(9223372036854775808)
    expect(floatOf('Float(1.7976931348623157e308)')).toBe(Number.MAX_VALUE)
    expect(floatOf('Float(0.10000000149011612)')).toBe(Math.fround(0.1))
    expect(floatOf('Float(1e-7)')).toBe(1e-7)
    expect(floatOf('Float(-2.5E+3)')).toBe(-2500)
  })
})

describe('structure', () => {
  test('anonymous tuples, Some and nested structs (announce range)', () => {
    const node = parseRustDebug('SignalMeta { unit: Some("%"), range: Some((0.0, 1.0)), default: Some(Float(0.5)), description: None }')
    expect(inner(field(node, 'range'), 'Some')).toEqual({
      kind: 'tuple',
      name: null,
      items: [
        { kind: 'float', value: 0, text: '0.0' },
        { kind: 'float', value: 1, text: '1.0' },
      ],
    })
    expect(parseRustDebug('(1,)')).toEqual({ kind: 'tuple', name: null, items: [{ kind: 'int', value: 1n }] })
    expect(parseRustDebug('()')).toEqual({ kind: 'tuple', name: null, items: [] })
  })

  test('unit variants: Ping, Event, Never, DeclareNamespaces', () => {
    for (const name of ['Ping', 'Event', 'Never', 'DeclareNamespaces', 'None']) {
      expect(parseRustDebug(name)).toEqual({ kind: 'unit', name })
    }
  })

  test('map entries keep their written order; bare maps as struct fields', () => {
    const node = parseRustDebug('Map({"k": Int(1), "a": Float(NaN), "0": Null})')
    const map = inner(node, 'Map')
    if (map.kind !== 'map') throw new Error('expected map')
    expect(map.entries.map(([k]) => (k.kind === 'str' ? k.value : '?'))).toEqual(['k', 'a', '0'])

    const sync = parseRustDebug(
      'FederationSync(FederationSyncMessage { op: DeclareNamespaces, patterns: ["/a"], revisions: {"/x": 7}, since_revision: None, origin: Some("r") })',
    )
    expect(field(sync, 'op')).toEqual({ kind: 'unit', name: 'DeclareNamespaces' })
    expect(field(sync, 'patterns')).toEqual({ kind: 'list', items: [{ kind: 'str', value: '/a' }] })
    expect(field(sync, 'revisions')).toEqual({ kind: 'map', entries: [[{ kind: 'str', value: '/x' }, { kind: 'int', value: 7n }]] })
    expect(parseRustDebug('{}')).toEqual({ kind: 'map', entries: [] })
  })

  test('struct fields keep their order and TTL enums parse as tuples', () => {
    const node = parseRustDebug('SetMessage { address: "/x", ttl: Some(Sliding(35)), lock: true }')
    if (node.kind !== 'struct') throw new Error('expected struct')
    expect([...node.fields.keys()]).toEqual(['address', 'ttl', 'lock'])
    expect(inner(inner(node.fields.get('ttl')!, 'Some'), 'Sliding')).toEqual({ kind: 'int', value: 35n })
  })

  test('sets and chars', () => {
    expect(parseRustDebug('{1, 2}')).toEqual({ kind: 'set', items: [{ kind: 'int', value: 1n }, { kind: 'int', value: 2n }] })
    expect(parseRustDebug("'x'")).toEqual({ kind: 'char', value: 'x' })
    expect(parseRustDebug("'\\''")).toEqual({ kind: 'char', value: "'" })
  })

  test('pretty-printed ({:#?}) input with trailing commas', () => {
    const pretty = `Set(
    SetMessage {
        address: "/x",
        value: Map(
            {
                "k": Int(
                    1,
                ),
            },
        ),
        revision: None,
    },
)`
    expect(formatRustDebug(parseRustDebug(pretty))).toBe('Set(SetMessage { address: "/x", value: Map({"k": Int(1)}), revision: None })')
  })
})

describe('strings', () => {
  const str = (text: string) => {
    const node = parseRustDebug(text)
    if (node.kind !== 'str') throw new Error('expected str')
    return node.value
  }

  test('Rust escapes', () => {
    expect(str(String.raw`"a\"b\\c\nd\re\tf\0g\'h"`)).toBe('a"b\\c\nd\re\tf\0g\'h')
    expect(str(String.raw`"\u{1f30d} \u{0} \u{7f} \u{1b}"`)).toBe('🌍 \u0000 \u007f \u001b')
  })

  test('raw unicode, including astral characters', () => {
    expect(str('"héllo 🌍 日本"')).toBe('héllo 🌍 日本')
    expect(str('"/日本/値"')).toBe('/日本/値')
  })

  test('escapes print back the way Rust writes them', () => {
    const text = String.raw`String("a\"b\\c\nd\u{1b}")`
    expect(formatRustDebug(parseRustDebug(text))).toBe(text)
  })
})

describe('malformed input throws a RustDebugSyntaxError', () => {
  const bad: [string, string][] = [
    ['empty input', ''],
    ['unterminated string', '"abc'],
    ['unknown escape', String.raw`"\q"`],
    ['bad \\u escape', String.raw`"\u{zz}"`],
    ['surrogate \\u escape', String.raw`"\u{d800}"`],
    ['missing comma', 'Foo { a: 1 b: 2 }'],
    ['missing colon', 'Foo { a 1 }'],
    ['unclosed tuple', 'Some(1'],
    ['unclosed list', '[1, 2'],
    ['trailing text', 'Ping Pong'],
    ['stray closer', 'Ping)'],
    ['malformed number', '1.'],
    ['number glued to a name', '12abc'],
    ['map then set item', '{"a": 1, 2}'],
    ['duplicate field', 'Foo { a: 1, a: 2 }'],
    ['two-char char literal', "'ab'"],
    ['lone minus', '-'],
    ['path', 'a::b'],
  ]
  test.each(bad)('%s', (_label, text) => {
    expect(() => parseRustDebug(text)).toThrow(RustDebugSyntaxError)
  })

  test('the message shows where', () => {
    expect(() => parseRustDebug('Foo { a: 1 b: 2 }')).toThrow(/offset 11: expected `,` or `}`/)
  })
})
