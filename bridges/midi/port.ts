/**
 * The byte-level MIDI port the bridge talks to. The real backend (backend.ts, RtMidi through the
 * optional `midi` package) and the in-process port below both implement it, so the whole mapping
 * is testable where no MIDI subsystem exists (containers, CI: npm-deps.md "midi").
 */

/** A MIDI port at the byte level. */
export interface MidiPort {
  /** The port's name as the system reports it (or the virtual port's name). */
  readonly name: string
  /** Send one complete MIDI message. */
  send(bytes: Uint8Array): void
  /**
   * Receive bytes: complete messages from RtMidi, or any chunking of a raw byte stream (serial
   * MIDI); the bridge parses either. Returns a function that stops delivery.
   */
  onBytes(callback: (bytes: Uint8Array) => void): () => void
  close(): Promise<void>
}

/** An in-process MidiPort: `inject` plays the device sending bytes, `sent` records what was sent. */
export interface MemoryMidiPort extends MidiPort {
  readonly sent: Uint8Array[]
  inject(bytes: Uint8Array | number[]): void
  readonly closed: boolean
}

/** A new in-process port (for tests and embedding). */
export function memoryMidiPort(name = 'memory'): MemoryMidiPort {
  const listeners = new Set<(b: Uint8Array) => void>()
  let closed = false
  return {
    name,
    sent: [],
    get closed() {
      return closed
    },
    send(bytes) {
      if (!closed) this.sent.push(Uint8Array.from(bytes))
    },
    onBytes(cb) {
      listeners.add(cb)
      return () => listeners.delete(cb)
    },
    inject(bytes) {
      if (closed) return
      const b = Uint8Array.from(bytes)
      for (const l of listeners) l(b)
    },
    async close() {
      closed = true
      listeners.clear()
    },
  }
}
