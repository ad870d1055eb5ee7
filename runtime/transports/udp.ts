/**
 * UDP transport (wire-protocol.md §2): one frame per datagram, no other framing. UDP has no
 * connections, so a session is keyed by the remote ip:port: created by its first datagram and
 * closed after `idleMs` without one (the peer cannot tell us it left). Replies go to that remote.
 */
import { type RemoteInfo, type Socket, createSocket } from 'node:dgram'
import { isIPv6 } from 'node:net'
import type { Clock } from '../router/clock.ts'
import type { FramePort, PortHandlers } from '../router/port.ts'
import type { Router } from '../router/router.ts'
import type { Listener } from './websocket.ts'

/** Largest UDP payload over IPv4 (65,535 − 8-byte UDP header − 20-byte IP header). */
export const MAX_DATAGRAM = 65507

export interface UdpListenerOptions {
  port: number
  host?: string
  /** Close a remote's session after this long without a datagram from it (default 60 s). */
  idleMs?: number
  /** Timer source for idle expiry; defaults to the router's clock. */
  clock?: Clock
}

export interface UdpStats {
  /** Outbound frames dropped because they do not fit one datagram. */
  oversizedDropped: number
  /** Outbound datagrams the OS refused (e.g. ICMP unreachable reported on send). */
  sendErrors: number
  /** Sessions closed for idleness. */
  idleClosed: number
}

export interface UdpListener extends Listener {
  readonly stats: UdpStats
  /** Remotes that currently have a session. */
  readonly remotes: number
}

class UdpPort implements FramePort {
  readonly label: string
  lastSeenMs: number
  handlers: PortHandlers | undefined
  timer: unknown
  closed = false

  constructor(
    private readonly socket: Socket,
    readonly address: string,
    readonly port: number,
    nowMs: number,
    private readonly stats: UdpStats,
    private readonly onClose: (p: UdpPort) => void,
  ) {
    this.label = `udp ${address}:${port}`
    this.lastSeenMs = nowMs
  }

  send(frame: Uint8Array): void {
    if (this.closed) return
    if (frame.length > MAX_DATAGRAM) {
      this.stats.oversizedDropped++
      return
    }
    // Copy: dgram sends asynchronously and the caller may reuse its bytes.
    try {
      this.socket.send(Buffer.from(frame), this.port, this.address, (e) => {
        if (e) this.stats.sendErrors++
      })
    } catch {
      this.stats.sendErrors++ // socket already closed: dgram throws synchronously
    }
  }

  close(_reason?: string): void {
    if (this.closed) return
    this.closed = true
    this.onClose(this)
    this.handlers?.close()
  }

  /** The kernel drops UDP it cannot queue and dgram has no 'drain', so never report congestion. */
  bufferedBytes(): number {
    return 0
  }

  start(h: PortHandlers): void {
    this.handlers = h
  }
}

/** Serve the router over UDP; resolves once bound. */
export async function listenUdp(router: Router, opts: UdpListenerOptions): Promise<UdpListener> {
  const host = opts.host ?? '0.0.0.0'
  const idleMs = opts.idleMs ?? 60_000
  const clock = opts.clock ?? router.clock
  const stats: UdpStats = { oversizedDropped: 0, sendErrors: 0, idleClosed: 0 }
  const peers = new Map<string, UdpPort>()
  const socket = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4' })

  const forget = (p: UdpPort) => {
    clock.clearTimeout(p.timer)
    if (peers.get(`${p.address}:${p.port}`) === p) peers.delete(`${p.address}:${p.port}`)
  }

  // One timer per remote, re-armed lazily: a datagram only stamps lastSeenMs, and the timer
  // re-checks when it fires, so a busy remote costs no timer churn per datagram.
  const arm = (p: UdpPort, ms: number) => {
    p.timer = clock.setTimeout(() => {
      if (p.closed) return
      const idle = clock.now() - p.lastSeenMs
      if (idle >= idleMs) {
        stats.idleClosed++
        router.log.debug('udp remote idle; closing its session', { port: p.label })
        p.close('idle')
      } else arm(p, idleMs - idle)
    }, ms)
  }

  socket.on('message', (msg: Buffer, rinfo: RemoteInfo) => {
    const key = `${rinfo.address}:${rinfo.port}`
    let p = peers.get(key)
    if (!p) {
      p = new UdpPort(socket, rinfo.address, rinfo.port, clock.now(), stats, forget)
      peers.set(key, p)
      arm(p, idleMs)
      router.attach(p)
      // The router may refuse the session (limit reached) and close the port at once.
      if (p.closed) return
    }
    p.lastSeenMs = clock.now()
    p.handlers?.frame(msg)
  })
  // Errors on an unconnected UDP socket are per-send; keep serving.
  socket.on('error', (e) => router.log.warn('udp socket error', { error: e.message }))

  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject)
    socket.bind(opts.port, host, () => {
      socket.off('error', reject)
      resolve()
    })
  })

  return {
    port: socket.address().port,
    stats,
    get remotes() {
      return peers.size
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const p of [...peers.values()]) p.close('listener closed')
        socket.close(() => resolve())
      }),
  }
}
