/**
 * Socket.IO bridge (bridges.md §9, deliberate difference 17): event `{event}` ↔ address
 * `{ns}/{event}` in both directions, through `onAny`, keeping every path segment
 * (`mixer/fader1` ↔ `/socketio/mixer/fader1`; the reference kept only the last segment).
 *
 * Two roles, one mapping:
 * - server (default): a Socket.IO server that browsers and apps connect to; every socket is a
 *   client of the hub, and a write from one socket goes out to all the others;
 * - client (`serverUrl` set, the reference's only mode): the bridge connects to an existing Socket.IO
 *   server (`sioNamespace`, `auth`) and reconnects when the link drops, also after the server
 *   disconnected it.
 *
 * In:  `socket.emit('mixer/fader1', 0.5)` → SET `{ns}/mixer/fader1 = 0.5` (`signal: 'event'` →
 *      PUBLISH). No argument → Null, one → its value, several → an Array. Integral numbers are
 *      Ints unless `numbers: 'float'`; Buffers are Bytes; `{"$float":1}` forces a float. A
 *      trailing acknowledgement callback gets `{ok:true, revision}` or `{ok:false, error}`.
 * Out: SETs and events under the namespace → `emit(path without the leading /, value)` to every
 *      connected socket except the one the write came from. Ints beyond 2^53 are `{"$int":"…"}`.
 * `events` limits both directions to a list of event names.
 */
import { type Server as HttpServer, createServer } from 'node:http'
import { Server, type Socket } from 'socket.io'
import { type Socket as ClientSocket, io as connectTo } from 'socket.io-client'
import type { ClaspValue } from '../generated/types.ts'
import { boundPort, type Bridge, type BridgeContext, type BridgeOptions, type BridgeStats, countError, countMalformed, emptyStats, firstConnection, guarded, LinkBackoff, listenOn } from './bridge.ts'
import { ClientHub, type HubUpdate } from './hub.ts'
import { fromJsonable, toJsonable } from './json-value.ts'

/** Options of the Socket.IO bridge (registry kind `socketio`). */
export interface SocketIoBridgeOptions extends BridgeOptions {
  /** Address to listen on (default 0.0.0.0). */
  host?: string
  /** TCP port (default 3000; 0 = any free port). */
  port?: number
  /** Only these event names, in both directions (default: all). */
  events?: string[]
  /** What incoming events become: `param` (SET, default) or `event` (PUBLISH). */
  signal?: 'param' | 'event'
  /** `auto` (default): integral numbers are Ints; `float`: every number is a Float. */
  numbers?: 'auto' | 'float'
  /** Origins allowed by CORS; `*` allows any (default none). */
  cors?: string[]
  /** Larger messages close the connection (default 65536). */
  maxPayloadBytes?: number
  /** Client mode: the Socket.IO server to connect to, e.g. `http://10.0.0.5:3000`. */
  serverUrl?: string
  /** Client mode: the Socket.IO namespace on that server (default `/`). */
  sioNamespace?: string
  /** Client mode: the handshake `auth` payload (e.g. `{ "token": "…" }`). */
  auth?: Record<string, unknown>
  /** Client mode: reconnect when the link drops (default true). */
  reconnect?: boolean
  /** Client mode: how long `start` waits for the first connection before going on (default 5000). */
  connectTimeoutMs?: number
}

/** What the bridge needs of a socket in either role. */
type AnySocket = Socket | ClientSocket

type Ack = (reply: unknown) => void

/** Event names Socket.IO keeps for itself: `emit` throws for them, and its parser drops them on input. */
const RESERVED_EVENTS = new Set(['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener'])

/** Every socket, accepted or our own client, is a ClientHub client subscribed to the whole namespace. */
export class SocketIoBridge implements Bridge {
  readonly kind = 'socketio'
  readonly namespace: string
  private readonly counters = emptyStats()
  private readonly hub: ClientHub<AnySocket>
  private http: HttpServer | undefined
  private io: Server | undefined
  private client: ClientSocket | undefined
  private readonly whileDown = new Map<string, ClaspValue>()
  private ctx: BridgeContext | undefined

  constructor(readonly options: SocketIoBridgeOptions) {
    this.namespace = options.namespace
    this.hub = new ClientHub(options.namespace, options.transforms, this.counters, (s, u) => this.push(s, u))
  }

  /** The bound TCP port (useful when 0 was asked for). */
  get port(): number {
    return boundPort(this.http)
  }

  /** Client mode: connected to the Socket.IO server right now. */
  get connected(): boolean {
    return this.client?.connected ?? false
  }

  async start(ctx: BridgeContext): Promise<void> {
    this.ctx = ctx
    await this.hub.start(ctx.clasp)
    if (this.options.serverUrl !== undefined) return this.connect(ctx)
    const http = createServer()
    const origins = this.options.cors ?? []
    const io = new Server(http, {
      maxHttpBufferSize: this.options.maxPayloadBytes ?? 65536,
      ...(origins.length ? { cors: { origin: origins.includes('*') ? '*' : origins } } : {}),
    })
    io.on('connection', (socket) => this.onConnection(socket))
    io.engine.on('connection_error', (e: { message: string }) => {
      countMalformed(this.counters, ctx.log, 'Socket.IO connection error', { error: e.message })
    })
    const host = this.options.host ?? '0.0.0.0'
    try {
      await listenOn(http, this.options.port ?? 3000, host)
    } catch (e) {
      this.hub.stop() // no subscription left behind by a start that failed
      throw e
    }
    this.http = http
    this.io = io
    ctx.log.info(`Socket.IO bridge listening on http://${host}:${this.port}`, { namespace: this.namespace })
  }

