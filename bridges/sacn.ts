/**
 * sACN / E1.31 bridge (bridges.md §6 and deliberate differences 1, 3, 9, 10, 12), built on the
 * `sacn` package: its Receiver joins the multicast groups and parses packets; its Packet class
 * encodes ours, which we send from our own socket so that one socket serves multicast and any
 * number of unicast destinations, and so we can set priority 0 and Stream_Terminated (the
 * package's Sender can do neither).
 *
 * In:  data packets for the configured universes (default [1]) → merged per universe (highest
 *      priority wins; HTP or LTP between equal priorities; silent sources expire after 2.5 s) →
 *      channel mode (SET per changed slot) or universe mode (Stream of Bytes), as Art-Net.
 * Out: SETs at `{ns}/{universe}/{channel}` → one packet per universe, ≤ 44 Hz, keep-alive about
 *      every second (receivers time out after 2.5 s), multicast to 239.255.{hi}.{lo} or unicast;
 *      three Stream_Terminated packets per universe on stop.
 *
 * Universes are 1..63999. Slots are raw 0..255 on the wire (the package's `payload` is percent
 * unless `useRawDmxValues`, which we always set).
 */
import { randomUUID } from 'node:crypto'
import { type Socket, createSocket } from 'node:dgram'
import type { Packet, Receiver } from 'sacn'
import type { ClaspValue } from '../generated/types.ts'
import type { UpdateMeta } from '../runtime/client/index.ts'
import { type Bridge, type BridgeContext, type BridgeStats, OwnWrites, emptyStats, subscribeOutbound } from './bridge.ts'
import { InboundCache, SlotMapping, type UniverseBridgeOptions, reportBad, writeSlots } from './dmx/mapping.ts'
import { type MergeMode, UniverseMerge } from './dmx/merge.ts'
import { type Destination, parseDestination } from './dmx/net.ts'
import { type OutputTiming, UniverseOutput } from './dmx/output.ts'

type SacnModule = typeof import('sacn')

/** The E1.31 UDP port (ACN_SDT_MULTICAST_PORT). */
export const SACN_PORT = 5568

/** Options of the `sacn` kind (docs/bridges.md). */
export interface SacnOptions extends UniverseBridgeOptions, OutputTiming {
  /** UDP port (default 5568) for receiving and for the destinations. */
  port?: number
  /** Local interface address for multicast (join and send), e.g. '127.0.0.1' for loopback tests. */
  iface?: string
  /** Share the port with other sACN software on this host (default true: receivers must). */
  reuseAddr?: boolean
  /** Receive the configured universes (default true). */
  receive?: boolean
  /** Send to these `host[:port]` destinations instead of multicast. */
  unicast?: string[]
  /** Multicast output (default: on unless `unicast` is given). */
  multicast?: boolean
  /** Our priority, 0..200 (default 100). */
  priority?: number
  /** Between equal-priority sources on input: per-slot highest (default) or latest frame. */
  merge?: MergeMode
  /** Source name in our packets (default 'CLASP sACN bridge'). */
  sourceName?: string
  /** Our component id (a UUID); default: a new one per bridge instance. */
  cid?: string
  /** Load the `sacn` package (replaceable in tests). */
  load?: () => Promise<SacnModule>
}

/** Counters: the common ones plus sACN specifics. */
export interface SacnStats extends BridgeStats {
  rejected: number
  /** Packets the package reported far out of sequence (dropped). */
  outOfOrder: number
  /** Preview packets, and our own multicast looped back (dropped by design). */
  ignored: number
  framesSent: number
}

const OPT_PREVIEW = 0x80
const OPT_TERMINATED = 0x40
const multicastGroup = (u: number) => `239.255.${u >> 8}.${u & 0xff}`

/** The sACN bridge (see the file comment). */
export class SacnBridge implements Bridge {
  readonly kind = 'sacn'
  readonly namespace: string
  private readonly s: SacnStats = { ...emptyStats(), rejected: 0, outOfOrder: 0, ignored: 0, framesSent: 0 }
  private readonly mapping: SlotMapping
  private readonly universes: number[]
  private readonly destinations: Destination[]
  private readonly cid: Buffer
  private readonly priority: number
  private readonly own = new OwnWrites()
  private readonly cache = new InboundCache()
  private readonly merges = new Map<number, UniverseMerge>()
  private readonly sequence = new Map<number, number>()
  private mod: SacnModule | undefined
  private receiver: Receiver | undefined
  private socket: Socket | undefined
  private output: UniverseOutput | undefined
  private unsubscribe: (() => void) | undefined
  private ctx: BridgeContext | undefined

