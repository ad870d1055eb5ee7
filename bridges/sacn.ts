/**
 * sACN / E1.31 bridge (bridges.md §6 and deliberate differences 1, 3, 9, 10, 12), built on the
 * `sacn` package's Packet class, which parses the packets we receive and encodes ours. Both sockets
 * are our own: the send socket serves multicast and any number of unicast destinations, and lets
 * us set priority 0 and Stream_Terminated (the package's Sender can do neither); the receive
 * socket lets us apply the E1.31 sequence rule (6.7.2) ourselves, because the package's Receiver
 * drops a packet whenever it is more than 20 away from the last in either direction (a jump ahead
 * or a wrap after lost packets) and keeps one that is a little older.
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
import type { Packet } from 'sacn'
import type { ClaspValue } from '../generated/types.ts'
import type { UpdateMeta } from '../runtime/client/index.ts'
import { type Bridge, type BridgeContext, type BridgeStats, emptyStats, guarded, OwnWrites, subscribeOutbound } from './bridge.ts'
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
  /** Packets 1..19 behind the last one from the same source and universe (E1.31 6.7.2: dropped). */
  outOfOrder: number
  /** Preview packets, and our own multicast looped back (dropped by design). */
  ignored: number
  framesSent: number
}

const OPT_PREVIEW = 0x80
const OPT_TERMINATED = 0x40
const multicastGroup = (u: number) => `239.255.${u >> 8}.${u & 0xff}`
/** E1.31 network data loss: a source silent this long is gone (merge and sequence tracking). */
const SOURCE_TIMEOUT_MS = 2500

/**
 * E1.31 Source Name: 64 octets of NUL-terminated UTF-8, so at most 63 bytes, cut at a character
 * boundary. (The package pads the string to 64 characters, not bytes: a longer or non-ASCII name
 * would shift every later field of the packet.)
 */
function sourceNameBytes(name: string): Buffer {
  const b = Buffer.from(name, 'utf8')
  if (b.length <= 63) return b
  let end = 63
  while (end > 0 && (b[end] & 0xc0) === 0x80) end-- // b[end] continues a character: cut before it
  return b.subarray(0, end)
}

const ACN_PACKET_ID = Buffer.from('ASC-E1.17\0\0\0', 'latin1')
const VECTOR_ROOT_E131_DATA = 0x00000004
const VECTOR_ROOT_E131_EXTENDED = 0x00000008
const VECTOR_E131_DATA_PACKET = 0x00000002

/**
 * Well-formed E1.31 that is not a DMX level frame, and so is ignored rather than malformed:
 * synchronization and universe discovery (extended root vector), and data packets with an
 * alternate START code, such as 0xDD per-address priorities that ETC consoles send alongside
 * their levels.
 */
