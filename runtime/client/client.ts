/**
 * The CLASP client: promise-based params (set/get with ACK/ERROR correlation), subscriptions
 * dispatched with the router's matcher, events/streams/gestures/timelines, bundles, clock sync,
 * and automatic reconnect with re-subscription. Transport-agnostic: `connect()` in index.ts
 * (Node: ws/wss/tcp) or browser.ts (global WebSocket) supplies the transport factory.
 */
import type { ClaspValue, Feature, GesturePhase, Message, PublishMessage, SetMessage, Ttl, WelcomeMessage } from '../../generated/types.ts'
import type { Clock } from '../router/clock.ts'
import { type ReconnectOptions, resolveReconnect } from './backoff.ts'
import { type ClockSample, ClockSync } from './clock-sync.ts'
import { Connection, type ConnectionState } from './connection.ts'
import { ClaspError } from './errors.ts'
import { Emitter, type Unsubscribe } from './events.ts'
import { Requests } from './requests.ts'
import { type Keyframe, type UpdateMeta, encodeTimeline } from './signals.ts'
import { type OnOptions, type PatternEntry, Subscriptions, type UpdateCallback } from './subscriptions.ts'
import type { TransportFactory } from './transport.ts'
import type { WireClient } from './wire.ts'
import { msToMicros, toMicros } from './values.ts'

export interface ClientOptions {
  /** HELLO name (default "CLASP TS Client"). */
  name?: string
  /** Auth token sent in HELLO. */
  token?: string
  /** HELLO features (default all five signal kinds). */
  features?: Feature[]
  /** Transport open + WELCOME, ms (default 5000). */
  connectTimeoutMs?: number
  /** Default deadline for set/get/bundle/flush replies, ms (default 5000). */
  requestTimeoutMs?: number
  /** Shorthand default for both connectTimeoutMs and requestTimeoutMs. */
  timeoutMs?: number
  /** Automatic reconnect after a drop (default on). The first connection is not retried. */
  reconnect?: boolean | ReconnectOptions
  /** SYNC period, ms (default 10 000; 0 = only at connect). SYNC also keeps the session alive. */
  syncIntervalMs?: number
  /** SYNCs sent back to back at each connect (default 3; the lowest-RTT answer wins). */
  syncBurst?: number
  /** Treat the connection as dead after this long without any inbound frame, ms (default 3 × syncIntervalMs; 0 = never). */
  deadAfterMs?: number
  /** Time and timers (default: high-resolution wall clock, global timers). */
  clock?: Clock
  /** Randomness for backoff jitter (default Math.random). */
  random?: () => number
  /** Override the transport (tests, custom sockets). */
  transport?: TransportFactory
}

export interface SetOptions {
  lock?: boolean
  unlock?: boolean
  /** Expected current revision (optimistic concurrency): rejected with a conflict otherwise. */
  revision?: bigint | number
  /** Seconds (sliding), or a wire TTL. */
  ttl?: number | Ttl
  timeoutMs?: number
}

/** A bundle entry: the npm client's shorthand, or a SET/PUBLISH message. */
export type BundleItem =
  | { set: [address: string, value: ClaspValue]; revision?: bigint | number; lock?: boolean; unlock?: boolean; ttl?: number | Ttl }
  | { emit: [address: string, value?: ClaspValue] }
  | { stream: [address: string, value: ClaspValue] }
  | SetMessage
  | PublishMessage

export interface ConnectInfo {
  session: string
  /** False for the first connection, true after a reconnect. */
  reconnect: boolean
  welcome: WelcomeMessage
}

type ClientEvents = {
  connect: [ConnectInfo]
  disconnect: [string]
  error: [Error]
  reconnecting: [{ attempt: number; delayMs: number }]
}

interface CachedParam {
  value: ClaspValue
  revision: bigint | undefined
  writer?: string
  timestamp?: bigint
}

const hiResNow: () => number =
  typeof performance !== 'undefined' && typeof performance.now === 'function' && typeof performance.timeOrigin === 'number'
    ? () => performance.timeOrigin + performance.now()
    : () => Date.now()

