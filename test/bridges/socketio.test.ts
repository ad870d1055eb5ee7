/**
 * The Socket.IO bridge on 127.0.0.1 with `socket.io-client` peers: `{ns}/{event}` ↔ event in
 * both directions with every path segment kept, acknowledgements, value types (Ints, Floats,
 * binary attachments, tagged floats), loop suppression per socket, the `events` filter, and bad
 * event names counted without touching state.
 */
import { type AddressInfo } from 'node:net'
import { createServer } from 'node:http'
import { Server, type Socket as ServerSocket } from 'socket.io'
import { type Socket, io } from 'socket.io-client'
import { afterEach, describe, expect, test } from 'vitest'
import { SocketIoBridge, type SocketIoBridgeOptions } from '../../bridges/socketio.ts'
import { bridgeRig } from '../support/peers.ts'
import { sleep, waitFor } from '../support/wait.ts'
import { startAfterFailedListen } from './harness.ts'

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function setup(options: Partial<SocketIoBridgeOptions> = {}) {
  const rig = await bridgeRig('/**')
  cleanups.push(() => rig.close())
  const bridge = await rig.start(new SocketIoBridge({ namespace: '/socketio', host: '127.0.0.1', port: 0, ...options }))
  return { rig, bridge, url: `http://127.0.0.1:${bridge.port}` }
}

async function client(url: string): Promise<{ socket: Socket; got: Array<[string, unknown[]]> }> {
  const socket = io(url, { transports: ['websocket'], reconnection: false })
  const got: Array<[string, unknown[]]> = []
  socket.onAny((event: string, ...args: unknown[]) => got.push([event, args]))
  cleanups.push(() => void socket.close())
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve())
    socket.once('connect_error', reject)
  })
  return { socket, got }
}

const hubClients = (bridge: SocketIoBridge) => (bridge as unknown as { hub: { clientCount: number } }).hub.clientCount

describe('Socket.IO bridge (socket.io-client)', () => {
  test('events become SETs at {ns}/{event}, deep paths kept, with an acknowledgement', async () => {
    const { rig, url } = await setup()
    const { socket } = await client(url)
    const ack = await socket.timeout(2000).emitWithAck('mixer/fader1', 0.5)
    expect(ack).toEqual({ ok: true, revision: 1 })
    socket.emit('count', 3)
    socket.emit('pair', 1, 'two')
    socket.emit('raw', Buffer.from([1, 2, 3]))
    socket.emit('one', { $float: 1 })
    socket.emit('nothing')
    await waitFor(() => rig.router.params.get('/socketio/nothing') !== undefined, 2000, 'six SETs')
    const v = (a: string) => rig.router.params.get(a)?.value
    expect(v('/socketio/mixer/fader1')).toBe(0.5)
    expect(v('/socketio/count')).toBe(3n)
    expect(v('/socketio/pair')).toEqual([1n, 'two'])
    expect(v('/socketio/raw')).toEqual(new Uint8Array([1, 2, 3]))
    expect(v('/socketio/one')).toBe(1)
    expect(typeof v('/socketio/one')).toBe('number')
    expect(v('/socketio/nothing')).toBeNull()
  })

  test('CLASP → every socket except the writer, as event = path below the namespace', async () => {
    const { rig, url, bridge } = await setup()
    const a = await client(url)
    const b = await client(url)
    await a.socket.timeout(2000).emitWithAck('lights/1', 0.25)
    await rig.observer.set('/socketio/lights/2', 2n ** 60n)
    await rig.observer.set('/socketio/blob', new Uint8Array([9]))
    rig.observer.emit('/socketio/cue/go', 'now')
    await rig.observer.set('/elsewhere', 1n) // outside the namespace
    await waitFor(() => b.got.length >= 4, 2000, 'four deliveries at b')
    await sleep(100)
    expect(b.got.map(([e, args]) => [e, args.length === 1 && Buffer.isBuffer(args[0]) ? [...args[0]] : args[0]])).toEqual([
      ['lights/1', 0.25], ['lights/2', { $int: (2n ** 60n).toString() }], ['blob', [9]], ['cue/go', 'now'],
    ])
    expect(a.got.map(([e]) => e)).toEqual(['lights/2', 'blob', 'cue/go']) // not its own write
    expect(bridge.stats().suppressed).toBeGreaterThanOrEqual(1)
  })

  test("signal: 'event' and the events filter", async () => {
    const { rig, url } = await setup({ signal: 'event', events: ['hit'] })
    const a = await client(url)
    const b = await client(url)
    expect(await a.socket.timeout(2000).emitWithAck('hit', 1)).toEqual({ ok: true })
    expect(await a.socket.timeout(2000).emitWithAck('other', 1)).toEqual({ ok: false, error: 'event other is not bridged' })
    await waitFor(() => rig.seen.some((s) => s.address === '/socketio/hit'), 2000, 'the event')
    expect(rig.seen.find((s) => s.address === '/socketio/hit')?.meta.signal).toBe('event')
    expect(rig.router.params.get('/socketio/hit')).toBeUndefined()
    await waitFor(() => b.got.length >= 1, 2000, 'the event at the other socket')
    expect(b.got).toEqual([['hit', [1]]])
    await rig.observer.set('/socketio/other', 1n) // filtered on the way out too
    await sleep(100)
    expect(b.got).toHaveLength(1)
  })

  test('bad event names are rejected, counted and logged; state untouched', async () => {
    const { rig, url, bridge } = await setup()
    const { socket } = await client(url)
    expect(await socket.timeout(2000).emitWithAck('a//b', 1)).toMatchObject({ ok: false })
    expect(await socket.timeout(2000).emitWithAck('', 1)).toMatchObject({ ok: false })
    socket.emit('fine', 1)
    await waitFor(() => rig.router.params.get('/socketio/fine') !== undefined, 2000, 'a good event afterwards')
    expect(bridge.stats()).toMatchObject({ malformed: 2, inbound: 1 })
    expect([...rig.router.params.values()].map((p) => p.address)).toEqual(['/socketio/fine'])
    expect(rig.log.entries.filter((e) => e.level === 'warn')).toHaveLength(2)
  })
})

