/**
 * The 216 golden vectors (test/fixtures/vectors.json, a copy of the reference set) through the
 * generated TypeScript codec. Expectations come from the Rust `Debug` renderings, which are the
 * authoritative content (vectors README §1.4, §1.7); the npm renderings are never trusted for
 * 64-bit numbers. Every vector runs; none is skipped.
 */
import { describe, expect, test } from 'vitest'
import { decode, encode } from '../../generated/codec.ts'
import type { FrameOptions, Message } from '../../generated/types.ts'
import { ClaspDecodeError, type DecodeErrorCode } from '../../runtime/codec/errors.ts'
import { canonical } from '../support/canonical.ts'
import { fromRustDebug } from '../support/from-rust.ts'
import { loadVectors, type Vector } from '../support/vectors.ts'

const vectors = loadVectors()
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const bytes = (h: string) => new Uint8Array(Buffer.from(h, 'hex'))

/** Header options that reproduce a vector's frame flags and timestamp. */
function headerOf(h: string): FrameOptions {
  const b = bytes(h)
  const flags = b[1]
  const opts: FrameOptions = { qos: flags >> 6, encrypted: (flags & 0x10) !== 0, compressed: (flags & 0x08) !== 0, version: flags & 0x07 }
  if (flags & 0x20) opts.timestamp = Buffer.from(b.subarray(4, 12)).readBigUInt64BE()
  return opts
}

/** Messages with a map of two or more entries have no canonical byte form (README §1.9). */
function hasMultiEntryMap(x: unknown): boolean {
  if (x === null || typeof x !== 'object' || x instanceof Uint8Array) return false
  if (Array.isArray(x)) return x.some(hasMultiEntryMap)
  const values = Object.values(x as object)
  if (Object.getPrototypeOf(x) === null && values.length >= 2) return true
  return values.some(hasMultiEntryMap)
}

function expectDecodesTo(v: Vector, expected: Message): void {
  const frame = decode(bytes(v.hex))
  expect(canonical(frame.message)).toEqual(canonical(expected))
  expect(frame.length).toBe(v.hex.length / 2 - trailingBytes(v))
}

/** Only dec_frame_trailing_bytes_after_payload carries bytes after its frame. */
function trailingBytes(v: Vector): number {
  const b = bytes(v.hex)
  const len = 4 + ((b[1] & 0x20) ? 8 : 0) + ((b[2] << 8) | b[3])
  return b.length - len
}

describe('JS-encoded vectors [wire §9]', () => {
  const js = vectors.filter((v) => v.rust?.status)
  test('there are 117 of them', () => expect(js.length).toBe(117))

  for (const v of js) {
    const rust = v.rust!
    test(`${v.name} (${rust.status}) decodes to the Rust reading`, () => {
      expectDecodesTo(v, fromRustDebug(rust.decoded))
      const frame = decode(bytes(v.hex))
      expect(frame.qos).toBe(v.js_decoded_frame!.flags.qos)
      expect(frame.timestamp).toBe(v.js_decoded_frame!.timestamp ? BigInt(v.js_decoded_frame!.timestamp.$bigint) : undefined)
    })

    if (rust.status === 'rust_same') {
      test(`${v.name}: encoding the message gives the reference bytes`, () => {
        const opts = v.encode_options ? headerOf(v.hex) : undefined
        expect(hex(encode(fromRustDebug(rust.decoded), opts))).toBe(v.hex)
      })
    } else if (rust.status === 'rust_same_modulo_map_order') {
      test(`${v.name}: encoding matches in length and content, map order aside`, () => {
        const msg = fromRustDebug(rust.decoded)
        const out = encode(msg)
        expect(out.length).toBe(v.hex.length / 2)
        expect(hex(out.subarray(0, 4))).toBe(v.hex.slice(0, 8))
        expect(canonical(decode(out).message)).toEqual(canonical(msg))
      })
    } else {
      // rust_differs: npm bytes are decoded (above); for encoding we follow Rust, which writes
      // rust.reencoded_hex for the same header. What a Rust sender emits by default is the
      // equivalent rust_native vector, tested below.
      test(`${v.name}: encoding follows Rust, not npm (${(rust.explanation ?? []).join(' ').slice(0, 80)}…)`, () => {
        const msg = fromRustDebug(rust.decoded)
        const out = encode(msg, headerOf(v.hex))
        if (hasMultiEntryMap(msg)) expect(out.length).toBe(rust.reencoded_hex.length / 2)
        else expect(hex(out)).toBe(rust.reencoded_hex)
      })
    }
  }
})

describe('Rust-native vectors [wire §9]', () => {
  const native = vectors.filter((v) => v.category === 'rust_native')
  test('there are 53 of them', () => expect(native.length).toBe(53))

  for (const v of native) {
    test(`${v.name}: encoding the Rust message gives the Rust bytes`, () => {
      // Only the two frame-level vectors were written with non-default header options.
      const opts = v.name.startsWith('rust_frame_') ? headerOf(v.hex) : undefined
      expect(hex(encode(fromRustDebug(v.rust_message!), opts))).toBe(v.hex)
    })
    test(`${v.name}: decoding gives what Rust decodes`, () => {
      expectDecodesTo(v, fromRustDebug(v.rust_redecoded ?? v.rust_message!))
    })
  }
})

/** Our error code for each reference rejection (Rust error detail or panic). */
function expectedCode(v: Vector): DecodeErrorCode {
  const d = v.rust_decode!
  if (v.name.startsWith('dec_legacy_msgpack')) return 'LEGACY_ENCODING'
  if (d.status === 'panic') return 'TRUNCATED'
  const detail = d.detail ?? ''
  if (detail.startsWith('BufferTooSmall { needed: 1, have: 0 }')) return 'EMPTY_PAYLOAD'
  if (detail.startsWith('BufferTooSmall')) return 'TRUNCATED'
  if (detail.startsWith('InvalidMagic')) return 'BAD_MAGIC'
  if (detail.startsWith('UnknownMessageType')) return 'UNKNOWN_MESSAGE_TYPE'
  if (detail.includes('unknown value type')) return 'UNKNOWN_VALUE_TYPE'
  if (detail.includes('invalid utf-8')) return 'INVALID_UTF8'
  if (detail.includes('unknown federation op')) return 'UNKNOWN_ENUM'
  throw new Error(`no expected code for ${v.name}: ${detail}`)
}

describe('decode-only vectors [wire §9, vectors README §1.5]', () => {
  const only = vectors.filter((v) => v.category === 'decode_only')
  test('there are 46 of them', () => expect(only.length).toBe(46))

  for (const v of only) {
    const d = v.rust_decode!
    if (d.status === 'ok') {
      test(`${v.name}: accepted as Rust accepts it`, () => {
        expectDecodesTo(v, fromRustDebug(d.decoded!))
        const frame = decode(bytes(v.hex))
        const f = d.frame_flags!
        expect({ qos: frame.qos, ts: frame.timestamp !== undefined, enc: frame.encrypted, comp: frame.compressed, ver: frame.version })
          .toEqual({ qos: f.qos, ts: f.has_timestamp, enc: f.encrypted, comp: f.compressed, ver: f.version })
      })
    } else {
      test(`${v.name}: rejected with ClaspDecodeError (Rust: ${d.status})`, () => {
        let caught: unknown
        try {
          decode(bytes(v.hex))
        } catch (e) {
          caught = e
        }
        expect(caught).toBeInstanceOf(ClaspDecodeError)
        expect((caught as ClaspDecodeError).code).toBe(expectedCode(v))
      })
    }
  }
})