/** Default client clock: sub-millisecond wall time (for SYNC), global timers. */
export const clientClock: Clock = {
  now: hiResNow,
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (h) => clearInterval(h as ReturnType<typeof setInterval>),
}

export class ClaspClient {
  private readonly conn: Connection
  private readonly subs: Subscriptions
  private readonly requests: Requests
  private readonly clockSync = new ClockSync()
  private readonly cache = new Map<string, CachedParam>()
  private readonly events = new Emitter<ClientEvents>((e) => this.events.emit('error', asError(e)))
  private readonly clock: Clock
  private readonly requestTimeoutMs: number
  private readonly syncIntervalMs: number
  private readonly syncBurst: number
  private readonly deadAfterMs: number
  private syncTimer: unknown
  private lastT1 = 0n
  private sessionId: string | undefined
  private closedByUser = false
  /** The last ERROR the router sent. */
  lastError: ClaspError | undefined

  constructor(readonly url: string, options: ClientOptions, factory: TransportFactory) {
    this.clock = options.clock ?? clientClock
    this.requestTimeoutMs = options.requestTimeoutMs ?? options.timeoutMs ?? 5000
    this.syncIntervalMs = options.syncIntervalMs ?? 10_000
    this.syncBurst = Math.max(1, options.syncBurst ?? 3)
    this.deadAfterMs = options.deadAfterMs ?? 3 * this.syncIntervalMs
    this.requests = new Requests(this.clock)
    this.subs = new Subscriptions(() => this.clock.now(), (e) => this.events.emit('error', asError(e)))
    this.conn = new Connection(
      {
        url,
        factory: options.transport ?? factory,
        clock: this.clock,
        hello: {
          version: 1,
          name: options.name ?? 'CLASP TS Client',
          features: options.features ?? ['param', 'event', 'stream', 'gesture', 'timeline'],
          token: options.token,
        },
        connectTimeoutMs: options.connectTimeoutMs ?? options.timeoutMs ?? 5000,
        reconnect: resolveReconnect(options.reconnect),
        random: options.random ?? Math.random,
      },
      {
        opened: (w, reconnect) => this.opened(w, reconnect),
        message: (m) => this.handle(m),
        lost: (reason, byClient) => this.lost(reason, byClient),
        reconnecting: (attempt, delayMs) => this.events.emit('reconnecting', { attempt, delayMs }),
        error: (e) => this.events.emit('error', e),
      },
    )
  }

  /** @internal Used by `connect()`: the first connection. */
  open(): Promise<void> {
    return this.conn.start()
  }

  // --- state ------------------------------------------------------------------------------

  get connected(): boolean {
    return this.conn.isOpen
  }

  get state(): ConnectionState {
    return this.conn.state
  }

  /** Session id from the latest WELCOME. */
  get session(): string | undefined {
    return this.sessionId
  }

  /** The generated message stubs on the live connection, for messages without a helper (QUERY, ANNOUNCE, ...). */
  get wire(): WireClient {
    return this.conn.wire
  }

  /** Last value seen for an address (SNAPSHOT, SET or own acknowledged write); current only for subscribed addresses. */
  cached(address: string): ClaspValue | undefined {
    return this.cache.get(address)?.value
  }

  // --- params -----------------------------------------------------------------------------

  /** SET; resolves to the new revision on the ACK, rejects with the router's ERROR or on timeout. */
  set(address: string, value: ClaspValue, options: SetOptions = {}): Promise<bigint> {
    if (!this.conn.isOpen) return Promise.reject(this.notConnected(address))
    try {
      this.conn.wire.set({
        address, value,
        revision: options.revision === undefined ? undefined : BigInt(options.revision),
        lock: options.lock || undefined,
        unlock: options.unlock || undefined,
        ttl: toTtl(options.ttl),
      })
    } catch (e) {
      return Promise.reject(e) // not encodable (e.g. larger than a frame)
    }
    return this.requests.set(address, options.timeoutMs ?? this.requestTimeoutMs).then((revision) => {
      const c = this.cache.get(address)
      if (!c || c.revision === undefined || c.revision < revision) this.cache.set(address, { value, revision })
      return revision
    })
  }

