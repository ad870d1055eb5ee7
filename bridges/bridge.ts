/**
 * One interface for every protocol bridge (bridges.md §0). A bridge talks to the router only
 * through a CLASP client, so the same bridge runs inside the router process (connected through
 * an in-memory transport) or as its own process (`clasp osc`, connected over ws:// or tcp://).
 *
 * Rules every bridge keeps (bridges.md "deliberate differences"):
 * - addresses are mapped relative to the bridge's namespace, never by fixed split index;
 * - loop suppression: what came in from the external protocol is never sent back out to it
 *   (the router echoes a writer's own SETs; `OwnWrites.isOwnEcho` recognises them);
 * - bad input is counted and logged, never thrown out of the bridge, never written to state;
 * - value conversion goes through the shared transform layer (transform.ts).
 */
import type { ClaspValue } from '../generated/types.ts'
import { backoffDelay, resolveReconnect } from '../runtime/client/backoff.ts'
import type { ClaspClient, SetOptions, UpdateMeta } from '../runtime/client/index.ts'
import type { Logger } from '../runtime/router/log.ts'
import { valueEquals } from '../runtime/client/values.ts'
import type { TransformRule } from './transform.ts'

export interface BridgeStats {
  /** Messages from the external protocol turned into CLASP. */
  inbound: number
  /** CLASP messages sent out to the external protocol. */
  outbound: number
  /** External input rejected as malformed (counted, logged, dropped). */
  malformed: number
  /** CLASP messages not forwarded because they came from this bridge (loop suppression). */
  suppressed: number
  /** Transport or peer errors. */
  errors: number
}

export interface BridgeContext {
  /** Connected client; its session id tells the bridge's own echoes apart. */
  clasp: ClaspClient
  log: Logger
}

/** Options every bridge accepts (per-bridge options extend this). */
export interface BridgeOptions {
  /** CLASP address prefix owned by this bridge, e.g. `/osc`. */
  namespace: string
  /** Address/value rewrite rules applied in both directions. */
  transforms?: TransformRule[]
}

export interface Bridge {
  /** Protocol id, e.g. `osc`. */
  readonly kind: string
  readonly namespace: string
  start(ctx: BridgeContext): Promise<void>
  stop(): Promise<void>
  stats(): BridgeStats
}

export const emptyStats = (): BridgeStats => ({ inbound: 0, outbound: 0, malformed: 0, suppressed: 0, errors: 0 })

/** Join a namespace and a relative path: `/osc` + `/mixer/1` → `/osc/mixer/1`. */
export function withinNamespace(namespace: string, path: string): string {
  const ns = namespace.endsWith('/') ? namespace.slice(0, -1) : namespace
  return `${ns}${path.startsWith('/') ? path : `/${path}`}`
}

/** The path below the namespace, or undefined when the address is outside it. */
export function relativeToNamespace(namespace: string, address: string): string | undefined {
  const ns = namespace.endsWith('/') ? namespace.slice(0, -1) : namespace
  if (ns === '') return address
  if (address === ns) return '/'
  return address.startsWith(`${ns}/`) ? address.slice(ns.length) : undefined
}

// -------------------------------------------------------------------------------------------
// Shared helpers for every bridge: loop suppression and the outbound subscription.
// -------------------------------------------------------------------------------------------

/** Is this update the router's echo of one of our own writes? `origin` says who wrote it. */
export interface OwnEcho<O> {
  /** Whatever the bridge passed with the write (e.g. a WebSocket client); undefined for snapshots. */
  origin: O | undefined
}

interface PendingWrite<O> {
  value: ClaspValue
  origin: O | undefined
}

/**
 * The bridge's own writes in flight, so their echoes can be recognised (`isOwnEcho`).
 *
 * Why not `meta.writer`: the router broadcasts an accepted SET to every subscriber, the writer
 * included, *before* its ACK, and a live SET carries no writer id (only SNAPSHOT entries do). So
 * a write is remembered from the moment it is sent until its ACK or ERROR; the first SET for that
 * address with an equal value inside that window is the echo (frames of one connection are
 * handled in order, so the echo cannot arrive after the ACK). SNAPSHOT entries whose writer is
 * our session are echoes too (their origin is unknown).
 */
export class OwnWrites<O = undefined> {
  private readonly pending = new Map<string, PendingWrite<O>[]>()
  /** The latest value per address that the router's rate limit refused, to be sent again. */
  private readonly refused = new Map<string, { clasp: ClaspClient; value: ClaspValue; origin: O | undefined; options?: SetOptions }>()
  private retry: ReturnType<typeof setTimeout> | undefined