/**
 * Client mode, the reference's only one: the bridge connects to an existing Socket.IO server (a
 * real `socket.io` Server here, with an auth check on a namespace) and keeps the link.
 */
describe('Socket.IO bridge as a client of an existing server', () => {
  async function server() {
    const http = createServer()
    const ioServer = new Server(http)
    const app = ioServer.of('/show')
    const sockets: ServerSocket[] = []
    const got: Array<[string, unknown[]]> = []
    app.use((socket, next) => (socket.handshake.auth?.token === 's3cret' ? next() : next(new Error('bad token'))))
    app.on('connection', (socket) => {
      sockets.push(socket)
      socket.onAny((event: string, ...args: unknown[]) => got.push([event, args]))
    })
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', () => resolve()))
    const port = (http.address() as AddressInfo).port
    cleanups.push(() => new Promise<void>((resolve) => ioServer.close(() => resolve())))
    return { url: `http://127.0.0.1:${port}`, app, sockets, got }
  }

  test('events from the server become SETs; CLASP writes reach the server; the link comes back after a server-side disconnect', async () => {
    const s = await server()
    const rig = await bridgeRig('/**')
    cleanups.push(() => rig.close())
    const bridge = await rig.start(new SocketIoBridge({ namespace: '/socketio', serverUrl: s.url, sioNamespace: '/show', auth: { token: 's3cret' } }))
    expect(bridge.connected).toBe(true)
    await waitFor(() => s.sockets.length === 1, 2000, 'the bridge at the server')

    // server → CLASP, with the acknowledgement the server asked for
    const ack = await s.sockets[0].timeout(2000).emitWithAck('mixer/fader1', 0.5)
    expect(ack).toEqual({ ok: true, revision: 1 })
    expect(rig.router.params.get('/socketio/mixer/fader1')?.value).toBe(0.5)

    // CLASP → server, every path segment kept; the server's own write is not echoed back to it
    await rig.observer.set('/socketio/lights/1', 0.25)
    await waitFor(() => s.got.length >= 1, 2000, 'the event at the server')
    await sleep(100)
    expect(s.got).toEqual([['lights/1', [0.25]]])

    // the server drops the bridge; it comes back by itself and the mapping still works
    s.sockets[0].disconnect(true)
    await waitFor(() => s.sockets.length === 2 && bridge.connected, 5000, 'the reconnect')
    s.sockets[1].emit('scene', 4)
    await waitFor(() => rig.router.params.get('/socketio/scene')?.value === 4n, 2000, 'an event after the reconnect')
  })

  test('while the link is down, params are kept as their latest value (sent on reconnect), not buffered without bound', async () => {
    const s = await server()
    const rig = await bridgeRig('/**')
    cleanups.push(() => rig.close())
    const bridge = await rig.start(new SocketIoBridge({ namespace: '/socketio', serverUrl: s.url, sioNamespace: '/show', auth: { token: 's3cret' } }))
    await waitFor(() => s.sockets.length === 1, 2000, 'the bridge at the server')
    s.sockets[0].disconnect(true) // the bridge reconnects after about a second
    await waitFor(() => !bridge.connected, 2000, 'the link down')
    for (let i = 1; i <= 50; i++) await rig.observer.set('/socketio/fader', i / 50)
    rig.observer.emit('/socketio/cue', 'lost')
    await waitFor(() => s.sockets.length === 2 && bridge.connected, 5000, 'the reconnect')
    await waitFor(() => s.got.some(([e]) => e === 'fader'), 2000, 'the fader at the server')
    await sleep(100)
    expect(s.got).toEqual([['fader', [1]]]) // one latest value, not 50 emits; the event of that time is gone
    expect(bridge.stats().errors).toBeGreaterThanOrEqual(1)
  })

  test('a refused handshake is counted and logged; start() goes on and the bridge keeps trying', async () => {
    const s = await server()
    const rig = await bridgeRig('/**')
    cleanups.push(() => rig.close())
    const bridge = await rig.start(new SocketIoBridge({ namespace: '/socketio', serverUrl: s.url, sioNamespace: '/show', auth: { token: 'wrong' }, connectTimeoutMs: 500 }))
    expect(bridge.connected).toBe(false)
    expect(bridge.stats().errors).toBeGreaterThanOrEqual(1)
    expect(rig.log.entries.some((e) => e.msg === 'Socket.IO connection failed' && /bad token/.test(String(e.fields?.error)))).toBe(true)
  })
})