  /** GET; resolves with the router's value. The router stays silent for unknown addresses, so those time out. */
  get(address: string, options: { timeoutMs?: number } = {}): Promise<ClaspValue> {
    if (!this.conn.isOpen) return Promise.reject(this.notConnected(address))
    this.conn.wire.get({ address })
    return this.requests.get(address, options.timeoutMs ?? this.requestTimeoutMs)
  }

  // --- subscriptions ----------------------------------------------------------------------

  /**
   * Call `callback(value, address, meta)` for every param change and signal the router delivers
   * for `pattern` (`*` one segment, `**` any number). One SUBSCRIBE per pattern however many
   * callbacks; a callback added to an already subscribed pattern first gets the cached params.
   * Returns the function that removes this callback (UNSUBSCRIBE when it was the last).
   */
  on(pattern: string, callback: UpdateCallback, options: OnOptions = {}): Unsubscribe {
    const { entry, listener, created } = this.subs.add(pattern, callback, options)
    if (!created) {
      queueMicrotask(() => {
        if (entry.listeners.has(listener)) this.subs.replay(entry, listener, this.cachedUpdates())
      })
    }
    this.sendSubscribe(entry)
    let active = true
    return () => {
      if (!active) return
      active = false
      if (this.subs.remove(entry, listener) && this.conn.isOpen) this.conn.wire.unsubscribe({ id: entry.id })
    }
  }

  // --- signals (fire and forget; return false when not connected) ---------------------------

  /** An event (PUBLISH signal event); the value defaults to null. */
  emit(address: string, value: ClaspValue = null): boolean {
    return this.publish({ address, signal: 'event', value, timestamp: this.serverTime() })
  }

  /** A stream sample: a value, or a `Float64Array` sent as the compact samples form. */
  stream(address: string, value: ClaspValue | Float64Array, options: { rate?: number } = {}): boolean {
    const samples = value instanceof Float64Array ? Array.from(value) : undefined
    return this.publish({
      address, signal: 'stream', timestamp: this.serverTime(), rate: options.rate,
      ...(samples ? { samples } : { value: value as ClaspValue }),
    })
  }

  /** One gesture phase; receivers get `meta.phase` and `meta.gestureId`. */
  gesture(address: string, id: number, phase: GesturePhase, value: ClaspValue = null): boolean {
    return this.publish({ address, signal: 'gesture', id, phase, value, timestamp: this.serverTime() })
  }

  /** A timeline as PUBLISH signal timeline whose value is the map described in signals.ts. */
  timeline(address: string, keyframes: readonly Keyframe[], options: { loop?: boolean; startTime?: bigint | number } = {}): boolean {
    const start = options.startTime === undefined ? this.serverTime() : toMicros(options.startTime)
    return this.publish({ address, signal: 'timeline', value: encodeTimeline(keyframes, options.loop ?? false, start), timestamp: start })
  }

  /**
   * BUNDLE; resolves on its ACK with the revision of the last SET (undefined if none). `at` is
   * a server time in µs (see `serverTime()`): our router holds the bundle until then.
   */
  bundle(items: readonly BundleItem[], options: { at?: bigint | number; timeoutMs?: number } = {}): Promise<bigint | undefined> {
    if (!this.conn.isOpen) return Promise.reject(this.notConnected())
    const at = options.at === undefined ? undefined : toMicros(options.at)
    try {
      this.conn.wire.bundle({ timestamp: at, messages: items.map(bundleMessage) })
    } catch (e) {
      return Promise.reject(e)
    }
    const dueInMs = at === undefined ? 0 : Number(at - this.serverTime()) / 1000
    return this.requests.bundle(options.timeoutMs ?? this.requestTimeoutMs, dueInMs)
  }

