/**
 * Strict UTF-8 [wire §1, §0.3-2]: our decoder (hand-written for short strings, with a cache of
 * recent strings) must agree with a fatal TextDecoder on every byte string, and the cache must
 * never return a string for bytes it was not made from.
 */
import fc from 'fast-check'
import { expect, test } from 'vitest'
import { decodeUtf8, encodeUtf8Into } from '../../runtime/codec/utf8.ts'

const numRuns = Number(process.env.CLASP_PROP_RUNS ?? 10_000)
const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

function reference(b: Uint8Array): string | undefined {
  try {
    return fatal.decode(b)
  } catch {
    return undefined
  }
}

test('agrees with a fatal TextDecoder on arbitrary bytes', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), (b) => {
    expect(decodeUtf8(b, 0, b.length)).toBe(reference(b))
  }), { numRuns })
})

test('agrees on near-valid sequences: overlongs, surrogates, above U+10FFFF, cut short', () => {
  const lead = fc.constantFrom(0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff)
  const cont = fc.integer({ min: 0x70, max: 0xc0 })
  fc.assert(fc.property(fc.array(fc.oneof(fc.integer({ min: 0, max: 0x7f }), lead, cont), { maxLength: 12 }), (xs) => {
    const b = Uint8Array.from(xs)
    expect(decodeUtf8(b, 0, b.length)).toBe(reference(b))
  }), { numRuns })
})

test('the string cache only answers for identical bytes', () => {
  // Many distinct strings of one length, decoded repeatedly and interleaved.
  fc.assert(fc.property(fc.array(fc.string({ unit: 'binary', minLength: 1, maxLength: 6 }), { minLength: 2, maxLength: 50 }), (strings) => {
    const enc = new TextEncoder()
    for (let round = 0; round < 2; round++) {
      for (const s of strings) {
        const b = enc.encode(s)
        const padded = new Uint8Array(b.length + 3)
        padded.set(b, 3)
        expect(decodeUtf8(padded, 3, padded.length)).toBe(s)
      }
    }
  }), { numRuns: Math.ceil(numRuns / 10) })
})

test('encodeUtf8Into reports strings that do not fit', () => {
  const buf = new Uint8Array(8)
  expect(encodeUtf8Into('abc', buf, 0, 8)).toBe(3)
  expect(encodeUtf8Into('héllo', buf, 0, 8)).toBe(6)
  expect(encodeUtf8Into('日本語', buf, 0, 8)).toBe(-1)
  expect(encodeUtf8Into('123456789', buf, 0, 8)).toBe(-1)
})
