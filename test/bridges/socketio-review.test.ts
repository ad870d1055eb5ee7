/**
 * Socket.IO bridge corrections found in review: a client-mode bridge whose handshake was refused
 * keeps trying (socket.io-client gives up after a middleware refusal), CLASP addresses whose
 * event name Socket.IO reserves (`disconnect`, `connect`…) are not emitted (`emit` throws for
 * them), and neither a failed start nor a stop leaves a hub subscription behind.
 */
import { type AddressInfo, createServer as netServer } from 'node:net'
import { createServer } from 'node:http'
import { Server } from 'socket.io'
import { type Socket, io } from 'socket.io-client'
import { afterEach, describe, expect, test } from 'vitest'
import { SocketIoBridge } from '../../bridges/socketio.ts'
import { bridgeRig } from '../support/peers.ts'
import { sleep, waitFor } from '../support/wait.ts'

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

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

describe('Socket.IO bridge: review fixes', () => {
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
    const rig = await bridgeRig('/**')
    cleanups.push(() => rig.close())
    const thrown: Error[] = []
    rig.clasp.onError((e) => thrown.push(e))
    const bridge = await rig.start(new SocketIoBridge({ namespace: '/socketio', host: '127.0.0.1', port: 0 }))
    const a = await client(`http://127.0.0.1:${bridge.port}`)
    for (const name of ['disconnect', 'connect', 'connect_error', 'disconnecting', 'newListener', 'removeListener']) await rig.observer.set(`/socketio/${name}`, 1n)
    await rig.observer.set('/socketio/fine', 2n)
    await waitFor(() => a.got.length >= 1, 2000, 'the deliverable update')
    await sleep(100)
    expect(a.got).toEqual([['fine', [2]]])
    expect(thrown).toEqual([])
  })

  test('a start that could not listen leaves no subscription behind: started again, a socket never gets its own write', async () => {
    const blocker = netServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()))
    cleanups.push(() => new Promise<void>((resolve) => blocker.close(() => resolve())))
    const rig = await bridgeRig('/**')
    cleanups.push(() => rig.close())
    const bridge = new SocketIoBridge({ namespace: '/socketio', host: '127.0.0.1', port: (blocker.address() as AddressInfo).port })
    await expect(bridge.start({ clasp: rig.clasp, log: rig.log })).rejects.toThrow(/EADDRINUSE/)
    bridge.options.port = 0
    await rig.start(bridge)
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