  /**
   * Round trip through the router (PING → PONG). The router handles a connection's frames in
   * order, so when this resolves everything sent before it has been processed — e.g. call it
   * after `emit()` and before `close()`.
   */
  flush(options: { timeoutMs?: number } = {}): Promise<void> {
    if (!this.conn.isOpen) return Promise.reject(this.notConnected())
    this.conn.wire.ping()
    return this.requests.ping(options.timeoutMs ?? this.requestTimeoutMs)
  }

  // --- time -------------------------------------------------------------------------------

  /** Router time now, µs since the Unix epoch: local time + the SYNC-estimated offset. */
  serverTime(): bigint {
    return this.clockSync.toServer(msToMicros(this.clock.now()))
  }

  /** Router minus local clock, µs (from WELCOME until the first SYNC reply). */
  get clockOffset(): number {
    return this.clockSync.offsetUs
  }

  /** Smoothed SYNC round trip, µs; undefined before the first reply. */
  get rtt(): number | undefined {
    return this.clockSync.rttUs
  }

  /** Send a SYNC now; resolves with the next sample. */
  syncClock(timeoutMs = this.requestTimeoutMs): Promise<ClockSample> {
    if (!this.conn.isOpen) return Promise.reject(this.notConnected())
    const next = this.clockSync.next()
    this.sendSync()
    return new Promise((resolve, reject) => {
      const timer = this.clock.setTimeout(() => reject(ClaspError.timeout(`SYNC: no reply within ${timeoutMs} ms`)), timeoutMs)
      void next.then((s) => {
        this.clock.clearTimeout(timer)
        resolve(s)
      })
    })
  }

  // --- lifecycle --------------------------------------------------------------------------

  onConnect(cb: (info: ConnectInfo) => void): Unsubscribe {
    return this.events.on('connect', cb)
  }

  onDisconnect(cb: (reason: string) => void): Unsubscribe {
    return this.events.on('disconnect', cb)
  }

  onError(cb: (error: Error) => void): Unsubscribe {
    return this.events.on('error', cb)
  }

  onReconnecting(cb: (info: { attempt: number; delayMs: number }) => void): Unsubscribe {
    return this.events.on('reconnecting', cb)
  }

  /** Close for good: no reconnect; pending requests reject with kind `closed`. */
  async close(): Promise<void> {
    this.closedByUser = true
    this.stopSync()
    await this.conn.close()
    this.requests.failAll((address) => ClaspError.closed(address))
  }

  // --- internals --------------------------------------------------------------------------

  private opened(welcome: WelcomeMessage, reconnect: boolean): void {
    this.sessionId = welcome.session
    this.subs.epoch++
    this.clockSync.reset()
    this.clockSync.welcome(welcome.time, msToMicros(this.clock.now()))
    for (const entry of this.subs.entries()) {
      entry.sent = undefined
      this.sendSubscribe(entry)
    }
    for (let i = 0; i < this.syncBurst; i++) this.sendSync()
    this.startSync()
    this.events.emit('connect', { session: welcome.session, reconnect, welcome })
  }

  private lost(reason: string, byClient: boolean): void {
    this.stopSync()
    this.requests.failAll((address) => (byClient ? ClaspError.closed(address) : ClaspError.disconnected(`connection lost: ${reason}`, address)))
    this.events.emit('disconnect', reason)
  }

