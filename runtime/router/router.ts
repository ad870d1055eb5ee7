/**
 * The router core: sessions over any FramePort, the param store, subscriptions and fan-out.
 * Transport-agnostic and single-threaded; time comes from an injected Clock. One handler per
 * message type lives in handlers/; this file owns the connection lifecycle and delivery.
 */
import { decode, encode } from '../../generated/codec.ts'
import type { ClaspValue, Message, ParamValue, SignalType, Ttl } from '../../generated/types.ts'
import { ClaspDecodeError, ClaspEncodeError } from '../codec/errors.ts'
import { MAX_FRAME_BYTES } from '../codec/writer.ts'
import { SubscriptionTrie, compilePattern } from '../address/index.ts'
import { type Clock, systemClock } from './clock.ts'
import { type ConflictStrategy, type RouterConfig, resolveConfig } from './config.ts'
import { Gestures } from './gestures.ts'
import { handlers } from './handlers/index.ts'
import { type Logger, silentLogger } from './log.ts'
import { DROPPABLE, type Delivery, KEEP } from './outbox.ts'
import { type Param, ParamStore } from './params.ts'
import type { FramePort } from './port.ts'
import { Session, type Subscription } from './session.ts'
import { snapshotChunks } from './snapshot.ts'
import { Signals } from './signals.ts'

export interface RouterOptions {
  config?: Partial<RouterConfig>
  clock?: Clock
  log?: Logger
}

/** Counters for monitoring and tests. */
export interface RouterStats {
  framesIn: number
  decodeErrors: number
  rateLimited: number
  oversized: number
  slowConsumersDropped: number
}

export class Router {
  readonly config: RouterConfig
  readonly clock: Clock
  readonly log: Logger
  readonly params: ParamStore
  readonly signals = new Signals()
  readonly sessions = new Map<string, Session>()
  /** Sessions still in the handshake, counted against maxSessions too. */
  private readonly pending = new Set<Session>()
  readonly subscriptions = new SubscriptionTrie<Subscription>()
  readonly gestures: Gestures
  readonly stats: RouterStats = { framesIn: 0, decodeErrors: 0, rateLimited: 0, oversized: 0, slowConsumersDropped: 0 }
  private readonly strategyIndex = new SubscriptionTrie<number>()
  private epoch = 0
  private readonly timers: unknown[] = []
  private closed = false

  constructor(options: RouterOptions = {}) {
    this.config = resolveConfig(options.config)
    this.clock = options.clock ?? systemClock
    this.log = options.log ?? silentLogger
    this.params = new ParamStore(this.config.maxParams)
    this.gestures = new Gestures(this, this.config.gestureIntervalMs)
    this.config.strategies.forEach((rule, i) => {
      const compiled = compilePattern(rule.pattern)
      if (!compiled.ok) throw new Error(`strategy pattern '${rule.pattern}' is invalid: ${compiled.message}`)
      this.strategyIndex.add(rule.pattern, i)
    })
    this.timers.push(this.clock.setInterval(() => this.sweep(), this.config.ttlSweepMs))
  }

  /** Server time in µs. */
  nowMicros(): bigint {
    return BigInt(Math.round(this.clock.now() * 1000))
  }

  // -------------------------------------------------------------------------------------------
  // Connections
  // -------------------------------------------------------------------------------------------

  /** Serve a new connection. */
  attach(port: FramePort): Session {
    const c = this.config
    const session = new Session(port, this.clock.now(), c.sendHighWaterBytes, c.sendQueueLimit, (s) => this.dropSlowConsumer(s))
    if (this.closed || (c.maxSessions > 0 && this.sessions.size + this.pending.size >= c.maxSessions)) {
      this.log.warn('connection refused: session limit reached', { port: port.label, max: c.maxSessions })
      port.start({ frame: () => undefined, close: () => undefined })
      port.close('session limit reached')
      return session
    }
    this.pending.add(session)
    session.timers.push(this.clock.setTimeout(() => {
      if (session.state === 'handshake') this.closeSession(session, 'no HELLO within the handshake timeout')
    }, c.helloTimeoutMs))
    port.start({
      frame: (bytes) => this.onFrame(session, bytes),
      close: () => this.closeSession(session, 'peer closed'),
      drain: () => session.outbox.flush(),
    })
    return session
  }

