/**
 * Local subscriptions: one SUBSCRIBE per pattern however many callbacks share it, and dispatch
 * of incoming SET / SNAPSHOT / PUBLISH to callbacks through the router's own matcher
 * (`SubscriptionTrie`), so a callback sees exactly what the router delivers for its pattern
 * (the npm client's regex misses `/a/**` → `/a`, `/x/**\/y` → `/x/y`, ...; wire-protocol.md §8.4).
 *
 * Param deliveries are de-duplicated per callback by revision: the connect snapshot, the
 * subscribe snapshot and a reconnect's snapshots repeat params the callback has already seen.
 * Rules, per callback and address, against the last revision it was given:
 *   - same connection: an equal revision is a repeat; a lower one is stale, except revision 1
 *     (the router recreated the param after expiry or eviction);
 *   - after a reconnect: only the same revision with an equal value is a repeat (a restarted
 *     router numbers from 1 again, so a lower or equal revision with a new value is news).
 * Per-callback `maxRate` / `epsilon` are applied here too, since the reference router ignores
 * them (ours honours the least restrictive combination sent in the SUBSCRIBE).
 */
import type { ClaspValue, PublishMessage, SignalType, SubscribeMessage, SubscribeOptions } from '../../generated/types.ts'
import { SubscriptionTrie, compilePattern } from '../address/index.ts'
import { ClaspError } from './errors.ts'
import { type UpdateMeta, decodeTimeline } from './signals.ts'
import { valueEquals } from './values.ts'

export type UpdateCallback = (value: ClaspValue, address: string, meta: UpdateMeta) => void

export interface OnOptions {
  /** Signal types this callback wants (default: all). Params count as `param`. */
  types?: SignalType[]
  /** At most this many live updates per second per address. */
  maxRate?: number
  /** Skip numeric updates that differ from the last delivered one by less than this. */
  epsilon?: number
}

interface Seen {
  revision: bigint
  value: ClaspValue
  epoch: number
}

export class Listener {
  /** Last param revision given to this callback, per address. */
  readonly seen = new Map<string, Seen>()
  /** maxRate / epsilon bookkeeping per address. */
  readonly lastLive = new Map<string, { atMs: number; value: ClaspValue }>()

  constructor(
    readonly callback: UpdateCallback,
    readonly options: OnOptions,
  ) {}
}

export interface PatternEntry {
  /** SUBSCRIBE id, stable across reconnects. */
  readonly id: number
  readonly pattern: string
  readonly listeners: Set<Listener>
  /** Fingerprint of the SUBSCRIBE last sent, to notice when types/options widen. */
  sent: string | undefined
}

const TYPE_ORDER: readonly SignalType[] = ['param', 'event', 'stream', 'gesture', 'timeline']

export class Subscriptions {
  private readonly byPattern = new Map<string, PatternEntry>()
  private readonly trie = new SubscriptionTrie<PatternEntry>()
  private nextId = 1
  /** Connection epoch (bumped on every WELCOME); see the de-duplication rules above. */
  epoch = 0

  constructor(
    private readonly nowMs: () => number,
    private readonly onCallbackError: (e: unknown) => void,
  ) {}

  entries(): IterableIterator<PatternEntry> {
    return this.byPattern.values()
  }

  /** Register a callback. Throws ClaspError(usage) for a pattern the router would refuse. */
  add(pattern: string, callback: UpdateCallback, options: OnOptions = {}): { entry: PatternEntry; listener: Listener; created: boolean } {
    const compiled = compilePattern(pattern)
    if (!compiled.ok) throw ClaspError.usage(`invalid pattern ${JSON.stringify(pattern)}: ${compiled.message}`, pattern)
    let entry = this.byPattern.get(pattern)
    const created = entry === undefined
    if (entry === undefined) {
      entry = { id: this.nextId++, pattern, listeners: new Set(), sent: undefined }
      this.byPattern.set(pattern, entry)
      this.trie.add(pattern, entry)
    }
    const listener = new Listener(callback, options)
    entry.listeners.add(listener)
    return { entry, listener, created }
  }

  /** Drop a callback; returns true when its pattern has no callbacks left (send UNSUBSCRIBE). */
  remove(entry: PatternEntry, listener: Listener): boolean {
    if (!entry.listeners.delete(listener) || entry.listeners.size > 0) return false
    this.byPattern.delete(entry.pattern)
    this.trie.remove(entry.pattern, entry)
    return true
  }

