/**
 * Bad input on the bridges that parse bytes, driven by fast-check: random bytes and mutated valid
 * packets through the real receive path (UDP on 127.0.0.1 for OSC and sACN, the in-process port
 * for MIDI; Art-Net has its own in artnet-codec.test.ts). Whatever arrives, the bridge keeps
 * running, nothing escapes as an exception, state is written only under the bridge's namespace,
 * and a valid message sent afterwards still gets through.
 */
import fc from 'fast-check'
import { toBuffer } from 'osc-min'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { MidiBridge } from '../../bridges/midi/bridge.ts'
import { type MemoryMidiPort, memoryMidiPort } from '../../bridges/midi/port.ts'
import { OscBridge } from '../../bridges/osc.ts'
import { SacnBridge } from '../../bridges/sacn.ts'
import { type BridgeRig, bridgeRig } from '../support/peers.ts'
import { waitFor } from '../support/wait.ts'
import { type Udp, e131, udp } from './harness.ts'

const RUNS = 100

/** Random bytes, or a valid packet with a few bytes overwritten, cut short or extended. */
function mangled(valid: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  const mutated = fc.tuple(valid, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.option(fc.nat(), { nil: undefined })).map(([bytes, edits, cut]) => {
    const out = Uint8Array.from(bytes)
    for (const [at, b] of edits) if (out.length) out[at % out.length] = b
    return cut === undefined ? out : out.subarray(0, cut % (out.length + 1))
  })
  return fc.oneof(fc.uint8Array({ maxLength: 700 }), mutated)
}

const oscMessage = fc.tuple(fc.stringMatching(/^\/[a-z]{1,8}(\/[a-z0-9]{1,8}){0,3}$/), fc.double({ noNaN: true }), fc.integer()).map(([address, f, i]) => {
  const v = toBuffer({ address, args: [{ type: 'float', value: f }, { type: 'integer', value: i }] })
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength)
})

const sacnPacket = fc.tuple(fc.integer({ min: 1, max: 3 }), fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 40 }), fc.integer({ min: 0, max: 255 }))
  .map(([universe, data, seq]) => e131(universe, data, { seq }))

/** Every param the router holds is under `namespace`. */
const onlyUnder = (r: BridgeRig, namespace: string) => [...r.router.params.values()].map((p) => p.address).filter((a) => !a.startsWith(`${namespace}/`))

describe('fuzzing the byte-level bridges', () => {
  let r: BridgeRig
  let sender: Udp
  beforeAll(async () => {
    r = await bridgeRig('/**')
    sender = await udp()
  })
  afterAll(async () => {
    await sender.close()
    await r.close()
  })

  test('OSC: random and mangled datagrams, then a valid one still arrives', async () => {
    const b = await r.start(new OscBridge({ namespace: '/osc', host: '127.0.0.1', port: 0 }))
    let run = 0
    await fc.assert(
      fc.asyncProperty(fc.array(mangled(oscMessage), { maxLength: 8 }), async (datagrams) => {
        for (const d of datagrams) await sender.send(d, b.port)
        const sentinel = ++run
        const v = toBuffer({ address: '/fuzz/sentinel', args: [{ type: 'integer', value: sentinel }] })
        await sender.send(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), b.port)
        await waitFor(() => r.router.params.get('/osc/fuzz/sentinel')?.value === BigInt(sentinel), 3000, `sentinel ${sentinel}`)
        expect(onlyUnder(r, '/osc')).toEqual([])
      }),
      { numRuns: RUNS },
    )
    expect(b.stats().malformed).toBeGreaterThan(0)
  })

  test('sACN: random and mangled datagrams, then a valid packet still arrives', async () => {
    const b = await r.start(new SacnBridge({ namespace: '/sacn', port: 0, universes: [1, 2, 3], receive: true }))
    let run = 0
    await fc.assert(
      fc.asyncProperty(fc.array(mangled(sacnPacket), { maxLength: 8 }), async (datagrams) => {
        for (const d of datagrams) await sender.send(d, b.port!)
        const sentinel = (++run % 250) + 1
        // A separate source (cid) and universe, so merging with fuzzed sources cannot hide it.
        await sender.send(e131(3, [0, 0, 0, 0, 0, 0, 0, 0, 0, sentinel], { cid: 0x5a, seq: run % 256, priority: 200 }), b.port!)
        await waitFor(() => r.router.params.get('/sacn/3/10')?.value === BigInt(sentinel), 3000, `sentinel ${sentinel}`)
        expect(onlyUnder(r, '/sacn').filter((a) => !a.startsWith('/osc/'))).toEqual([])
      }),
      { numRuns: RUNS },
    )
    expect(b.stats().malformed).toBeGreaterThan(0)
  })

  test('MIDI: random byte chunks, then a valid Control Change still arrives', async () => {
    const input: MemoryMidiPort = memoryMidiPort('fuzz-in')
    const b = await r.start(new MidiBridge({ namespace: '/midi', device: 'fuzz', ports: { input } }))
    let run = 0
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 48 }), { maxLength: 8 }), async (chunks) => {
        for (const c of chunks) input.inject(c)
        const sentinel = ++run % 128
        // Real-Time bytes may sit anywhere; anything else may leave a SysEx or a message open,
        // and a status byte is what closes it: a CC on channel 15 with its own status.
        input.inject([0xf7, 0xbf, 0x77, sentinel])
        await r.clasp.flush()
        await waitFor(() => r.router.params.get('/midi/fuzz/ch/15/cc/119')?.value === BigInt(sentinel), 3000, `sentinel ${sentinel}`)
        expect(onlyUnder(r, '/midi').filter((a) => !a.startsWith('/osc/') && !a.startsWith('/sacn/'))).toEqual([])
      }),
      { numRuns: RUNS },
    )
    expect(b.stats().malformed).toBeGreaterThan(0)
  })
})
