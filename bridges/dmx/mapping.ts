/**
 * What Art-Net, sACN and DMX-over-serial share (bridges.md §4-6 and deliberate differences 1, 9, 10):
 * the address shape `{ns}/{universe}/{channel}` (channel 1..512) parsed relative to the namespace,
 * one value rule for every slot, channel mode vs universe mode, and the inbound delta cache.
 *
 * THE VALUE RULE goes through the shared transform layer as one slot rule
 * `{ match: '{ns}/*\/*', clamp, integerOut }`, with `scale: Normalize.dmx` when `normalize` is on.
 * With `normalize: false` a slot is an Int 0..255 in CLASP (what the reference emits) and outbound
 * numbers are rounded and clamped to 0..255 (never truncated); with `normalize: true` slots are
 * Floats 0..1 both ways. The user's rules sit on the CLASP side of the slot rule: inbound the slot
 * rule runs first and the user's rules then rename or rescale its result; outbound the user's
 * rules run first. So `{ match: '/artnet/1/1', to: '/mixer/fader1' }` with `normalize` puts a
 * 0..1 fader on channel 1, and a rule's own `scale` works on the normalised value.
 */
import type { ClaspValue } from '../../generated/types.ts'
import type { ClaspClient, UpdateMeta } from '../../runtime/client/index.ts'
import { type BridgeOptions, type OwnWrites, relativeToNamespace, withinNamespace } from '../bridge.ts'
import { Normalize, type TransformRule, Transforms } from '../transform.ts'

/** Slots in a DMX-512 universe. */
export const SLOTS = 512

/** Options shared by the DMX-universe bridges. */
export interface UniverseBridgeOptions extends BridgeOptions {
  /** Inbound shape: one SET per changed channel (default), or the whole frame as a Stream. */
  mode?: 'channel' | 'universe'
  /** Slots as Float 0..1 in CLASP instead of Int 0..255 (default false). */
  normalize?: boolean
  /** Universes to receive and send (default: all). */
  universes?: number[]
}

/** A CLASP update decoded for output: one slot, or a whole frame (universe mode). */
export type OutWrite = { universe: number; channel: number; slot: number } | { universe: number; frame: Uint8Array }

/** Why an outbound update cannot be sent (counted as `rejected`, logged). */
export class OutboundReject extends Error {
  override readonly name = 'OutboundReject'
}

/** CLASP addresses and values ↔ universe, channel and slot, for one bridge. */
export class SlotMapping {
  /** The user's rules (CLASP side). */
  private readonly userRules: Transforms
  /** DMX slot ↔ CLASP number (protocol side). */
  private readonly slotRule: Transforms
  readonly namespace: string

  constructor(
    namespace: string,
    readonly normalize: boolean,
    private readonly universeRange: readonly [number, number],
    rules: readonly TransformRule[] = [],
    private readonly filter?: readonly number[],
  ) {
    this.namespace = namespace.endsWith('/') ? namespace.slice(0, -1) : namespace
    const slot: TransformRule = { match: `${this.namespace}/*/*`, clamp: normalize ? [0, 1] : [0, 255], integerOut: true }
    if (normalize) slot.scale = { from: [...Normalize.dmx.from], to: [...Normalize.dmx.to] }
    this.userRules = new Transforms(rules)
    this.slotRule = new Transforms([slot])
  }

  /** Is this universe received and sent at all? */
  accepts(universe: number): boolean {
    return !this.filter || this.filter.length === 0 || this.filter.includes(universe)
  }

  /** CLASP address and value for one received slot (channel 1-based). */
  channelIn(universe: number, channel: number, raw: number): { address: string; value: ClaspValue } {
    const slot = this.slotRule.inbound(withinNamespace(this.namespace, `/${universe}/${channel}`), BigInt(raw))
    return this.userRules.inbound(slot.address, slot.value)
  }

  /** CLASP address and value for a whole received frame (universe mode: raw bytes). */
  universeIn(universe: number, data: Uint8Array): { address: string; value: ClaspValue } {
    return this.userRules.inbound(withinNamespace(this.namespace, `/${universe}`), data)
  }

  /**
   * Decode a CLASP update for output: undefined when the address is not ours (after the
   * outbound transform); throws OutboundReject when it is ours but cannot be sent.
   */
  out(address: string, value: ClaspValue): OutWrite | undefined {
    const user = this.userRules.outbound(address, value)
    const rel = relativeToNamespace(this.namespace, user.address)
    if (rel === undefined) return undefined
    const ext = this.slotRule.outbound(user.address, user.value)
    const parts = rel.split('/').slice(1)
    if (parts.length < 1 || parts.length > 2) throw new OutboundReject(`${address}: expected ${this.namespace}/{universe}[/{channel}]`)
    const universe = this.parseUniverse(parts[0], address)
    if (parts.length === 1) return { universe, frame: this.frameOut(universe, ext.value, address) }
    const channel = /^\d{1,3}$/.test(parts[1]) ? Number(parts[1]) : NaN
    if (!(channel >= 1 && channel <= SLOTS)) throw new OutboundReject(`${address}: channel must be 1..${SLOTS}`)
    return { universe, channel, slot: toSlot(ext.value, address) }
  }

