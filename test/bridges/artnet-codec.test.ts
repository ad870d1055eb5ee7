/**
 * Our Art-Net codec (bridges/artnet/codec.ts): byte layouts checked against hand-written packets
 * (offsets from the Art-Net 4 specification, not from our encoder), round trips, and every
 * validation rule; arbitrary bytes never throw anything but ArtNetError.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ArtNetError, decodeArtNet, encodeArtDmx, encodeArtPoll, encodeArtPollReply } from '../../bridges/artnet/codec.ts'

const ID = [0x41, 0x72, 0x74, 0x2d, 0x4e, 0x65, 0x74, 0x00]

/** An ArtDmx written out by hand: header, then `data`. */
function handDmx(universe: number, data: number[], { seq = 7, ver = 14, len = data.length } = {}): Uint8Array {
  return Uint8Array.from([...ID, 0x00, 0x50, ver >> 8, ver & 0xff, seq, 3, universe & 0xff, universe >> 8, len >> 8, len & 0xff, ...data])
}

const codeOf = (f: () => unknown): string | undefined => {
  try {
    f()
  } catch (e) {
    if (e instanceof ArtNetError) return e.code
    throw e
  }
  return undefined
}

describe('ArtDmx', () => {
  it('decodes a hand-written packet: Port-Address is little-endian SubUni + Net, Length big-endian', () => {
    const p = decodeArtNet(handDmx(0x0123, [1, 2, 3, 4]))
    expect(p).toEqual({ op: 'dmx', sequence: 7, physical: 3, universe: 0x0123, data: Uint8Array.from([1, 2, 3, 4]) })
  })

  it('encodes the exact bytes of the specification layout, padding odd lengths to even', () => {
    const out = encodeArtDmx({ sequence: 9, physical: 0, universe: 0x7f05, data: Uint8Array.from([10, 20, 30]) })
    expect([...out]).toEqual([...ID, 0x00, 0x50, 0, 14, 9, 0, 0x05, 0x7f, 0, 4, 10, 20, 30, 0])
  })

  it('round-trips a full 512-slot frame on the highest universe', () => {
    const data = Uint8Array.from({ length: 512 }, (_, i) => (i * 7) & 0xff)
    const back = decodeArtNet(encodeArtDmx({ sequence: 255, physical: 1, universe: 32767, data }))
    expect(back).toMatchObject({ op: 'dmx', sequence: 255, physical: 1, universe: 32767 })
    expect((back as { data: Uint8Array }).data).toEqual(data)
  })

  it('accepts an odd length (some consoles send one) and ignores trailing bytes', () => {
    expect(decodeArtNet(handDmx(1, [5, 6, 7])).op).toBe('dmx')
    const p = decodeArtNet(Uint8Array.from([...handDmx(1, [5, 6], { len: 2 }), 99, 98]))
    expect((p as { data: Uint8Array }).data).toEqual(Uint8Array.from([5, 6]))
  })

  it.each([
    ['empty', new Uint8Array(0), 'SHORT'],
    ['9 bytes', Uint8Array.from(ID.concat([0])), 'SHORT'],
    ['header cut at 17 bytes', handDmx(1, [1, 2]).slice(0, 17), 'SHORT'],
    ['wrong identifier', Uint8Array.from([...handDmx(1, [1, 2])].map((b, i) => (i === 0 ? 0x61 : b))), 'BAD_ID'],
    ['protocol version 13', handDmx(1, [1, 2], { ver: 13 }), 'BAD_VERSION'],
    ['length 0', handDmx(1, [], { len: 0 }), 'BAD_LENGTH'],
    ['length 514', handDmx(1, new Array(514).fill(0)), 'BAD_LENGTH'],
    ['length says more than carried', handDmx(1, [1, 2], { len: 4 }), 'TRUNCATED'],
    ['Net above 127', Uint8Array.from([...handDmx(1, [1, 2])].map((b, i) => (i === 15 ? 0x80 : b))), 'BAD_PORT_ADDRESS'],
  ])('rejects %s', (_name, bytes, code) => {
    expect(codeOf(() => decodeArtNet(bytes))).toBe(code)
  })

  it('refuses to encode out-of-range fields', () => {
    expect(codeOf(() => encodeArtDmx({ sequence: 0, physical: 0, universe: 32768, data: new Uint8Array(2) }))).toBe('BAD_FIELD')
    expect(codeOf(() => encodeArtDmx({ sequence: 256, physical: 0, universe: 0, data: new Uint8Array(2) }))).toBe('BAD_FIELD')
    expect(codeOf(() => encodeArtDmx({ sequence: 0, physical: 0, universe: 0, data: new Uint8Array(513) }))).toBe('BAD_FIELD')
    expect(codeOf(() => encodeArtDmx({ sequence: 0, physical: 0, universe: 0, data: new Uint8Array(0) }))).toBe('BAD_FIELD')
  })
})

