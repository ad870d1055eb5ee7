/**
 * The OSC bridge against liblo's command-line tools on 127.0.0.1 (Debian `liblo-tools`):
 * `oscsend` and `oscsendfile` (which sends bundles) into the bridge, `oscdump -L` as the
 * receiver of its output. Types both ways, bundles and their time tags, 32/64-bit output, the
 * namespace, transforms, loop suppression, and malformed input that is counted, logged and
 * dropped without touching router state. osc-min is used only for what liblo cannot send
 * (blobs, time-tag args, future bundles, garbage).
 */
import fc from 'fast-check'
import { createSocket } from 'node:dgram'
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { toBuffer } from 'osc-min'
import { afterEach, describe, expect, test } from 'vitest'
import { OscBridge, type OscBridgeOptions, argsToValue, microsToTimetag, timetagToMicros } from '../../bridges/osc.ts'
import { type BridgeRig, bridgeRig, peer, spawnPeer, startOscdump } from '../support/peers.ts'
import { sleep, waitFor } from '../support/wait.ts'

const oscsend = peer('oscsend', 'liblo-tools')
const oscsendfile = peer('oscsendfile', 'liblo-tools')
const oscdump = peer('oscdump', 'liblo-tools')

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function setup(options: Partial<OscBridgeOptions> = {}, withDump = true) {
  const rig = await bridgeRig('/**')
  cleanups.push(() => rig.close())
  const dump = withDump ? await startOscdump(oscdump.path) : undefined
  if (dump) cleanups.push(() => dump.stop())
  const bridge = await rig.start(new OscBridge({ namespace: '/osc', host: '127.0.0.1', port: 0, remotePort: dump?.port, ...options }))
  return { rig, dump, bridge }
}

async function send(port: number, address: string, types = '', ...values: string[]) {
  const p = spawnPeer(oscsend.path, ['127.0.0.1', String(port), address, ...(types ? [types, ...values] : [])])
  expect(await p.exited()).toBe(0)
}

/** A raw datagram to the bridge (for what oscsend cannot produce). */
async function sendRaw(port: number, bytes: Uint8Array | DataView) {
  const s = createSocket('udp4')
  const buf = bytes instanceof DataView ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : bytes
  await new Promise<void>((resolve, reject) => s.send(buf, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())))
  s.close()
}

const seenAt = (rig: BridgeRig, address: string) => rig.seen.filter((s) => s.address === address)
const int = (value: number) => ({ type: 'integer' as const, value })

describe('time tags (NTP 1900 ↔ Unix µs)', () => {
  test('conversion both ways; 1 means immediately', () => {
    expect(timetagToMicros([0, 1])).toBe(1n)
    expect(microsToTimetag(1n)).toEqual([0, 1])
    expect(timetagToMicros([2_208_988_800, 0])).toBe(0n) // the Unix epoch
    expect(timetagToMicros([2_208_988_801, 2 ** 31])).toBe(1_500_000n)
    const now = BigInt(Date.now()) * 1000n + 123n
    expect(Number(timetagToMicros(microsToTimetag(now)) - now)).toBeLessThanOrEqual(1)
  })

  test('args → value: none, one, several', () => {
    expect(argsToValue([])).toBeNull()
    expect(argsToValue([{ type: 'float', value: 0.5 }])).toBe(0.5)
    expect(argsToValue([{ type: 'integer', value: 1 }, { type: 'array', value: [{ type: 'true', value: true }] }])).toEqual([1n, [true]])
  })
})

