/**
 * Length-prefixed TCP transport (wire-protocol.md §2, embedded.md §2): what the Arduino library
 * and the Rust `clasp-transport::tcp` speak. One connection = one session; every frame travels
 * behind a u32 big-endian byte count in both directions. A count of 0 or above 65,536 cannot be
 * resynchronised, so it ends that connection only (as the Rust reader does).
 */
import { createServer, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { LengthPrefixDecoder, MAX_TCP_FRAME, lengthPrefix } from '../framing/length-prefix.ts'
import type { FramePort, PortHandlers } from '../router/port.ts'
import type { Router } from '../router/router.ts'
import { TurnCork } from './turn-cork.ts'
import type { Listener } from './websocket.ts'

export interface TcpListenerOptions {
  /** 0 picks a free port (tests); the default deployment port is `Transports.tcpPort` (7332). */
  port: number
  host?: string
}

/** How long a closing socket may take to flush before it is destroyed anyway. */
const CLOSE_GRACE_MS = 2000

class TcpPort implements FramePort {
  readonly label: string
  private readonly cork: TurnCork
  constructor(private readonly socket: Socket, private readonly router: Router) {
    this.label = `tcp ${socket.remoteAddress}:${socket.remotePort}`
    this.cork = new TurnCork(socket)
  }

  send(frame: Uint8Array): void {
    if (!this.socket.writable) return
    this.cork.hold()
    // lengthPrefix copies the frame, so the caller may reuse its bytes (FramePort contract).
    this.socket.write(lengthPrefix(frame))
  }

  close(_reason?: string): void {
    const s = this.socket
    if (s.destroyed) return
    // Flush what the router already queued (e.g. an ERROR), then go; a peer that stops reading
    // must not keep the socket alive, hence the grace timer.
    s.end(() => s.destroy())
    setTimeout(() => s.destroy(), CLOSE_GRACE_MS).unref()
  }

  bufferedBytes(): number {
    return this.socket.writableLength
  }

  start(h: PortHandlers): void {
    const s = this.socket
    const decoder = new LengthPrefixDecoder(
      (frame) => h.frame(frame),
      (reason) => {
        this.router.log.warn('tcp framing error; closing connection', { port: this.label, reason })
        s.destroy()
      },
      MAX_TCP_FRAME,
    )
    s.on('data', (chunk: Buffer) => decoder.push(chunk))
    s.on('drain', () => h.drain?.())
    s.on('close', () => h.close())
  }
}

/** Serve the router over length-prefixed TCP. Resolves once listening; `port` is the bound one. */
export async function listenTcp(router: Router, opts: TcpListenerOptions): Promise<Listener> {
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    // Registered before anything else so that a reset connection can never throw (an 'error'
    // without a listener would crash the process); 'close' follows and ends the session.
    socket.on('error', (e) => router.log.debug('tcp socket error', { error: e.message }))
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
    socket.setNoDelay(true) // small control frames: latency matters more than packet count
    socket.setKeepAlive(true, 30_000) // as the Rust transport, to notice vanished peers
    router.attach(new TcpPort(socket, router))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port, opts.host ?? '0.0.0.0', () => {
      server.off('error', reject)
      resolve()
    })
  })
  // Accept-time failures (e.g. EMFILE) are reported, never thrown.
  server.on('error', (e) => router.log.error('tcp listener error', { error: e.message }))
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}