  /** The SUBSCRIBE for a pattern: the union of its callbacks' types, the loosest rate options. */
  subscribeFields(entry: PatternEntry): Omit<SubscribeMessage, 'type'> {
    const listeners = [...entry.listeners]
    const all = listeners.some((l) => !l.options.types || l.options.types.length === 0)
    const types = all ? [] : TYPE_ORDER.filter((t) => listeners.some((l) => l.options.types!.includes(t)))
    const options: SubscribeOptions = {}
    if (listeners.length > 0 && listeners.every((l) => l.options.maxRate !== undefined && l.options.maxRate > 0)) {
      options.maxRate = Math.max(...listeners.map((l) => l.options.maxRate!))
    }
    if (listeners.length > 0 && listeners.every((l) => l.options.epsilon !== undefined)) {
      options.epsilon = Math.min(...listeners.map((l) => l.options.epsilon!))
    }
    const hasOptions = options.maxRate !== undefined || options.epsilon !== undefined
    return { id: entry.id, pattern: entry.pattern, types, options: hasOptions ? options : undefined }
  }

  /** Fingerprint of `subscribeFields`, to decide whether a re-SUBSCRIBE is needed. */
  fingerprint(fields: Omit<SubscribeMessage, 'type'>): string {
    return `${fields.types.join(',')}|${fields.options?.maxRate ?? ''}|${fields.options?.epsilon ?? ''}`
  }

  /** A SET broadcast or SNAPSHOT entry. */
  dispatchParam(address: string, value: ClaspValue, meta: UpdateMeta): void {
    for (const entry of this.trie.match(address)) {
      for (const listener of [...entry.listeners]) this.deliverParam(listener, address, value, meta)
    }
  }

  /** Give a new callback on an already subscribed pattern the params it would have seen. */
  replay(entry: PatternEntry, listener: Listener, params: Iterable<[string, ClaspValue, UpdateMeta]>): void {
    const one = new SubscriptionTrie<true>()
    one.add(entry.pattern, true)
    for (const [address, value, meta] of params) {
      if (one.match(address).size > 0) this.deliverParam(listener, address, value, { ...meta, snapshot: true })
    }
  }

  dispatchPublish(m: PublishMessage): void {
    const signal = m.signal ?? 'event'
    const meta: UpdateMeta = { signal }
    if (m.timestamp !== undefined) meta.timestamp = m.timestamp
    let value: ClaspValue = m.value ?? null
    if (m.value === undefined && m.samples !== undefined) value = m.samples
    if (m.samples !== undefined) meta.samples = m.samples
    if (m.rate !== undefined) meta.rate = m.rate
    if (signal === 'gesture') {
      meta.phase = m.phase ?? 'start'
      if (m.id !== undefined) meta.gestureId = m.id
    }
    if (signal === 'timeline') meta.timeline = decodeTimeline(m.value)
    for (const entry of this.trie.match(m.address)) {
      for (const listener of [...entry.listeners]) {
        if (!wants(listener, signal)) continue
        if (!this.rateAllows(listener, m.address, value)) continue
        this.call(listener, value, m.address, meta)
      }
    }
  }

  private deliverParam(listener: Listener, address: string, value: ClaspValue, meta: UpdateMeta): void {
    if (!wants(listener, 'param')) return
    const revision = meta.revision
    if (revision !== undefined) {
      const prev = listener.seen.get(address)
      if (prev && this.isRepeat(prev, revision, value)) {
        if (prev.revision === revision) prev.epoch = this.epoch
        return
      }
      listener.seen.set(address, { revision, value, epoch: this.epoch })
    }
    if (!meta.snapshot && !this.rateAllows(listener, address, value)) return
    this.call(listener, value, address, meta)
  }

  private isRepeat(prev: Seen, revision: bigint, value: ClaspValue): boolean {
    if (prev.epoch === this.epoch) return revision === prev.revision || (revision < prev.revision && revision !== 1n)
    return revision === prev.revision && valueEquals(value, prev.value)
  }

  private rateAllows(listener: Listener, address: string, value: ClaspValue): boolean {
    const { maxRate, epsilon } = listener.options
    if ((maxRate === undefined || maxRate <= 0) && epsilon === undefined) return true
    const now = this.nowMs()
    const last = listener.lastLive.get(address)
    if (last) {
      if (maxRate !== undefined && maxRate > 0 && now - last.atMs < 1000 / maxRate) return false
      if (epsilon !== undefined && typeof value === 'number' && typeof last.value === 'number' && Math.abs(value - last.value) < epsilon) return false
    }
    listener.lastLive.set(address, { atMs: now, value })
    return true
  }

  private call(listener: Listener, value: ClaspValue, address: string, meta: UpdateMeta): void {
    try {
      listener.callback(value, address, meta)
    } catch (e) {
      this.onCallbackError(e)
    }
  }
}

function wants(listener: Listener, signal: SignalType): boolean {
  const types = listener.options.types
  return !types || types.length === 0 || types.includes(signal)
}
