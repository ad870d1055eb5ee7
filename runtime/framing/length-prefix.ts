/**
 * TCP framing (wire-protocol.md §2): each frame behind a u32 big-endian byte count. The decoder
 * is fed arbitrary chunks and hands out whole frames; a count of 0 or above the limit is a
 * protocol violation (the Rust reader disconnects), reported once through `onError`, after which
 * the decoder ignores all further input (the stream cannot be resynchronised).
 */

export const MAX_TCP_FRAME = 65536

/** Prefix a frame with its u32 big-endian length. */
export function lengthPrefix(frame: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + frame.length)
  const n = frame.length
  out[0] = n >>> 24
  out[1] = (n >>> 16) & 0xff
  out[2] = (n >>> 8) & 0xff
  out[3] = n & 0xff
  out.set(frame, 4)
  return out
}

/**
 * Incremental decoder. Each byte is copied at most once (into the frame being assembled), so a
 * 64 KiB frame trickling in one byte per chunk costs linear, not quadratic, time; memory per
 * connection is bounded by the frame limit because a length is checked before its body is
 * buffered.
 */
export class LengthPrefixDecoder {
  private readonly header = new Uint8Array(4)
  private headerLen = 0
  /** The frame being assembled once its header is complete. */
  private body: Uint8Array | undefined
  private bodyLen = 0
  private failed = false

  constructor(
    private readonly onFrame: (frame: Uint8Array) => void,
    private readonly onError: (reason: string) => void,
    private readonly maxFrame = MAX_TCP_FRAME,
  ) {}

  /** True after a bad length was reported. */
  get broken(): boolean {
    return this.failed
  }

  push(chunk: Uint8Array): void {
    let at = 0
    while (at < chunk.length && !this.failed) {
      if (this.body === undefined) {
        const take = Math.min(4 - this.headerLen, chunk.length - at)
        this.header.set(chunk.subarray(at, at + take), this.headerLen)
        this.headerLen += take
        at += take
        if (this.headerLen < 4) return
        this.headerLen = 0
        const h = this.header
        const n = ((h[0] << 24) | (h[1] << 16) | (h[2] << 8) | h[3]) >>> 0
        if (n === 0 || n > this.maxFrame) {
          this.failed = true
          this.onError(n === 0 ? 'zero-length frame' : `frame of ${n} bytes exceeds ${this.maxFrame}`)
          return
        }
        this.body = new Uint8Array(n)
        this.bodyLen = 0
        continue
      }
      const body = this.body
      const take = Math.min(body.length - this.bodyLen, chunk.length - at)
      body.set(chunk.subarray(at, at + take), this.bodyLen)
      this.bodyLen += take
      at += take
      if (this.bodyLen === body.length) {
        // Reset before the callback so a throwing consumer cannot leave the decoder mid-frame.
        this.body = undefined
        this.onFrame(body)
      }
    }
  }
}
