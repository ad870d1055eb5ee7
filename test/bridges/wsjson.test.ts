/**
 * The WebSocket JSON bridge on 127.0.0.1 with `ws` clients: the typed protocol (set, get, emit,
 * subscribe, unsubscribe, snapshot; value / event / snapshot / error replies), legacy untyped
 * sets, per-client subscriptions (a client never gets its own writes back, the others do),
 * lossless values, the token, and broken frames answered with errors without closing anything.
 */
import { afterEach, describe, expect, test } from 'vitest'
import WebSocket, { WebSocketServer } from 'ws'
import { connect } from '../../runtime/client/index.ts'
import { mergeSettings } from '../../runtime/cli/config.ts'
import { startServer } from '../../runtime/server.ts'
import { WsJsonBridge, type WsJsonBridgeOptions } from '../../bridges/wsjson.ts'
import { bridgeRig, recordingLogger } from '../support/peers.ts'
import { sleep, waitFor } from '../support/wait.ts'
import { startAfterFailedListen } from './harness.ts'

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

interface Client {
  ws: WebSocket
  /** Raw text frames received. */
  frames: string[]
  /** Parsed with JSON.parse (fine for the small numbers used here). */
  got(): Array<Record<string, unknown>>
  send(x: unknown): void
}

async function client(url: string): Promise<Client> {
  const ws = new WebSocket(url)
  const frames: string[] = []
  ws.on('message', (d) => frames.push(d.toString()))
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', reject)
  })
  cleanups.push(() => ws.terminate())
  return { ws, frames, got: () => frames.map((f) => JSON.parse(f)), send: (x) => ws.send(typeof x === 'string' ? x : JSON.stringify(x)) }
}

async function setup(options: Partial<WsJsonBridgeOptions> = {}) {
  const rig = await bridgeRig('/**')
  cleanups.push(() => rig.close())
  const bridge = await rig.start(new WsJsonBridge({ namespace: '/', host: '127.0.0.1', port: 0, ...options }))
  return { rig, bridge, url: `ws://127.0.0.1:${bridge.port}/` }
}