  private onFrame(session: Session, bytes: Uint8Array): void {
    if (session.state === 'closed') return
    this.stats.framesIn++
    const now = this.clock.now()
    session.lastInboundMs = now
    if (bytes.length > this.config.maxFrameBytes) {
      this.stats.oversized++
      this.log.debug('oversized frame ignored', { session: session.label, bytes: bytes.length })
      return
    }
    if (session.state === 'open' && this.rateLimited(session, now)) return
    let message: Message
    try {
      message = decode(bytes).message
    } catch (e) {
      this.stats.decodeErrors++
      if (!(e instanceof ClaspDecodeError)) this.log.error('decoder bug', { error: String(e) })
      // Before HELLO a bad frame ends the connection; afterwards it is ignored [CONF-9, CONF-136].
      if (session.state === 'handshake') this.closeSession(session, 'undecodable frame before HELLO')
      else this.log.debug('undecodable frame ignored', { session: session.label, error: String(e) })
      return
    }
    if (session.state === 'handshake' && message.type !== 'HELLO') {
      this.closeSession(session, `${message.type} before HELLO`)
      return
    }
    try {
      const handler = handlers[message.type] as ((r: Router, s: Session, m: Message) => void) | undefined
      handler?.(this, session, message)
    } catch (e) {
      // A handler bug must cost one message, not the process.
      this.log.error('handler failed', { type: message.type, session: session.label, error: String((e as Error).stack ?? e) })
    }
  }

  /** Fixed one-second windows per session; frames beyond the limit get ERROR 429 [CONF-140]. */
  private rateLimited(session: Session, now: number): boolean {
    const limit = this.config.maxMessagesPerSecond
    if (limit <= 0 || session.port.trusted) return false
    if (now - session.windowStartMs >= 1000) {
      session.windowStartMs = now - (now % 1000)
      session.windowCount = 0
    }
    if (++session.windowCount <= limit) return false
    this.stats.rateLimited++
    session.send({ type: 'ERROR', code: 429, message: `Rate limit exceeded: ${limit} messages/second` })
    return true
  }

  /** Called by the HELLO handler once the session has an id. */
  open(session: Session): void {
    this.pending.delete(session)
    this.sessions.set(session.id, session)
    session.state = 'open'
  }

  closeSession(session: Session, reason: string): void {
    if (session.state === 'closed') return
    const wasOpen = session.state === 'open'
    session.state = 'closed'
    this.pending.delete(session)
    for (const t of session.timers) this.clock.clearTimeout(t)
    if (wasOpen) {
      this.sessions.delete(session.id)
      for (const sub of session.subscriptions.values()) this.subscriptions.remove(sub.pattern, sub)
      session.subscriptions.clear()
      this.params.releaseLocks(session.id)
    }
    this.log.debug('session closed', { session: session.label, reason })
    session.port.close(reason)
  }

  private dropSlowConsumer(session: Session): void {
    this.stats.slowConsumersDropped++
    this.log.warn('slow consumer disconnected', { session: session.label, queued: session.outbox.pending })
    // Bypass the full queue: the notice goes straight to the transport, then the connection ends.
    session.port.send(encode({ type: 'ERROR', code: 503, message: `Buffer overflow: consumer too slow, ${session.outbox.pending} messages queued; disconnecting` }))
    this.closeSession(session, 'send queue overflow')
  }

  /** Periodic work: TTL expiry and idle sessions. */
  private sweep(): void {
    const now = this.clock.now()
    this.params.expire(now, this.config.paramTtlSeconds)
    this.signals.expire(now)
    const idle = this.config.sessionTimeoutMs
    if (idle > 0) {
      for (const s of [...this.sessions.values()]) if (now - s.lastInboundMs > idle) this.closeSession(s, 'idle timeout')
    }
  }

  /** Stop timers and close every session. */
  close(): void {
    this.closed = true
    for (const t of this.timers) this.clock.clearInterval(t)
    this.gestures.stop()
    for (const s of [...this.sessions.values(), ...this.pending]) this.closeSession(s, 'router shutting down')
  }

  // -------------------------------------------------------------------------------------------
  // State and delivery
  // -------------------------------------------------------------------------------------------

  strategyFor(address: string): ConflictStrategy {
    let best = -1
    this.strategyIndex.forEachMatch(address, (i) => {
      if (best < 0 || i < best) best = i
    })
    return best < 0 ? 'lww' : this.config.strategies[best].strategy
  }

  /**
   * Deliver one message to every session with a matching subscription that accepts `signal`,
   * once per session whatever the overlap, skipping `exclude`. Encoded once for everybody.
   */
  fanOut(address: string, signal: SignalType, message: Message, exclude: Session | undefined, how: Delivery, encoded?: Uint8Array): number {
    const epoch = ++this.epoch
    let frame = encoded
    let count = 0
    this.subscriptions.forEachMatch(address, (sub) => {
      const s = sub.session
      if (s === exclude || s.deliveredEpoch === epoch || s.state !== 'open') return
      if (sub.types.length > 0 && !sub.types.includes(signal)) return
      if (!rateAndEpsilonAllow(sub, address, message, this.clock.now())) return
      s.deliveredEpoch = epoch
      frame ??= encode(message)
      s.deliver(frame, how)
      count++
    })
    return count
  }

