/**
 * The stream framings under the transports: u32-BE length prefix (TCP) and SLIP (serial).
 * Properties: any chunking of a stream of frames gives the same frames back; SLIP resynchronises
 * after garbage and drops oversized frames without losing the next one; a bad TCP length is
 * reported once and stops the decoder. Plus interop with serialport's own SLIP parsers.
 */
import { SlipEncoder as SpSlipEncoder } from 'serialport'
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { encode } from '../../generated/codec.ts'
import { LengthPrefixDecoder, MAX_TCP_FRAME, lengthPrefix } from '../../runtime/framing/length-prefix.ts'
import { SLIP_END, SLIP_ESC, SlipDecoder, slipEncode } from '../../runtime/framing/slip.ts'
import { isWholeFrame } from '../../runtime/transports/serial.ts'

const concat = (parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]))

/** Split `bytes` at the given (arbitrary, unsorted, possibly repeated) positions. */
function chunk(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)
  const out: Uint8Array[] = []
  let prev = 0
  for (const c of [...at, bytes.length]) {
    out.push(bytes.subarray(prev, c))
    prev = c
  }
  return out
}

/** Bytes biased towards the SLIP specials, so escaping is exercised on most frames. */
const slipByte = fc.oneof(fc.constantFrom(SLIP_END, SLIP_ESC, 0xdc, 0xdd), fc.integer({ min: 0, max: 255 }))
const frame = fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 200 }), fc.array(slipByte, { minLength: 1, maxLength: 200 }).map((a) => Uint8Array.from(a)))
const cuts = fc.array(fc.nat(), { maxLength: 20 })

function lpDecode(chunks: Uint8Array[], max?: number) {
  const frames: Uint8Array[] = []
  const errors: string[] = []
  const d = new LengthPrefixDecoder((f) => frames.push(f), (e) => errors.push(e), max)
  for (const c of chunks) d.push(c)
  return { frames, errors, decoder: d }
}

describe('length prefix', () => {
  test('prefix is the u32 big-endian byte count', () => {
    expect([...lengthPrefix(Uint8Array.of(9, 8, 7))]).toEqual([0, 0, 0, 3, 9, 8, 7])
    expect([...lengthPrefix(new Uint8Array(0x012345)).subarray(0, 4)]).toEqual([0, 1, 0x23, 0x45])
  })

  test('any chunking of a stream of frames gives the same frames back', () => {
    fc.assert(
      fc.property(fc.array(frame, { maxLength: 20 }), cuts, (frames, at) => {
        const { frames: got, errors } = lpDecode(chunk(concat(frames.map(lengthPrefix)), at))
        expect(errors).toEqual([])
        expect(got).toEqual(frames)
      }),
      { numRuns: 300 },
    )
  })

  test('a 64 KiB frame fed one byte at a time arrives whole', () => {
    const big = Uint8Array.from({ length: MAX_TCP_FRAME }, (_, i) => i * 7)
    const stream = lengthPrefix(big)
    const { frames, errors } = lpDecode(Array.from(stream, (b) => Uint8Array.of(b)))
    expect(errors).toEqual([])
    expect(frames).toHaveLength(1)
    expect(frames[0]).toEqual(big)
  })

  test.each([
    ['zero', 0, 'zero-length frame'],
    ['one above the limit', MAX_TCP_FRAME + 1, `frame of ${MAX_TCP_FRAME + 1} bytes exceeds ${MAX_TCP_FRAME}`],
  ])('a %s length is reported once; frames before it survive, input after it is ignored', (_n, len, reason) => {
    fc.assert(
      fc.property(fc.array(frame, { maxLength: 5 }), fc.array(frame, { maxLength: 5 }), cuts, (before, after, at) => {
        const bad = Uint8Array.of(len >>> 24, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff)
        const stream = concat([...before.map(lengthPrefix), bad, ...after.map(lengthPrefix)])
        const { frames, errors, decoder } = lpDecode(chunk(stream, at))
        expect(frames).toEqual(before)
        expect(errors).toEqual([reason])
        expect(decoder.broken).toBe(true)
      }),
      { numRuns: 100 },
    )
  })

  test('the limit is inclusive and configurable', () => {
    expect(lpDecode([lengthPrefix(new Uint8Array(MAX_TCP_FRAME))]).errors).toEqual([])
    expect(lpDecode([lengthPrefix(new Uint8Array(11))], 10).errors).toEqual(['frame of 11 bytes exceeds 10'])
  })

  test('frames handed out do not alias the input chunk', () => {
    const input = lengthPrefix(Uint8Array.of(1, 2, 3))
    const { frames } = lpDecode([input])
    input.fill(0)
    expect([...frames[0]]).toEqual([1, 2, 3])
  })
})