describe('WS-JSON bridge (ws client)', () => {
  test('set / get / snapshot with revisions; 1.0 stays a float both ways', async () => {
    const { rig, url } = await setup()
    const a = await client(url)
    a.ws.send('{"type":"set","address":"/mixer/fader1","value":1.0,"id":1}')
    await waitFor(() => a.frames.length >= 1, 2000, 'the ack')
    expect(a.frames[0]).toBe('{"type":"ack","id":1,"address":"/mixer/fader1","revision":1}')
    expect(rig.router.params.get('/mixer/fader1')?.value).toBe(1)
    expect(typeof rig.router.params.get('/mixer/fader1')?.value).toBe('number')
    a.send({ type: 'get', address: '/mixer/fader1' })
    a.send({ type: 'snapshot', prefix: '/mixer' })
    await waitFor(() => a.frames.length >= 3, 2000, 'get and snapshot replies')
    expect(a.frames[1]).toBe('{"type":"value","address":"/mixer/fader1","value":1.0,"revision":1}')
    expect(a.frames[2]).toBe('{"type":"snapshot","state":{"/mixer/fader1":1.0}}')
  })

  test('per-client subscriptions: current values first; others see my writes and events, I do not', async () => {
    const { rig, url, bridge } = await setup()
    await rig.observer.set('/mixer/fader1', 0.5)
    const a = await client(url)
    const b = await client(url)
    const c = await client(url)
    a.send({ type: 'subscribe', pattern: '/mixer/**' })
    b.send({ type: 'subscribe', pattern: '/mixer/*' })
    c.send({ type: 'subscribe', pattern: '/other/**' })
    await waitFor(() => a.frames.length >= 1 && b.frames.length >= 1, 2000, 'the current values')
    expect(a.got()[0]).toEqual({ type: 'value', address: '/mixer/fader1', value: 0.5, revision: 1 })
    a.send({ type: 'set', address: '/mixer/fader2', value: 0.25 })
    a.send({ type: 'emit', address: '/mixer/go', value: 'now' })
    await waitFor(() => b.frames.length >= 3, 2000, "a's write and event at b")
    await rig.observer.set('/mixer/fader1', 0.75) // from CLASP: everyone subscribed gets it
    await waitFor(() => b.frames.length >= 4 && a.frames.length >= 2, 2000, 'live updates')
    await sleep(100)
    expect(b.got().slice(1)).toEqual([
      { type: 'value', address: '/mixer/fader2', value: 0.25, revision: 1 },
      { type: 'event', address: '/mixer/go', value: 'now' },
      { type: 'value', address: '/mixer/fader1', value: 0.75, revision: 2 },
    ])
    expect(a.got().slice(1)).toEqual([{ type: 'value', address: '/mixer/fader1', value: 0.75, revision: 2 }]) // not its own
    expect(c.frames).toEqual([])
    expect(rig.seen.find((s) => s.address === '/mixer/go')?.meta.signal).toBe('event')
    expect(bridge.stats().suppressed).toBeGreaterThanOrEqual(2)
  })

  test('unsubscribe stops updates; a closed client is forgotten', async () => {
    const { rig, url, bridge } = await setup()
    const a = await client(url)
    a.send({ type: 'subscribe', pattern: '/x' })
    a.send({ type: 'unsubscribe', pattern: '/x' })
    a.send({ type: 'unsubscribe', pattern: '/x' }) // not subscribed any more: an error
    await waitFor(() => a.frames.length >= 1, 2000, 'the error')
    await rig.observer.set('/x', 1n)
    await sleep(100)
    expect(a.got()).toEqual([{ type: 'error', message: 'not subscribed to that pattern', request_type: 'unsubscribe' }])
    a.send({ type: 'subscribe', pattern: '/**' })
    a.ws.close()
    await waitFor(() => bridge.clients === 0, 2000, 'the close')
    await rig.observer.set('/x', 2n) // nobody left to deliver to: nothing breaks
    expect(bridge.stats().errors).toBe(0)
  })

  test('legacy untyped {address, value} is a set', async () => {
    const { rig, url } = await setup()
    const a = await client(url)
    a.send('{"address":"/legacy","value":[1,2.5,"x"]}')
    await waitFor(() => rig.router.params.get('/legacy') !== undefined, 2000, 'the legacy set')
    expect(rig.router.params.get('/legacy')?.value).toEqual([1n, 2.5, 'x'])
  })

  test('errors: unknown address for get, router refusals, stale revisions', async () => {
    const { rig, url } = await setup()
    await rig.observer.set('/r', 1n)
    const a = await client(url)
    a.send({ type: 'get', address: '/missing' })
    a.send({ type: 'set', address: '/r', value: 2, revision: 7, id: 'x' })
    await waitFor(() => a.frames.length >= 2, 2000, 'two errors')
    const [missing, conflict] = a.got()
    expect(missing).toMatchObject({ type: 'error', request_type: 'get' })
    expect(conflict).toMatchObject({ type: 'error', request_type: 'set', address: '/r', id: 'x' })
    expect(String(conflict.message)).toMatch(/RevisionConflict/)
    expect(rig.router.params.get('/r')?.value).toBe(1n)
  })

  test('broken frames get an error reply, are counted and logged; the connection and state survive', async () => {
    const { rig, url, bridge } = await setup()
    await rig.observer.set('/keep', 1n)
    const a = await client(url)
    for (const bad of ['{"type":"set",', 'not json', '[1,2]', '{"type":"warp","address":"/x"}', '{"type":"set","address":"no-slash","value":1}', '{"type":"subscribe","pattern":"a/b"}', '{"type":"set","address":"/keep"}']) a.send(bad)
    a.ws.send(Buffer.from([1, 2, 3]), { binary: true })
    await waitFor(() => a.frames.length >= 8, 2000, 'eight error replies')
    expect(a.got().every((m) => m.type === 'error')).toBe(true)
    expect(a.got().map((m) => m.request_type)).toEqual([null, null, null, 'warp', 'set', 'subscribe', 'set', null])
    expect(bridge.stats().malformed).toBe(8)
    expect(rig.log.entries.filter((e) => e.level === 'warn')).toHaveLength(8)
    a.send({ type: 'set', address: '/keep', value: 2, id: 9 })
    await waitFor(() => a.frames.length >= 9, 2000, 'a good request afterwards')
    expect(a.got()[8]).toEqual({ type: 'ack', id: 9, address: '/keep', revision: 2 })
    expect([...rig.router.params.values()].map((p) => p.address)).toEqual(['/keep'])
  })

  test('an oversized frame closes that connection only (1009), counted', async () => {
    const { url, bridge } = await setup({ maxPayloadBytes: 256 })
    const a = await client(url)
    const b = await client(url)
    const closed = new Promise<number>((resolve) => a.ws.once('close', (code) => resolve(code)))
    a.send({ type: 'set', address: '/big', value: 'x'.repeat(1000) })
    expect(await closed).toBe(1009)
    await waitFor(() => bridge.stats().malformed >= 1, 2000, 'the count')
    b.send({ type: 'snapshot' })
    await waitFor(() => b.frames.length >= 1, 2000, 'the other client still served')
  })

  test('namespace: addresses are relative to it; token via ?token=', async () => {
    const { rig, bridge } = await setup({ namespace: '/ui', token: 'k' })
    const refused = new WebSocket(`ws://127.0.0.1:${bridge.port}/`)
    refused.on('error', () => undefined)
    const status = await new Promise<number>((resolve) => refused.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)))
    refused.terminate()
    expect(status).toBe(401)
    const a = await client(`ws://127.0.0.1:${bridge.port}/?token=k`)
    a.send({ type: 'set', address: '/btn', value: true, id: 1 })
    await waitFor(() => a.frames.length >= 1, 2000, 'the ack')
    expect(rig.router.params.get('/ui/btn')?.value).toBe(true)
    expect(a.got()[0]).toMatchObject({ address: '/btn' })
  })
})