  constructor(readonly options: SacnOptions) {
    this.namespace = options.namespace
    this.universes = options.universes?.length ? options.universes : [1]
    for (const u of this.universes) if (!(Number.isInteger(u) && u >= 1 && u <= 63999)) throw new RangeError(`sacn: universe ${u} outside 1..63999`)
    this.mapping = new SlotMapping(options.namespace, options.normalize ?? false, [1, 63999], options.transforms, this.universes)
    this.priority = options.priority ?? 100
    if (!(Number.isInteger(this.priority) && this.priority >= 0 && this.priority <= 200)) throw new RangeError(`sacn: priority ${this.priority} outside 0..200`)
    const port = options.port ?? SACN_PORT
    this.destinations = (options.unicast ?? []).map((d) => parseDestination(d, port))
    if (options.multicast ?? this.destinations.length === 0) this.destinations.push({ host: 'multicast', port })
    const cid = (options.cid ?? randomUUID()).replace(/-/g, '')
    if (!/^[0-9a-f]{32}$/i.test(cid)) throw new Error(`sacn: cid must be a UUID, got ${JSON.stringify(options.cid)}`)
    this.cid = Buffer.from(cid, 'hex')
    new UniverseOutput(options, () => undefined).close() // validate timing now
  }

  /** The bound receive port (useful with `port: 0`); undefined when not receiving. */
  get port(): number | undefined {
    return this.receiver ? (this.receiver as unknown as { socket: Socket }).socket.address().port : undefined
  }

  async start(ctx: BridgeContext): Promise<void> {
    this.ctx = ctx
    const mod = await loadSacn(this.options.load)
    this.mod = mod
    const socket = createSocket({ type: 'udp4' })
    socket.on('error', (e) => {
      this.s.errors++
      ctx.log.warn('sacn send socket error', { error: e.message })
    })
    await new Promise<void>((resolve) => socket.bind(0, () => resolve()))
    if (this.options.iface) socket.setMulticastInterface(this.options.iface)
    this.socket = socket
    if (this.options.receive !== false) this.receiver = await this.listen(mod, ctx)
    this.output = new UniverseOutput(this.options, (u, data) => this.sendFrame(u, data, 0))
    this.unsubscribe = subscribeOutbound(ctx.clasp, this.namespace, this.options.transforms, (v, a, m) => this.onClasp(v, a, m))
    ctx.log.info('sacn bridge started', { universes: this.universes, port: this.options.port ?? SACN_PORT, destinations: this.destinations.map((d) => `${d.host}:${d.port}`) })
  }