  private handle(m: Message): void {
    switch (m.type) {
      case 'SNAPSHOT':
        for (const p of m.params) {
          this.cache.set(p.address, { value: p.value, revision: p.revision, writer: p.writer, timestamp: p.timestamp })
          this.requests.snapshot(p)
          this.subs.dispatchParam(p.address, p.value, { signal: 'param', revision: p.revision, writer: p.writer, timestamp: p.timestamp, snapshot: true })
        }
        break
      case 'SET': {
        this.cache.set(m.address, { value: m.value, revision: m.revision })
        const meta: UpdateMeta = { signal: 'param', revision: m.revision }
        if (m.lock) meta.lock = true
        if (m.unlock) meta.unlock = true
        if (m.ttl) meta.ttl = m.ttl
        this.subs.dispatchParam(m.address, m.value, meta)
        break
      }
      case 'PUBLISH':
        this.subs.dispatchPublish(m)
        break
      case 'ACK':
        this.requests.ack(m)
        break
      case 'ERROR': {
        const err = ClaspError.router(m.code, m.message, m.address)
        this.lastError = err
        if (!this.requests.error(m)) this.events.emit('error', err)
        break
      }
      case 'SYNC':
        this.clockSync.reply(m.t1, m.t2, m.t3, msToMicros(this.clock.now()))
        break
      case 'PING':
        this.conn.wire.pong()
        break
      case 'PONG':
        this.requests.pong()
        break
      default:
        break // WELCOME again, RESULT, ANNOUNCE: nothing to do
    }
  }

  private publish(fields: Omit<PublishMessage, 'type'>): boolean {
    if (!this.conn.isOpen) return false
    this.conn.wire.publish(fields)
    return true
  }

  private sendSubscribe(entry: PatternEntry): void {
    if (!this.conn.isOpen) return
    const fields = this.subs.subscribeFields(entry)
    const fp = this.subs.fingerprint(fields)
    if (entry.sent === fp) return
    entry.sent = fp
    this.conn.wire.subscribe(fields)
  }

  private sendSync(): void {
    let t1 = msToMicros(this.clock.now())
    if (t1 <= this.lastT1) t1 = this.lastT1 + 1n // distinct t1 per request
    this.lastT1 = t1
    this.clockSync.sent(t1)
    this.conn.wire.sync({ t1 })
  }

  private startSync(): void {
    this.stopSync()
    if (this.syncIntervalMs <= 0) return
    this.syncTimer = this.clock.setInterval(() => {
      if (!this.conn.isOpen) return
      const silentMs = this.clock.now() - this.conn.lastInboundMs
      if (this.deadAfterMs > 0 && silentMs > this.deadAfterMs) {
        this.conn.drop(`no frame from the router for ${Math.round(silentMs)} ms`)
        return
      }
      this.sendSync()
    }, this.syncIntervalMs)
  }

  private stopSync(): void {
    if (this.syncTimer !== undefined) this.clock.clearInterval(this.syncTimer)
    this.syncTimer = undefined
  }

  private *cachedUpdates(): Iterable<[string, ClaspValue, UpdateMeta]> {
    for (const [address, c] of this.cache) {
      yield [address, c.value, { signal: 'param', revision: c.revision, writer: c.writer, timestamp: c.timestamp }]
    }
  }

  private notConnected(address?: string): ClaspError {
    return this.closedByUser ? ClaspError.closed(address) : ClaspError.disconnected(`not connected (${this.conn.state})`, address)
  }
}

function toTtl(ttl: number | Ttl | undefined): Ttl | undefined {
  if (ttl === undefined || typeof ttl === 'object') return ttl
  return ttl <= 0 ? { mode: 'never', seconds: 0 } : { mode: 'sliding', seconds: Math.round(ttl) }
}

function bundleMessage(item: BundleItem): SetMessage | PublishMessage {
  if ('type' in item) return item
  if ('set' in item) {
    const [address, value] = item.set
    return {
      type: 'SET', address, value,
      revision: item.revision === undefined ? undefined : BigInt(item.revision),
      lock: item.lock || undefined, unlock: item.unlock || undefined, ttl: toTtl(item.ttl),
    }
  }
  if ('emit' in item) return { type: 'PUBLISH', address: item.emit[0], signal: 'event', value: item.emit[1] ?? null }
  if ('stream' in item) return { type: 'PUBLISH', address: item.stream[0], signal: 'stream', value: item.stream[1] }
  throw ClaspError.usage('bundle items are {set}, {emit}, {stream}, or SET/PUBLISH messages')
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e))
}
