/**
 * Art-Net bridge (bridges.md §4 and deliberate differences 1, 3, 9, 10, 11).
 *
 * In:  ArtDmx → channel mode: one SET per changed slot at `{ns}/{universe}/{channel}`;
 *      universe mode: the whole frame as a Stream PUBLISH of Bytes at `{ns}/{universe}`.
 *      ArtPoll → ArtPollReply to the poller. Malformed datagrams are counted and dropped.
 * Out: SETs at `{ns}/{universe}/{channel}` (and Bytes / number arrays at `{ns}/{universe}`) →
 *      one 512-slot ArtDmx per universe, coalesced to ≤ 44 Hz, refreshed every ~1 s, sequenced,
 *      unicast to the configured nodes (broadcast only when asked for).
 *
 * The universe is the 15-bit Port-Address (0..32767). One UDP socket serves both directions, so
 * packets leave from the Art-Net port as the spec expects; the port and bind address are
 * configurable because OLA or a console often already holds 6454 on the same host.
 */
import { type RemoteInfo, type Socket, createSocket } from 'node:dgram'
import type { ClaspValue } from '../generated/types.ts'
import type { UpdateMeta } from '../runtime/client/index.ts'
import { type ArtDmx, ARTNET_PORT, ArtNetError, type ArtPoll, decodeArtNet, encodeArtDmx } from './artnet/codec.ts'
import { pollReplies, targeted } from './artnet/poll-reply.ts'
import { type Bridge, type BridgeContext, type BridgeStats, emptyStats, guarded, OwnWrites, subscribeOutbound } from './bridge.ts'
import { InboundCache, SlotMapping, type UniverseBridgeOptions, reportBad, writeSlots } from './dmx/mapping.ts'
import { type Destination, isLocalAddress, localAddresses, localAddressFor, parseDestination, quadOf } from './dmx/net.ts'
import { type OutputTiming, UniverseOutput } from './dmx/output.ts'

/** Options of the `artnet` kind (docs/bridges.md). */
export interface ArtNetOptions extends UniverseBridgeOptions, OutputTiming {
  /** UDP port to bind (default 6454; 0 = any free port). */
  port?: number
  /** Local address to bind (default 0.0.0.0, which also receives broadcasts). */
  bind?: string
  /** Share the port with other Art-Net software on this host (SO_REUSEADDR; default false). */
  reuseAddr?: boolean
  /** Unicast destinations for output, `host` or `host:port` (port default 6454). */
  nodes?: string[]
  /** Also send output by broadcast: true = 255.255.255.255:6454, or `address[:port]` (default off). */
  broadcast?: boolean | string
  /** Answer ArtPoll with ArtPollReply (default true). */
  answerPoll?: boolean
  /** Names in ArtPollReply. */
  shortName?: string
  longName?: string
  /** IP announced in ArtPollReply (default: our address on the poller's subnet). */
  replyIp?: string
}

/** Counters: the common ones plus Art-Net specifics. */
export interface ArtNetStats extends BridgeStats {
  /** CLASP writes that could not be sent (address or value out of range). */
  rejected: number
  /** ArtDmx dropped as older than the last one from that source (sequence numbers). */
  outOfOrder: number
  /** Valid Art-Net packets we do not act on (other OpCodes, filtered universes). */
  ignored: number
  /** ArtPoll packets answered. */
  polls: number
  /** ArtDmx frames sent (per universe, before fan-out to destinations). */
  framesSent: number
}

/** Stale if more than this long since the last packet from a source: a restarted sender. */
const SEQUENCE_RESET_MS = 1000

/** The Art-Net bridge: one UDP socket for both directions (see the file comment). */
export class ArtNetBridge implements Bridge {
  readonly kind = 'artnet'
  readonly namespace: string
  private readonly s: ArtNetStats = { ...emptyStats(), rejected: 0, outOfOrder: 0, ignored: 0, polls: 0, framesSent: 0 }
  private readonly mapping: SlotMapping
  private readonly destinations: Destination[]
  private readonly own = new OwnWrites()
  private readonly cache = new InboundCache()
  private readonly lastSeq = new Map<string, { seq: number; at: number }>()
  private readonly sequence = new Map<number, number>()
  /** Sequence numbers we sent recently per universe, to drop our own broadcasts coming back. */
  private readonly sentSeqs = new Map<number, number[]>()
  private readonly seenIn = new Set<number>()
  private socket: Socket | undefined
  private output: UniverseOutput | undefined
  private unsubscribe: (() => void) | undefined
  private ctx: BridgeContext | undefined
  private locals = new Set<string>()
  private warnedNoDestination = false