function slipDecode(chunks: Uint8Array[], max?: number) {
  const frames: Uint8Array[] = []
  const d = new SlipDecoder((f) => frames.push(f), max)
  for (const c of chunks) d.push(c)
  return { frames, dropped: d.dropped }
}

/** True when `sub` occurs in `all` in order (other items may come between). */
function isSubsequence(sub: Uint8Array[], all: Uint8Array[]): boolean {
  let i = 0
  for (const f of all) if (i < sub.length && Buffer.from(f).equals(sub[i])) i++
  return i === sub.length
}

describe('SLIP', () => {
  test('END before and after each frame, no END inside, ESC sequences for END and ESC', () => {
    expect([...slipEncode(Uint8Array.of(1, SLIP_END, 2, SLIP_ESC, 3))]).toEqual([SLIP_END, 1, SLIP_ESC, 0xdc, 2, SLIP_ESC, 0xdd, 3, SLIP_END])
    fc.assert(
      fc.property(frame, (f) => {
        const e = slipEncode(f)
        expect(e[0]).toBe(SLIP_END)
        expect(e[e.length - 1]).toBe(SLIP_END)
        expect(e.subarray(1, -1).includes(SLIP_END)).toBe(false)
      }),
    )
  })

  test('any chunking of a stream of frames gives the same frames back', () => {
    fc.assert(
      fc.property(fc.array(frame, { maxLength: 20 }), cuts, (frames, at) => {
        const { frames: got, dropped } = slipDecode(chunk(concat(frames.map(slipEncode)), at))
        expect(dropped).toBe(0)
        expect(got).toEqual(frames)
      }),
      { numRuns: 300 },
    )
  })

  test('garbage between frames costs no real frame (resynchronisation on END)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.array(slipByte, { maxLength: 40 }), frame), { minLength: 1, maxLength: 10 }), cuts, (items, at) => {
        const stream = concat(items.flatMap(([junk, f]) => [Uint8Array.from(junk), slipEncode(f)]))
        const { frames } = slipDecode(chunk(stream, at))
        expect(isSubsequence(items.map(([, f]) => f), frames)).toBe(true)
      }),
      { numRuns: 300 },
    )
  })

  test('oversized frames are dropped and counted without desynchronising', () => {
    const max = 64
    fc.assert(
      fc.property(fc.array(fc.oneof(frame, fc.uint8Array({ minLength: max + 1, maxLength: 300 })), { maxLength: 12 }), cuts, (frames, at) => {
        const { frames: got, dropped } = slipDecode(chunk(concat(frames.map(slipEncode)), at), max)
        expect(got).toEqual(frames.filter((f) => f.length <= max))
        expect(dropped).toBe(frames.filter((f) => f.length > max).length)
      }),
      { numRuns: 300 },
    )
  })

  test('a bad escape drops that frame only; empty frames are ignored', () => {
    const { frames, dropped } = slipDecode([Uint8Array.of(SLIP_END, SLIP_END, 1, SLIP_ESC, 0x41, 2, SLIP_END, 3, SLIP_END, SLIP_END, 4, SLIP_ESC, SLIP_END, 5, SLIP_END)])
    expect(frames.map((f) => [...f])).toEqual([[3], [5]])
    expect(dropped).toBe(2)
  })

  test("interoperates with serialport's SlipEncoder (trailing END only)", async () => {
    const frames = [encode({ type: 'PING' }), Uint8Array.of(SLIP_END, SLIP_ESC, 7), encode({ type: 'SET', address: '/a', value: 1 })]
    const enc = new SpSlipEncoder()
    const out: Buffer[] = []
    enc.on('data', (d: Buffer) => out.push(d))
    for (const f of frames) enc.write(Buffer.from(f))
    enc.end()
    await new Promise((r) => enc.once('end', r))
    expect(slipDecode(out).frames).toEqual(frames)
  })
})

describe('serial frame filter', () => {
  test('accepts exactly the frames whose header accounts for their length', () => {
    expect(isWholeFrame(encode({ type: 'PING' }))).toBe(true)
    expect(isWholeFrame(encode({ type: 'SET', address: '/x', value: 'y' }, { timestamp: 5n }))).toBe(true)
    const set = encode({ type: 'SET', address: '/x', value: 'y' })
    expect(isWholeFrame(set.subarray(0, -1))).toBe(false)
    expect(isWholeFrame(Uint8Array.from([...set, 0]))).toBe(false)
    expect(isWholeFrame(Uint8Array.of(0x54, 0x01, 0x00, 0x00))).toBe(false)
    expect(isWholeFrame(Uint8Array.of(0x53, 0x01, 0x00))).toBe(false)
  })
})
