/**
 * OSC over UDP (bridges.md §1 and deliberate differences 2–5), with osc-min as the codec.
 *
 * In:  an OSC message `/mixer/fader1 f 0.5` becomes SET `{ns}/mixer/fader1 = 0.5` (or an event
 *      with `signal: 'event'`). No args → Null, one → that scalar, several → an Array; an OSC
 *      array `[...]` → a nested Array. A bundle becomes one CLASP BUNDLE per bundle level,
 *      scheduled at its time tag (NTP 1900 epoch → Unix µs; time tag 1 = immediately).
 * Out: SETs and events under the namespace (or reaching it through a transform) are sent to
 *      `remoteHost:remotePort` with the namespace removed. Ints go out as `i` and floats as `f`
 *      (`bits: 64` → `h`/`d`); an Int beyond 32 bits is always `h` so nothing is truncated.
 *      Nested Arrays are flattened unless `nestedArrays`; a Map is sent as its JSON text.
 *
 * Malformed datagrams, OSC address patterns (`*?[]{}`) and addresses with empty segments are
 * counted, logged and dropped. What came in from OSC is never sent back out (OwnWrites).
 */
import { type RemoteInfo, type Socket, createSocket } from 'node:dgram'
import { type OscArgOrArrayInput, type OscArgOutputOrArray, type OscBundleOutput, type OscMessageOutput, fromBuffer, toBuffer } from 'osc-min'
import type { ClaspValue } from '../generated/types.ts'
import type { BundleItem, UpdateMeta } from '../runtime/client/index.ts'
import { parseAddress } from '../runtime/address/index.ts'
import { type Bridge, type BridgeContext, type BridgeOptions, type BridgeStats, countError, countMalformed, emitExternal, emptyStats, forwardable, guarded, OwnWrites, relativeToNamespace, subscribeOutbound, withinNamespace } from './bridge.ts'
import { toJsonText } from './json-value.ts'
import { Transforms } from './transform.ts'

/** Options of the OSC bridge (registry kind `osc`; defaults in docs/bridges.md). */
export interface OscBridgeOptions extends BridgeOptions {
  /** Address to listen on (default 0.0.0.0). */
  host?: string
  /** UDP port to listen on (default 8000; 0 = any free port). */
  port?: number
  /** Where outbound messages go; without `remotePort` the bridge only receives. */
  remoteHost?: string
  remotePort?: number
  /** 32 (default): Int → `i`, Float → `f`. 64: Int → `h`, Float → `d`. */
  bits?: 32 | 64
  /** What an incoming message becomes: `param` (SET, default) or `event` (PUBLISH). */
  signal?: 'param' | 'event'
  /** Socket receive buffer in bytes (bursts on a busy show network overflow the OS default). */
  recvBufferBytes?: number
  /** Send nested Arrays as OSC arrays `[...]` instead of flattening them (default false: liblo and many apps reject `[`). */
  nestedArrays?: boolean
  /** Also send the current values under the namespace when the bridge (re)connects (default false). */
  syncOnStart?: boolean
}

/** Seconds between the NTP epoch (1900) and the Unix epoch (1970). */
const NTP_UNIX_OFFSET = 2_208_988_800n

/** An OSC time tag [seconds since 1900, 2^-32 fractions] → µs since 1970; "immediately" (0,1) → 1n. */
export function timetagToMicros([seconds, fraction]: [number, number]): bigint {
  if (seconds === 0 && fraction === 1) return 1n
  // Nearest µs: senders such as liblo truncate usec × 4294.967295, which floors to usec − 1.
  return (BigInt(seconds) - NTP_UNIX_OFFSET) * 1_000_000n + ((BigInt(fraction) * 1_000_000n + (1n << 31n)) >> 32n)
}

/** µs since 1970 → an OSC time tag; 1n (or less) → "immediately". */
export function microsToTimetag(us: bigint): [number, number] {
  if (us <= 1n) return [0, 1]
  const seconds = us / 1_000_000n
  const fraction = (((us % 1_000_000n) << 32n) + 500_000n) / 1_000_000n
  return [Number(seconds + NTP_UNIX_OFFSET), Number(fraction > 0xffffffffn ? 0xffffffffn : fraction)]
}

