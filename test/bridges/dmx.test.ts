/**
 * DMX over an ENTTEC DMX USB Pro: the bridge opens one end of a socat pty pair; the test plays
 * the widget on the other end with its own ENTTEC message reader (written here from the framing
 * rule, not with the bridge's encoder), checks framing, values, the steady refresh and the
 * reconnect after the device disappears.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { SerialPort } from 'serialport'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DmxBridge, type DmxOptions } from '../../bridges/dmx.ts'
import { type PtyPair, startPtyPair } from '../support/transport-clients.ts'
import { sleep, waitFor } from '../support/wait.ts'
import { type BridgeRig, bridgeRig, peer } from '../support/peers.ts'

interface Message {
  label: number
  data: Uint8Array
  at: number
}

/** The widget side: opens the pty and splits the byte stream into ENTTEC messages. */
async function widget(path: string) {
  const { SerialPort } = await import('serialport')
  const port: SerialPort = new SerialPort({ path, baudRate: 115200, autoOpen: false })
  const messages: Message[] = []
  let garbage = 0
  let buf = Buffer.alloc(0)
  port.on('data', (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk])
    for (;;) {
      const start = buf.indexOf(0x7e)
      if (start < 0) {
        garbage += buf.length
        buf = Buffer.alloc(0)
        return
      }
      garbage += start
      buf = buf.subarray(start)
      if (buf.length < 4) return
      const len = buf[2] | (buf[3] << 8)
      if (buf.length < len + 5) return
      if (buf[len + 4] !== 0xe7) {
        garbage++ // not a message boundary: resynchronise on the next 0x7E
        buf = buf.subarray(1)
        continue
      }
      messages.push({ label: buf[1], data: Uint8Array.from(buf.subarray(4, 4 + len)), at: performance.now() })
      buf = buf.subarray(len + 5)
    }
  })
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())))
  return {
    messages,
    get garbage() {
      return garbage
    },
    close: () => new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve())),
  }
}

const socat = peer('socat', 'socat')

describe.skipIf(!socat.ok)('DMX (ENTTEC DMX USB Pro framing) over a socat pty pair', () => {
  let dir: string
  let pair: PtyPair
  let r: BridgeRig
  let w: Awaited<ReturnType<typeof widget>>
  const bridge = (o: Partial<DmxOptions> = {}) => r.start(new DmxBridge({ namespace: '/dmx', port: pair.a, reconnectMs: 200, ...o }))

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'clasp-dmx-'))
    pair = await startPtyPair(join(dir, 'bridge'), join(dir, 'widget'))
    r = await bridgeRig('/**')
    w = await widget(pair.b)
  })
  afterEach(async () => {
    await r.close()
    await w.close()
    await pair.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('writes label-6 messages: 0x7E 6 len=513 (LSB, MSB), start code 0, 512 slots, 0xE7', async () => {
    const b = await bridge()
    await r.observer.set('/dmx/0/1', 255n)
    await r.observer.set('/dmx/0/2', 127.6)
    await r.observer.set('/dmx/0/512', 7n)
    await waitFor(() => w.messages.some((m) => m.data[512] === 7), 3000, 'a frame with channel 512')
    const m = w.messages.at(-1)!
    expect(m.label).toBe(6)
    expect(m.data.length).toBe(513)
    expect([m.data[0], m.data[1], m.data[2], m.data[3], m.data[512]]).toEqual([0, 255, 128, 0, 7])
    expect(w.garbage).toBe(0)
    expect(b.connected).toBe(true)
  })

  it('outputs at a steady refresh rate whether or not anything changes', async () => {
    await bridge({ refreshHz: 40 })
    await waitFor(() => w.messages.length >= 2)
    const from = w.messages.length
    await sleep(1000)
    const n = w.messages.length - from
    expect(n).toBeGreaterThanOrEqual(30)
    expect(n).toBeLessThanOrEqual(41)
  })

  it('normalize, universe frames and rejected writes follow the Art-Net/sACN rules', async () => {
    const b = await bridge({ universe: 3, normalize: true })
    await r.observer.set('/dmx/3/10', 0.5)
    r.observer.stream('/dmx/3', Uint8Array.from([9, 8, 7]))
    await waitFor(() => w.messages.some((m) => m.data[1] === 9 && m.data[10] === 128), 3000)
    await r.observer.set('/dmx/0/1', 1) // another universe
    await r.observer.set('/dmx/3/513', 1)
    await r.observer.set('/dmx/3/1', 'full')
    await waitFor(() => b.stats().rejected === 3)
    expect([...b.current().subarray(0, 3)]).toEqual([9, 8, 7])
  })

  it('reopens the device after it disappears and resumes with the current frame', async () => {
    const b = await bridge()
    await r.observer.set('/dmx/0/5', 55n)
    await waitFor(() => w.messages.some((m) => m.data[5] === 55))
    await w.close()
    await pair.stop() // the USB widget is unplugged
    await waitFor(() => !b.connected, 5000, 'the bridge to notice')
    await r.observer.set('/dmx/0/6', 66n) // written while the device is gone
    pair = await startPtyPair(pair.a, pair.b) // plugged back in (same paths, new ptys)
    w = await widget(pair.b)
    await waitFor(() => w.messages.some((m) => m.data[5] === 55 && m.data[6] === 66), 5000, 'frames on the new device')
    expect(b.stats().opens).toBe(2)
    expect(r.log.entries.some((e) => e.level === 'warn' && /dmx device (closed|vanished)/.test(e.msg))).toBe(true)
  })
})

describe('DMX bridge without its dependencies', () => {
  it('a missing serialport package gives a clear error', async () => {
    const r = await bridgeRig('/**')
    try {
      const b = new DmxBridge({ namespace: '/dmx', port: '/dev/null', load: () => Promise.reject(new Error("Cannot find package 'serialport'")) })
      await expect(b.start({ clasp: r.clasp, log: r.log })).rejects.toThrow(/optional npm package 'serialport'.*npm install serialport/)
    } finally {
      await r.close()
    }
  })

  it('rejects unsupported options at construction', () => {
    expect(() => new DmxBridge({ namespace: '/dmx', port: '' })).toThrow(/port/)
    expect(() => new DmxBridge({ namespace: '/dmx', port: '/dev/x', interface: 'open-dmx' as 'enttec-pro' })).toThrow(/only "enttec-pro"/)
    expect(() => new DmxBridge({ namespace: '/dmx', port: '/dev/x', refreshHz: 100 })).toThrow(/refreshHz/)
  })
})
