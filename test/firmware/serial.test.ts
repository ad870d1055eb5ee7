/**
 * The SerialLedStrip sketch, compiled for the host, as a serial device of a real router:
 * WebSocket client → router → serial transport (SLIP over a socat pty pair) → simulated board
 * (LED strip model) → its state PUBLISH → router → the WebSocket client. Also: a late joiner
 * gets the current look from its subscription SNAPSHOT; the board survives being killed and
 * restarted mid-stream, line noise, truncated frames and frames larger than its buffer.
 */
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { encode } from '../../generated/codec.ts'
import type { ClaspValue } from '../../generated/types.ts'
import { type ClaspClient, connect } from '../../runtime/client/index.ts'
import { type SerialAttachment, attachSerial } from '../../runtime/transports/serial.ts'
import { type PtyPair, type SimDevice, buildSketch, inject, slipFrame, startDevice, startPtyPair } from '../../firmware-sim/harness.ts'
import { sleep, waitFor } from '../support/wait.ts'
import { Cleanup, type Rig, percentile, sessionsNamed, startRig, unavailable } from './support.ts'

const skip = unavailable('serial firmware tests', ['host', 'socat', 'serialport'])
const DEVICE = 'led-strip1'
const STRIP = '/lights/strip1'

interface State {
  brightness: number
  color: number
}

