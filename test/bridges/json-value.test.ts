/**
 * The lossless JSON form shared by the MQTT, HTTP, WS-JSON and Socket.IO bridges
 * (bridges/json-value.ts): every CLASP value survives text and MQTT payloads with its type
 * (a Float 1.0 stays a Float, bigint Ints keep all 64 bits), foreign JSON reads as the reference
 * reads it, and nothing malformed is ever accepted silently.
 */
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { JsonValueError, fromJsonable, parseJsonValue, payloadToValue, toJsonText, toJsonable, valueToPayload } from '../../bridges/json-value.ts'
import type { ClaspValue } from '../../generated/types.ts'
import { valueEquals } from '../../runtime/client/values.ts'
import { valueArbitrary } from '../support/arbitraries.ts'

const map = (o: Record<string, ClaspValue>): ClaspValue => Object.assign(Object.create(null), o)
const same = (a: ClaspValue, b: ClaspValue) => valueEquals(a, b) && typeof a === typeof b

/** Maps keyed mostly by tag names, nested, with tag-looking leaves. */
const tagHeavy: fc.Arbitrary<ClaspValue> = fc.letrec<{ value: ClaspValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 5 },
    fc.constantFrom<ClaspValue>(null, 1n, 0.5, 'AA==', 'NaN', '12', new Uint8Array([0])), // no integral Float: the JS form has none
    fc.array(tie('value'), { maxLength: 2 }),
    fc.uniqueArray(fc.tuple(fc.constantFrom('$map', '$bytes', '$float', '$int', 'a', '__proto__'), tie('value')), { maxLength: 3, selector: (e) => e[0] })
      .map((entries) => {
        const obj: Record<string, ClaspValue> = Object.create(null)
        for (const [k, v] of entries) obj[k] = v
        return obj
      }),
  ),
})).value

describe('text form', () => {
  test.each([
    [1.0, '1.0'], [1n, '1'], [-0, '-0.0'], [0.1, '0.1'], [1e21, '1e+21'], [NaN, '{"$float":"NaN"}'],
    [Infinity, '{"$float":"Infinity"}'], [-(2n ** 63n), '-9223372036854775808'], ['a"b', '"a\\"b"'],
    [new Uint8Array([1, 2, 255]), '{"$bytes":"AQL/"}'], [[1n, 2.5, null, true], '[1,2.5,null,true]'],
    [map({ $bytes: 'x' }), '{"$map":{"$bytes":"x"}}'],
  ] as Array<[ClaspValue, string]>)('%s ↔ %s', (v, text) => {
    expect(toJsonText(v)).toBe(text)
    const back = parseJsonValue(text)
    expect(same(back, v)).toBe(true)
  })

  test('every value round-trips with its type', () => {
    fc.assert(
      fc.property(valueArbitrary({ maxDepth: 3 }), (v) => {
        const back = parseJsonValue(toJsonText(v))
        expect(valueEquals(back, v)).toBe(true)
        expect(toJsonText(back)).toBe(toJsonText(v))
      }),
      { numRuns: 2000 },
    )
  })

  test('foreign JSON parses like JSON.parse, with integers as Int', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        const plain = JSON.parse(text)
        const ours = parseJsonValue(text)
        const norm = (x: unknown): unknown =>
          typeof x === 'bigint' ? Number(x) : Array.isArray(x) ? x.map(norm) : x && typeof x === 'object' ? Object.fromEntries(Object.entries(x).map(([k, y]) => [k, norm(y)])) : x
        if (/"\$(bytes|float|int|map)"/.test(text)) return // tags are ours by design
        expect(norm(ours)).toEqual(norm(plain))
      }),
    )
  })

  test('integers beyond i64 read as floats; reading is strict', () => {
    expect(parseJsonValue('18446744073709551616')).toBe(18446744073709551616)
    expect(parseJsonValue('{"$float":1}')).toBe(1)
    expect(parseJsonValue('{"$int":"12"}')).toBe(12n)
    for (const bad of ['{', '[1,]', '01', 'nul', '"abc', '1 2', '{"a" 1}', '{"$bytes":5}', '{"$float":"x"}', '[' .repeat(100) + ']'.repeat(100)]) {
      expect(() => parseJsonValue(bad), bad).toThrow(JsonValueError)
    }
  })
})

