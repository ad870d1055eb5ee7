/**
 * The router's per-session rate limit answers refused frames with ERROR 429 and no address
 * [CONF-140]. Our client attributes each such ERROR to the oldest pending SET, so a refused SET
 * fails at once with code 429 instead of waiting out its ACK timeout as a 502.
 */
import { afterEach, describe, expect, test } from 'vitest'
import { type ClaspClient, ClaspError, connect } from '../../runtime/client/index.ts'
import { mergeSettings } from '../../runtime/cli/config.ts'
import { type RunningServer, startServer } from '../../runtime/server.ts'

let server: RunningServer | undefined
let client: ClaspClient | undefined
afterEach(async () => {
  await client?.close()
  await server?.close()
})

describe('SETs refused by the rate limit', () => {
  test('reject with 429 promptly, and exactly the SETs the router dropped', async () => {
    const settings = mergeSettings({ router: { maxMessagesPerSecond: 20 } }, { host: '127.0.0.1', port: 0, tcpPort: 0, logLevel: 'silent' })
    server = await startServer(settings, undefined, () => undefined)
    client = await connect(`ws://127.0.0.1:${server.ports.ws}`, { reconnect: false })
    const t0 = Date.now()
    const results = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => client!.set(`/rl/${i % 3}`, i)))
    expect(Date.now() - t0).toBeLessThan(2000) // not the 5 s ACK timeout
    const refused = results.flatMap((r, i) => (r.status === 'rejected' ? [i] : []))
    for (const i of refused) {
      const e = (results[i] as PromiseRejectedResult).reason as ClaspError
      expect(e).toBeInstanceOf(ClaspError)
      expect(e.code).toBe(429)
    }
    const accepted = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []))
    // The window is shared with the handshake, so the count varies by a frame or two; the refused
    // ones are all the later ones (the router answers in order).
    expect(accepted.length).toBeGreaterThan(10)
    expect(refused.length).toBeGreaterThan(10)
    expect(Math.max(...accepted)).toBeLessThan(Math.min(...refused))
    // What the router holds is the last accepted value of each address.
    const last = (k: number) => Math.max(...accepted.filter((i) => i % 3 === k))
    for (const k of [0, 1, 2]) expect(server.router.params.get(`/rl/${k}`)?.value).toBe(last(k))
  })
})
