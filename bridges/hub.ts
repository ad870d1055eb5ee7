/**
 * One CLASP client shared by many external clients: the core of the HTTP (SSE), WebSocket-JSON
 * and Socket.IO bridges.
 *
 * - A mirror of the params under the namespace (value, revision, time), filled by one
 *   subscription, answers GET and snapshot requests without a router round trip (the router
 *   stays silent on a GET for an unknown address, so asking it would mean waiting for a timeout).
 * - Per-client subscriptions live in a local `SubscriptionTrie`, with the router's own matching.
 * - Every external client shares the bridge's session, so the router cannot tell them apart: a
 *   write is remembered with its origin (`OwnWrites`), and its echo goes to every *other*
 *   matching client. Events are never echoed by the router, so they are fanned out locally.
 *
 * Addresses seen by clients are "external": relative to the namespace, after the transforms.
 */
import type { ClaspValue } from '../generated/types.ts'
import type { ClaspClient, SetOptions, UpdateMeta } from '../runtime/client/index.ts'
import { SubscriptionTrie, compilePattern, parseAddress } from '../runtime/address/index.ts'
import { valueEquals } from '../runtime/client/values.ts'
import { type BridgeStats, emitExternal, OwnWrites, relativeToNamespace, subscribeOutbound, withinNamespace } from './bridge.ts'
import { type TransformRule, Transforms } from './transform.ts'

/** What a client receives. `address` is relative to the namespace. */
export interface HubUpdate {
  kind: 'param' | 'event' | 'stream'
  address: string
  value: ClaspValue
  /** Params only. */
  revision?: bigint
}

/** A param as the mirror holds it, on the CLASP side. */
export interface MirrorEntry {
  value: ClaspValue
  revision: bigint | undefined
  /** µs since the Unix epoch: the router's write time (from a SNAPSHOT) or when we heard of it. */
  timestamp: bigint
}

/** See the file comment. `C` is whatever identifies an external client (a socket, a response). */
export class ClientHub<C> {
  private readonly mirror = new Map<string, MirrorEntry>()
  private readonly subs = new SubscriptionTrie<C>()
  /** Patterns per client, so a client can be dropped in one call. */
  private readonly byClient = new Map<C, Map<string, number>>()
  private readonly own = new OwnWrites<C>()
  private readonly transforms: Transforms
  private clasp: ClaspClient | undefined
  private off: (() => void) | undefined

  constructor(
    readonly namespace: string,
    private readonly rules: TransformRule[] | undefined,
    private readonly stats: BridgeStats,
    private readonly deliver: (client: C, update: HubUpdate) => void,
  ) {
    this.transforms = new Transforms(rules)
  }

  /** Subscribe to the namespace (and transform targets); resolves once the mirror is filled. */
  async start(clasp: ClaspClient): Promise<void> {
    this.clasp = clasp
    this.off = subscribeOutbound(clasp, this.namespace, this.rules, (v, a, m) => this.onClasp(v, a, m))
    await clasp.flush() // the SUBSCRIBE snapshot arrives before the PONG
  }

  stop(): void {
    this.own.clear()
    this.off?.()
    this.off = undefined
  }

  // ---- addresses -------------------------------------------------------------------------

  /** A client's path (`/mixer/fader1`) → CLASP address, or undefined when not a valid address. */
  claspAddress(path: string): string | undefined {
    if (!path.startsWith('/') || !parseAddress(path).ok) return undefined
    const address = this.transforms.inbound(withinNamespace(this.namespace, path), null).address
    return parseAddress(address).ok ? address : undefined
  }

  /** CLASP address and value → what clients see, or undefined outside the namespace. */
  private external(address: string, value: ClaspValue): { address: string; value: ClaspValue } | undefined {
    const out = this.transforms.outbound(address, value)
    const rel = relativeToNamespace(this.namespace, out.address)
    return rel === undefined ? undefined : { address: rel, value: out.value }
  }

  // ---- reads -----------------------------------------------------------------------------

  /** The current value at a client path, as the client sees it. */
  get(path: string): (MirrorEntry & { address: string }) | undefined {
    const address = this.claspAddress(path)
    const entry = address === undefined ? undefined : this.mirror.get(address)
    if (!entry || address === undefined) return undefined
    const ext = this.external(address, entry.value)
    return ext && { ...entry, address: ext.address, value: ext.value }
  }

