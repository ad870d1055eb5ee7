/**
 * MIDI ↔ CLASP, the one canonical scheme (bridges.md §2 R, deliberate difference 8): the
 * reference code's address shape plus the messages it ignored. Base = `{ns}/{device}`; `{c}` is
 * the channel, 0-15 or 1-16 with `channelBase: 1`.
 *
 *   MIDI                          CLASP                                   value
 *   Note On / Off  9n / 8n        PUBLISH event {base}/ch/{c}/note       {note, velocity, on}
 *   Poly pressure  An             SET {base}/ch/{c}/poly/{note}          0..127
 *   Control change Bn             SET {base}/ch/{c}/cc/{n}               0..127
 *   Program change Cn             PUBLISH event {base}/ch/{c}/program    0..127
 *   Channel press. Dn             SET {base}/ch/{c}/pressure             0..127
 *   Pitch bend     En             SET {base}/ch/{c}/bend                 -8192..8191
 *   SysEx          F0 … F7        PUBLISH event {base}/sysex             Bytes, F0 … F7 included
 *   Clock          F8             PUBLISH event {base}/clock             null
 *   Start/Continue/Stop FA/FB/FC  PUBLISH event {base}/transport         'start' | 'continue' | 'stop'
 *
 * Note On with velocity 0 is a Note Off (the MIDI 1.0 rule; running-status senders rely on it),
 * reported as `on: false, velocity: 0`. With `normalize`, CC, pressure, poly pressure and note
 * velocity are Float 0..1 and bend is Float -1..1 (centre 0) — through the shared transform layer,
 * as default rules appended after the user's. Program numbers stay Int. Output takes the same
 * addresses (program as SET or event), so everything the bridge emits round-trips.
 */
import type { ClaspValue } from '../../generated/types.ts'
import { relativeToNamespace, withinNamespace } from '../bridge.ts'
import { Normalize, type TransformRule, Transforms } from '../transform.ts'

/** The options of the MIDI bridge that shape addresses and values. */
export interface MidiMappingOptions {
  namespace: string
  /** Address segment for this device (default 'default', as the reference). */
  device?: string
  normalize?: boolean
  channelBase?: 0 | 1
  transforms?: TransformRule[]
}

/** What one MIDI message becomes in CLASP. */
export type Inbound = { kind: 'set' | 'event'; address: string; value: ClaspValue } | { kind: 'unmapped' }

/** A CLASP update under the bridge's base that cannot become MIDI (counted, logged). */
export class MidiReject extends Error {
  override readonly name = 'MidiReject'
}

const TRANSPORT: Record<number, string> = { 0xfa: 'start', 0xfb: 'continue', 0xfc: 'stop' }
const TRANSPORT_BYTE: Record<string, number> = { start: 0xfa, continue: 0xfb, stop: 0xfc }

/** The table above, both directions, for one `{ns}/{device}`. */
export class MidiMapping {
  readonly base: string
  /** MIDI ranges ↔ CLASP numbers (normalize, clamp), on the protocol side. */
  private readonly builtin: Transforms
  /** The user's rules, on the CLASP side: a rename keeps the range rule of the MIDI address. */
  private readonly user: Transforms
  private readonly channelBase: number

