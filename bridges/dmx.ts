/**
 * DMX-512 output through an ENTTEC DMX USB Pro compatible widget (bridges.md §5; the reference's
 * hardware modes were stubs that wrote nothing).
 *
 * Out: SETs at `{ns}/{universe}/{channel}` (channel 1..512; `universe` is the configured one,
 *      default 0, so several widgets can share a namespace) and Bytes / number arrays at
 *      `{ns}/{universe}` → the current 512-slot frame, written as a label-6 message at a steady
 *      `refreshHz` (default 44) whether or not anything changed, as DMX receivers expect.
 *      Same value rule as Art-Net and sACN (`normalize`).
 * The device may vanish (USB unplugged): the bridge reopens the path every `reconnectMs` and
 * resumes with the current frame. Output only: ENTTEC input (label 5) is not implemented.
 *
 * `serialport` is an optional native dependency, loaded on first use like runtime/transports/serial.ts.
 */
import type { SerialPort } from 'serialport'
import type { ClaspValue } from '../generated/types.ts'
import type { UpdateMeta } from '../runtime/client/index.ts'
import { type Bridge, type BridgeContext, type BridgeOptions, type BridgeStats, emptyStats, subscribeOutbound } from './bridge.ts'
import { enttecDmxPacket } from './dmx/enttec.ts'
import { SLOTS, SlotMapping } from './dmx/mapping.ts'

import { type SerialPortModule, loadSerialPort, watchDevicePath } from '../runtime/transports/serial-device.ts'

/** Options of the `dmx` kind (docs/bridges.md). */
export interface DmxOptions extends BridgeOptions {
  /** Device path, e.g. /dev/ttyUSB0 or /dev/serial/by-id/usb-ENTTEC_... */
  port: string
  /** Widget protocol; only ENTTEC DMX USB Pro framing is implemented. */
  interface?: 'enttec-pro'
  /** The universe number in addresses (default 0). */
  universe?: number
  /** Slots as Float 0..1 in CLASP instead of Int 0..255 (default false). */
  normalize?: boolean
  /** Frames written per second (default 44, the DMX-512 maximum for 512 slots). */
  refreshHz?: number
  /** Delay between attempts to (re)open a missing device (default 1000 ms). */
  reconnectMs?: number
  /** Serial speed; USB widgets ignore it (default 115200). */
  baudRate?: number
  /** Loads `serialport`; replaceable so tests can simulate a missing package. */
  load?: () => Promise<SerialPortModule>
}

/** Counters: the common ones plus DMX output specifics. */
export interface DmxStats extends BridgeStats {
  rejected: number
  framesSent: number
  /** Frames skipped because the device had not taken the previous ones yet. */
  framesSkipped: number
  /** Successful opens of the device (1 + reconnects). */
  opens: number
}

/** Skip a refresh while more than this many bytes wait for the device (keeps latency bounded). */
const MAX_BUFFERED = 2 * 518

/** The DMX (ENTTEC DMX USB Pro) output bridge (see the file comment). */
export class DmxBridge implements Bridge {
  readonly kind = 'dmx'
  readonly namespace: string
  private readonly s: DmxStats = { ...emptyStats(), rejected: 0, framesSent: 0, framesSkipped: 0, opens: 0 }
  private readonly mapping: SlotMapping
  private readonly frame = new Uint8Array(SLOTS)
  private readonly refreshMs: number
  private device: SerialPort | undefined
  private mod: SerialPortModule | undefined
  private ctx: BridgeContext | undefined
  private timer: ReturnType<typeof setInterval> | undefined
  private retry: ReturnType<typeof setTimeout> | undefined
  private unsubscribe: (() => void) | undefined
  private closed = false
  private failures = 0
  private opening: Promise<void> = Promise.resolve()

  constructor(readonly options: DmxOptions) {
    if (!options.port) throw new Error('dmx: option "port" (the device path) is required')
    if ((options.interface ?? 'enttec-pro') !== 'enttec-pro') throw new Error(`dmx: interface ${JSON.stringify(options.interface)} is not supported; only "enttec-pro" is implemented`)
    const universe = options.universe ?? 0
    if (!(Number.isInteger(universe) && universe >= 0 && universe <= 32767)) throw new RangeError(`dmx: universe ${universe} outside 0..32767`)
    const hz = options.refreshHz ?? 44
    if (!(hz > 0 && hz <= 44)) throw new RangeError(`dmx: refreshHz ${hz} outside (0, 44]`)
    this.refreshMs = Math.ceil(1000 / hz)
    this.namespace = options.namespace
    this.mapping = new SlotMapping(options.namespace, options.normalize ?? false, [0, 32767], options.transforms, [universe])
  }

