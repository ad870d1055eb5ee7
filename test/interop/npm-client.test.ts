/**
 * The published npm client `@clasp-to/core` 3.3.2, unchanged, against our router over
 * WebSocket on 127.0.0.1: what a user of the reference SDK does day to day.
 */
import { Clasp } from '@clasp-to/core'
import { afterEach, beforeAll, describe, expect, test } from 'vitest'
import { WebSocket } from 'ws'
import { Router } from '../../runtime/router/router.ts'
import { type Listener, listenWebSocket } from '../../runtime/transports/websocket.ts'
import { sleep, waitFor } from '../support/wait.ts'

beforeAll(() => {
  // The npm client expects a browser WebSocket; Node 20 has none.
  ;(globalThis as { WebSocket?: unknown }).WebSocket = WebSocket
})

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function startRouter(port = 0): Promise<{ router: Router; listener: Listener; url: string }> {
  const router = new Router()
  const listener = await listenWebSocket(router, { port, host: '127.0.0.1' })
  cleanups.push(async () => {
    router.close()
    await listener.close()
  })
  return { router, listener, url: `ws://127.0.0.1:${listener.port}` }
}

async function npmClient(url: string, name: string, options: Record<string, unknown> = {}): Promise<Clasp> {
  const c = new Clasp(url, { name, reconnect: false, ...options })
  await c.connect(3000)
  cleanups.push(() => c.close())
  return c
}

describe('@clasp-to/core 3.3.2 against our router', () => {
  test('connects, sets and gets', async () => {
    const { url } = await startRouter()
    const c = await npmClient(url, 'npm-a')
    expect(c.session).toMatch(/^[0-9a-f-]{36}$/)
    c.set('/mixer/fader1', 0.75)
    const other = await npmClient(url, 'npm-b')
    expect(await other.get('/mixer/fader1')).toBe(0.75)
  })

  test('subscribes with * and ** and sees another client\'s writes', async () => {
    const { url } = await startRouter()
    const watcher = await npmClient(url, 'watcher')
    const single: string[] = []
    const deep: string[] = []
    watcher.on('/lights/*/level', (_v, address) => single.push(address))
    watcher.on('/lights/**', (_v, address) => deep.push(address))
    await sleep(50)
    const writer = await npmClient(url, 'writer')
    writer.set('/lights/1/level', 0.5)
    writer.set('/lights/2/color/r', 1)
    await waitFor(() => deep.length >= 2, 2000, 'deep deliveries')
    expect(single).toEqual(['/lights/1/level'])
    expect(deep.sort()).toEqual(['/lights/1/level', '/lights/2/color/r'])
  })

  test('a late joiner receives the current state', async () => {
    const { url } = await startRouter()
    const early = await npmClient(url, 'early')
    early.set('/scene/current', 'intro')
    early.set('/scene/fade', 2.5)
    await sleep(50)
    const late = await npmClient(url, 'late')
    const seen = new Map<string, unknown>()
    late.on('/scene/**', (v, address) => seen.set(address, v))
    await waitFor(() => seen.size >= 2, 2000, 'snapshot')
    expect(Object.fromEntries(seen)).toEqual({ '/scene/current': 'intro', '/scene/fade': 2.5 })
    expect(late.cached('/scene/current')).toBe('intro')
  })

  test('events and streams reach subscribers but not the sender', async () => {
    const { url } = await startRouter()
    const a = await npmClient(url, 'a')
    const b = await npmClient(url, 'b')
    const atA: unknown[] = []
    const atB: unknown[] = []
    a.on('/cue/**', (v) => atA.push(v))
    b.on('/cue/**', (v) => atB.push(v))
    b.on('/sensor/**', (v) => atB.push(v))
    await sleep(50)
    a.emit('/cue/go', { cue: 'intro' })
    for (let i = 0; i < 5; i++) a.stream('/sensor/accel', i / 10)
    await waitFor(() => atB.length >= 6, 2000, 'event and stream')
    expect(atB[0]).toEqual({ cue: 'intro' })
    expect(atB.slice(1)).toEqual([0, 0.1, 0.2, 0.3, 0.4])
    await sleep(50)
    expect(atA).toEqual([])
  })

  test('a bundle is applied and delivered', async () => {
    const { url, router } = await startRouter()
    const a = await npmClient(url, 'a')
    const b = await npmClient(url, 'b')
    const got: Array<[string, unknown]> = []
    b.on('/bundle/**', (v, address) => got.push([address, v]))
    await sleep(50)
    a.bundle([{ set: ['/bundle/x', 1] }, { set: ['/bundle/y', 2] }, { emit: ['/bundle/go', true] }])
    await waitFor(() => got.length >= 3, 2000, 'bundle deliveries')
    expect(got).toEqual([['/bundle/x', 1], ['/bundle/y', 2], ['/bundle/go', true]])
    expect(router.params.get('/bundle/y')?.value).toBe(2)
  })

  test('reconnects after the router restarts on the same port and re-subscribes', async () => {
    const first = await startRouter()
    const port = first.listener.port
    const c = new Clasp(first.url, { name: 'survivor', reconnect: true, reconnectInterval: 100 })
    await c.connect(3000)
    cleanups.push(() => c.close())
    const got: unknown[] = []
    c.on('/after/**', (v) => got.push(v))
    first.router.close()
    await first.listener.close()
    await sleep(150)
    const second = await startRouter(port)
    await waitFor(() => second.router.sessions.size === 1, 5000, 'reconnect')
    await waitFor(() => second.router.subscriptions.match('/after/x').size === 1, 2000, 're-subscribe')
    const writer = await npmClient(second.url, 'writer')
    writer.set('/after/x', 'back')
    await waitFor(() => got.includes('back'), 2000, 'delivery after reconnect')
  })
})
