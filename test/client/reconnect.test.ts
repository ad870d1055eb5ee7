/**
 * Reconnect: backoff with jitter while the router is away, HELLO + re-SUBSCRIBE on return, the
 * fresh snapshot applied once, and no callback fired twice for the same (address, revision).
 */
import { WebSocketServer } from 'ws'
import { afterEach, describe, expect, test } from 'vitest'
import { decode, encode } from '../../generated/codec.ts'
import type { ClaspValue, UpdateMeta } from '../../runtime/client/index.ts'
import { backoffDelay, resolveReconnect } from '../../runtime/client/backoff.ts'
import { ClientHarness } from '../support/client-harness.ts'
import { sleep, waitFor } from '../support/wait.ts'

const h = new ClientHarness()
afterEach(() => h.cleanup())

function record() {
  const got: Array<[string, ClaspValue, bigint | undefined]> = []
  return { got, cb: (v: ClaspValue, address: string, meta: UpdateMeta) => void got.push([address, v, meta.revision]) }
}

describe('backoff', () => {
  test('exponential, capped, jittered within [d·(1−jitter), d]', () => {
    const o = resolveReconnect({ initialDelayMs: 100, maxDelayMs: 1000, factor: 2, jitter: 0.5 })!
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, o, () => 0))).toEqual([100, 200, 400, 800, 1000, 1000])
    expect([1, 2, 3].map((n) => backoffDelay(n, o, () => 0.999999))).toEqual([50, 100, 200])
    expect(resolveReconnect(false)).toBeUndefined()
    expect(resolveReconnect(undefined)).toMatchObject({ initialDelayMs: 250, maxDelayMs: 10_000, factor: 2 })
  })
})