/** One OSC argument → a CLASP value. */
function argToValue(arg: OscArgOutputOrArray): ClaspValue {
  switch (arg.type) {
    case 'integer': return BigInt(arg.value)
    case 'bigint': return arg.value
    case 'float':
    case 'double': return arg.value
    case 'string':
    case 'symbol':
    case 'character': return arg.value
    case 'blob': return new Uint8Array(arg.value.buffer.slice(arg.value.byteOffset, arg.value.byteOffset + arg.value.byteLength))
    case 'true': return true
    case 'false': return false
    case 'null': return null
    case 'bang': return Infinity // OSC 1.1 "Impulse"/infinitum, as the reference maps `I`
    case 'timetag': return timetagToMicros(arg.value)
    case 'color': return [arg.value.red, arg.value.green, arg.value.blue, arg.value.alpha].map(BigInt)
    case 'midi': return arg.value.map(BigInt)
    case 'array': return arg.value.map(argToValue)
  }
}

/** OSC args → value: none → Null, one → scalar, several → Array. */
export function argsToValue(args: OscArgOutputOrArray[]): ClaspValue {
  if (args.length === 0) return null
  if (args.length === 1) return argToValue(args[0])
  return args.map(argToValue)
}

const INT32_MIN = -(2n ** 31n)
const INT32_MAX = 2n ** 31n - 1n

/** One CLASP value → one OSC argument (nested arrays become OSC arrays, maps JSON strings). */
function valueToArg(v: ClaspValue, bits: 32 | 64): OscArgOrArrayInput {
  if (v === null) return { type: 'null' }
  switch (typeof v) {
    case 'boolean': return { type: v ? 'true' : 'false' }
    case 'bigint': return bits === 32 && v >= INT32_MIN && v <= INT32_MAX ? { type: 'integer', value: Number(v) } : { type: 'bigint', value: BigInt.asIntN(64, v) }
    case 'number': return { type: bits === 32 ? 'float' : 'double', value: v }
    case 'string': return { type: 'string', value: v }
  }
  if (v instanceof Uint8Array) return { type: 'blob', value: v }
  if (Array.isArray(v)) return { type: 'array', value: v.map((x) => valueToArg(x, bits)) }
  return { type: 'string', value: toJsonText(v) }
}

function flatten(v: ClaspValue[]): ClaspValue[] {
  return v.flatMap((x) => (Array.isArray(x) ? flatten(x) : [x]))
}

/**
 * Value → OSC args: Null → none, an Array → one arg per element, anything else → one arg.
 * Nested arrays are flattened unless `nestedArrays` (OSC 1.1 `[...]`, which liblo and many
 * OSC apps reject as an invalid message).
 */
export function valueToArgs(v: ClaspValue, bits: 32 | 64 = 32, nestedArrays = false): OscArgOrArrayInput[] {
  if (v === null) return []
  if (Array.isArray(v)) return (nestedArrays ? v : flatten(v)).map((x) => valueToArg(x, bits))
  return [valueToArg(v, bits)]
}