  constructor(o: MidiMappingOptions) {
    const device = o.device ?? 'default'
    if (!/^[^/*#\s]+$/.test(device)) throw new Error(`midi: device ${JSON.stringify(device)} must be one address segment`)
    this.base = withinNamespace(o.namespace, `/${device}`)
    this.channelBase = o.channelBase ?? 0
    if (this.channelBase !== 0 && this.channelBase !== 1) throw new Error('midi: channelBase must be 0 or 1')
    const b = this.base
    const seven = (match: string): TransformRule =>
      o.normalize ? { match, scale: { from: [...Normalize.midi.from], to: [...Normalize.midi.to] }, clamp: [0, 1], integerOut: true } : { match, clamp: [0, 127], integerOut: true }
    const bend: TransformRule = o.normalize
      ? { match: `${b}/ch/*/bend`, scale: { from: [-8192, 8192], to: [-1, 1] }, clamp: [-1, 1], integerOut: true }
      : { match: `${b}/ch/*/bend`, clamp: [-8192, 8191], integerOut: true }
    this.user = new Transforms(o.transforms ?? [])
    this.builtin = new Transforms([
      seven(`${b}/ch/*/cc/*`),
      seven(`${b}/ch/*/pressure`),
      seven(`${b}/ch/*/poly/*`),
      seven(`${b}/ch/*/note`),
      bend,
      { match: `${b}/ch/*/program`, clamp: [0, 127], integerOut: true },
    ])
  }

  /** A MIDI-side address and raw value → CLASP: the range rule, then the user's rules. */
  private toClasp(address: string, raw: ClaspValue): { address: string; value: ClaspValue } {
    const b = this.builtin.inbound(address, raw)
    return this.user.inbound(b.address, b.value)
  }

  /** One complete MIDI message (from MidiParser) → what to write to CLASP. */
  inbound(m: Uint8Array): Inbound {
    const status = m[0]
    const ch = `${this.base}/ch/${(status & 0x0f) + this.channelBase}`
    const t = (address: string, raw: number, kind: 'set' | 'event' = 'set'): Inbound => ({ kind, ...this.toClasp(address, BigInt(raw)) })
    switch (status & 0xf0) {
      case 0x80:
      case 0x90: {
        const on = (status & 0xf0) === 0x90 && m[2] > 0
        const address = `${ch}/note`
        const velocity = this.builtin.inbound(address, BigInt(m[2])).value
        return { kind: 'event', ...this.user.inbound(address, { note: BigInt(m[1]), velocity, on }) }
      }
      case 0xa0:
        return t(`${ch}/poly/${m[1]}`, m[2])
      case 0xb0:
        return t(`${ch}/cc/${m[1]}`, m[2])
      case 0xc0:
        return t(`${ch}/program`, m[1], 'event')
      case 0xd0:
        return t(`${ch}/pressure`, m[1])
      case 0xe0:
        return t(`${ch}/bend`, ((m[2] << 7) | m[1]) - 8192)
    }
    if (status === 0xf0) return { kind: 'event', ...this.toClasp(`${this.base}/sysex`, Uint8Array.from(m)) }
    if (status === 0xf8) return { kind: 'event', ...this.toClasp(`${this.base}/clock`, null) }
    if (TRANSPORT[status]) return { kind: 'event', ...this.toClasp(`${this.base}/transport`, TRANSPORT[status]) }
    return { kind: 'unmapped' } // MTC, song position/select, tune request, active sensing, reset
  }

  /**
   * A CLASP update → one MIDI message; undefined when the address is not under the base (after
   * the outbound transform); throws MidiReject when it is but cannot be sent.
   */
  outbound(address: string, value: ClaspValue): Uint8Array | undefined {
    const renamed = this.user.outbound(address, value)
    const ext = this.builtin.outbound(renamed.address, renamed.value)
    const rel = relativeToNamespace(this.base, ext.address)
    if (rel === undefined) return undefined
    const p = rel.split('/').slice(1)
    const v = ext.value
    if (p.length === 1 && p[0] === 'clock') return Uint8Array.of(0xf8)
    if (p.length === 1 && p[0] === 'transport') {
      if (typeof v !== 'string' || !(v in TRANSPORT_BYTE)) throw new MidiReject(`${address}: transport must be 'start', 'continue' or 'stop'`)
      return Uint8Array.of(TRANSPORT_BYTE[v])
    }
    if (p.length === 1 && p[0] === 'sysex') return sysex(v, address)
    const [head, chSeg, kind, argSeg] = p
    const withArg = kind === 'cc' || kind === 'poly'
    if (head !== 'ch' || p.length !== (withArg ? 4 : 3)) throw new MidiReject(`${address}: not a MIDI address (see docs/bridges.md)`)
    const c = int(chSeg, address, 'channel') - this.channelBase
    if (c < 0 || c > 15) throw new MidiReject(`${address}: channel must be ${this.channelBase}..${15 + this.channelBase}`)
    const arg = withArg ? int(argSeg, address, kind) : 0
    if (arg > 127) throw new MidiReject(`${address}: ${kind} number must be 0..127`)
    switch (kind) {
      case 'cc':
        return Uint8Array.of(0xb0 | c, arg, num(v, address, 0, 127))
      case 'poly':
        return Uint8Array.of(0xa0 | c, arg, num(v, address, 0, 127))
      case 'pressure':
        return Uint8Array.of(0xd0 | c, num(v, address, 0, 127))
      case 'program':
        return Uint8Array.of(0xc0 | c, num(v, address, 0, 127))
      case 'bend': {
        const b = num(v, address, -8192, 8191) + 8192
        return Uint8Array.of(0xe0 | c, b & 0x7f, b >> 7)
      }
      case 'note':
        return this.note(c, ext.address, v, address)
    }
    throw new MidiReject(`${address}: not a MIDI address (see docs/bridges.md)`)
  }

  private note(c: number, extAddress: string, v: ClaspValue, address: string): Uint8Array {
    const m = v instanceof Map ? Object.fromEntries(v) : (v as Record<string, ClaspValue>)
    if (m === null || typeof m !== 'object' || Array.isArray(m) || m instanceof Uint8Array || m.note === undefined) {
      throw new MidiReject(`${address}: a note is a map {note, velocity, on?}`)
    }
    const note = num(m.note, address, 0, 127)
    const velocity = num(this.builtin.outbound(extAddress, m.velocity ?? 0n).value, address, 0, 127)
    const on = typeof m.on === 'boolean' ? m.on : velocity > 0
    return Uint8Array.of((on ? 0x90 : 0x80) | c, note, velocity)
  }
}

function int(segment: string, address: string, what: string): number {
  if (!/^\d{1,3}$/.test(segment)) throw new MidiReject(`${address}: ${what} must be a number`)
  return Number(segment)
}

/** A transformed value as an integer within [min, max] (clamped); booleans are max/min. */
function num(v: ClaspValue | undefined, address: string, min: number, max: number): number {
  const n = typeof v === 'bigint' ? Number(v) : typeof v === 'boolean' ? (v ? max : min) : v
  if (typeof n !== 'number' || Number.isNaN(n)) throw new MidiReject(`${address}: value must be a number`)
  return Math.min(max, Math.max(min, Math.round(n)))
}

function sysex(v: ClaspValue, address: string): Uint8Array {
  // Array elements must be bytes: Uint8Array.from would wrap 0x110 to 0x10 and truncate 1.5 to 1.
  const isByte = (x: ClaspValue) => (typeof x === 'bigint' ? x >= 0n && x <= 255n : typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 255)
  const bytes = v instanceof Uint8Array ? v : Array.isArray(v) && v.every(isByte) ? Uint8Array.from(v, Number) : undefined
  if (!bytes) throw new MidiReject(`${address}: sysex must be Bytes (or an array of numbers 0..255)`)
  const body = bytes.subarray(bytes[0] === 0xf0 ? 1 : 0, bytes[bytes.length - 1] === 0xf7 ? -1 : undefined)
  if (body.some((b) => b > 0x7f)) throw new MidiReject(`${address}: sysex data bytes must be 0..127`)
  return Uint8Array.from([0xf0, ...body, 0xf7])
}