describe('ArtPoll', () => {
  it('decodes the 14-byte Art-Net 3 form (what OLA sends) and the 22-byte Art-Net 4 form', () => {
    expect(decodeArtNet(Uint8Array.from([...ID, 0x00, 0x20, 0, 14, 0x02, 0x10]))).toEqual({ op: 'poll', protocolVersion: 14, flags: 2, diagPriority: 0x10 })
    const p = decodeArtNet(Uint8Array.from([...ID, 0x00, 0x20, 0, 14, 0x20, 0, 0x00, 0x10, 0x00, 0x01, 0x12, 0x34, 0x56, 0x78]))
    expect(p).toEqual({ op: 'poll', protocolVersion: 14, flags: 0x20, diagPriority: 0, target: { top: 0x10, bottom: 1 }, estaMan: 0x1234, oem: 0x5678 })
  })

  it('round-trips, and rejects short or old polls', () => {
    expect(decodeArtNet(encodeArtPoll({ flags: 0x22, target: { top: 9, bottom: 3 } }))).toMatchObject({ op: 'poll', flags: 0x22, target: { top: 9, bottom: 3 } })
    expect(codeOf(() => decodeArtNet(Uint8Array.from([...ID, 0x00, 0x20, 0, 14])))).toBe('SHORT')
    expect(codeOf(() => decodeArtNet(Uint8Array.from([...ID, 0x00, 0x20, 0, 10, 0, 0])))).toBe('BAD_VERSION')
  })
})

describe('ArtPollReply', () => {
  it('is 239 bytes with fields at the specification offsets', () => {
    const b = encodeArtPollReply({ ip: [10, 0, 0, 7], netSwitch: 1, subSwitch: 2, shortName: 'CLASP', longName: 'CLASP bridge', numPorts: 2, portTypes: [0xc0, 0xc0], swOut: [3, 4], swIn: [3, 4], bindIndex: 1, status2: 8 })
    expect(b.length).toBe(239)
    expect([...b.subarray(8, 16)]).toEqual([0x00, 0x21, 10, 0, 0, 7, 0x36, 0x19]) // OpCode LE, IP, port 6454 LE
    expect([b[18], b[19]]).toEqual([1, 2])
    expect(Buffer.from(b.subarray(26, 32)).toString('latin1')).toBe('CLASP\0')
    expect([b[172], b[173], b[174], b[175], b[190], b[191], b[211], b[212]]).toEqual([0, 2, 0xc0, 0xc0, 3, 4, 1, 8])
  })

  it('round-trips and reads a 207-byte (older) reply with the later fields as 0', () => {
    const full = encodeArtPollReply({ ip: [127, 0, 0, 1], shortName: 'x'.repeat(40), nodeReport: '#0001 [0001] ok', numPorts: 1, swOut: [5], bindIndex: 3, refreshRate: 44 })
    const r = decodeArtNet(full)
    expect(r).toMatchObject({ op: 'pollReply', ip: [127, 0, 0, 1], port: 6454, shortName: 'x'.repeat(17), nodeReport: '#0001 [0001] ok', numPorts: 1, bindIndex: 3, refreshRate: 44 })
    expect(decodeArtNet(full.slice(0, 207))).toMatchObject({ op: 'pollReply', shortName: 'x'.repeat(17), bindIndex: 0, refreshRate: 0 })
    expect(codeOf(() => decodeArtNet(full.slice(0, 206)))).toBe('SHORT')
  })
})

describe('any bytes', () => {
  it('other OpCodes decode as "other" (valid traffic we ignore, not malformed)', () => {
    expect(decodeArtNet(Uint8Array.from([...ID, 0x00, 0x52, 0, 14, 0, 0]))).toEqual({ op: 'other', opcode: 0x5200 }) // ArtSync
  })

  const onlyArtNetErrors = (bytes: Uint8Array) => {
    try {
      decodeArtNet(bytes)
    } catch (e) {
      if (!(e instanceof ArtNetError)) throw e
    }
  }

  it('decode throws nothing but ArtNetError, on random bytes and on random ArtDmx/ArtPoll tails', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), onlyArtNetErrors), { numRuns: 2000 })
    for (const op of [0x50, 0x20, 0x21]) {
      fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (tail) => onlyArtNetErrors(Uint8Array.from([...ID, 0x00, op, ...tail]))), { numRuns: 2000 })
    }
  })
})