  /** True while the device is open. */
  get connected(): boolean {
    return this.device !== undefined
  }

  async start(ctx: BridgeContext): Promise<void> {
    this.ctx = ctx
    this.mod = await loadSerialPort('dmx bridge', this.options.load)
    this.closed = false
    this.unsubscribe = subscribeOutbound(ctx.clasp, this.namespace, this.options.transforms, (v, a, m) => this.onClasp(v, a, m))
    this.timer = setInterval(() => this.writeFrame(), this.refreshMs)
    this.tryOpen()
    ctx.log.info('dmx bridge started', { port: this.options.port, universe: this.options.universe ?? 0, refreshHz: Math.round(1000 / this.refreshMs) })
  }

  async stop(): Promise<void> {
    this.closed = true
    this.unsubscribe?.()
    clearInterval(this.timer)
    clearTimeout(this.retry)
    await this.opening
    const d = this.device
    this.device = undefined
    if (d?.isOpen) await new Promise<void>((resolve) => d.close(() => resolve()))
  }

  stats(): DmxStats {
    return { ...this.s }
  }

  /** The frame being output (a copy). */
  current(): Uint8Array {
    return this.frame.slice()
  }

  private onClasp(value: ClaspValue, address: string, meta: UpdateMeta): void {
    // Output only, so nothing of ours comes back: no echo check needed.
    const w = this.mapping.outbound({ value, address, meta }, this.s, this.ctx!.log, 'dmx')
    if (!w) return
    if ('frame' in w) this.frame.set(w.frame)
    else this.frame[w.channel - 1] = w.slot
  }

  private writeFrame(): void {
    const d = this.device
    if (!d?.isOpen) return
    if (d.writableLength > MAX_BUFFERED) {
      this.s.framesSkipped++
      return
    }
    this.s.framesSent++
    d.write(enttecDmxPacket(this.frame), (e) => {
      if (!e) return
      this.s.errors++
      this.ctx?.log.debug('dmx write failed', { port: this.options.port, error: e.message })
    })
  }

  private tryOpen(): void {
    this.retry = undefined
    if (this.closed || !this.mod) return
    const log = this.ctx!.log
    const path = this.options.port
    const d = new this.mod.SerialPort({ path, baudRate: this.options.baudRate ?? 115200, autoOpen: false })
    d.on('error', (e) => log.debug('dmx port error', { port: path, error: e.message }))
    let settle!: () => void
    this.opening = new Promise<void>((r) => (settle = r))
    d.open((err) => {
      if (this.closed) {
        if (err) settle()
        else d.close(() => settle())
        return
      }
      settle()
      if (err) {
        // The first failure of an outage is a warning; the rest only at debug level.
        const fields = { port: path, error: err.message, retryMs: this.reconnectMs }
        if (this.failures++ === 0) log.warn('dmx device unavailable; retrying', fields)
        else log.debug('dmx device unavailable; retrying', fields)
        this.scheduleRetry()
        return
      }
      this.failures = 0
      this.s.opens++
      this.device = d
      log.info('dmx device open', { port: path })
      d.on('close', () => {
        if (this.device === d) this.device = undefined
        if (this.closed) return
        log.warn('dmx device closed; reopening', { port: path, retryMs: this.reconnectMs })
        this.scheduleRetry()
      })
      // serialport does not always report a vanished device (serial-device.ts)
      watchDevicePath(path, this.reconnectMs, () => this.device === d && !this.closed, () => {
        log.warn('dmx device vanished; closing it', { port: path })
        d.close(() => undefined)
      })
      this.writeFrame()
    })
  }

  private get reconnectMs(): number {
    return this.options.reconnectMs ?? 1000
  }

  private scheduleRetry(): void {
    if (!this.closed && this.retry === undefined) this.retry = setTimeout(() => this.tryOpen(), this.reconnectMs)
  }
}