/**
 * Client mode, the reference's default: the bridge connects to an existing WebSocket server (a
 * plain `ws` server here) and speaks the same protocol over that one connection.
 */
describe('WebSocket JSON bridge as a client of an existing server', () => {
  async function server() {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()))
    const conns: WebSocket[] = []
    const frames: string[] = []
    wss.on('connection', (ws) => {
      conns.push(ws)
      ws.on('message', (d) => frames.push(String(d)))
    })
    cleanups.push(() => new Promise<void>((resolve) => {
      for (const c of wss.clients) c.terminate()
      wss.close(() => resolve())
    }))
    return { url: `ws://127.0.0.1:${(wss.address() as { port: number }).port}/clasp`, conns, frames }
  }

  test('the server writes (typed and legacy), CLASP updates reach it, and the link is reopened after it drops', async () => {
    const s = await server()
    const rig = await bridgeRig('/**')
    cleanups.push(() => rig.close())
    const bridge = await rig.start(new WsJsonBridge({ namespace: '/ws', serverUrl: s.url }))
    expect(bridge.connected).toBe(true)
    await waitFor(() => s.conns.length === 1, 2000, 'the bridge at the server')

    s.conns[0].send(JSON.stringify({ type: 'set', address: '/mixer/fader1', value: 0.5, id: 1 }))
    s.conns[0].send(JSON.stringify({ address: '/scene', value: 3 })) // the reference's untyped form
    await waitFor(() => s.frames.some((f) => f.includes('"ack"')), 2000, 'the ack')
    await waitFor(() => rig.router.params.get('/ws/scene') !== undefined, 2000, 'the legacy set')
    expect(rig.router.params.get('/ws/mixer/fader1')?.value).toBe(0.5)
    expect(rig.router.params.get('/ws/scene')?.value).toBe(3n)

    await rig.observer.set('/ws/lights/1', 0.25)
    await waitFor(() => s.frames.some((f) => f.includes('/lights/1')), 2000, 'the update at the server')
    expect(JSON.parse(s.frames.find((f) => f.includes('/lights/1'))!)).toEqual({ type: 'value', address: '/lights/1', value: 0.25, revision: 1 })
    expect(s.frames.some((f) => f.includes('/mixer/fader1') && f.includes('"value"'))).toBe(false) // its own write is not echoed

    s.conns[0].close()
    await waitFor(() => s.conns.length === 2 && bridge.connected, 5000, 'the reopened link')
    s.conns[1].send(JSON.stringify({ type: 'set', address: '/after', value: 1 }))
    await waitFor(() => rig.router.params.get('/ws/after')?.value === 1n, 2000, 'a write after the reconnect')
  })

  test('an unreachable server: start() goes on after connectTimeoutMs, errors are counted, the bridge keeps trying', async () => {
    const rig = await bridgeRig('/**')
    cleanups.push(() => rig.close())
    const bridge = await rig.start(new WsJsonBridge({ namespace: '/ws', serverUrl: 'ws://127.0.0.1:9/', connectTimeoutMs: 300 }))
    expect(bridge.connected).toBe(false)
    expect(bridge.stats().errors).toBeGreaterThanOrEqual(1)
    expect(rig.log.entries.some((e) => e.level === 'warn' && /not reachable yet/.test(e.msg))).toBe(true)
  })
})