function isOtherE131(b: Buffer): boolean {
  if (b.length < 126 || !b.subarray(4, 16).equals(ACN_PACKET_ID)) return false
  const root = b.readUInt32BE(18)
  if (root === VECTOR_ROOT_E131_EXTENDED) return true
  return root === VECTOR_ROOT_E131_DATA && b.readUInt32BE(40) === VECTOR_E131_DATA_PACKET && b[125] !== 0
}

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
  /** Last accepted sequence number per source and universe (E1.31 6.7.2). */
  private readonly lastSeq = new Map<string, { seq: number; at: number }>()
  private readonly sourceName: Buffer
  private mod: SacnModule | undefined
  private receiver: Socket | undefined
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
    this.sourceName = sourceNameBytes(options.sourceName ?? 'CLASP sACN bridge')
    new UniverseOutput(options, () => undefined).close() // validate timing now
  }

  /** The bound receive port (useful with `port: 0`); undefined when not receiving. */
  get port(): number | undefined {
    return this.receiver?.address().port
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
    try {
      if (this.options.iface) socket.setMulticastInterface(this.options.iface)
      if (this.options.receive !== false) this.receiver = await this.listen(mod, ctx)
    } catch (e) {
      // A failed start is never followed by stop(): close the send socket, or it keeps the process alive.
      await new Promise<void>((resolve) => socket.close(() => resolve()))
      throw e
    }
    this.socket = socket
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
    // E1.31 6.2.6: a source that stops sends three packets with Stream_Terminated set. Closing the
    // socket drops sends still in progress, so wait for them.
    const sends: Promise<void>[] = []
    if (output) for (const u of output.universes()) for (let i = 0; i < 3; i++) sends.push(this.sendFrame(u, output.frame(u)!, OPT_TERMINATED))
    await Promise.all(sends)
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

  private async listen(mod: SacnModule, ctx: BridgeContext): Promise<Socket> {
    const port = this.options.port ?? SACN_PORT
    const socket = createSocket({ type: 'udp4', reuseAddr: this.options.reuseAddr ?? true })
    socket.on('message', guarded(this.s, ctx.log, 'sACN input', (msg: Buffer) => this.onDatagram(mod, msg)))
    socket.on('error', (e) => {
      this.s.errors++
      ctx.log.warn('sacn receiver error', { error: e.message })
    })
    // Surface a bind failure (e.g. the port is taken without reuseAddr) as a start() error.
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject)
        socket.bind(port, () => (socket.off('error', reject), resolve()))
      })
    } catch (e) {
      await new Promise<void>((resolve) => socket.close(() => resolve()))
      throw new Error(`sacn: cannot receive on port ${port} (${(e as Error).message})`)
    }
    for (const u of this.universes) {
      try {
        socket.addMembership(multicastGroup(u), this.options.iface)
      } catch (e) {
        this.s.errors++
        ctx.log.warn('sacn receiver error', { error: (e as Error).message, universe: u })
      }
    }
    return socket
  }

  /** Parse one datagram with the package (it asserts the E1.31 layout); garbage is malformed. */
  private onDatagram(mod: SacnModule, msg: Buffer): void {
    if (isOtherE131(msg)) {
      this.s.ignored++ // valid E1.31 that carries no DMX levels (see isOtherE131)
      return
    }
    let p: Packet
    try {
      p = new mod.Packet(msg)
    } catch (e) {
      this.s.malformed = reportBad(this.ctx!.log, this.s.malformed, 'sacn: dropped malformed packet', { reason: String((e as Error)?.message ?? e).split('\n')[0] })
      return
    }
    if (this.universes.includes(p.universe)) this.onPacket(p)
  }

  /**
   * E1.31 6.7.2: a packet whose sequence number, minus the last one accepted from the same source
   * and universe in signed 8-bit arithmetic, is in -19..0 is out of order and dropped. Tracking
   * restarts after a Stream_Terminated or SOURCE_TIMEOUT_MS of silence (a restarted source).
   */
  private outOfSequence(key: string, seq: number, now: number): boolean {
    const last = this.lastSeq.get(key)
    if (last && now - last.at <= SOURCE_TIMEOUT_MS) {
      const diff = ((seq - last.seq) << 24) >> 24
      if (diff <= 0 && diff > -20) {
        this.s.outOfOrder++
        return true
      }
    }
    this.lastSeq.set(key, { seq, at: now })
    return false
  }

  private onPacket(p: Packet): void {
    const { clasp, log } = this.ctx!
    if (p.cid.equals(this.cid)) {
      this.s.ignored++ // our own multicast looped back
      return
    }
    const raw = p.payloadAsBuffer ?? Buffer.alloc(0)
    const slots = p.propertyValueCount - 1 // the count includes the start code
    if (slots < 0 || slots > 512 || raw.length < slots) {
      this.s.malformed = reportBad(log, this.s.malformed, 'sacn: dropped malformed packet', { reason: `property count ${p.propertyValueCount} with ${raw.length} slots carried`, universe: p.universe })
      return
    }
    const source = p.cid.toString('hex')
    const now = Date.now()
    const terminated = (p.options & OPT_TERMINATED) !== 0
    if (this.outOfSequence(`${source}/${p.universe}`, p.sequence, now)) return
    if (terminated) this.lastSeq.delete(`${source}/${p.universe}`)
    if (p.options & OPT_PREVIEW) {
      this.s.ignored++ // preview-only data
      return
    }
    let merge = this.merges.get(p.universe)
    if (!merge) this.merges.set(p.universe, (merge = new UniverseMerge(this.options.merge, SOURCE_TIMEOUT_MS)))
    const data = terminated ? merge.terminate(source, now) : merge.update(source, p.priority, raw.subarray(0, slots), now)
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

  /** Send one frame to every destination; resolves when every send has completed (or failed). */
  private sendFrame(universe: number, data: Uint8Array, options: number): Promise<void> {
    const socket = this.socket
    if (!socket || !this.mod) return Promise.resolve()
    const seq = ((this.sequence.get(universe) ?? -1) + 1) & 0xff
    this.sequence.set(universe, seq)
    const payload: Record<number, number> = {}
    for (let i = 0; i < data.length; i++) payload[i + 1] = data[i]
    const buf = new this.mod.Packet({ universe, sequence: seq, payload, cid: this.cid, priority: 100, useRawDmxValues: true }).buffer
    buf.fill(0, 44, 108) // Source Name: ours, byte-exact (see sourceNameBytes)
    this.sourceName.copy(buf, 44)
    buf[108] = this.priority // the package turns priority 0 into 100
    buf[112] = options
    this.s.framesSent++
    return Promise.all(
      this.destinations.map(
        (d) =>
          new Promise<void>((resolve) => {
            const failed = (e: Error) => {
              this.s.errors++
              this.ctx?.log.debug('sacn: send failed', { to: `${d.host}:${d.port}`, error: e.message })
            }
            try {
              socket.send(buf, d.port, d.host === 'multicast' ? multicastGroup(universe) : d.host, (e) => (resolve(), e && failed(e)))
            } catch (e) {
              resolve()
              failed(e as Error)
            }
          }),
      ),
    ).then(() => undefined)
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
