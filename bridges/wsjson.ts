/**
 * WebSocket JSON bridge: a server speaking the documented typed protocol (bridges.md §8,
 * deliberate difference 16) with per-client subscriptions. Values are lossless JSON
 * (json-value.ts), so `1.0` stays a float. Addresses are relative to the namespace (default `/`).
 *
 * Client → bridge (an optional `id` on any request is echoed in its reply or error):
 *   {"type":"set","address":"/a","value":1.0[,"revision":3]}  → {"type":"ack",id,address,revision} only when `id` is given
 *   {"type":"get","address":"/a"}                              → {"type":"value",address,value,revision} or error
 *   {"type":"emit","address":"/a","value":...}
 *   {"type":"subscribe","pattern":"/a/**"}                     → current values as "value" messages, then live ones
 *   {"type":"unsubscribe","pattern":"/a/**"}
 *   {"type":"snapshot"[,"prefix":"/a"]}                        → {"type":"snapshot","state":{"/a/x":1,...}}
 *   {"address":"/a","value":1}                                 → legacy untyped set
 * Bridge → client: {"type":"value",address,value,revision}, {"type":"event",address,value},
 *   {"type":"snapshot",state}, {"type":"error",message,request_type}.
 * Broken JSON, unknown types, missing fields and binary frames get an error reply and are counted
 * as malformed; the connection stays open. A client never receives its own writes back.
 *
 * With `serverUrl` the bridge is instead a client of an existing WebSocket server (the
 * reference's default mode): that one connection speaks the same protocol in both directions
 * (what the server sends is handled like a client's request; CLASP updates under the namespace go
 * to it as "value" and "event" messages, which carry the reference's `address` and `value`
 * fields), and it is reopened with backoff whenever it drops.
 */
import type { IncomingMessage } from 'node:http'
import { WebSocket, WebSocketServer } from 'ws'
import type { ClaspValue } from '../generated/types.ts'
import { ClaspError } from '../runtime/client/index.ts'
import { boundPort, type Bridge, type BridgeContext, type BridgeOptions, type BridgeStats, countError, countMalformed, emptyStats, firstConnection, guarded, LinkBackoff } from './bridge.ts'
import { ClientHub, type HubUpdate } from './hub.ts'
import { parseJsonValue, toJsonText } from './json-value.ts'

/** Options of the WebSocket JSON bridge (registry kind `wsjson`). */
export interface WsJsonBridgeOptions extends BridgeOptions {
  /** Address to listen on (default 0.0.0.0). */
  host?: string
  /** TCP port (default 9000; 0 = any free port). */
  port?: number
  /** Require `?token=<token>` on the WebSocket URL (401 otherwise). */
  token?: string
  /** Larger frames close the connection (code 1009) (default 65536). */
  maxPayloadBytes?: number
  /** A client with more than this many bytes queued is disconnected as too slow (default 4 MiB). */
  maxBufferedBytes?: number
  /**
   * Ping every connection this often, and drop one whose previous ping got no pong: a peer that
   * vanished without closing (power cut, Wi-Fi gone) would otherwise keep its subscriptions, or
   * in client mode a dead link would never be reopened (default 30000; 0 = off).
   */
  pingIntervalMs?: number
  /** Client mode: the WebSocket server to connect to, e.g. `ws://10.0.0.5:8080/clasp`. */
  serverUrl?: string
  /** Client mode: how long `start` waits for the first connection before going on (default 5000). */
  connectTimeoutMs?: number
}

type Fields = Record<string, ClaspValue>

function message(fields: Record<string, ClaspValue | undefined>): string {
  const out: Fields = Object.create(null)
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) out[k] = v
  return toJsonText(out)
}

class RequestError extends Error {}

/** A `ws` server speaking the typed JSON protocol, one ClientHub client per connection. */
export class WsJsonBridge implements Bridge {
  readonly kind = 'wsjson'
  readonly namespace: string
  private readonly counters = emptyStats()
  private readonly hub: ClientHub<WebSocket>
  private server: WebSocketServer | undefined
  /** Client mode: the current connection, and the pending reopen. */
  private link: WebSocket | undefined
  private reopen: ReturnType<typeof setTimeout> | undefined
  private stopped = false
  private ctx: BridgeContext | undefined

  constructor(readonly options: WsJsonBridgeOptions) {
    this.namespace = options.namespace
    this.hub = new ClientHub(options.namespace, options.transforms, this.counters, (ws, u) => this.push(ws, u))
  }

  /** The bound TCP port (useful when 0 was asked for). */
  get port(): number {
    return boundPort(this.server)
  }

  /** Client mode: connected to the server right now. */
  get connected(): boolean {
    return this.link?.readyState === WebSocket.OPEN
  }

