/**
 * The `{"$map": …}` escape of bridges/json-value.ts when maps nest: a map whose keys are tag
 * names (`$map`, `$bytes`, …) must come back exactly, however the escapes are nested, through the
 * text form (MQTT, HTTP, WS-JSON) and the JavaScript form (Socket.IO).
 */
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { fromJsonable, parseJsonValue, payloadToValue, toJsonText, toJsonable, valueToPayload } from '../../bridges/json-value.ts'
import type { ClaspValue } from '../../generated/types.ts'
import { valueEquals } from '../../runtime/client/values.ts'

const map = (o: Record<string, ClaspValue>): ClaspValue => Object.assign(Object.create(null), o)

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