  /**
   * The output side of every DMX-universe bridge: a param or stream update of ours as a slot or
   * frame write. Our own echoes (`isEcho`) count as suppressed, unsendable updates as rejected
   * (logged), sendable ones as outbound.
   */
  outbound(
    update: { value: ClaspValue; address: string; meta: UpdateMeta },
    stats: { suppressed: number; rejected: number; outbound: number },
    log: Parameters<typeof reportBad>[0],
    label: string,
    isEcho: () => boolean = () => false,
  ): OutWrite | undefined {
    if (update.meta.signal !== 'param' && update.meta.signal !== 'stream') return undefined
    if (isEcho()) {
      stats.suppressed++
      return undefined
    }
    let w
    try {
      w = this.out(update.address, update.value)
    } catch (e) {
      if (!(e instanceof OutboundReject)) throw e
      stats.rejected = reportBad(log, stats.rejected, `${label}: cannot send`, { reason: e.message })
      return undefined
    }
    if (w) stats.outbound++
    return w
  }

  private parseUniverse(segment: string, address: string): number {
    const [min, max] = this.universeRange
    const u = /^\d{1,5}$/.test(segment) ? Number(segment) : NaN
    if (!(u >= min && u <= max)) throw new OutboundReject(`${address}: universe must be ${min}..${max}`)
    if (!this.accepts(u)) throw new OutboundReject(`${address}: universe ${u} is not in this bridge's universes`)
    return u
  }

  private frameOut(universe: number, value: ClaspValue, address: string): Uint8Array {
    if (value instanceof Uint8Array) return value.slice(0, SLOTS)
    if (Array.isArray(value) && value.length <= SLOTS) {
      return Uint8Array.from(value, (v, i) => toSlot(this.slotRule.outbound(withinNamespace(this.namespace, `/${universe}/${i + 1}`), v).value, address))
    }
    throw new OutboundReject(`${address}: a universe frame must be Bytes or an array of at most ${SLOTS} numbers`)
  }
}

/** A transformed value as a DMX slot: numbers rounded and clamped, booleans 0/255. */
export function toSlot(v: ClaspValue, address: string): number {
  const n = typeof v === 'bigint' ? Number(v) : typeof v === 'boolean' ? (v ? 255 : 0) : v
  if (typeof n !== 'number' || Number.isNaN(n)) throw new OutboundReject(`${address}: a slot value must be a number or boolean`)
  return Math.min(255, Math.max(0, Math.round(n)))
}

/**
 * Last frame received per universe, to report only changed channels (channel mode). It starts
 * empty, so the first frame of a universe reports every slot it carries (the reference's Art-Net
 * cache started at zeros and never reported channels that were 0: bridges.md §10.6).
 */
export class InboundCache {
  private readonly frames = new Map<number, Uint8Array>()

  /** Store `data` and return the 1-based channels that differ from the previous frame. */
  changes(universe: number, data: Uint8Array): number[] {
    const prev = this.frames.get(universe)
    const changed: number[] = []
    for (let i = 0; i < data.length; i++) if (!prev || i >= prev.length || prev[i] !== data[i]) changed.push(i + 1)
    this.frames.set(universe, data.slice())
    return changed
  }

  forget(universe: number): void {
    this.frames.delete(universe)
  }
}

/**
 * Count and log bad input without flooding the log: a warning for the 1st, 10th, 100th, ...
 * occurrence, debug otherwise. Returns the new count.
 */
export function reportBad(log: { warn(m: string, f?: Record<string, unknown>): void; debug(m: string, f?: Record<string, unknown>): void }, count: number, msg: string, fields: Record<string, unknown>): number {
  const n = count + 1
  if (Number.isInteger(Math.log10(n))) log.warn(msg, { ...fields, count: n })
  else log.debug(msg, { ...fields, count: n })
  return n
}

/** SETs per BUNDLE: the C header's CLASP_MAX_BUNDLE_MESSAGES, so firmware peers can take them. */
const BUNDLE_MAX = 32

/**
 * Write the changed slots of one received frame. More than one change goes as BUNDLEs of up to
 * 32 SETs: a frame's changes land together (all or nothing), and one request per bundle instead
 * of one per slot handled about a quarter more frames/s at 512 changes per frame (bench/artnet.bench.ts).
 */
export function writeSlots(clasp: ClaspClient, own: OwnWrites, writes: ReadonlyArray<{ address: string; value: ClaspValue }>, onError: (e: Error) => void): void {
  if (writes.length === 1) {
    own.set(clasp, writes[0].address, writes[0].value).catch(onError)
    return
  }
  for (let i = 0; i < writes.length; i += BUNDLE_MAX) {
    const chunk = writes.slice(i, i + BUNDLE_MAX)
    const releases = chunk.map((w) => own.expect(w.address, w.value))
    const done = () => releases.forEach((r) => r())
    clasp.bundle(chunk.map((w) => ({ set: [w.address, w.value] as [string, ClaspValue] }))).then(done, (e: Error) => (done(), onError(e)))
  }
}