  private async connect(ctx: BridgeContext): Promise<void> {
    const o = this.options
    const target = new URL(o.sioNamespace ?? '/', o.serverUrl).href
    const socket = connectTo(target, { auth: o.auth, reconnection: o.reconnect ?? true, reconnectionDelay: 500, reconnectionDelayMax: 5000 })
    this.client = socket
    this.hub.subscribe(socket, '/**')
    socket.onAny(guarded(this.counters, this.ctx!.log, 'Socket.IO input', (event: unknown, ...args: unknown[]) => this.onEvent(socket, event, args)))
    const retry = new LinkBackoff()
    socket.on('connect', () => {
      retry.reset()
      ctx.log.info('Socket.IO bridge connected', { url: target, namespace: this.namespace })
      this.flushWhileDown(socket)
    })
    socket.on('connect_error', (e: Error) => {
      countError(this.counters, ctx.log, 'Socket.IO connection failed', { url: target, error: e.message })
      // A handshake the server refused (namespace middleware) is final for socket.io-client
      // (`active` turns false): it is up to us to try again, with the same backoff as its own.
      if (!socket.active && (o.reconnect ?? true) && this.client === socket) {
        setTimeout(() => this.client === socket && !socket.active && socket.connect(), retry.next()).unref()
      }
    })
    socket.on('disconnect', (reason: string) => {
      ctx.log.warn('Socket.IO link lost', { url: target, reason })
      // socket.io-client leaves it to us to come back after the server disconnected us.
      if (reason === 'io server disconnect' && (o.reconnect ?? true) && this.client === socket) setTimeout(() => this.client === socket && socket.connect(), 1000).unref()
    })
    await firstConnection((connected) => socket.once('connect', connected), o.connectTimeoutMs ?? 5000, ctx.log, 'Socket.IO server not reachable yet; retrying in the background', { url: target })
  }

  async stop(): Promise<void> {
    this.hub.stop()
    const client = this.client
    this.client = undefined
    if (client) {
      client.close()
      this.hub.drop(client)
    }
    const io = this.io
    this.io = undefined
    this.http = undefined
    if (io) await new Promise<void>((resolve) => io.close(() => resolve()))
  }

  stats(): BridgeStats {
    return { ...this.counters }
  }

  private allowed(event: string): boolean {
    return this.options.events === undefined || this.options.events.includes(event)
  }

  private onConnection(socket: Socket): void {
    this.hub.subscribe(socket, '/**')
    socket.on('disconnect', () => this.hub.drop(socket))
    socket.onAny(guarded(this.counters, this.ctx!.log, 'Socket.IO input', (event: unknown, ...args: unknown[]) => this.onEvent(socket, event, args)))
  }

  private onEvent(socket: AnySocket, event: unknown, args: unknown[]): void {
    const ack = typeof args[args.length - 1] === 'function' ? (args.pop() as Ack) : undefined
    const reject = (error: string) => {
      countMalformed(this.counters, this.ctx!.log, `Socket.IO event rejected: ${error}`, { event: String(event) })
      ack?.({ ok: false, error })
    }
    if (typeof event !== 'string' || !this.allowed(event)) return reject(`event ${String(event)} is not bridged`)
    const path = `/${event.replace(/^\//, '')}`
    if (path.slice(1).split('/').includes('') || this.hub.claspAddress(path) === undefined) return reject(`event name ${JSON.stringify(event)} is not a valid address`)
    const numbers = this.options.numbers ?? 'auto'
    const values = args.map((a) => fromJsonable(a, numbers) ?? null)
    const value: ClaspValue = values.length === 0 ? null : values.length === 1 ? values[0] : values
    if (this.options.signal === 'event') {
      const error = this.hub.emit(socket, path, value)
      if (error) countError(this.counters, this.ctx!.log, 'router refused Socket.IO input', { event, error })
      ack?.(error ? { ok: false, error } : { ok: true })
      return
    }
    this.hub.set(socket, path, value).then(
      (revision) => ack?.({ ok: true, revision: Number(revision) }),
      (e: Error) => {
        countError(this.counters, this.ctx!.log, 'router refused Socket.IO input', { event, error: e.message })
        ack?.({ ok: false, error: e.message })
      },
    )
  }

  private push(socket: AnySocket, u: HubUpdate): void {
    const event = u.address.slice(1)
    if (event === '' || RESERVED_EVENTS.has(event) || !this.allowed(event)) return
    if (socket === this.client && !socket.connected) {
      // socket.io-client would buffer every emit while the link is down, without bound: keep
      // the latest value per param instead (sent on reconnect); events of that time are lost.
      if (u.kind === 'param') this.whileDown.set(event, u.value)
      else this.counters.errors++
      return
    }
    socket.emit(event, toJsonable(u.value))
  }

  /** Client mode, on (re)connect: the params that changed while the link was down. */
  private flushWhileDown(socket: ClientSocket): void {
    for (const [event, value] of this.whileDown) socket.emit(event, toJsonable(value))
    this.whileDown.clear()
  }
}
