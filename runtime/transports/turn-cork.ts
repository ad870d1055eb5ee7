/**
 * Frames sent to one socket in one turn of the event loop leave in one write. A burst that
 * arrives in one read (a publisher's batch, a bundle, a snapshot's chunks) would otherwise cost a
 * write system call per frame; a lone frame still leaves at the end of the current turn, before
 * any I/O is polled, so latency does not change.
 */
export class TurnCork {
  private corked = false

  constructor(private readonly socket: { cork(): void; uncork(): void }) {}

  /** Call before writing: the first write of a turn corks, a microtask uncorks. */
  hold(): void {
    if (this.corked) return
    this.corked = true
    this.socket.cork()
    queueMicrotask(() => {
      this.corked = false
      this.socket.uncork()
    })
  }
}