/** Time tags round to the nearest µs both ways, and liblo's truncated fractions read back exactly. */
describe('time-tag rounding', () => {
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

describe.skipIf(!oscsend.ok || !oscdump.ok || !oscsendfile.ok)('OSC bridge against liblo (oscsend, oscsendfile, oscdump)', () => {
  test('oscsend → SET under the namespace with every liblo type', async () => {
    const { rig, bridge } = await setup({}, false)
    await send(bridge.port, '/mixer/fader1', 'f', '0.5')
    await send(bridge.port, '/mixer/all', 'ifsTFNhdSc', '1', '0.25', 'hi', '9', '2.25', 'sym', 'x')
    await send(bridge.port, '/mixer/go')
    await send(bridge.port, '/mixer/midi', 'm', '00903c7f')
    await waitFor(() => seenAt(rig, '/osc/mixer/midi').length > 0, 3000, 'four SETs')
    const f = seenAt(rig, '/osc/mixer/fader1')[0]
    expect(f.value).toBe(0.5)
    expect(typeof f.value).toBe('number') // a Float, not an Int
    expect(f.meta.signal).toBe('param')
    expect(seenAt(rig, '/osc/mixer/all')[0].value).toEqual([1n, 0.25, 'hi', true, false, null, 9n, 2.25, 'sym', 'x'])
    expect(seenAt(rig, '/osc/mixer/go')[0].value).toBeNull()
    expect(seenAt(rig, '/osc/mixer/midi')[0].value).toEqual([0n, 0x90n, 0x3cn, 0x7fn])
    expect(rig.router.params.get('/osc/mixer/fader1')?.value).toBe(0.5)
    expect(bridge.stats()).toMatchObject({ inbound: 4, malformed: 0 })
  })

  test('blobs and time-tag arguments (osc-min sender)', async () => {
    const { rig, bridge } = await setup({}, false)
    await sendRaw(bridge.port, toBuffer({ address: '/blob', args: [{ type: 'blob', value: new Uint8Array([1, 2, 3]) }] }))
    await sendRaw(bridge.port, toBuffer({ address: '/when', args: [{ type: 'timetag', value: [2_208_988_801, 0] }] }))
    await waitFor(() => seenAt(rig, '/osc/when').length > 0, 3000, 'two SETs')
    expect(seenAt(rig, '/osc/blob')[0].value).toEqual(new Uint8Array([1, 2, 3]))
    expect(seenAt(rig, '/osc/when')[0].value).toBe(1_000_000n) // 1970-01-01T00:00:01Z in µs
  })

  test('oscsendfile bundles become CLASP bundles, applied together', async () => {
    const { rig, bridge } = await setup({}, false)
    const dir = mkdtempSync(join(tmpdir(), 'clasp-oscfile-'))
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
    // Lines with the same time tag are sent as one bundle (liblo rebases the tags onto "now").
    writeFileSync(join(dir, 'cue.txt'), 'eeab62b5.00000000 /cue/a f 0.5\neeab62b5.00000000 /cue/b i 2\neeab62b5.00000000 /cue/c s go\n')
    const p = spawnPeer(oscsendfile.path, ['127.0.0.1', String(bridge.port), join(dir, 'cue.txt')])
    expect(await p.exited()).toBe(0)
    await waitFor(() => seenAt(rig, '/osc/cue/c').length > 0, 3000, 'the bundle')
    expect(rig.seen.filter((s) => s.address.startsWith('/osc/cue/')).map((s) => [s.address, s.value])).toEqual([
      ['/osc/cue/a', 0.5], ['/osc/cue/b', 2n], ['/osc/cue/c', 'go'],
    ])
    expect(bridge.stats()).toMatchObject({ inbound: 3, malformed: 0, errors: 0 })
  })

  test('a bundle time-tagged in the future is applied at its time (nested bundles too)', async () => {
    const { rig, bridge } = await setup({}, false)
    const sentAt = Date.now()
    const at = microsToTimetag(BigInt(sentAt + 400) * 1000n)
    await sendRaw(bridge.port, toBuffer({
      timetag: at,
      elements: [{ address: '/later', args: [{ type: 'integer', value: 1 }] }, { timetag: [0, 1], elements: [{ address: '/now', args: [] }] }],
    }))
    await waitFor(() => seenAt(rig, '/osc/now').length > 0, 3000, 'the immediate nested bundle')
    expect(seenAt(rig, '/osc/later')).toHaveLength(0)
    await waitFor(() => seenAt(rig, '/osc/later').length > 0, 3000, 'the scheduled bundle')
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(350)
  })

  test('CLASP → oscdump: i/f by default, namespace removed, every type', async () => {
    const { rig, dump } = await setup()
    await rig.observer.set('/osc/out/f', 1.0)
    await rig.observer.set('/osc/out/i', 42n)
    await rig.observer.set('/osc/out/big', 5_000_000_000n)
    await rig.observer.set('/osc/out/many', [1n, 0.5, 'str', true, false, null, [2n, 3n]])
    await rig.observer.set('/osc/out/blob', new Uint8Array([1, 2, 3]))
    await rig.observer.set('/osc/out/none', null)
    await rig.observer.set('/osc/out/map', Object.assign(Object.create(null), { a: 1n }))
    rig.observer.emit('/osc/out/event', 'bang')
    await rig.observer.set('/elsewhere/x', 1) // outside the namespace: not sent
    await waitFor(() => dump!.messages().length >= 8, 3000, 'eight OSC messages')
    await sleep(100)
    const lines = dump!.messages().map((l) => l.split(' ').slice(1).join(' '))
    expect(lines).toEqual([
      '/out/f f 1.000000',
      '/out/i i 42',
      '/out/big h 5000000000',
      '/out/many ifsTFNii 1 0.500000 "str" #T #F Nil 2 3', // nested arrays flattened for liblo
      '/out/blob b [3b 0x1 0x2 0x3]',
      '/out/none ',
      '/out/map s "{"a":1}"',
      '/out/event s "bang"',
    ])
  })

  test('bits: 64 sends h/d', async () => {
    const { rig, dump } = await setup({ bits: 64 })
    await rig.observer.set('/osc/x', [7n, 0.1])
    await waitFor(() => dump!.messages().length >= 1, 3000, 'one message')
    expect(dump!.messages()[0]).toMatch(/ \/x hd 7 0\.1/)
  })

  test('what came from OSC is not sent back to OSC (loop suppression)', async () => {
    const { rig, dump, bridge } = await setup()
    await send(bridge.port, '/loop', 'f', '0.5')
    await waitFor(() => seenAt(rig, '/osc/loop').length > 0, 3000, 'the SET')
    await rig.observer.set('/osc/other', 1n)
    await waitFor(() => dump!.messages().length >= 1, 3000, 'the other write')
    await sleep(100)
    expect(dump!.messages().map((l) => l.split(' ')[1])).toEqual(['/other'])
    expect(bridge.stats()).toMatchObject({ inbound: 1, outbound: 1, suppressed: 1 })
  })

  test("signal: 'event' publishes instead of storing", async () => {
    const { rig, bridge } = await setup({ signal: 'event' }, false)
    await send(bridge.port, '/hit', 'i', '1')
    await waitFor(() => seenAt(rig, '/osc/hit').length > 0, 3000, 'the event')
    expect(seenAt(rig, '/osc/hit')[0].meta.signal).toBe('event')
    expect(rig.router.params.get('/osc/hit')).toBeUndefined()
  })

  test('transforms: OSC 0..100 under /osc/mixer ↔ CLASP 0..1 under /mixer, both ways', async () => {
    const { rig, dump, bridge } = await setup({ transforms: [{ match: '/osc/mixer/*', to: '/mixer/*', scale: { from: [0, 100], to: [0, 1] } }] })
    await send(bridge.port, '/mixer/fader1', 'f', '50')
    await waitFor(() => seenAt(rig, '/mixer/fader1').length > 0, 3000, 'the mapped SET')
    expect(seenAt(rig, '/mixer/fader1')[0].value).toBe(0.5)
    await rig.observer.set('/mixer/fader2', 0.25) // outside /osc, reached through the rule
    await waitFor(() => dump!.messages().length >= 1, 3000, 'the mapped output')
    expect(dump!.messages()[0]).toMatch(/ \/mixer\/fader2 f 25\.000000$/)
    expect(dump!.messages().some((l) => l.includes('fader1'))).toBe(false) // no echo
  })

  test('malformed datagrams, patterns and bad addresses are counted, logged, dropped; state untouched', async () => {
    const { rig, bridge } = await setup({}, false)
    await rig.observer.set('/osc/keep', 1n)
    const before = [...rig.router.params.values()].map((p) => [p.address, p.revision])
    await sendRaw(bridge.port, new Uint8Array([0xde, 0xad, 0xbe, 0xef, 0x00]))
    await sendRaw(bridge.port, Buffer.from('/trunc\0\0,i\0\0\0\0')) // int argument cut short
    await sendRaw(bridge.port, Buffer.from('#bundle\0\0\0\0\0\0\0\0\x01\0\0\0\x08garbage!')) // a bundle whose element is not OSC
    await send(bridge.port, '/mixer/*', 'f', '1') // an OSC address pattern is not a CLASP address
    await send(bridge.port, '/a//b', 'f', '1')
    await waitFor(() => bridge.stats().malformed >= 5, 3000, 'five malformed')
    await send(bridge.port, '/keep', 'i', '2') // still working afterwards
    await waitFor(() => rig.router.params.get('/osc/keep')?.value === 2n, 3000, 'a good SET after the bad ones')
    expect(bridge.stats()).toMatchObject({ malformed: 5, inbound: 1, errors: 0 })
    expect([...rig.router.params.values()].map((p) => [p.address, p.revision])).toEqual(before.map(([a, r]) => [a, a === '/osc/keep' ? (r as bigint) + 1n : r]))
    const warnings = rig.log.entries.filter((e) => e.level === 'warn')
    expect(warnings).toHaveLength(5)
    expect(warnings[0].msg).toMatch(/malformed OSC packet/)
    expect(warnings.some((w) => w.msg.includes('pattern') && w.fields?.address === '/mixer/*')).toBe(true)
  })

  test('a port already in use fails start() with an error, not a crash', async () => {
    const { rig, bridge } = await setup({}, false)
    const second = new OscBridge({ namespace: '/osc2', host: '127.0.0.1', port: bridge.port })
    await expect(second.start({ clasp: rig.clasp, log: rig.log })).rejects.toThrow(/EADDRINUSE/)
  })
})

/**
 * Raw datagrams (no liblo needed): values too large for one CLASP frame and far-future bundles in
 * event mode, nested bundle order, and bundles with one bad element.
 */
describe('OSC bridge edge cases (raw UDP)', () => {
  test("signal 'event': a value too large for one CLASP frame is a counted error, not an exception", async () => {
    const { rig, bridge } = await setup({ signal: 'event' }, false)
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
    const { rig, bridge } = await setup({ signal: 'event' }, false)
    const at = microsToTimetag(BigInt(Date.now() + 30 * 24 * 3600_000) * 1000n) // 30 days: beyond setTimeout's 24.8-day limit
    await sendRaw(bridge.port, toBuffer({ timetag: at, elements: [{ address: '/later', args: [int(1)] }, { address: '/later2', args: [int(2)] }] }))
    await sleep(200)
    expect(seenAt(rig, '/osc/later')).toHaveLength(0)
    await waitFor(() => bridge.stats().errors >= 1, 3000, 'the refusal')
    expect(rig.log.entries.some((e) => e.level === 'warn' && /24 h/.test(String(e.fields?.error)))).toBe(true)
  })

  test("a nested bundle's messages apply after those of the bundle that encloses it (its time tag is ≥ the outer one)", async () => {
    const { rig, bridge } = await setup({}, false)
    await sendRaw(bridge.port, toBuffer({ timetag: [0, 1], elements: [{ address: '/x', args: [int(1)] }, { timetag: [0, 1], elements: [{ address: '/x', args: [int(2)] }] }] }))
    await waitFor(() => seenAt(rig, '/osc/x').length >= 2, 3000, 'both writes')
    expect(seenAt(rig, '/osc/x').map((s) => s.value)).toEqual([1n, 2n])
    expect(rig.router.params.get('/osc/x')?.value).toBe(2n)
  })

  test('a bundle with one element whose address is a pattern is dropped whole (docs: no half-applied cue)', async () => {
    const { rig, bridge } = await setup({}, false)
    await sendRaw(bridge.port, toBuffer({ timetag: [0, 1], elements: [{ address: '/cue/a', args: [int(1)] }, { address: '/cue/*', args: [int(2)] }] }))
    await waitFor(() => bridge.stats().malformed >= 1, 3000, 'the malformed element')
    await sendRaw(bridge.port, toBuffer({ address: '/after', args: [int(1)] }))
    await waitFor(() => seenAt(rig, '/osc/after').length > 0, 3000, 'a message after the bundle')
    expect(seenAt(rig, '/osc/cue/a')).toHaveLength(0)
    expect(rig.router.params.get('/osc/cue/a')).toBeUndefined()
    expect(bridge.stats()).toMatchObject({ malformed: 1, inbound: 1 })
  })
})