  /**
   * SET through `clasp`, remembering the write until it is answered. A SET that the router's
   * per-session rate limit refuses (ERROR 429: a bridge running as its own process is one busy
   * session) is sent again after the router's one-second window, latest value per address, so a
   * fader's final position is never lost. The returned promise still rejects, for the counters.
   */
  set(clasp: ClaspClient, address: string, value: ClaspValue, origin?: O, options?: SetOptions): Promise<bigint> {
    this.refused.delete(address) // a newer value supersedes one waiting to be sent again
    const release = this.expect(address, value, origin)
    const p = clasp.set(address, value, options)
    p.then(release, (e) => {
      release()
      // A write that expects a revision cannot simply be repeated.
      if ((e as { code?: number }).code === 429 && options?.revision === undefined) this.sendLater(clasp, address, value, origin, options)
    })
    return p
  }

  private sendLater(clasp: ClaspClient, address: string, value: ClaspValue, origin: O | undefined, options?: SetOptions): void {
    this.refused.set(address, { clasp, value, origin, options })
    if (this.retry !== undefined) return
    this.retry = setTimeout(() => {
      this.retry = undefined
      const due = [...this.refused]
      this.refused.clear()
      for (const [a, w] of due) this.set(w.clasp, a, w.value, w.origin, w.options).catch(() => undefined)
    }, 1000)
    this.retry.unref?.()
  }

  /** Drop refused writes waiting to be sent again (the bridge is stopping). */
  clear(): void {
    clearTimeout(this.retry)
    this.retry = undefined
    this.refused.clear()
  }

  /** Remember a write made another way (a BUNDLE item); call the result when it is answered. */
  expect(address: string, value: ClaspValue, origin?: O): () => void {
    const entry: PendingWrite<O> = { value, origin }
    let list = this.pending.get(address)
    if (!list) this.pending.set(address, (list = []))
    list.push(entry)
    return () => {
      const l = this.pending.get(address)
      const i = l ? l.indexOf(entry) : -1
      if (i < 0) return
      l!.splice(i, 1)
      if (l!.length === 0) this.pending.delete(address)
    }
  }

  /** Classify an update from the router; an echo's pending entry is consumed. */
  isOwnEcho(clasp: ClaspClient, address: string, value: ClaspValue, meta: UpdateMeta): OwnEcho<O> | undefined {
    if (meta.signal !== 'param') return undefined // the router never returns a PUBLISH to its sender
    if (meta.writer !== undefined && meta.writer === clasp.session) return { origin: undefined }
    const list = this.pending.get(address)
    const i = list ? list.findIndex((w) => valueEquals(w.value, value)) : -1
    if (i < 0) return undefined
    const [w] = list!.splice(i, 1)
    if (list!.length === 0) this.pending.delete(address)
    return { origin: w.origin }
  }

  /** Writes still waiting for an answer (for tests and stats). */
  get size(): number {
    let n = 0
    for (const l of this.pending.values()) n += l.length
    return n
  }
}

/**
 * The CLASP patterns a bridge must subscribe to for output: its namespace, plus the CLASP side
 * of every transform rule that may rewrite an address from outside the namespace into it.
 */
export function outboundPatterns(namespace: string, rules: readonly TransformRule[] = []): string[] {
  const ns = namespace.endsWith('/') ? namespace.slice(0, -1) : namespace
  const patterns = [`${ns}/**`]
  for (const r of rules) {
    if (r.direction === 'in' || r.to === undefined) continue
    const literalPrefix = r.to.replace(/\*.*$/, '').replace(/\/$/, '')
    if (ns === '' || relativeToNamespace(ns, literalPrefix) !== undefined) continue // already covered
    if (!patterns.includes(r.to)) patterns.push(r.to)
  }
  return patterns
}

/**
 * Subscribe `handler` to everything the bridge may send out (see `outboundPatterns`). Overlapping
 * patterns would call the handler once per pattern; one dispatch shares one `meta` object, so
 * repeats are dropped by identity.
 */
export function subscribeOutbound(
  clasp: ClaspClient,
  namespace: string,
  rules: readonly TransformRule[] | undefined,
  handler: (value: ClaspValue, address: string, meta: UpdateMeta) => void,
): () => void {
  let last: UpdateMeta | undefined
  const cb = (value: ClaspValue, address: string, meta: UpdateMeta) => {
    if (meta === last) return
    last = meta
    handler(value, address, meta)
  }
  const offs = outboundPatterns(namespace, rules).map((p) => clasp.on(p, cb))
  return () => offs.forEach((off) => off())
}

