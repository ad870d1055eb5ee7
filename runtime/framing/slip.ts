/**
 * SLIP framing for serial and BLE links (RFC 1055, embedded.md §1): END before and after each
 * frame so a receiver can resynchronise after line noise; ESC sequences for END and ESC bytes.
 * The decoder drops frames longer than its limit and empty frames (back-to-back ENDs).
 */

export const SLIP_END = 0xc0
export const SLIP_ESC = 0xdb
export const SLIP_ESC_END = 0xdc
export const SLIP_ESC_ESC = 0xdd

export function slipEncode(frame: Uint8Array): Uint8Array {
  let extra = 0
  for (const b of frame) if (b === SLIP_END || b === SLIP_ESC) extra++
  const out = new Uint8Array(frame.length + extra + 2)
  let o = 0
  out[o++] = SLIP_END
  for (const b of frame) {
    if (b === SLIP_END) {
      out[o++] = SLIP_ESC
      out[o++] = SLIP_ESC_END
    } else if (b === SLIP_ESC) {
      out[o++] = SLIP_ESC
      out[o++] = SLIP_ESC_ESC
    } else out[o++] = b
  }
  out[o] = SLIP_END
  return out
}

export class SlipDecoder {
  private readonly buf: Uint8Array
  private len = 0
  private escaped = false
  private overflow = false
  /** Frames dropped for length or a bad escape. */
  dropped = 0

  constructor(private readonly onFrame: (frame: Uint8Array) => void, maxFrame = 65547) {
    this.buf = new Uint8Array(maxFrame)
  }

  push(chunk: Uint8Array): void {
    for (const b of chunk) {
      if (b === SLIP_END) {
        if (this.overflow || this.escaped) this.dropped++
        else if (this.len > 0) this.onFrame(this.buf.slice(0, this.len))
        this.len = 0
        this.escaped = false
        this.overflow = false
        continue
      }
      if (this.overflow) continue
      let v = b
      if (this.escaped) {
        this.escaped = false
        if (b === SLIP_ESC_END) v = SLIP_END
        else if (b === SLIP_ESC_ESC) v = SLIP_ESC
        else {
          // A protocol violation: drop the rest of this frame.
          this.overflow = true
          continue
        }
      } else if (b === SLIP_ESC) {
        this.escaped = true
        continue
      }
      if (this.len >= this.buf.length) {
        this.overflow = true
        continue
      }
      this.buf[this.len++] = v
    }
  }
}