/**
 * A client-mode bridge whose handshake was refused keeps trying (socket.io-client gives up after
 * a middleware refusal), addresses whose event name Socket.IO reserves (`disconnect`,
 * `connect`…) are not emitted (`emit` throws for them), and neither a failed start nor a stop
 * leaves a hub subscription behind.
 */
describe('Socket.IO bridge: handshake retries, reserved event names, hub subscriptions', () => {
  test('client mode: after a refused handshake the bridge keeps trying, and connects once the server accepts', async () => {
    const http = createServer()
    const ioServer = new Server(http)
    let attempts = 0
    let accept = false
    ioServer.of('/show').use((_socket, next) => {
      attempts++
      next(accept ? undefined : new Error('not yet'))
    })
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', () => resolve()))
    cleanups.push(() => new Promise<void>((resolve) => ioServer.close(() => resolve())))
    const rig = await bridgeRig('/**')
    cleanups.push(() => rig.close())
    const bridge = await rig.start(new SocketIoBridge({ namespace: '/socketio', serverUrl: `http://127.0.0.1:${(http.address() as AddressInfo).port}`, sioNamespace: '/show', connectTimeoutMs: 300 }))
    expect(bridge.connected).toBe(false)
    await waitFor(() => attempts >= 2, 3000, 'a second handshake after the refusal')
    accept = true
    await waitFor(() => bridge.connected, 8000, 'the connection once accepted')
    expect(bridge.stats().errors).toBeGreaterThanOrEqual(2)
  }, 15_000)

  test('client mode with reconnect: false does not retry a refused handshake', async () => {
    const http = createServer()
    const ioServer = new Server(http)
    let attempts = 0
    ioServer.of('/show').use((_socket, next) => {
      attempts++
      next(new Error('no'))
    })
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', () => resolve()))
    cleanups.push(() => new Promise<void>((resolve) => ioServer.close(() => resolve())))
    const rig = await bridgeRig('/**')
    cleanups.push(() => rig.close())
    await rig.start(new SocketIoBridge({ namespace: '/socketio', serverUrl: `http://127.0.0.1:${(http.address() as AddressInfo).port}`, sioNamespace: '/show', connectTimeoutMs: 300, reconnect: false }))
    await sleep(1200)
    expect(attempts).toBe(1)
  })

  test('an address whose event name Socket.IO reserves is not emitted (emit would throw); the others still are', async () => {
    const { rig, url } = await setup()
    const thrown: Error[] = []
    rig.clasp.onError((e) => thrown.push(e))
    const a = await client(url)
    for (const name of ['disconnect', 'connect', 'connect_error', 'disconnecting', 'newListener', 'removeListener']) await rig.observer.set(`/socketio/${name}`, 1n)
    await rig.observer.set('/socketio/fine', 2n)
    await waitFor(() => a.got.length >= 1, 2000, 'the deliverable update')
    await sleep(100)
    expect(a.got).toEqual([['fine', [2]]])
    expect(thrown).toEqual([])
  })

  test('a start that could not listen leaves no subscription behind: started again, a socket never gets its own write', async () => {
    const rig = await bridgeRig('/**')
    cleanups.push(() => rig.close())
    const bridge = await startAfterFailedListen(rig, new SocketIoBridge({ namespace: '/socketio', host: '127.0.0.1', port: 0 }))
    const a = await client(`http://127.0.0.1:${bridge.port}`)
    expect(await a.socket.timeout(2000).emitWithAck('mine', 1)).toEqual({ ok: true, revision: 1 })
    await rig.observer.set('/socketio/theirs', 2n)
    await waitFor(() => a.got.length >= 1, 2000, 'the other write')
    await sleep(100)
    expect(a.got).toEqual([['theirs', [2]]])
  })

  test('client mode: stop() forgets the link socket in the hub', async () => {
    const http = createServer()
    const ioServer = new Server(http)
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', () => resolve()))
    cleanups.push(() => new Promise<void>((resolve) => ioServer.close(() => resolve())))
    const rig = await bridgeRig('/**')
    cleanups.push(() => rig.close())
    const bridge = new SocketIoBridge({ namespace: '/socketio', serverUrl: `http://127.0.0.1:${(http.address() as AddressInfo).port}` })
    await bridge.start({ clasp: rig.clasp, log: rig.log })
    expect(bridge.connected).toBe(true)
    expect(hubClients(bridge)).toBe(1)
    await bridge.stop()
    expect(hubClients(bridge)).toBe(0)
  })
})