  /**
   * The frame that will broadcast a SET once it is applied at `revision` by `writer`, or why the
   * value does not fit the wire. The broadcast carries a revision the writer's SET may not have
   * had, and a SNAPSHOT entry (late joiners, GET) adds the writer and a timestamp too, so a value
   * that just fitted the writer's frame can be too large for either: such a SET must be refused
   * before it is applied, or the router would hold a value that nobody can be sent.
   */
  setBroadcastFrame(set: SetRequest, revision: bigint, writer: string): Uint8Array | { tooLarge: string } {
    let frame: Uint8Array
    try {
      frame = encode(setBroadcast(set, revision))
    } catch (e) {
      if (e instanceof ClaspEncodeError) return { tooLarge: BROADCAST_TOO_LARGE }
      throw e
    }
    // Only a value near the limit can fit the broadcast but not a SNAPSHOT entry: check those exactly.
    if (frame.length > MAX_FRAME_BYTES - SNAPSHOT_ENTRY_MARGIN) {
      try {
        encode({ type: 'SNAPSHOT', params: [{ address: set.address, value: set.value, revision, writer, timestamp: 0n }] })
      } catch (e) {
        if (e instanceof ClaspEncodeError) return { tooLarge: SNAPSHOT_TOO_LARGE }
        throw e
      }
    }
    return frame
  }

  /** Broadcast an accepted SET to param subscribers, the writer included [CONF-75]. */
  broadcastSet(param: Param, request: SetRequest, frame?: Uint8Array): void {
    this.fanOut(param.address, 'param', setBroadcast({ ...request, address: param.address, value: param.value }, param.revision), undefined, { kind: 'latest', key: param.address }, frame)
  }

  /** Forward a PUBLISH to matching subscribers, never back to its sender. */
  broadcastPublish(message: Message & { type: 'PUBLISH' }, sender: Session | undefined): number {
    const signal = message.signal ?? 'event'
    return this.fanOut(message.address, signal, message, sender, signal === 'stream' ? DROPPABLE : KEEP)
  }

  /** Send params as SNAPSHOT chunks that each fit the wire. */
  sendSnapshot(session: Session, params: Iterable<Param>, alwaysSend: boolean): void {
    const entries: ParamValue[] = []
    for (const p of params) entries.push({ address: p.address, value: p.value, revision: p.revision, writer: p.writer, timestamp: p.timestamp })
    if (entries.length === 0 && !alwaysSend) return
    for (const chunk of snapshotChunks(entries, this.config.snapshotChunkParams)) session.send({ type: 'SNAPSHOT', params: chunk })
  }
}

/** Refusals of a SET whose value fits the writer's frame but not what the router must send (our texts). */
export const BROADCAST_TOO_LARGE = 'value too large: its broadcast SET would exceed the 65,535-byte frame payload'
export const SNAPSHOT_TOO_LARGE = 'value too large: its SNAPSHOT entry (late joiners, GET) would exceed the 65,535-byte frame payload'
/** More than a SNAPSHOT entry adds to a SET broadcast: writer id, timestamp, flags, count. */
const SNAPSHOT_ENTRY_MARGIN = 256

/** What of a SET request its broadcast repeats. */
type SetRequest = { address: string; value: ClaspValue; lock?: boolean; unlock?: boolean; ttl?: Ttl }

function setBroadcast(r: SetRequest, revision: bigint): Message {
  return { type: 'SET', address: r.address, value: r.value, revision, lock: r.lock, unlock: r.unlock, ttl: r.ttl }
}

/** Subscription maxRate and epsilon (an extension the reference ignores) [CONF-64]. */
function rateAndEpsilonAllow(sub: Subscription, address: string, message: Message, nowMs: number): boolean {
  const o = sub.options
  if (!o || (o.maxRate === undefined && o.epsilon === undefined)) return true
  const value = message.type === 'SET' || message.type === 'PUBLISH' ? message.value : undefined
  sub.lastSent ??= new Map()
  const last = sub.lastSent.get(address)
  if (last) {
    if (o.maxRate !== undefined && o.maxRate > 0 && nowMs - last.atMs < 1000 / o.maxRate) return false
    if (o.epsilon !== undefined && typeof value === 'number' && typeof last.value === 'number' && Math.abs(value - last.value) < o.epsilon) return false
  }
  sub.lastSent.set(address, { atMs: nowMs, value })
  return true
}
