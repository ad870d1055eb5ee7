/**
 * MIDI bridge (bridges.md §2, deliberate differences 1, 3, 8): MIDI bytes from an input port →
 * MidiParser → MidiMapping → SET / PUBLISH; CLASP updates under `{ns}/{device}` → MIDI messages on
 * the output port. Mapping table: mapping.ts and docs/bridges.md.
 *
 * Ports: injected (`ports`, e.g. memoryMidiPort in tests or a serial-MIDI adapter), or opened
 * through the real backend by name (`input` / `output`: substring or index, default the first
 * port; `false` for none), or created as virtual ports (`virtual: 'name'`). Bytes that are not
 * valid MIDI are counted (`malformed`), logged and dropped; valid messages without a mapping
 * (MTC, song position, active sensing, ...) are counted as `unmapped`.
 */
import type { ClaspValue } from '../../generated/types.ts'
import type { UpdateMeta } from '../../runtime/client/index.ts'
import { type Bridge, type BridgeContext, type BridgeOptions, type BridgeStats, emitExternal, emptyStats, forwardable, guarded, OwnWrites, subscribeOutbound } from '../bridge.ts'
import { reportBad } from '../dmx/mapping.ts'
import { type LoadOptions, type MidiBackend, loadMidiBackend } from './backend.ts'
import { MidiMapping, MidiReject } from './mapping.ts'
import { MidiParser } from './parser.ts'
import type { MidiPort } from './port.ts'

/** Options of the `midi` kind (docs/bridges.md). */
export interface MidiOptions extends BridgeOptions {
  /** Address segment after the namespace (default 'default'). */
  device?: string
  /** Input port: name substring or index (default the first port); false = no input. */
  input?: string | number | false
  /** Output port: name substring or index (default the first port); false = no output. */
  output?: string | number | false
  /** Create virtual input and output ports with this name instead of opening existing ones. */
  virtual?: string
  /** CC, pressure and velocity as Float 0..1, bend as Float -1..1 (default false: raw Ints). */
  normalize?: boolean
  /** Channels in addresses as 0-15 (default, as the reference) or 1-16. */
  channelBase?: 0 | 1
  /** Send the current values under the base to the device when connecting, e.g. for motor faders (default false). */
  syncOnStart?: boolean
  /** Ports to use instead of the real backend. */
  ports?: { input?: MidiPort; output?: MidiPort }
  /** How the real backend is loaded (tests simulate a machine without MIDI). */
  backend?: LoadOptions
}

/** Counters: the common ones plus MIDI specifics. */
export interface MidiStats extends BridgeStats {
  /** Valid MIDI messages with no CLASP mapping. */
  unmapped: number
  /** CLASP updates under the base that cannot become MIDI. */
  rejected: number
}

/** The MIDI bridge (see the file comment). */
export class MidiBridge implements Bridge {
  readonly kind = 'midi'
  readonly namespace: string
  readonly mapping: MidiMapping
  private readonly s: MidiStats = { ...emptyStats(), unmapped: 0, rejected: 0 }
  private readonly own = new OwnWrites()
  private readonly parser: MidiParser
  private input: MidiPort | undefined
  private output: MidiPort | undefined
  private ctx: BridgeContext | undefined
  private offs: Array<() => void> = []
  private badChunks = 0

  constructor(readonly options: MidiOptions) {
    this.namespace = options.namespace
    this.mapping = new MidiMapping(options)
    this.parser = new MidiParser((m) => this.onMessage(m))
  }

  /** Names of the ports in use. */
  get ports(): { input?: string; output?: string } {
    return { input: this.input?.name, output: this.output?.name }
  }

  async start(ctx: BridgeContext): Promise<void> {
    this.ctx = ctx
    const o = this.options
    if (o.ports) {
      this.input = o.ports.input
      this.output = o.ports.output
    } else {
      const backend = await loadMidiBackend(o.backend)
      this.open(backend)
    }
    if (this.input) this.offs.push(this.input.onBytes(guarded(this.s, ctx.log, 'MIDI input', (b: Uint8Array) => this.onBytes(b))))
    if (this.output) this.offs.push(subscribeOutbound(ctx.clasp, this.namespace, o.transforms, (v, a, m) => this.onClasp(v, a, m)))
    ctx.log.info('midi bridge started', { base: this.mapping.base, input: this.input?.name, output: this.output?.name })
  }

  async stop(): Promise<void> {
    this.own.clear()
    for (const off of this.offs.splice(0)) off()
    // Injected ports belong to the caller; ports we opened are ours to close.
    if (!this.options.ports) {
      await this.input?.close()
      await this.output?.close()
    }
  }

  stats(): MidiStats {
    return { ...this.s }
  }

  private open(backend: MidiBackend): void {
    const o = this.options
    try {
      if (o.virtual) {
        if (o.input !== false) this.input = backend.virtualInput(o.virtual)
        if (o.output !== false) this.output = backend.virtualOutput(o.virtual)
        return
      }
      if (o.input !== false) this.input = backend.openInput(o.input)
      if (o.output !== false) this.output = backend.openOutput(o.output)
    } catch (e) {
      // start() fails, so stop() is never called: close the input opened above (an open RtMidi
      // input keeps its port and thread).
      void this.input?.close()
      this.input = undefined
      throw e
    }
  }

  private onBytes(bytes: Uint8Array): void {
    const before = this.parser.unknown
    this.parser.push(bytes)
    const dropped = this.parser.unknown - before
    if (dropped > 0) {
      // One log decision per chunk (warn on the 1st, 10th, 100th ... bad chunk), every byte counted.
      this.s.malformed += dropped
      this.badChunks = reportBad(this.ctx!.log, this.badChunks, 'midi: dropped bytes that are not valid MIDI', { bytes: dropped, total: this.s.malformed, port: this.input?.name })
    }
  }

  private onMessage(m: Uint8Array): void {
    const { clasp, log } = this.ctx!
    const r = this.mapping.inbound(m)
    if (r.kind === 'unmapped') {
      this.s.unmapped++
      return
    }
    this.s.inbound++
    if (r.kind === 'event') {
      const error = emitExternal(clasp, r.address, r.value) // e.g. a SysEx larger than one frame
      if (error) {
        this.s.errors++
        log.debug('midi: event not sent', { address: r.address, error })
      }
      return
    }
    this.own.set(clasp, r.address, r.value).catch((e: Error) => {
      this.s.errors++
      log.debug('midi: SET refused', { address: r.address, error: e.message })
    })
  }

  private onClasp(value: ClaspValue, address: string, meta: UpdateMeta): void {
    const { clasp, log } = this.ctx!
    if (!forwardable(this.own, clasp, this.s, { value, address, meta }, !!this.options.syncOnStart)) return
    let bytes
    try {
      bytes = this.mapping.outbound(address, value)
    } catch (e) {
      if (!(e instanceof MidiReject)) throw e
      this.s.rejected = reportBad(log, this.s.rejected, 'midi: cannot send', { reason: e.message })
      return
    }
    if (!bytes) return
    try {
      this.output!.send(bytes)
      this.s.outbound++
    } catch (e) {
      this.s.errors++
      log.warn('midi: send failed', { port: this.output?.name, error: (e as Error).message })
    }
  }
}