/**
 * An `error` message from the peer is never answered with another error (two bridges, or a bridge
 * and a server speaking the protocol, would bounce errors forever), and a start that failed to
 * listen leaves no subscription behind.
 */
describe('WS-JSON bridge: peer errors and failed starts', () => {
  test('an error from the peer is counted, never answered: a client-mode bridge linked to a server-mode one does not ping-pong errors', async () => {
    const { rig, bridge: server } = await setup({ namespace: '/b' })
    const client = await rig.start(new WsJsonBridge({ namespace: '/a', serverUrl: `ws://127.0.0.1:${server.port}/` }))
    await rig.observer.set('/a/x', 1n) // goes to the server as a "value" message, which it does not take
    await waitFor(() => client.stats().errors >= 1, 2000, 'the server refusal at the client')
    await sleep(300)
    expect(server.stats().malformed).toBe(1) // the "value" message
    expect(client.stats()).toMatchObject({ malformed: 0, errors: 1 }) // its error reply, not answered
  })

  test('a client sending {"type":"error"} gets no reply', async () => {
    const { url } = await setup()
    const { ws, frames } = await client(url)
    ws.send('{"type":"error","message":"something","request_type":"value"}')
    ws.send('{"type":"get","address":"/none","id":1}')
    await waitFor(() => frames.length >= 1, 2000, 'the get error')
    await sleep(100)
    expect(frames.map((f) => JSON.parse(f))).toEqual([{ type: 'error', message: 'no value at /none', request_type: 'get', id: 1 }])
  })

  test('a start that could not listen leaves no subscription behind: started again, a client never gets its own write', async () => {
    const rig = await bridgeRig('/**')
    cleanups.push(() => rig.close())
    const bridge = await startAfterFailedListen(rig, new WsJsonBridge({ namespace: '/', host: '127.0.0.1', port: 0 }))
    const { ws, frames } = await client(`ws://127.0.0.1:${bridge.port}/`)
    ws.send(JSON.stringify({ type: 'subscribe', pattern: '/**' }))
    ws.send(JSON.stringify({ type: 'set', address: '/mine', value: 1, id: 1 }))
    await waitFor(() => frames.some((f) => f.includes('"ack"')), 2000, 'the ack')
    await rig.observer.set('/theirs', 2n)
    await waitFor(() => frames.some((f) => f.includes('/theirs')), 2000, 'the other write')
    await sleep(100)
    expect(frames.map((f) => JSON.parse(f))).toEqual([
      { type: 'ack', id: 1, address: '/mine', revision: 1 },
      { type: 'value', address: '/theirs', value: 2, revision: 1 },
    ])
  })
})

