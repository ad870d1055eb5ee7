/**
 * What the router needs from a connection: a duplex of whole CLASP frames (aedes-style: the core
 * takes any port, so unit tests use in-memory pairs and every real transport adapts to this).
 */
export interface FramePort {
  /** Queue one frame for the peer. The bytes may be reused by the caller after the call returns. */
  send(frame: Uint8Array): void
  /** Close the connection; `reason` is for logs and WebSocket close frames. */
  close(reason?: string): void
  /** Bytes accepted by `send` and not yet handed to the OS; 0 when the transport cannot tell. */
  bufferedBytes(): number
  /** Register the frame and close listeners (the router calls this once). */
  start(handlers: PortHandlers): void
  /** Short description for logs, e.g. `ws 127.0.0.1:51234`. */
  readonly label: string
  /**
   * In-process peers (bridges started by the router itself) are exempt from the per-session
   * inbound rate limit: one bridge session carries the traffic of many external devices.
   */
  readonly trusted?: boolean
}

export interface PortHandlers {
  frame(bytes: Uint8Array): void
  close(): void
  /** The transport has flushed its buffer; queued output may go now. */
  drain?(): void
}

/** Two connected in-memory ports, for tests: what one side sends, the other receives. */
export function memoryPortPair(labelA = 'mem-a', labelB = 'mem-b'): [MemoryPort, MemoryPort] {
  const a = new MemoryPort(labelA)
  const b = new MemoryPort(labelB)
  a.peer = b
  b.peer = a
  return [a, b]
}

export class MemoryPort implements FramePort {
  peer: MemoryPort | undefined
  trusted = false
  private handlers: PortHandlers | undefined
  private pending: Uint8Array[] = []
  closed = false

  constructor(readonly label: string) {}

  send(frame: Uint8Array): void {
    if (this.closed || !this.peer || this.peer.closed) return
    this.peer.deliver(Uint8Array.from(frame))
  }

  private deliver(frame: Uint8Array): void {
    if (this.handlers) this.handlers.frame(frame)
    else this.pending.push(frame)
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.handlers?.close()
    const peer = this.peer
    if (peer && !peer.closed) peer.close()
  }

  bufferedBytes(): number {
    return 0
  }

  start(handlers: PortHandlers): void {
    this.handlers = handlers
    for (const f of this.pending.splice(0)) handlers.frame(f)
  }
}
