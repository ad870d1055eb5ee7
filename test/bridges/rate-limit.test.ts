/**
 * A bridge running as its own process is one router session, so the router's per-session rate
 * limit applies to everything it forwards. A burst beyond the limit must not lose the final
 * state: refused SETs are sent again after the router's one-second window, the latest value per
 * address (bridges/bridge.ts OwnWrites). Here an OSC fader sweep of 300 messages meets a limit of
 * 50 messages/s, over WebSocket as `clasp osc` would connect.
 */
import { createSocket } from 'node:dgram'
import { toBuffer } from 'osc-min'
import { afterEach, describe, expect, test } from 'vitest'
import { OscBridge } from '../../bridges/osc.ts'
import { type ClaspClient, connect } from '../../runtime/client/index.ts'
import { mergeSettings } from '../../runtime/cli/config.ts'
import { type RunningServer, startServer } from '../../runtime/server.ts'
import { recordingLogger } from '../support/peers.ts'
import { sleep, waitFor } from '../support/wait.ts'

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

describe('a remote bridge above the router rate limit', () => {
  test('an OSC fader sweep ends at its last value in the router, though most of it was refused', async () => {
    const settings = mergeSettings({ router: { maxMessagesPerSecond: 50 } }, { host: '127.0.0.1', port: 0, tcpPort: 0, logLevel: 'silent' })
    const server: RunningServer = await startServer(settings, undefined, () => undefined)
    cleanups.push(() => server.close())
    const clasp: ClaspClient = await connect(`ws://127.0.0.1:${server.ports.ws}`, { name: 'clasp osc bridge', reconnect: false })
    cleanups.push(() => clasp.close())
    const log = recordingLogger()
    const bridge = new OscBridge({ namespace: '/osc', host: '127.0.0.1', port: 0 })
    await bridge.start({ clasp, log })
    cleanups.push(() => bridge.stop())

    const udp = createSocket('udp4')
    cleanups.push(() => void udp.close())
    for (let i = 0; i < 300; i++) {
      const value = i === 299 ? 1 : i / 300
      const packet = toBuffer({ address: '/mixer/fader1', args: [{ type: 'float', value }] }) // a DataView
      const bytes = new Uint8Array(packet.buffer, packet.byteOffset, packet.byteLength)
      await new Promise<void>((resolve, reject) => udp.send(bytes, bridge.port, '127.0.0.1', (e) => (e ? reject(e) : resolve())))
      if (i % 25 === 24) await sleep(2) // a fast sweep, but not faster than the socket buffer holds
    }
    await waitFor(() => bridge.stats().inbound === 300, 5000, 'all 300 OSC messages at the bridge')
    expect(bridge.stats().errors).toBeGreaterThan(100) // refused by the rate limit, counted and logged
    expect(log.entries.some((e) => e.level === 'warn' && /Rate limit exceeded: 50/.test(JSON.stringify(e.fields)))).toBe(true)
    await waitFor(() => server.router.params.get('/osc/mixer/fader1')?.value === 1, 5000, 'the last value, sent again after the window')
    expect(server.router.stats.rateLimited).toBeGreaterThan(100)
  })
})