// Half-open connections: a peer that vanished without closing answers no ping.
describe('WS-JSON bridge: heartbeat', () => {
  test('a client that stops answering pings is dropped and loses its subscriptions; one that answers stays', async () => {
    const { rig, url, bridge } = await setup({ pingIntervalMs: 100 })
    const alive = await client(url)
    const mute = new WebSocket(url, { autoPong: false }) // like a peer whose network went away
    cleanups.push(() => mute.terminate())
    await new Promise<void>((resolve) => mute.once('open', () => resolve()))
    const closed = new Promise<void>((resolve) => mute.once('close', () => resolve()))
    mute.send(JSON.stringify({ type: 'subscribe', pattern: '/**' }))
    alive.send({ type: 'subscribe', pattern: '/**' })
    await closed
    expect(bridge.stats().errors).toBe(1)
    expect(rig.log.entries.some((e) => e.msg === 'WS-JSON client did not answer a ping; dropping the connection')).toBe(true)
    await sleep(350) // three more rounds: the live client answers every ping
    expect(bridge.clients).toBe(1)
    await rig.observer.set('/after', 1n)
    await waitFor(() => alive.got().some((m) => m.address === '/after'), 2000, 'an update at the live client')
  })

  test('client mode: a server that stops answering pings gets its link dropped and reopened', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, autoPong: false })
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()))
    let connections = 0
    wss.on('connection', () => connections++)
    cleanups.push(() => new Promise<void>((resolve) => {
      for (const c of wss.clients) c.terminate()
      wss.close(() => resolve())
    }))
    const rig = await bridgeRig('/**')
    cleanups.push(() => rig.close())
    const bridge = await rig.start(new WsJsonBridge({ namespace: '/ws', serverUrl: `ws://127.0.0.1:${(wss.address() as { port: number }).port}/`, pingIntervalMs: 100 }))
    await waitFor(() => connections >= 2, 5000, 'the link reopened after a missed pong')
    expect(bridge.stats().errors).toBeGreaterThanOrEqual(1)
    expect(rig.log.entries.some((e) => e.msg === 'WS-JSON server did not answer a ping; dropping the connection')).toBe(true)
  })
})

// The bridge's own link to the router can drop too (a bridge running as its own process).
describe('WS-JSON bridge: router link lost and restored', () => {
  test('what was written while the link was down reaches subscribed clients after it is back', async () => {
    const settings = mergeSettings(undefined, { host: '127.0.0.1', port: 0, tcpPort: 0, logLevel: 'silent' })
    const server = await startServer(settings, undefined, () => undefined)
    cleanups.push(() => server.close())
    const routerUrl = `ws://127.0.0.1:${server.ports.ws}`
    const writer = await connect(routerUrl, { name: 'writer', reconnect: false })
    cleanups.push(() => writer.close())
    await writer.set('/p/y', 'y1')
    const clasp = await connect(routerUrl, { name: 'wsjson bridge', reconnect: { initialDelayMs: 100, jitter: 0 } })
    cleanups.push(() => clasp.close())
    const bridge = new WsJsonBridge({ namespace: '/', host: '127.0.0.1', port: 0 })
    await bridge.start({ clasp, log: recordingLogger() })
    cleanups.push(() => bridge.stop())
    const c = await client(`ws://127.0.0.1:${bridge.port}/`)
    c.send({ type: 'subscribe', pattern: '/p/**' })
    await waitFor(() => c.got().some((m) => m.address === '/p/y' && m.value === 'y1'), 2000, 'the current value')

    const off = clasp.onDisconnect(() => {
      off()
      void writer.set('/p/y', 'y2') // while the bridge cannot hear it
    })
    server.router.closeSession(server.router.sessions.get(clasp.session!)!, 'test drop')
    await waitFor(() => c.got().some((m) => m.address === '/p/y' && m.value === 'y2'), 5000, 'the change made while the link was down')
    expect(c.got().filter((m) => m.address === '/p/y').map((m) => m.value)).toEqual(['y1', 'y2'])
  })
})