describe('MQTT payloads', () => {
  test.each([
    ['21.0', 21], ['21', 21n], ['"ON"', 'ON'], ['ON', 'ON'], ['nan', NaN], ['-inf', -Infinity], ['+1', 1],
    ['{broken', '{broken'], ['', null], ['true', true], ['[1,2.0]', [1n, 2]],
  ] as Array<[string, ClaspValue]>)('%j → %s', (payload, value) => {
    expect(same(payloadToValue(Buffer.from(payload)), value)).toBe(true)
  })

  test('bytes that are not UTF-8 are Bytes', () => {
    expect(payloadToValue(Buffer.from([0xff, 0xfe, 0x00]))).toEqual(new Uint8Array([0xff, 0xfe, 0x00]))
  })

  test('json payloads are lossless', () => {
    fc.assert(
      fc.property(valueArbitrary({ maxDepth: 2 }), (v) => {
        expect(valueEquals(payloadToValue(valueToPayload(v)), v)).toBe(true)
      }),
    )
  })

  test('raw format sends strings and bytes bare', () => {
    expect(valueToPayload('ON', 'raw').toString()).toBe('ON')
    expect(valueToPayload(new Uint8Array([1, 2]), 'raw')).toEqual(Buffer.from([1, 2]))
    expect(valueToPayload(1.0, 'raw').toString()).toBe('1.0')
  })
})

describe('JavaScript values (Socket.IO)', () => {
  test('integral numbers are Ints, others Floats, buffers Bytes, tags honoured', () => {
    const v = fromJsonable({ a: 1, b: 0.5, c: Buffer.from([1]), d: { $float: 1 }, e: { $map: { $bytes: 'x' } } }) as Record<string, ClaspValue>
    expect(v.a).toBe(1n)
    expect(v.b).toBe(0.5)
    expect(v.c).toEqual(new Uint8Array([1]))
    expect(v.d).toBe(1)
    expect(v.e).toEqual(map({ $bytes: 'x' }))
    expect(fromJsonable(1, 'float')).toBe(1)
    expect(fromJsonable(() => 1)).toBeUndefined()
  })

  test('values for Socket.IO: safe Ints as numbers, the rest tagged', () => {
    expect(toJsonable([1n, 2n ** 60n, NaN, new Uint8Array([3])])).toEqual([1, { $int: (2n ** 60n).toString() }, { $float: 'NaN' }, Buffer.from([3])])
    expect(fromJsonable(toJsonable(2n ** 60n))).toBe(2n ** 60n)
  })
})

/**
 * Nested `{"$map": …}` escapes: a map whose keys are tag names (`$map`, `$bytes`, …) comes back
 * exactly, however the escapes nest, through the text form and the JavaScript form.
 */
describe('nested $map escapes', () => {
  const cases: Array<[string, ClaspValue]> = [
    ['an escaped map under $map in a bigger map', map({ a: 1n, $map: map({ $bytes: 'AA==' }) })],
    ['an escaped map under $map under $map in bigger maps', map({ a: 1n, $map: map({ b: 1n, $map: map({ $bytes: 'AA==' }) }) })],
    ['a bigger map inside an escape, holding an escaped map', map({ $map: map({ a: 1n, $map: map({ $float: 1n }) }) })],
    ['a chain of single $map keys', map({ $map: map({ $map: map({ $map: map({ $int: '5' }) }) }) })],
  ]

  test.each(cases)('text form: %s', (_, v) => {
    const back = parseJsonValue(toJsonText(v))
    expect(valueEquals(back, v)).toBe(true)
    expect(valueEquals(payloadToValue(valueToPayload(v)), v)).toBe(true)
  })

  test.each(cases)('JavaScript form: %s', (_, v) => {
    expect(valueEquals(fromJsonable(toJsonable(v)) ?? null, v)).toBe(true)
  })

  test('any nesting of tag-named keys round-trips, in both forms', () => {
    fc.assert(
      fc.property(tagHeavy, (v) => {
        expect(valueEquals(parseJsonValue(toJsonText(v)), v)).toBe(true)
        expect(valueEquals(fromJsonable(toJsonable(v)) ?? null, v)).toBe(true)
      }),
      { numRuns: 3000 },
    )
  })

  test('what the escape rules say stays as it was', () => {
    expect(parseJsonValue('{"$map":{"$bytes":"AA=="},"b":1}')).toEqual(map({ $map: new Uint8Array([0]), b: 1n }))
    expect(parseJsonValue('{"$map":{"a":1,"b":2}}')).toEqual(map({ a: 1n, b: 2n }))
    expect(() => parseJsonValue('{"$map":5}')).toThrow(/bad \$map/)
    expect(parseJsonValue('{"$float":1,"$float":2}')).toEqual(map({ $float: 2n })) // duplicate keys: two keys, no tag
    expect(fromJsonable({ $map: 5 })).toEqual(map({ $map: 5n })) // a malformed tag stays an ordinary map
    expect(fromJsonable({ $float: 1, skipped: undefined })).toBe(1) // undefined entries do not count
  })
})
