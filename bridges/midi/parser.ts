/**
 * MIDI 1.0 byte-stream parser: complete messages out of any chunking of the stream, with running
 * status, System Real-Time bytes interleaved anywhere (even inside SysEx), and SysEx assembled
 * up to a size limit. RtMidi already hands over whole messages; serial MIDI and tests do not.
 *
 * Bytes that cannot be part of a valid message are counted in `unknown` and dropped: data bytes
 * with no status to attach to, undefined status bytes (F4, F5, F9, FD), a stray EOX (F7), a
 * message cut short by the next status byte, and SysEx longer than the limit.
 */

/** Data bytes following each status byte (-1: undefined status). */
function dataLength(status: number): number {
  switch (status & 0xf0) {
    case 0x80: case 0x90: case 0xa0: case 0xb0: case 0xe0:
      return 2
    case 0xc0: case 0xd0:
      return 1
  }
  switch (status) {
    case 0xf1: case 0xf3:
      return 1
    case 0xf2:
      return 2
    case 0xf6:
      return 0
    default:
      return -1 // F4, F5 (undefined); F0/F7 handled separately
  }
}

const UNDEFINED_REALTIME = new Set([0xf9, 0xfd])

/** Feed bytes with `push`; complete messages go to `emit`. */
export class MidiParser {
  /** Bytes dropped as not part of any valid message. */
  unknown = 0
  private running = 0
  private data: number[] = []
  private sysex: number[] | undefined

  constructor(
    private readonly emit: (message: Uint8Array) => void,
    private readonly maxSysex = 65536,
  ) {}

  push(bytes: Uint8Array): void {
    for (const b of bytes) this.byte(b)
  }

  private byte(b: number): void {
    if (b >= 0xf8) {
      // Real-Time: one byte, may sit anywhere, changes no state.
      if (UNDEFINED_REALTIME.has(b)) this.unknown++
      else this.emit(Uint8Array.of(b))
      return
    }
    if (this.sysex) {
      if (b < 0x80) {
        if (this.sysex.length >= this.maxSysex) {
          this.unknown += this.sysex.length + 1
          this.sysex = undefined
          return
        }
        this.sysex.push(b)
        return
      }
      if (b === 0xf7) {
        this.sysex.push(b)
        const message = Uint8Array.from(this.sysex)
        this.sysex = undefined // before emitting: a callback that throws must not leave the SysEx open
        this.emit(message)
        return
      }
      // Any other status ends an unterminated SysEx: drop it and handle the status below.
      this.unknown += this.sysex.length
      this.sysex = undefined
    }
    if (b >= 0x80) {
      this.unknown += this.data.length // a message cut short loses its data bytes
      this.data = []
      if (b === 0xf0) {
        this.running = 0
        this.sysex = [b]
        return
      }
      const n = dataLength(b)
      if (n < 0) {
        this.unknown++ // undefined status or stray EOX (F7)
        this.running = 0
        return
      }
      this.running = b
      if (b >= 0xf0) {
        this.running = n === 0 ? 0 : b // System Common cancels running status
        if (n === 0) this.emit(Uint8Array.of(b))
      }
      return
    }
    // Data byte.
    if (this.running === 0) {
      this.unknown++
      return
    }
    this.data.push(b)
    if (this.data.length === dataLength(this.running)) {
      const message = Uint8Array.from([this.running, ...this.data])
      this.data = [] // before emitting, as above
      // System Common messages do not set running status for the bytes after them.
      if (this.running >= 0xf0) this.running = 0
      this.emit(message)
    }
  }
}
