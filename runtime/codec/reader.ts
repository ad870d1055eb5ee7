/**
 * A bounds-checked cursor over received bytes. Every read checks the remaining length first and
 * throws `ClaspDecodeError('TRUNCATED')`, so a short or lying frame can never read past its end
 * (the reference panics here; see wire-protocol.md §0.3-4).
 */
import { ClaspDecodeError } from './errors.ts'
import { decodeUtf8 } from './utf8.ts'

/**
 * Multi-byte numbers are copied into this scratch space and read from it: cheaper than creating
 * a DataView over every received buffer, which costs more than decoding a small SET.
 */
const scratch = new Uint8Array(8)
const scratchView = new DataView(scratch.buffer)

export class WireReader {
  readonly buf: Uint8Array
  pos: number
  end: number

  constructor(buf: Uint8Array, start = 0, end = buf.length) {
    this.buf = buf
    this.pos = start
    this.end = end
  }

  /** Copy `n` bytes at the cursor into the scratch space and advance. */
  private take(n: number, what: string): DataView {
    this.need(n, what)
    const b = this.buf
    const p = this.pos
    for (let i = 0; i < n; i++) scratch[i] = b[p + i]
    this.pos = p + n
    return scratchView
  }

  /** Bytes left before the end of this reader's window. */
  remaining(): number {
    return this.end - this.pos
  }

  private need(n: number, what: string): void {
    if (this.end - this.pos < n) {
      throw new ClaspDecodeError('TRUNCATED', `${what} needs ${n} bytes at offset ${this.pos}, ${this.end - this.pos} left`)
    }
  }

  u8(): number {
    if (this.pos >= this.end) this.need(1, 'u8')
    return this.buf[this.pos++]
  }

  u16(): number {
    this.need(2, 'u16')
    const p = this.pos
    this.pos = p + 2
    return (this.buf[p] << 8) | this.buf[p + 1]
  }

  u32(): number {
    this.need(4, 'u32')
    const b = this.buf
    const p = this.pos
    this.pos = p + 4
    return ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0
  }

  u64(): bigint {
    return this.take(8, 'u64').getBigUint64(0)
  }

  i8(): number {
    return (this.u8() << 24) >> 24
  }

  i16(): number {
    return (this.u16() << 16) >> 16
  }

  i32(): number {
    return this.u32() | 0
  }

  i64(): bigint {
    return this.take(8, 'i64').getBigInt64(0)
  }

  f32(): number {
    return this.take(4, 'f32').getFloat32(0)
  }

  f64(): number {
    return this.take(8, 'f64').getFloat64(0)
  }

  /** u16 length + strict UTF-8. */
  str(): string {
    const len = this.u16()
    this.need(len, 'string')
    const start = this.pos
    const s = decodeUtf8(this.buf, start, start + len)
    if (s === undefined) throw new ClaspDecodeError('INVALID_UTF8', `invalid UTF-8 in string at offset ${start}`)
    this.pos = start + len
    return s
  }

  /** u16 length + raw bytes, copied so that the result outlives the receive buffer. */
  bytes(): Uint8Array {
    const len = this.u16()
    this.need(len, 'bytes')
    const out = this.buf.slice(this.pos, this.pos + len)
    this.pos += len
    return out
  }

  /** A reader over the next `len` bytes (a BUNDLE item); this reader moves past them. */
  sub(len: number): WireReader {
    this.need(len, 'bundle item')
    const r = new WireReader(this.buf, this.pos, this.pos + len)
    this.pos += len
    return r
  }
}