  async stop(): Promise<void> {
    this.own.clear()
    this.unsubscribe?.()
    this.unsubscribe = undefined
    const output = this.output
    this.output = undefined
    output?.close()
    // E1.31 6.2.6: a source that stops sends three packets with Stream_Terminated set.
    if (output) for (const u of output.universes()) for (let i = 0; i < 3; i++) this.sendFrame(u, output.frame(u)!, OPT_TERMINATED)
    const receiver = this.receiver
    this.receiver = undefined
    if (receiver) await new Promise<void>((resolve) => receiver.close(() => resolve()))
    const socket = this.socket
    this.socket = undefined
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()))
  }

  stats(): SacnStats {
    return { ...this.s }
  }

  // --- sACN → CLASP ----------------------------------------------------------------------

  private async listen(mod: SacnModule, ctx: BridgeContext): Promise<Receiver> {
    const port = this.options.port ?? SACN_PORT
    const receiver = new mod.Receiver({ universes: [...this.universes], port, iface: this.options.iface, reuseAddr: this.options.reuseAddr ?? true })
    receiver.on('packet', (p) => this.onPacket(p))
    // The package reports short or garbled datagrams as PacketCorruption (failed assertion) or,
    // when a read runs past the end, as PacketOutOfOrder with a RangeError: both are malformed.
    const bad = (e: Error) => (this.s.malformed = reportBad(ctx.log, this.s.malformed, 'sacn: dropped malformed packet', { reason: e.message.split('\n')[0] }))
    receiver.on('PacketCorruption', bad)
    receiver.on('PacketOutOfOrder', (e) => {
      if (/out of order/i.test(e.message)) this.s.outOfOrder++
      else bad(e)
    })
    receiver.on('error', (e) => {
      this.s.errors++
      ctx.log.warn('sacn receiver error', { error: e.message })
    })
    // Surface a bind failure (e.g. the port is taken without reuseAddr) as a start() error.
    const socket = (receiver as unknown as { socket: Socket }).socket
    await new Promise<void>((resolve, reject) => {
      const ok = () => (socket.off('error', fail), resolve())
      const fail = (e: Error) => (socket.off('listening', ok), reject(new Error(`sacn: cannot receive on port ${port} (${e.message})`)))
      socket.once('listening', ok)
      socket.once('error', fail)
    })
    return receiver
  }

  private onPacket(p: Packet): void {
    const { clasp, log } = this.ctx!
    if (p.cid.equals(this.cid) || p.options & OPT_PREVIEW) {
      this.s.ignored++ // our own multicast looped back, or preview-only data
      return
    }
    const raw = p.payloadAsBuffer ?? Buffer.alloc(0)
    const slots = p.propertyValueCount - 1 // the count includes the start code
    if (slots < 0 || slots > 512 || raw.length < slots) {
      this.s.malformed = reportBad(log, this.s.malformed, 'sacn: dropped malformed packet', { reason: `property count ${p.propertyValueCount} with ${raw.length} slots carried`, universe: p.universe })
      return
    }
    let merge = this.merges.get(p.universe)
    if (!merge) this.merges.set(p.universe, (merge = new UniverseMerge(this.options.merge)))
    const source = p.cid.toString('hex')
    const data = p.options & OPT_TERMINATED ? merge.terminate(source, Date.now()) : merge.update(source, p.priority, raw.subarray(0, slots), Date.now())
    this.s.inbound++
    if (!data) return // last source left: keep the last values (no blackout written to CLASP)
    if (this.options.mode === 'universe') {
      const { address, value } = this.mapping.universeIn(p.universe, Uint8Array.from(data))
      clasp.stream(address, value)
      return
    }
    const writes = this.cache.changes(p.universe, data).map((ch) => this.mapping.channelIn(p.universe, ch, data[ch - 1]))
    writeSlots(clasp, this.own, writes, (e) => {
      this.s.errors++
      log.debug('sacn: SET refused', { error: e.message })
    })
  }

  // --- CLASP → sACN ----------------------------------------------------------------------

  private onClasp(value: ClaspValue, address: string, meta: UpdateMeta): void {
    const { clasp, log } = this.ctx!
    const w = this.mapping.outbound({ value, address, meta }, this.s, log, 'sacn', () => !!this.own.isOwnEcho(clasp, address, value, meta))
    if (w) this.output?.write(w)
  }

  private sendFrame(universe: number, data: Uint8Array, options: number): void {
    const socket = this.socket
    if (!socket || !this.mod) return
    const seq = ((this.sequence.get(universe) ?? -1) + 1) & 0xff
    this.sequence.set(universe, seq)
    const payload: Record<number, number> = {}
    for (let i = 0; i < data.length; i++) payload[i + 1] = data[i]
    const buf = new this.mod.Packet({ universe, sequence: seq, payload, sourceName: this.options.sourceName ?? 'CLASP sACN bridge', cid: this.cid, priority: 100, useRawDmxValues: true }).buffer
    buf[108] = this.priority // the package turns priority 0 into 100
    buf[112] = options
    this.s.framesSent++
    for (const d of this.destinations) {
      socket.send(buf, d.port, d.host === 'multicast' ? multicastGroup(universe) : d.host, (e) => {
        if (!e) return
        this.s.errors++
        this.ctx?.log.debug('sacn: send failed', { to: `${d.host}:${d.port}`, error: e.message })
      })
    }
  }
}

async function loadSacn(load?: () => Promise<SacnModule>): Promise<SacnModule> {
  try {
    const mod = (await (load ?? (() => import('sacn')))()) as SacnModule & { default?: SacnModule }
    return mod.Receiver ? mod : mod.default!
  } catch (e) {
    throw new Error(`sacn bridge needs the npm package 'sacn', which could not be loaded (${String((e as Error)?.message ?? e).split('\n')[0]}); install it with: npm install sacn`)
  }
}
