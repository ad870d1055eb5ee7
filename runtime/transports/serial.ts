/**
 * Serial transport (embedded.md §1): a device on a UART/USB-serial link speaks SLIP-framed CLASP
 * frames (END before and after each frame, so either side resynchronises after line noise). The
 * link is long-lived and the device may vanish and return, so this is not a listener: it keeps
 * (re)opening one path every `reconnectMs` until closed, and each successful open starts a fresh
 * router session (a device that reconnects re-sends HELLO).
 *
 * `serialport` is a native optional dependency loaded on first use, so the bundled CLI runs on
 * machines where it is not installed as long as no serial link is configured.
 */
import type { SerialPort } from 'serialport'
import { SlipDecoder, slipEncode } from '../framing/slip.ts'
import type { Logger } from '../router/log.ts'
import type { FramePort, PortHandlers } from '../router/port.ts'
import type { Router } from '../router/router.ts'
import { type SerialPortModule, loadSerialPort, watchDevicePath } from './serial-device.ts'


export interface SerialOptions {
  /** Device path, e.g. `/dev/ttyUSB0` or a socat pty link. */
  path: string
  /** Default 115200 (8N1), the reference default. */
  baudRate?: number
  /** Delay between attempts to (re)open a missing device; default 1000 ms. */
  reconnectMs?: number
  /** Defaults to the router's logger. */
  log?: Logger
  /** Loads the `serialport` module; replaceable so tests can simulate a missing package. */
  load?: () => Promise<SerialPortModule>
}

export interface SerialStats {
  /** Successful opens of the device (1 + reconnects). */
  opens: number
  /** SLIP frames dropped because they were not a well-formed CLASP frame (line noise). */
  badFrames: number
}

export interface SerialAttachment {
  /** True while the device is open. */
  readonly connected: boolean
  readonly stats: SerialStats
  /** Stop reconnecting, end the session and close the device. */
  close(): Promise<void>
}

/**
 * A SLIP payload is passed on only if its CLASP header accounts for exactly its length: noise
 * before a device's first END would otherwise reach the router as a frame, and an undecodable
 * frame before HELLO ends the session (router-behavior.md §3.1).
 */
export function isWholeFrame(b: Uint8Array): boolean {
  if (b.length < 4 || b[0] !== 0x53) return false
  return (b[1] & 0x20 ? 12 : 4) + ((b[2] << 8) | b[3]) === b.length
}

/** One router session on an open link; ended by the router or by the link going away. */
class SerialSessionPort implements FramePort {
  handlers: PortHandlers | undefined
  ended = false
  constructor(private readonly device: SerialPort, readonly label: string, private readonly log: Logger) {}

  send(frame: Uint8Array): void {
    if (this.ended || !this.device.isOpen) return
    // slipEncode copies, so the caller may reuse its bytes. Write errors are logged, never thrown.
    this.device.write(slipEncode(frame), (e) => e && this.log.debug('serial write failed', { port: this.label, error: e.message }))
  }

  close(_reason?: string): void {
    if (this.ended) return
    this.ended = true
    this.handlers?.close()
  }

  bufferedBytes(): number {
    return this.device.writableLength
  }

  start(h: PortHandlers): void {
    this.handlers = h
  }
}

/**
 * Serve the router to a device on a serial port. Resolves once `serialport` is loaded; opening
 * happens in the background (a missing device is logged and retried, never thrown).
 */
export async function attachSerial(router: Router, opts: SerialOptions): Promise<SerialAttachment> {
  const mod = await loadSerialPort('serial transport', opts.load)
  const log = opts.log ?? router.log
  const reconnectMs = opts.reconnectMs ?? 1000
  const label = `serial ${opts.path}`
  const stats: SerialStats = { opens: 0, badFrames: 0 }
  let closed = false
  let retry: ReturnType<typeof setTimeout> | undefined
  let device: SerialPort | undefined
  let session: SerialSessionPort | undefined
  let failures = 0
  /** Settles when the open attempt in flight (if any) has finished, so close() can wait for it. */
  let opening: Promise<void> = Promise.resolve()
  let stopWatching: (() => void) | undefined

  const newSession = (d: SerialPort) => {
    session = new SerialSessionPort(d, label, log)
    router.attach(session)
  }

  const scheduleRetry = () => {
    // Not unref'd: a router whose only link is a missing device must keep waiting for it.
    if (!closed && retry === undefined) retry = setTimeout(tryOpen, reconnectMs)
  }

  function tryOpen(): void {
    retry = undefined
    if (closed) return
    const d = new mod.SerialPort({ path: opts.path, baudRate: opts.baudRate ?? 115200, autoOpen: false })
    d.on('error', (e) => log.debug('serial port error', { port: label, error: e.message }))
    let settle!: () => void
    opening = new Promise<void>((r) => (settle = r))
    d.open((err) => {
      if (closed) {
        // close() ran while this open was in flight: release the device before it resolves.
        if (err) settle()
        else d.close(() => settle())
        return
      }
      settle()
      if (err) {
        // First failure is worth a warning; the rest of a long outage only at debug level.
        const fields = { port: label, error: err.message, retryMs: reconnectMs }
        if (failures++ === 0) log.warn('serial device unavailable; retrying', fields)
        else log.debug('serial device unavailable; retrying', fields)
        scheduleRetry()
        return
      }
      failures = 0
      stats.opens++
      device = d
      log.info('serial device open', { port: label })
      const decoder = new SlipDecoder((frame) => {
        if (!isWholeFrame(frame)) {
          stats.badFrames++
          return
        }
        // After the router ended a session (handshake timeout, bad frame) the link is still
        // there: the next frame starts a new session. Lazily, so a refused session cannot loop.
        if (!session || session.ended) newSession(d)
        session!.handlers?.frame(frame)
      }, router.config.maxFrameBytes)
      d.on('data', (chunk: Buffer) => decoder.push(chunk))
      d.on('drain', () => session?.handlers?.drain?.())
      d.on('close', () => {
        stopWatching?.()
        device = undefined
        session?.close('device closed')
        session = undefined
        if (closed) return
        log.warn('serial device closed; reopening', { port: label, retryMs: reconnectMs })
        scheduleRetry()
      })
      newSession(d)
      stopWatching = watchDevicePath(opts.path, reconnectMs, () => device === d && !closed, () => {
        log.warn('serial device vanished; closing it', { port: label })
        d.close(() => undefined)
      })
    })
  }

  tryOpen()
  return {
    get connected() {
      return device !== undefined
    },
    stats,
    close: async () => {
      closed = true
      stopWatching?.()
      if (retry !== undefined) clearTimeout(retry)
      retry = undefined
      await opening
      const d = device
      session?.close('serial link closed')
      if (d?.isOpen) await new Promise<void>((resolve) => d.close(() => resolve()))
    },
  }
}