describe.skipIf(skip)('SerialLedStrip over serial (SLIP) [embedded §1, §5.3]', () => {
  const suite = new Cleanup()
  const each = new Cleanup()
  let exe: string
  let rig: Rig
  let client: ClaspClient
  const states: Array<{ state: State; at: number }> = []

  beforeAll(async () => {
    exe = buildSketch('SerialLedStrip').path
    rig = await startRig(suite)
    client = await connect(rig.url, { name: 'firmware-test' })
    suite.add(() => client.close())
    client.on(`${STRIP}/state`, (v: ClaspValue) => {
      const m = v as Record<string, ClaspValue>
      states.push({ state: { brightness: Number(m.brightness), color: Number(m.color) }, at: performance.now() })
    })
  }, 120_000)
  afterEach(() => each.run())
  afterAll(() => suite.run())

  let n = 0
  /** A fresh cable: socat pair, the router's serial transport on one end. */
  async function cable(): Promise<{ pair: PtyPair; att: SerialAttachment }> {
    n++
    const pair = await startPtyPair(join(rig.dir, `router${n}`), join(rig.dir, `device${n}`))
    each.add(() => pair.stop())
    const att = await attachSerial(rig.router, { path: pair.routerPath, reconnectMs: 100 })
    each.add(() => att.close())
    await waitFor(() => att.connected, 5000, 'the router end of the serial link')
    return { pair, att }
  }

  async function board(pair: PtyPair): Promise<SimDevice> {
    const dev = await startDevice(exe, { serial: pair.devicePath }, DEVICE)
    each.add(() => dev.kill())
    return dev
  }

  /** The device's session is open and its subscription registered. */
  const joined = () => waitFor(() => sessionsNamed(rig.router, DEVICE).find((s) => s.subscriptions.size === 1), 8000, `${DEVICE} subscribed`)
  const hex = (c: number) => c.toString(16).padStart(6, '0')
  const ledIs = (dev: SimDevice, brightness: number, color: number) => {
    const led = dev.led()
    return led !== undefined && led.brightness === brightness && led.pixels.length === 8 && led.pixels.every((p) => p === hex(color))
  }
  const stateAfter = (from: number, want: State) =>
    waitFor(() => states.slice(from).find((s) => Math.abs(s.state.brightness - want.brightness) < 1e-6 && s.state.color === want.color), 5000, `state ${JSON.stringify(want)}`)

  test('a WebSocket client sets brightness and color; the LED model follows and the strip publishes its state', async () => {
    const { pair } = await cable()
    const dev = await board(pair)
    await joined()
    const from = states.length
    const t0 = performance.now()
    await client.set(`${STRIP}/brightness`, 0.5)
    await client.set(`${STRIP}/color`, [255, 136, 0])
    const got = await stateAfter(from, { brightness: 0.5, color: 0xff8800 })
    await waitFor(() => ledIs(dev, 128, 0xff8800), 2000, 'LED model at brightness 128, color ff8800')
    expect(dev.led()).toEqual({ brightness: 128, pixels: Array(8).fill('ff8800') })
    console.info(`[firmware] two SETs → LED model → state seen by the WebSocket client after ${(got.at - t0).toFixed(1)} ms`)

    // Other colour forms the sketch accepts: a number 0xRRGGBB and a "#rrggbb" string.
    await client.set(`${STRIP}/color`, 0x00ff40)
    await stateAfter(from, { brightness: 0.5, color: 0x00ff40 })
    await client.set(`${STRIP}/color`, '#123456')
    await stateAfter(from, { brightness: 0.5, color: 0x123456 })
    expect(ledIs(dev, 128, 0x123456)).toBe(true)

    // Round-trip latency: one SET, until the state carrying it reaches the client.
    const rtts: number[] = []
    for (let i = 1; i <= 30; i++) {
      const level = Math.fround(i / 64)
      const at = states.length
      const start = performance.now()
      client.set(`${STRIP}/brightness`, level).catch(() => undefined)
      const s = await stateAfter(at, { brightness: level, color: 0x123456 })
      rtts.push(s.at - start)
    }
    rtts.sort((a, b) => a - b)
    console.info(`[firmware] round trip WS set → router → serial → device (LED shown) → state → WS, ${rtts.length} runs: ` +
      `median ${percentile(rtts, 50).toFixed(2)} ms, p95 ${percentile(rtts, 95).toFixed(2)} ms, max ${rtts[rtts.length - 1].toFixed(2)} ms`)
    expect(percentile(rtts, 50)).toBeLessThan(250)
  })

  test('a late-joining device shows the current state from its subscription SNAPSHOT', async () => {
    await client.set(`${STRIP}/brightness`, 0.25)
    await client.set(`${STRIP}/color`, [10, 20, 30])
    const from = states.length
    const { pair } = await cable()
    const dev = await board(pair) // joins after the values were set: nothing is sent to it but snapshots
    await waitFor(() => ledIs(dev, 64, 0x0a141e), 8000, 'the late joiner to show brightness 64, color 0a141e')
    await stateAfter(from, { brightness: 0.25, color: 0x0a141e })
  })

  test('killed mid-stream and restarted: the router cleans up, the device rejoins with a fresh snapshot', async () => {
    const { pair, att } = await cable()
    let dev = await board(pair)
    const first = await joined()
    // A stream of SETs from the client while the board dies.
    let streaming = true
    let sent = 0
    const writer = (async () => {
      while (streaming) {
        await client.set(`${STRIP}/brightness`, Math.fround((sent++ % 100) / 100))
        await sleep(5)
      }
    })()
    await sleep(150)
    await dev.kill('SIGKILL') // power loss, possibly in the middle of a frame
    await sleep(150)
    // Reboot on the same cable: the router's session is the same link, so it gets a HELLO again.
    dev = await board(pair)
    await sleep(300)
    streaming = false
    await writer
    await client.set(`${STRIP}/brightness`, 0.75)
    await client.set(`${STRIP}/color`, [0, 0, 255])
    await waitFor(() => ledIs(dev, 191, 0x0000ff), 8000, 'the rebooted board to follow the client')
    expect(sent).toBeGreaterThan(20) // the router kept serving the client throughout
    const same = sessionsNamed(rig.router, DEVICE)
    expect(same.length).toBe(1)
    expect(same[0].subscriptions.size).toBe(1) // re-subscribing reused id 1: no duplicates

    // Unplugged (the cable goes away) while dead: the router ends the session and drops its
    // subscriptions; plugged back in, a new session gets the latest state in its snapshot.
    await dev.kill('SIGKILL')
    await pair.stop()
    await waitFor(() => !att.connected && sessionsNamed(rig.router, DEVICE).length === 0, 5000, 'the router to end the session')
    let left = 0
    rig.router.subscriptions.forEachMatch(`${STRIP}/brightness`, () => left++)
    expect(left).toBe(0) // its subscription left the router's trie with it
    await client.set(`${STRIP}/color`, [255, 0, 0])
    const again = await startPtyPair(pair.routerPath, pair.devicePath)
    each.add(() => again.stop())
    dev = await board(again)
    const second = await joined()
    expect(second.id).not.toBe(first.id)
    await waitFor(() => ledIs(dev, 191, 0xff0000), 8000, 'the replugged board to show the stored state')
  })

  test('line noise and truncated frames are dropped both ways; the router keeps serving', async () => {
    const { pair, att } = await cable()
    const dev = await board(pair)
    await joined()
    let seed = 12345
    const random = (k: number) => Uint8Array.from({ length: k }, () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff)
    const set = (address: string, value: ClaspValue) => encode({ type: 'SET', address, value })
    const truncated = (f: Uint8Array) => slipFrame(f.slice(0, f.length - 3))
    for (let i = 0; i < 20; i++) {
      inject(pair.routerPath, random(1 + (i * 7) % 90)) // → device
      inject(pair.routerPath, truncated(set(`${STRIP}/brightness`, 0.1)))
      inject(pair.devicePath, random(1 + (i * 5) % 90)) // → router
      inject(pair.devicePath, truncated(encode({ type: 'PING' })))
      await sleep(2)
    }
    // A whole frame right after the noise still gets through (SLIP resynchronises on END).
    inject(pair.routerPath, slipFrame(set(`${STRIP}/color`, 0x336699)))
    await waitFor(() => dev.led()?.pixels[0] === '336699', 5000, 'the injected SET to reach the LED model')
    await waitFor(() => att.stats.badFrames > 0, 3000, 'the router to count bad frames')
    await client.set(`${STRIP}/brightness`, 1)
    await client.set(`${STRIP}/color`, [1, 2, 3])
    await waitFor(() => ledIs(dev, 255, 0x010203), 5000, 'the board to follow the client after the noise')
    expect(sessionsNamed(rig.router, DEVICE).length).toBe(1)
    console.info(`[firmware] noise: the router dropped ${att.stats.badFrames} bad SLIP frames, the link stayed up`)
  })

  test('a frame larger than the device buffer is skipped without desynchronising the link', async () => {
    const { pair } = await cable()
    const dev = await board(pair)
    await joined()
    await client.set(`${STRIP}/color`, [9, 9, 9])
    await waitFor(() => ledIs(dev, dev.led()!.brightness, 0x090909), 5000, 'colour 090909')
    // Through the router: a 600-byte string does not fit the 256-byte receive buffer.
    await client.set(`${STRIP}/color`, `#${'f'.repeat(600)}`)
    await client.set(`${STRIP}/brightness`, 0.5)
    await waitFor(() => ledIs(dev, 128, 0x090909), 5000, 'the brightness after the oversized frame')
    // Injected straight onto the line, escapes and all, then a normal frame.
    const big = encode({ type: 'SET', address: `${STRIP}/color`, value: new Uint8Array(400).fill(0xc0) })
    inject(pair.routerPath, slipFrame(big))
    inject(pair.routerPath, slipFrame(encode({ type: 'SET', address: `${STRIP}/color`, value: 0x445566n })))
    await waitFor(() => ledIs(dev, 128, 0x445566), 5000, 'the frame after the oversized one')
    await client.set(`${STRIP}/color`, [255, 255, 255]) // leave a snapshot that fits
  })
})
