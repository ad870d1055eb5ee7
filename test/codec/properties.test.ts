/**
 * Property tests of the generated TypeScript codec (fast-check). Runs per property come from
 * CLASP_PROP_RUNS (default 10,000, the CI setting).
 */
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { decode, encode } from '../../generated/codec.ts'
import { ClaspDecodeError } from '../../runtime/codec/errors.ts'
import { anyMessage, messageArbitrary, messageNames } from '../support/arbitraries.ts'
import { canonical } from '../support/canonical.ts'
import { loadVectors } from '../support/vectors.ts'

const numRuns = Number(process.env.CLASP_PROP_RUNS ?? 10_000)
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')

/** Decoding either succeeds or throws our error class; anything else fails the property. */
function decodeOrOurError(bytes: Uint8Array): void {
  try {
    decode(bytes)
  } catch (e) {
    if (!(e instanceof ClaspDecodeError)) throw new Error(`decoder threw ${String(e)} for ${hex(bytes)}`)
  }
}

describe('round trip: message → encode → decode → same message', () => {
  for (const name of messageNames) {
    test(`${name}`, () => {
      const perType = numRuns
      fc.assert(
        fc.property(messageArbitrary(name), fc.option(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), { nil: undefined }), (m, ts) => {
          const bytes = encode(m, ts === undefined ? undefined : { timestamp: ts })
          const frame = decode(bytes)
          expect(canonical(frame.message)).toEqual(canonical(m))
          expect(frame.timestamp).toBe(ts)
          expect(frame.length).toBe(bytes.length)
          expect(hex(encode(frame.message, ts === undefined ? undefined : { timestamp: ts }))).toBe(hex(bytes))
        }),
        { numRuns: perType },
      )
    })
  }
})

describe('hostile input never escapes the error class', () => {
  test('arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 96 }), (b) => decodeOrOurError(b)), { numRuns })
  })

  test('arbitrary bytes behind a valid header', () => {
    const framed = fc.uint8Array({ minLength: 1, maxLength: 200 }).map((payload) => {
      const b = new Uint8Array(4 + payload.length)
      b.set([0x53, 0x01, payload.length >> 8, payload.length & 0xff])
      b.set(payload, 4)
      return b
    })
    fc.assert(fc.property(framed, (b) => decodeOrOurError(b)), { numRuns })
  })

  test('mutated valid frames (flipped, truncated, extended)', () => {
    const corpus = loadVectors().map((v) => new Uint8Array(Buffer.from(v.hex, 'hex')))
    const valid = fc.oneof(fc.constantFrom(...corpus), anyMessage({ maxItems: 3 }).map((m) => encode(m)))
    const mutated = fc.tuple(valid, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), fc.nat(), fc.boolean())
      .map(([frame, flips, cut, shorten]) => {
        const b = Uint8Array.from(frame)
        for (const [at, byte] of flips) b[at % b.length] = byte
        return shorten ? b.subarray(0, cut % (b.length + 1)) : b
      })
    fc.assert(fc.property(mutated, (b) => decodeOrOurError(b)), { numRuns })
  })
})

test('deep nesting is refused, not a stack overflow', () => {
  // 1,000 nested one-item arrays: valid on the wire, deeper than MAX_NESTING_DEPTH.
  const depth = 1000
  const payload = [0x21, 0x0a, 0x00, 0x02, 0x2f, 0x78]
  for (let i = 0; i < depth; i++) payload.push(0x00, 0x01, 0x0a)
  payload.push(0x00, 0x00)
  const frame = Uint8Array.from([0x53, 0x41, payload.length >> 8, payload.length & 0xff, ...payload])
  expect(() => decode(frame)).toThrow(ClaspDecodeError)
  const cyclic: unknown[] = []
  cyclic.push(cyclic)
  expect(() => encode({ type: 'SET', address: '/c', value: cyclic as never })).toThrowError(/TOO_DEEP/)
})
