/**
 * Per-session output with backpressure (router-behavior.md §18, improved): while the transport
 * keeps up, frames go straight out. When it falls behind, frames wait here and are thinned by
 * kind: a param keeps only its latest value, stream samples are dropped, events and replies are
 * kept in order. A consumer that lets more than the limit pile up is told (ERROR 503) and
 * disconnected, so that it cannot slow anybody else down.
 */
import type { FramePort } from './port.ts'

/** How a frame may be thinned while its consumer is congested. */
export type Delivery =
  /** Replies and events: never dropped. */
  | { kind: 'keep' }
  /** A param update: replaces any queued update for the same address. */
  | { kind: 'latest'; key: string }
  /** A stream sample: dropped while congested. */
  | { kind: 'droppable' }

export const KEEP: Delivery = { kind: 'keep' }
export const DROPPABLE: Delivery = { kind: 'droppable' }

interface Queued {
  frame: Uint8Array
  key: string | undefined
}

export class Outbox {
  private readonly queue: (Queued | undefined)[] = []
  private head = 0
  private readonly latestIndex = new Map<string, number>()
  /** Stream frames dropped because the consumer was congested. */
  dropped = 0
  /** Param frames replaced by a newer value before they were sent. */
  coalesced = 0

  constructor(
    private readonly port: FramePort,
    private readonly highWaterBytes: number,
    private readonly limit: number,
    private readonly onOverflow: () => void,
  ) {}

  get pending(): number {
    return this.queue.length - this.head
  }

  private congested(): boolean {
    return this.queue.length > this.head || this.port.bufferedBytes() > this.highWaterBytes
  }

  /** Send or queue one frame. The frame must not be modified afterwards. */
  deliver(frame: Uint8Array, how: Delivery): void {
    if (!this.congested()) {
      this.port.send(frame)
      return
    }
    if (how.kind === 'droppable') {
      this.dropped++
      return
    }
    if (how.kind === 'latest') {
      const at = this.latestIndex.get(how.key)
      if (at !== undefined) {
        this.queue[at] = { frame, key: how.key }
        this.coalesced++
        return
      }
      this.latestIndex.set(how.key, this.queue.length)
    }
    this.queue.push({ frame, key: how.kind === 'latest' ? how.key : undefined })
    if (this.queue.length - this.head > this.limit) this.onOverflow()
  }

  /** Called when the transport has drained: send what waits, until it is congested again. */
  flush(): void {
    while (this.head < this.queue.length && this.port.bufferedBytes() <= this.highWaterBytes) {
      const item = this.queue[this.head]!
      this.queue[this.head++] = undefined
      if (item.key !== undefined) this.latestIndex.delete(item.key)
      this.port.send(item.frame)
    }
    if (this.head === this.queue.length) {
      this.queue.length = 0
      this.head = 0
    } else if (this.head > 1024) {
      this.compact()
    }
  }

  private compact(): void {
    const rest = this.queue.slice(this.head)
    this.queue.length = 0
    this.head = 0
    this.latestIndex.clear()
    for (const item of rest) {
      if (item!.key !== undefined) this.latestIndex.set(item!.key, this.queue.length)
      this.queue.push(item)
    }
  }
}