  async start(ctx: BridgeContext): Promise<void> {
    this.ctx = ctx
    this.stopped = false
    await this.hub.start(ctx.clasp)
    if (this.options.serverUrl !== undefined) return this.startLink(ctx, this.options.serverUrl)
    const host = this.options.host ?? '0.0.0.0'
    const token = this.options.token
    const server = new WebSocketServer({
      host,
      port: this.options.port ?? 9000,
      maxPayload: this.options.maxPayloadBytes ?? 65536,
      verifyClient: token === undefined ? undefined : (info: { req: IncomingMessage }, done: (ok: boolean, code?: number, msg?: string) => void) => {
        const given = new URL(info.req.url ?? '/', 'http://localhost').searchParams.get('token')
        done(given === token, 401, 'Unauthorized')
      },
    })
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.once('listening', () => {
          server.off('error', reject)
          resolve()
        })
      })
    } catch (e) {
      this.hub.stop() // no subscription left behind by a start that failed
      throw e
    }
    server.on('error', (e) => {
      this.counters.errors++
      ctx.log.error('WS-JSON server error', { error: e.message })
    })
    server.on('connection', (ws) => this.onConnection(ws))
    this.server = server
    ctx.log.info(`WS-JSON bridge listening on ws://${host}:${this.port}`, { namespace: this.namespace })
  }

  /** Open the link, and reopen it with backoff (0.5 s doubling to 5 s) whenever it closes. */
  private async startLink(ctx: BridgeContext, url: string): Promise<void> {
    const retry = new LinkBackoff()
    let opened: (() => void) | undefined
    const open = () => {
      const ws = new WebSocket(url, { maxPayload: this.options.maxPayloadBytes ?? 65536 })
      this.link = ws
      ws.on('open', () => {
        retry.reset()
        this.heartbeat(ws, 'server')
        this.hub.subscribe(ws, '/**')
        ctx.log.info('WS-JSON bridge connected', { url, namespace: this.namespace })
        opened?.()
        opened = undefined
      })
      ws.on('message', guarded(this.counters, this.ctx!.log, 'WS-JSON input', (data: Buffer, isBinary: boolean) => this.onFrame(ws, data, isBinary)))
      ws.on('error', (e) => countError(this.counters, ctx.log, 'WS-JSON link error', { url, error: e.message }))
      ws.on('close', (code) => {
        this.hub.drop(ws)
        if (this.stopped || this.link !== ws) return
        const delay = retry.next()
        ctx.log.warn('WS-JSON link closed; reopening', { url, code, retryMs: delay })
        this.reopen = setTimeout(open, delay)
      })
    }
    open()
    await firstConnection((connected) => (opened = connected), this.options.connectTimeoutMs ?? 5000, ctx.log, 'WebSocket server not reachable yet; retrying in the background', { url })
  }

  async stop(): Promise<void> {
    this.stopped = true
    clearTimeout(this.reopen)
    this.link?.terminate()
    this.link = undefined
    this.hub.stop()
    const server = this.server
    this.server = undefined
    if (!server) return
    for (const ws of server.clients) ws.terminate()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  stats(): BridgeStats {
    return { ...this.counters }
  }

  /** Connected WebSocket clients. */
  get clients(): number {
    return this.server?.clients.size ?? 0
  }

  private onConnection(ws: WebSocket): void {
    ws.on('message', guarded(this.counters, this.ctx!.log, 'WS-JSON input', (data: Buffer, isBinary: boolean) => this.onFrame(ws, data, isBinary)))
    ws.on('close', () => this.hub.drop(ws))
    this.heartbeat(ws, 'client')
    ws.on('error', (e) => {
      // ws reports protocol violations (e.g. an oversized frame) here, then closes.
      countMalformed(this.counters, this.ctx!.log, 'WS-JSON connection error', { error: e.message })
    })
  }

  /** See `pingIntervalMs`; the close that `terminate` causes does the cleanup (and the reopen). */
  private heartbeat(ws: WebSocket, peer: string): void {
    const every = this.options.pingIntervalMs ?? 30_000
    if (every <= 0) return
    let answered = true
    ws.on('pong', () => (answered = true))
    const timer = setInterval(() => {
      if (!answered) {
        countError(this.counters, this.ctx!.log, `WS-JSON ${peer} did not answer a ping; dropping the connection`, { afterMs: every })
        ws.terminate()
        return
      }
      answered = false
      ws.ping()
    }, every)
    timer.unref()
    ws.on('close', () => clearInterval(timer))
  }

  private send(ws: WebSocket, text: string): void {
    if (ws.readyState !== ws.OPEN) return
    if (ws.bufferedAmount > (this.options.maxBufferedBytes ?? 4 * 1024 * 1024)) {
      this.counters.errors++
      this.ctx!.log.warn('WS-JSON client too slow, disconnecting', { queued: ws.bufferedAmount })
      ws.close(1013, 'too slow')
      return
    }
    ws.send(text)
  }

  private push(ws: WebSocket, u: HubUpdate): void {
    this.send(ws, u.kind === 'param'
      ? message({ type: 'value', address: u.address, value: u.value, revision: u.revision })
      : message({ type: 'event', address: u.address, value: u.value }))
  }

  private onFrame(ws: WebSocket, data: Buffer, isBinary: boolean): void {
    let request: ClaspValue
    let type: string | undefined
    let id: ClaspValue | undefined
    const bad = (why: string) => {
      countMalformed(this.counters, this.ctx!.log, `WS-JSON request rejected: ${why}`, { type })
      this.send(ws, message({ type: 'error', message: why, request_type: type ?? null, id }))
    }
    if (isBinary) return bad('binary frames are not part of the JSON protocol')
    try {
      request = parseJsonValue(data.toString('utf8'))
    } catch (e) {
      return bad(`bad JSON: ${(e as Error).message}`)
    }
    if (request === null || typeof request !== 'object' || Array.isArray(request) || request instanceof Uint8Array) return bad('a request is a JSON object')
    const r = request as Fields
    id = r.id
    type = typeof r.type === 'string' ? r.type : r.type === undefined && 'address' in r ? 'set' : undefined
    if (type === 'error') {
      // The peer refused something we sent (in client mode, e.g. a server that takes no "value"
      // messages). Answering an error with an error would bounce between the two forever.
      countError(this.counters, this.ctx!.log, 'WS-JSON peer reported an error', { message: r.message, request_type: r.request_type })
      return
    }
    try {
      this.dispatch(ws, type, r, id)
    } catch (e) {
      if (e instanceof RequestError) return bad(e.message)
      throw e
    }
  }

  private dispatch(ws: WebSocket, type: string | undefined, r: Fields, id: ClaspValue | undefined): void {
    const address = () => {
      const a = r.address
      if (typeof a !== 'string' || this.hub.claspAddress(a) === undefined) throw new RequestError(`"address" must be a valid address, got ${toJsonText(a ?? null)}`)
      return a
    }
    const pattern = () => {
      const p = r.pattern
      const error = typeof p === 'string' ? ClientHub.patternError(p) : 'missing'
      if (error || typeof p !== 'string') throw new RequestError(`"pattern" is not a valid pattern: ${error}`)
      return p
    }
    switch (type) {
      case 'set': {
        const a = address()
        if (!('value' in r)) throw new RequestError('"set" needs a "value"')
        const revision = r.revision
        if (revision !== undefined && typeof revision !== 'bigint') throw new RequestError('"revision" must be an integer')
        this.hub.set(ws, a, r.value, revision === undefined ? undefined : { revision }).then(
          (rev) => id !== undefined && this.send(ws, message({ type: 'ack', id, address: a, revision: rev })),
          (e: unknown) => {
            if (!(e instanceof ClaspError) || e.kind !== 'router') this.counters.errors++
            this.send(ws, message({ type: 'error', message: (e as Error).message, request_type: 'set', address: a, id }))
          },
        )
        return
      }
      case 'get': {
        const a = address()
        const entry = this.hub.get(a)
        if (!entry) throw new RequestError(`no value at ${a}`)
        this.send(ws, message({ type: 'value', address: entry.address, value: entry.value, revision: entry.revision, id }))
        return
      }
      case 'emit': {
        const a = address()
        const error = this.hub.emit(ws, a, r.value ?? null)
        if (error) throw new RequestError(error)
        return
      }
      case 'subscribe': {
        const p = pattern()
        this.hub.subscribe(ws, p)
        for (const e of this.hub.snapshot(p)) this.send(ws, message({ type: 'value', address: e.address, value: e.value, revision: e.revision }))
        return
      }
      case 'unsubscribe':
        if (!this.hub.unsubscribe(ws, pattern())) throw new RequestError('not subscribed to that pattern')
        return
      case 'snapshot': {
        const prefix = r.prefix ?? '/'
        if (typeof prefix !== 'string' || !prefix.startsWith('/')) throw new RequestError('"prefix" must be an address prefix')
        const p = prefix === '/' ? '/**' : `${prefix.replace(/\/$/, '')}/**`
        if (ClientHub.patternError(p)) throw new RequestError(`bad prefix ${prefix}`)
        const state: Fields = Object.create(null)
        for (const e of this.hub.snapshot(p)) state[e.address] = e.value
        this.send(ws, message({ type: 'snapshot', state, id }))
        return
      }
      default:
        throw new RequestError(type === undefined ? 'missing "type"' : `unknown type ${JSON.stringify(type)}`)
    }
  }
}
