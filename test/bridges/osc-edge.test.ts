/**
 * OSC bridge edge cases found in review: time-tag rounding, values too large for one CLASP
 * frame, far-future bundles in event mode, nested bundle order and bundles with one bad
 * element. Raw datagrams over UDP on 127.0.0.1 (no liblo needed).
 */
import fc from 'fast-check'
import { createSocket } from 'node:dgram'
import { toBuffer } from 'osc-min'
import { afterEach, describe, expect, test } from 'vitest'
import { OscBridge, type OscBridgeOptions, microsToTimetag, timetagToMicros } from '../../bridges/osc.ts'
import { type BridgeRig, bridgeRig } from '../support/peers.ts'
import { sleep, waitFor } from '../support/wait.ts'

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function setup(options: Partial<OscBridgeOptions> = {}) {
  const rig = await bridgeRig('/**')
  cleanups.push(() => rig.close())
  const bridge = await rig.start(new OscBridge({ namespace: '/osc', host: '127.0.0.1', port: 0, ...options }))
  return { rig, bridge }
}

async function sendRaw(port: number, bytes: Uint8Array | DataView) {
  const s = createSocket('udp4')
  const buf = bytes instanceof DataView ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : bytes
  await new Promise<void>((resolve, reject) => s.send(buf, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())))
  s.close()
}

const seenAt = (rig: BridgeRig, address: string) => rig.seen.filter((s) => s.address === address)
const int = (value: number) => ({ type: 'integer' as const, value })

describe('time tags', () => {
  test('µs → time tag → µs is exact, and a liblo time tag (usec × 4294.967295, truncated) reads back as its usec', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 2n, max: 2_085_978_495_999_999n }), (us) => {
        expect(timetagToMicros(microsToTimetag(us))).toBe(us)
      }),
    )
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999_999 }), (usec) => {
        const liblo: [number, number] = [2_208_988_800 + 1_700_000_000, Math.floor(usec * 4294.967295)]
        expect(timetagToMicros(liblo)).toBe(1_700_000_000_000_000n + BigInt(usec))
      }),
    )
  })
})

describe('OSC bridge edge cases (raw UDP)', () => {
  test("signal 'event': a value too large for one CLASP frame is a counted error, not an exception", async () => {
    const { rig, bridge } = await setup({ signal: 'event' })
    // 60,000 `T` type tags: a 60 KB datagram that becomes an Array of 60,000 Bools.
    const address = Buffer.from('/big\0\0\0\0')
    const tags = Buffer.alloc(60_004)
    tags.write(`,${'T'.repeat(60_000)}`)
    await sendRaw(bridge.port, Buffer.concat([address, tags]))
    await waitFor(() => bridge.stats().errors >= 1, 3000, 'the error')
    await sendRaw(bridge.port, toBuffer({ address: '/after', args: [int(1)] }))
    await waitFor(() => seenAt(rig, '/osc/after').length > 0, 3000, 'a message after the big one')
    expect(bridge.stats()).toMatchObject({ errors: 1 })
  })

  test("signal 'event': a bundle more than 24 h ahead is refused (as the router refuses such param bundles), not delivered at once", async () => {
    const { rig, bridge } = await setup({ signal: 'event' })
    const at = microsToTimetag(BigInt(Date.now() + 30 * 24 * 3600_000) * 1000n) // 30 days: beyond setTimeout's 24.8-day limit
    await sendRaw(bridge.port, toBuffer({ timetag: at, elements: [{ address: '/later', args: [int(1)] }, { address: '/later2', args: [int(2)] }] }))
    await sleep(200)
    expect(seenAt(rig, '/osc/later')).toHaveLength(0)
    await waitFor(() => bridge.stats().errors >= 1, 3000, 'the refusal')
    expect(rig.log.entries.some((e) => e.level === 'warn' && /24 h/.test(String(e.fields?.error)))).toBe(true)
  })

  test("a nested bundle's messages apply after those of the bundle that encloses it (its time tag is ≥ the outer one)", async () => {
    const { rig, bridge } = await setup()
    await sendRaw(bridge.port, toBuffer({ timetag: [0, 1], elements: [{ address: '/x', args: [int(1)] }, { timetag: [0, 1], elements: [{ address: '/x', args: [int(2)] }] }] }))
    await waitFor(() => seenAt(rig, '/osc/x').length >= 2, 3000, 'both writes')
    expect(seenAt(rig, '/osc/x').map((s) => s.value)).toEqual([1n, 2n])
    expect(rig.router.params.get('/osc/x')?.value).toBe(2n)
  })

  test('a bundle with one element whose address is a pattern is dropped whole (docs: no half-applied cue)', async () => {
    const { rig, bridge } = await setup()
    await sendRaw(bridge.port, toBuffer({ timetag: [0, 1], elements: [{ address: '/cue/a', args: [int(1)] }, { address: '/cue/*', args: [int(2)] }] }))
    await waitFor(() => bridge.stats().malformed >= 1, 3000, 'the malformed element')
    await sendRaw(bridge.port, toBuffer({ address: '/after', args: [int(1)] }))
    await waitFor(() => seenAt(rig, '/osc/after').length > 0, 3000, 'a message after the bundle')
    expect(seenAt(rig, '/osc/cue/a')).toHaveLength(0)
    expect(rig.router.params.get('/osc/cue/a')).toBeUndefined()
    expect(bridge.stats()).toMatchObject({ malformed: 1, inbound: 1 })
  })
})