const PATTERN_CHARS = /[*?[\]{}#\s]/

/**
 * Events are held for a future bundle at most this long, as the router refuses param bundles
 * scheduled further ahead (setTimeout could not wait past 24.8 days anyway: it would fire at once).
 */
const MAX_AHEAD_US = 24n * 3600n * 1_000_000n
const BUNDLE_TAG = Buffer.from('#bundle\0')

/**
 * Decode a datagram. Bundles are walked here rather than by osc-min, which silently skips a
 * malformed element: a bundle is a unit (a cue), so one bad element rejects all of it.
 */
export function decodePacket(buf: Buffer): OscMessageOutput | OscBundleOutput {
  if (!buf.subarray(0, 8).equals(BUNDLE_TAG)) return fromBuffer(buf) as OscMessageOutput
  if (buf.length < 16) throw new Error('bundle shorter than its header')
  const elements: Array<OscMessageOutput | OscBundleOutput> = []
  for (let at = 16; at < buf.length;) {
    if (at + 4 > buf.length) throw new Error('truncated bundle element size')
    const size = buf.readInt32BE(at)
    at += 4
    if (size <= 0 || size % 4 !== 0 || at + size > buf.length) throw new Error(`bad bundle element size ${size}`)
    elements.push(decodePacket(buf.subarray(at, at + size)))
    at += size
  }
  return { oscType: 'bundle', timetag: [buf.readUInt32BE(8), buf.readUInt32BE(12)], elements }
}

/** OSC over one UDP socket, both directions; see the file comment for the mapping. */
export class OscBridge implements Bridge {
  readonly kind = 'osc'
  readonly namespace: string
  private readonly transforms: Transforms
  private readonly own = new OwnWrites()
  private readonly counters = emptyStats()
  private socket: Socket | undefined
  private ctx: BridgeContext | undefined
  private unsubscribe: (() => void) | undefined
  private readonly timers = new Set<ReturnType<typeof setTimeout>>()

  constructor(readonly options: OscBridgeOptions) {
    this.namespace = options.namespace
    this.transforms = new Transforms(options.transforms)
  }

  /** The bound UDP port (useful when 0 was asked for). */
  get port(): number {
    return this.socket?.address().port ?? 0
  }

  async start(ctx: BridgeContext): Promise<void> {
    this.ctx = ctx
    const host = this.options.host ?? '0.0.0.0'
    const socket = createSocket({ type: host.includes(':') ? 'udp6' : 'udp4' })
    socket.on('message', guarded(this.counters, ctx.log, 'OSC input', (buf: Buffer, rinfo: RemoteInfo) => this.onDatagram(buf, rinfo)))
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject)
      socket.bind(this.options.port ?? 8000, host, () => {
        socket.off('error', reject)
        resolve()
      })
    })
    // After binding, a socket error (e.g. ICMP unreachable on send) is a counted fault, never a crash.
    socket.on('error', (e) => {
      countError(this.counters, ctx.log, 'OSC socket error', { error: e.message })
    })
    if (this.options.recvBufferBytes) socket.setRecvBufferSize(this.options.recvBufferBytes)
    this.socket = socket
    this.unsubscribe = subscribeOutbound(ctx.clasp, this.namespace, this.options.transforms, (v, a, m) => this.onClasp(v, a, m))
    ctx.log.info(`OSC bridge listening on udp ${host}:${this.port}`, {
      namespace: this.namespace,
      remote: this.options.remotePort ? `${this.options.remoteHost ?? '127.0.0.1'}:${this.options.remotePort}` : 'none',
    })
  }

  async stop(): Promise<void> {
    this.own.clear()
    this.unsubscribe?.()
    this.unsubscribe = undefined
    for (const t of this.timers) clearTimeout(t)
    this.timers.clear()
    const s = this.socket
    this.socket = undefined
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()))
  }

  stats(): BridgeStats {
    return { ...this.counters }
  }

  // ---- OSC → CLASP -----------------------------------------------------------------------

  private onDatagram(buf: Buffer, from: RemoteInfo): void {
    const ctx = this.ctx!
    let packet: OscMessageOutput | OscBundleOutput
    try {
      packet = decodePacket(buf)
    } catch (e) {
      countMalformed(this.counters, ctx.log, 'malformed OSC packet dropped', { from: `${from.address}:${from.port}`, bytes: buf.length, error: (e as Error).message })
      return
    }
    if (packet.oscType === 'message') {
      const item = this.toClasp(packet, from)
      if (item) this.write([item], undefined)
    } else {
      this.onBundle(packet, from)
    }
  }

  /** One OSC message → address and value on the CLASP side, or undefined when unusable. */
  private toClasp(m: OscMessageOutput, from: RemoteInfo): { address: string; value: ClaspValue } | undefined {
    const where = { from: `${from.address}:${from.port}`, address: m.address }
    if (!m.address.startsWith('/') || PATTERN_CHARS.test(m.address) || !parseAddress(withinNamespace(this.namespace, m.address)).ok) {
      countMalformed(this.counters, this.ctx!.log, 'OSC address pattern or invalid address dropped', where)
      return undefined
    }
    const mapped = this.transforms.inbound(withinNamespace(this.namespace, m.address), argsToValue(m.args))
    if (!parseAddress(mapped.address).ok) {
      countMalformed(this.counters, this.ctx!.log, 'OSC address maps to an invalid CLASP address', { ...where, mapped: mapped.address })
      return undefined
    }
    return mapped
  }

  /**
   * Each bundle level becomes one CLASP bundle at its own time. A nested bundle's time tag is ≥
   * its parent's, so it is written after the parent's messages. One unusable element drops the
   * whole packet, as a decode error does (docs: no half-applied cue).
   */
  private onBundle(b: OscBundleOutput, from: RemoteInfo): void {
    const levels: Array<{ items: Array<{ address: string; value: ClaspValue }>; at: bigint }> = []
    if (!this.collectBundle(b, from, levels)) return
    for (const { items, at } of levels) if (items.length > 0) this.write(items, at > 1n ? at : undefined)
  }

  /** The messages of `b` and its nested bundles, enclosing level first; false when one is unusable. */
  private collectBundle(b: OscBundleOutput, from: RemoteInfo, levels: Array<{ items: Array<{ address: string; value: ClaspValue }>; at: bigint }>): boolean {
    const items: Array<{ address: string; value: ClaspValue }> = []
    levels.push({ items, at: timetagToMicros(b.timetag) })
    for (const e of b.elements) {
      if (e.oscType === 'bundle') continue
      const item = this.toClasp(e, from)
      if (!item) return false
      items.push(item)
    }
    for (const e of b.elements) if (e.oscType === 'bundle' && !this.collectBundle(e, from, levels)) return false
    return true
  }

  /** Send messages from OSC to the router: one SET/emit, or a BUNDLE (scheduled when `at` is later than now). */
  private write(items: Array<{ address: string; value: ClaspValue }>, at: bigint | undefined): void {
    const { clasp, log } = this.ctx!
    const fail = (e: unknown) => {
      countError(this.counters, log, 'router refused OSC input', { error: (e as Error).message, address: items[0].address })
    }
    const event = this.options.signal === 'event'
    const due = at !== undefined && at > clasp.serverTime() ? at : undefined
    if (event && due !== undefined) {
      // The router schedules bundles, but a bundle of events is simply delivered later: do that here.
      if (due - clasp.serverTime() > MAX_AHEAD_US) {
        countError(this.counters, log, 'OSC event bundle refused', { error: 'scheduled more than 24 h ahead', address: items[0].address })
        return
      }
      const t = setTimeout(() => {
        this.timers.delete(t)
        this.write(items, undefined)
      }, Number(due - clasp.serverTime()) / 1000)
      this.timers.add(t)
      return
    }
    this.counters.inbound += items.length
    if (items.length === 1 && due === undefined) {
      const { address, value } = items[0]
      if (event) {
        const error = emitExternal(clasp, address, value)
        if (error) fail(new Error(error))
      } else {
        this.own.set(clasp, address, value).catch(fail)
      }
      return
    }
    const bundle: BundleItem[] = items.map(({ address, value }) => (event ? { emit: [address, value] } : { set: [address, value] }))
    const releases = event ? [] : items.map(({ address, value }) => this.own.expect(address, value))
    const release = () => releases.forEach((r) => r())
    clasp.bundle(bundle, { at: due, timeoutMs: 5000 }).then(release, (e) => {
      release()
      fail(e)
    })
  }

  // ---- CLASP → OSC -----------------------------------------------------------------------

  private onClasp(value: ClaspValue, address: string, meta: UpdateMeta): void {
    if (!forwardable(this.own, this.ctx!.clasp, this.counters, { value, address, meta }, !!this.options.syncOnStart)) return
    const port = this.options.remotePort
    if (!port || !this.socket) return
    const out = this.transforms.outbound(address, value)
    const oscAddress = relativeToNamespace(this.namespace, out.address)
    if (oscAddress === undefined) return
    let bytes: DataView
    try {
      bytes = toBuffer({ address: oscAddress, args: valueToArgs(out.value, this.options.bits ?? 32, this.options.nestedArrays ?? false) })
    } catch (e) {
      countError(this.counters, this.ctx!.log, 'value not encodable as OSC', { address, error: (e as Error).message })
      return
    }
    this.counters.outbound++
    this.socket.send(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), port, this.options.remoteHost ?? '127.0.0.1')
  }
}