/**
 * Count and log one piece of bad external input. The first ten are warnings, then one in a
 * thousand, so a flood of garbage cannot flood the log too.
 */
export function countMalformed(stats: BridgeStats, log: Logger, msg: string, fields: Record<string, unknown> = {}): void {
  stats.malformed++
  if (stats.malformed <= 10 || stats.malformed % 1000 === 0) log.warn(msg, { ...fields, malformedSoFar: stats.malformed })
  else log.debug(msg, fields)
}

/** Count and log a transport or router failure, throttled like `countMalformed` (a router rate limit refuses thousands). */
export function countError(stats: BridgeStats, log: Logger, msg: string, fields: Record<string, unknown> = {}): void {
  stats.errors++
  if (stats.errors <= 10 || stats.errors % 1000 === 0) log.warn(msg, { ...fields, errorsSoFar: stats.errors })
  else log.debug(msg, fields)
}

/** The TCP port a server is bound to (useful when 0 was asked for); 0 before it listens. */
export function boundPort(server: { address(): unknown } | undefined): number {
  const a = server?.address()
  return a !== null && typeof a === 'object' && typeof (a as { port?: unknown }).port === 'number' ? (a as { port: number }).port : 0
}

/**
 * The gate of every bridge's output: a param, event or stream that is not the echo of the
 * bridge's own write (counted as suppressed) and, unless `syncOnStart`, not part of the snapshot
 * the router sends when the bridge subscribes.
 */
export function forwardable(
  own: { isOwnEcho(clasp: ClaspClient, address: string, value: ClaspValue, meta: UpdateMeta): unknown },
  clasp: ClaspClient,
  counters: BridgeStats,
  update: { value: ClaspValue; address: string; meta: UpdateMeta },
  syncOnStart: boolean,
): boolean {
  const { value, address, meta } = update
  if (meta.signal !== 'param' && meta.signal !== 'event' && meta.signal !== 'stream') return false
  if (own.isOwnEcho(clasp, address, value, meta)) {
    counters.suppressed++
    return false
  }
  return !meta.snapshot || syncOnStart
}

/**
 * A client-mode bridge starts whether or not its peer is up: this resolves on the first
 * connection (`register` hands over the callback to call then), or after `timeoutMs` with a
 * warning, while the bridge keeps trying in the background.
 */
export function firstConnection(register: (connected: () => void) => void, timeoutMs: number, log: Logger, warning: string, fields: Record<string, unknown>): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      log.warn(warning, fields)
      resolve()
    }, timeoutMs)
    register(() => {
      clearTimeout(timer)
      resolve()
    })
  })
}

/**
 * Send an event that came from outside: undefined when it went out, otherwise why not. The client
 * throws for a value it cannot encode (too large for one frame) and returns false while
 * disconnected; input from a device or a socket must cost one counted error, never an exception
 * inside a socket callback.
 */
export function emitExternal(clasp: ClaspClient, address: string, value: ClaspValue): string | undefined {
  try {
    return clasp.emit(address, value) ? undefined : 'not connected to the router'
  } catch (e) {
    return (e as Error).message
  }
}

/**
 * An inbound handler that cannot take the process down: a bug that throws on some input costs that
 * one message (counted as an error and logged with its stack), as in the router's own handlers.
 * Outbound callbacks need no guard: the client already isolates subscriber callbacks.
 */
export function guarded<A extends unknown[]>(stats: BridgeStats, log: Logger, what: string, handler: (...args: A) => void): (...args: A) => void {
  return (...args: A) => {
    try {
      handler(...args)
    } catch (e) {
      countError(stats, log, `${what} failed`, { error: String((e as Error)?.stack ?? e) })
    }
  }
}

/** Listen on a TCP port; rejects with the bind error (port in use, bad address) instead of emitting it. */
export function listenOn(server: { once(e: 'error', f: (e: Error) => void): unknown; off(e: 'error', f: (e: Error) => void): unknown; listen(port: number, host: string, cb: () => void): unknown }, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
}

/**
 * How a client-mode bridge comes back after a lost link: the client's own backoff, without jitter
 * (one bridge, one peer): 0.5 s doubling to 5 s, from the start again once connected.
 */
export class LinkBackoff {
  private attempt = 0
  private readonly options = resolveReconnect({ initialDelayMs: 500, maxDelayMs: 5000, jitter: 0 })!

  /** The delay before the next attempt. */
  next(): number {
    return backoffDelay(++this.attempt, this.options, Math.random)
  }

  reset(): void {
    this.attempt = 0
  }
}