  /** Every param whose client path matches `pattern` (`*`, `**`), sorted by path. */
  snapshot(pattern = '/**'): Array<MirrorEntry & { address: string }> {
    const one = new SubscriptionTrie<true>()
    one.add(pattern, true)
    const out: Array<MirrorEntry & { address: string }> = []
    for (const [address, entry] of this.mirror) {
      const ext = this.external(address, entry.value)
      if (ext && one.match(ext.address).size > 0) out.push({ ...entry, address: ext.address, value: ext.value })
    }
    return out.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0))
  }

  // ---- writes ----------------------------------------------------------------------------

  /** SET on behalf of `origin`; resolves to the new revision. */
  set(origin: C | undefined, path: string, value: ClaspValue, options?: SetOptions): Promise<bigint> {
    const ext = withinNamespace(this.namespace, path)
    const { address, value: v } = this.transforms.inbound(ext, value)
    this.stats.inbound++
    return this.own.set(this.clasp!, address, v, origin, options)
  }

  /**
   * An event on behalf of `origin`: to the router, and to the other local clients that match.
   * Undefined when sent, otherwise why not (disconnected, or a value too large for one frame).
   */
  emit(origin: C | undefined, path: string, value: ClaspValue): string | undefined {
    const { address, value: v } = this.transforms.inbound(withinNamespace(this.namespace, path), value)
    const error = emitExternal(this.clasp!, address, v)
    if (error) return error
    this.stats.inbound++
    // Local delivery waits for a PING round trip so that other clients see a client's writes and
    // events in the order it sent them (a SET's echo comes back through the router; the PONG
    // follows it). Lost connection: the router did not get the event either, so nobody does.
    this.clasp!.flush().then(() => this.fanOut({ kind: 'event', address: path, value }, origin), () => undefined)
    return undefined
  }

  // ---- client subscriptions --------------------------------------------------------------

  /** Validate a client pattern; returns the router's message when invalid. */
  static patternError(pattern: string): string | undefined {
    const c = compilePattern(pattern)
    return c.ok ? undefined : c.message
  }

  subscribe(client: C, pattern: string): void {
    let mine = this.byClient.get(client)
    if (!mine) this.byClient.set(client, (mine = new Map()))
    mine.set(pattern, (mine.get(pattern) ?? 0) + 1)
    this.subs.add(pattern, client)
  }

  unsubscribe(client: C, pattern: string): boolean {
    const mine = this.byClient.get(client)
    const n = mine?.get(pattern) ?? 0
    if (n === 0) return false
    if (n === 1) mine!.delete(pattern)
    else mine!.set(pattern, n - 1)
    this.subs.remove(pattern, client)
    return true
  }

  /** Forget a client (disconnected). */
  drop(client: C): void {
    const mine = this.byClient.get(client)
    if (!mine) return
    for (const [pattern, n] of mine) for (let i = 0; i < n; i++) this.subs.remove(pattern, client)
    this.byClient.delete(client)
  }

  get clientCount(): number {
    return this.byClient.size
  }

  // ---- CLASP → clients -------------------------------------------------------------------

  private onClasp(value: ClaspValue, address: string, meta: UpdateMeta): void {
    const kind = meta.signal
    if (kind !== 'param' && kind !== 'event' && kind !== 'stream') return
    const echo = this.own.isOwnEcho(this.clasp!, address, value, meta)
    if (kind === 'param') {
      const known = this.mirror.get(address)
      this.mirror.set(address, { value, revision: meta.revision, timestamp: meta.timestamp ?? this.clasp!.serverTime() })
      // Clients ask for current values explicitly, so a snapshot is news only for what it changes:
      // after the link to the router was lost, the resubscribe snapshot carries what was written
      // meanwhile, and subscribed clients must hear of it.
      if (meta.snapshot && (!known || (known.revision === meta.revision && valueEquals(known.value, value)))) return
    }
    const ext = this.external(address, value)
    if (!ext) return
    this.fanOut({ kind, address: ext.address, value: ext.value, revision: meta.revision }, echo?.origin)
  }

  /** Deliver to every client whose pattern matches, except the one it came from. */
  private fanOut(update: HubUpdate, origin: C | undefined): void {
    let suppressed = false
    this.subs.forEachMatch(update.address, (client) => {
      if (origin !== undefined && client === origin) {
        suppressed = true
        return
      }
      this.stats.outbound++
      this.deliver(client, update)
    })
    if (suppressed) this.stats.suppressed++
  }
}