describe('reconnect against a real router', () => {
  test('router restarted on the same port: backoff, re-subscribe, fresh snapshot once, no repeat of a seen revision', async () => {
    const first = await h.router('ws')
    const port = first.port
    const c = await h.client(first.url, { name: 'survivor', reconnect: { initialDelayMs: 40, maxDelayMs: 400, factor: 2, jitter: 0.5 } })
    const events: string[] = []
    const delays: Array<{ attempt: number; delayMs: number }> = []
    c.onDisconnect(() => events.push('disconnect'))
    c.onReconnecting((info) => (events.push(`reconnecting ${info.attempt}`), delays.push(info)))
    c.onConnect((info) => events.push(info.reconnect ? 'reconnected' : 'connected'))
    const { got, cb } = record()
    c.on('/show/**', cb)
    await c.flush()

    const w1 = await h.client(first.url, { name: 'writer-1', reconnect: false })
    await w1.set('/show/a', 1)
    await w1.set('/show/c', 'old')
    await waitFor(() => got.length === 2, 2000, 'initial values')
    const oldSession = c.session

    await first.stop()
    // Let a few attempts fail against the closed port.
    await waitFor(() => delays.length >= 3, 5000, 'three reconnect attempts')
    expect(delays.map((d) => d.attempt).slice(0, 3)).toEqual([1, 2, 3])
    delays.slice(0, 3).forEach((d, i) => {
      const base = Math.min(400, 40 * 2 ** i)
      expect(d.delayMs).toBeGreaterThanOrEqual(base / 2)
      expect(d.delayMs).toBeLessThanOrEqual(base)
    })
    expect(c.connected).toBe(false)
    expect(c.state).toBe('reconnecting')

    // A new router on the same port with its own state: /show/a at the revision and value the
    // client already has, /show/b new, /show/c at the same revision number but a new value.
    const second = await h.router('ws', port)
    const now = Date.now()
    second.router.params.apply({ address: '/show/a', value: 1 }, 'restore', now)
    second.router.params.apply({ address: '/show/b', value: 'fresh' }, 'restore', now)
    second.router.params.apply({ address: '/show/c', value: 'new' }, 'restore', now)

    await waitFor(() => c.connected, 5000, 'reconnect')
    expect(c.session).not.toBe(oldSession)
    await c.flush()
    await sleep(50)
    const session = second.router.sessions.get(c.session!)!
    expect([...session.subscriptions.values()].map((s) => s.pattern)).toEqual(['/show/**'])
    // /show/a (same revision, same value) not again; the others exactly once, in snapshot order.
    expect(got).toHaveLength(4)
    expect(got.slice(0, 2)).toEqual([['/show/a', 1, 1n], ['/show/c', 'old', 1n]])
    expect(got.slice(2).sort()).toEqual([['/show/b', 'fresh', 1n], ['/show/c', 'new', 1n]])

    // Live traffic flows again, once per change.
    const w2 = await h.client(second.url, { name: 'writer-2', reconnect: false })
    expect(await w2.set('/show/a', 2)).toBe(2n)
    await waitFor(() => got.length === 5, 2000, 'live update after reconnect')
    expect(got[4]).toEqual(['/show/a', 2, 2n])
    expect(await c.set('/show/mine', true)).toBe(1n)
    expect(events[0]).toBe('disconnect')
    expect(events.filter((e) => e === 'reconnected')).toHaveLength(1)
    expect(events.at(-1)).toBe('reconnected')
  })

  test('session dropped by the same router: the repeated snapshots fire nothing, changes made meanwhile fire once', async () => {
    const r = await h.router('ws')
    const c = await h.client(r.url, { name: 'c', reconnect: { initialDelayMs: 150, jitter: 0 } })
    const w = await h.client(r.url, { name: 'w', reconnect: false })
    await w.set('/p/x', 'x1')
    await w.set('/p/y', 'y1')
    const { got, cb } = record()
    c.on('/p/**', cb)
    await waitFor(() => got.length === 2, 2000, 'subscribe snapshot')

    let changedWhileAway: Promise<bigint> | undefined
    const off = c.onDisconnect(() => {
      off()
      changedWhileAway = w.set('/p/y', 'y2')
    })
    const pending = c.get('/never/there', { timeoutMs: 5000 }).catch((e: unknown) => e)
    r.router.closeSession(r.router.sessions.get(c.session!)!, 'test drop')
    expect(await pending).toMatchObject({ kind: 'disconnected' })
    await waitFor(() => changedWhileAway !== undefined, 2000, 'disconnect seen')
    expect(await changedWhileAway).toBe(2n)
    await waitFor(() => c.connected, 3000, 'reconnect')
    await c.flush()
    await sleep(50)
    expect(got.slice(0, 2).sort()).toEqual([['/p/x', 'x1', 1n], ['/p/y', 'y1', 1n]])
    expect(got.slice(2)).toEqual([['/p/y', 'y2', 2n]])
  })

  test('gives up after maxAttempts and reports it', async () => {
    const r = await h.router('ws')
    const c = await h.client(r.url, { reconnect: { initialDelayMs: 20, maxDelayMs: 40, maxAttempts: 2 } })
    const errors: Error[] = []
    c.onError((e) => errors.push(e))
    await r.stop()
    await waitFor(() => c.state === 'closed', 3000, 'give up')
    expect(errors.at(-1)?.message).toMatch(/gave up reconnecting .* after 2 attempts/)
  })

  test('a router that goes silent is detected by the SYNC watchdog and reconnected', async () => {
    // A fake router: WELCOME + empty SNAPSHOT, then it never answers anything again.
    let connections = 0
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: () => 'clasp' })
    h.defer(() => new Promise<void>((resolve) => {
      for (const ws of wss.clients) ws.terminate()
      wss.close(() => resolve())
    }))
    await new Promise((resolve) => wss.once('listening', resolve))
    wss.on('connection', (ws) => {
      connections++
      ws.on('message', (data) => {
        const m = decode(new Uint8Array(data as Buffer)).message
        if (m.type !== 'HELLO') return
        ws.send(encode({ type: 'WELCOME', version: 1, features: [], time: BigInt(Date.now()) * 1000n, session: `fake-${connections}`, name: 'silent' }))
        ws.send(encode({ type: 'SNAPSHOT', params: [] }))
      })
    })
    const port = (wss.address() as { port: number }).port
    const c = await h.client(`ws://127.0.0.1:${port}`, { syncIntervalMs: 50, deadAfterMs: 200, reconnect: { initialDelayMs: 20, jitter: 0 } })
    const reasons: string[] = []
    c.onDisconnect((r) => reasons.push(r))
    await waitFor(() => connections >= 2 && c.connected, 3000, 'watchdog reconnect')
    expect(reasons[0]).toMatch(/no frame from the router for \d+ ms/)
    expect(c.session).toBe('fake-2')
  })
})