  constructor(readonly options: ArtNetOptions) {
    this.namespace = options.namespace
    this.mapping = new SlotMapping(options.namespace, options.normalize ?? false, [0, 0x7fff], options.transforms, options.universes)
    this.destinations = (options.nodes ?? []).map((n) => parseDestination(n, ARTNET_PORT))
    const b = options.broadcast
    if (b) this.destinations.push(parseDestination(b === true ? '255.255.255.255' : b, ARTNET_PORT))
    // Validates the timing options now rather than at start().
    new UniverseOutput(options, () => undefined).close()
  }

  /** The bound UDP port (useful with `port: 0`). */
  get port(): number {
    return this.socket?.address().port ?? this.options.port ?? ARTNET_PORT
  }

  async start(ctx: BridgeContext): Promise<void> {
    this.ctx = ctx
    this.locals = localAddresses()
    const socket = createSocket({ type: 'udp4', reuseAddr: this.options.reuseAddr ?? false })
    socket.on('message', guarded(this.s, ctx.log, 'Art-Net input', (buf: Buffer, rinfo: RemoteInfo) => this.onDatagram(buf, rinfo)))
    socket.on('error', (e) => {
      this.s.errors++
      ctx.log.warn('artnet socket error', { error: e.message })
    })
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject)
      socket.bind(this.options.port ?? ARTNET_PORT, this.options.bind ?? '0.0.0.0', () => {
        socket.off('error', reject)
        resolve()
      })
    }).catch((e: Error) => {
      socket.close()
      throw new Error(`artnet: cannot bind ${this.options.bind ?? '0.0.0.0'}:${this.options.port ?? ARTNET_PORT} (${e.message}); set another port, or reuseAddr to share it`)
    })
    if (this.options.broadcast) socket.setBroadcast(true)
    this.socket = socket
    this.output = new UniverseOutput(this.options, (u, data) => this.sendFrame(u, data))
    this.unsubscribe = subscribeOutbound(ctx.clasp, this.namespace, this.options.transforms, (v, a, m) => this.onClasp(v, a, m))
    this.announce()
    ctx.log.info('artnet bridge started', { port: this.port, namespace: this.namespace, nodes: this.destinations.length, mode: this.options.mode ?? 'channel' })
  }

  async stop(): Promise<void> {
    this.own.clear()
    this.unsubscribe?.()
    this.unsubscribe = undefined
    this.output?.close()
    const socket = this.socket
    this.socket = undefined
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()))
  }

  stats(): ArtNetStats {
    return { ...this.s, framesSent: this.output?.frames ?? this.s.framesSent }
  }

  // --- Art-Net → CLASP -------------------------------------------------------------------

  private onDatagram(buf: Buffer, rinfo: RemoteInfo): void {
    const log = this.ctx!.log
    let p
    try {
      p = decodeArtNet(buf)
    } catch (e) {
      if (!(e instanceof ArtNetError)) throw e
      this.s.malformed = reportBad(log, this.s.malformed, 'artnet: dropped malformed packet', { code: e.code, reason: e.message, from: `${rinfo.address}:${rinfo.port}`, bytes: buf.length })
      return
    }
    if (p.op === 'dmx') this.onDmx(p, rinfo)
    else if (p.op === 'poll') this.onPoll(p, rinfo)
    else this.s.ignored++
  }

  private onDmx(p: ArtDmx, rinfo: RemoteInfo): void {
    if (!this.mapping.accepts(p.universe)) {
      this.s.ignored++ // a universe outside `universes`
      return
    }
    if (this.isOwnPacket(p, rinfo) || this.isStale(p, rinfo)) return
    const { clasp, log } = this.ctx!
    this.s.inbound++
    this.seenIn.add(p.universe)
    if (this.options.mode === 'universe') {
      const { address, value } = this.mapping.universeIn(p.universe, p.data)
      clasp.stream(address, value)
      return
    }
    const writes = this.cache.changes(p.universe, p.data).map((ch) => this.mapping.channelIn(p.universe, ch, p.data[ch - 1]))
    writeSlots(clasp, this.own, writes, (e) => {
      this.s.errors++
      log.debug('artnet: SET refused', { error: e.message })
    })
  }

  /** Our own broadcast (or a node list that includes us) comes back to our socket. */
  private isOwnPacket(p: ArtDmx, rinfo: RemoteInfo): boolean {
    if (rinfo.port !== this.port || !isLocalAddress(rinfo.address, this.locals)) return false
    const own = this.sentSeqs.get(p.universe)?.includes(p.sequence) ?? false
    if (own) this.s.ignored++
    return own
  }

  /** Art-Net: drop an ArtDmx older than the last one from the same source and universe. */
  private isStale(p: ArtDmx, rinfo: RemoteInfo): boolean {
    if (p.sequence === 0) return false
    const key = `${rinfo.address}:${rinfo.port}/${p.universe}`
    const now = Date.now()
    const last = this.lastSeq.get(key)
    this.lastSeq.set(key, { seq: p.sequence, at: now })
    if (!last || last.seq === 0 || now - last.at > SEQUENCE_RESET_MS) return false
    const ahead = (p.sequence - last.seq + 256) % 256
    if (ahead >= 128) {
      this.s.outOfOrder++
      this.lastSeq.set(key, last) // keep the newest one as the reference
      return true
    }
    return false
  }

  private onPoll(p: ArtPoll, rinfo: RemoteInfo): void {
    if (this.options.answerPoll === false || !this.socket) return
    const universes = targeted(p, this.knownUniverses())
    if (p.flags & 0x20 && universes.length === 0) return // targeted at universes we do not have
    this.s.polls++
    // Art-Net 4 replies by unicast to the poller, at the port it polled from.
    this.sendPollReplies(universes, rinfo)
  }

  private knownUniverses(): number[] {
    const configured = this.options.universes ?? []
    return configured.length ? configured : [...new Set([...(this.output?.universes() ?? []), ...this.seenIn])]
  }

  private sendPollReplies(universes: readonly number[], to: { address: string; port: number }): void {
    const id = {
      ip: quadOf(this.options.replyIp ?? (this.options.bind && this.options.bind !== '0.0.0.0' ? this.options.bind : localAddressFor(to.address))),
      shortName: this.options.shortName ?? 'CLASP Art-Net',
      longName: this.options.longName ?? 'CLASP Art-Net bridge',
    }
    const sentOut = new Set(this.sentSeqs.keys())
    for (const reply of pollReplies(id, universes, this.seenIn, sentOut, this.s.polls)) this.socket!.send(reply, to.port, to.address)
  }

  /**
   * An unsolicited ArtPollReply to every output destination at start, as nodes do when their
   * state changes: a controller that only unicasts to subscribed nodes (OLA's default) then
   * sends us the configured universes without waiting for its next ArtPoll.
   */
  private announce(): void {
    if (this.options.answerPoll === false || !this.options.universes?.length) return
    for (const d of this.destinations) this.sendPollReplies(this.options.universes, { address: d.host, port: d.port })
  }

  // --- CLASP → Art-Net -------------------------------------------------------------------

  private onClasp(value: ClaspValue, address: string, meta: UpdateMeta): void {
    const { clasp, log } = this.ctx!
    const w = this.mapping.outbound({ value, address, meta }, this.s, log, 'artnet', () => !!this.own.isOwnEcho(clasp, address, value, meta))
    if (w) this.output!.write(w)
  }

  private sendFrame(universe: number, data: Uint8Array): void {
    const socket = this.socket
    if (!socket) return
    if (this.destinations.length === 0) {
      if (!this.warnedNoDestination) this.ctx!.log.warn('artnet: output has no destination; set nodes (or broadcast)', { universe })
      this.warnedNoDestination = true
      return
    }
    const seq = (this.sequence.get(universe) ?? 0) % 255 + 1 // 1..255; 0 would mean "not sequenced"
    this.sequence.set(universe, seq)
    const recent = this.sentSeqs.get(universe) ?? []
    recent.push(seq)
    if (recent.length > 8) recent.shift()
    this.sentSeqs.set(universe, recent)
    const packet = encodeArtDmx({ sequence: seq, physical: 0, universe, data })
    for (const d of this.destinations) {
      socket.send(packet, d.port, d.host, (e) => {
        if (!e) return
        this.s.errors++
        this.ctx?.log.debug('artnet: send failed', { to: `${d.host}:${d.port}`, error: e.message })
      })
    }
  }
}
