/**
 * A bounds-checked cursor over received bytes. Every read checks the remaining length first and
 * throws `ClaspDecodeError('TRUNCATED')`, so a short or lying frame can never read past its end
 * (the reference panics here; see wire-protocol.md §0.3-4).
 */
import { ClaspDecodeError } from './errors.ts'
import { decodeUtf8 } from './utf8.ts'

export class WireReader {
  readonly buf: Uint8Array
  readonly view: DataView
  pos: number
  readonly end: number

  constructor(buf: Uint8Array, start = 0, end = buf.length, view?: DataView) {
    this.buf = buf
    this.view = view ?? new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
    this.pos = start
    this.end = end
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
    const v = this.view.getUint32(this.pos)
    this.pos += 4
    return v
  }

  u64(): bigint {
    this.need(8, 'u64')
    const v = this.view.getBigUint64(this.pos)
    this.pos += 8
    return v
  }

  i8(): number {
    this.need(1, 'i8')
    return this.view.getInt8(this.pos++)
  }

  i16(): number {
    this.need(2, 'i16')
    const v = this.view.getInt16(this.pos)
    this.pos += 2
    return v
  }

  i32(): number {
    this.need(4, 'i32')
    const v = this.view.getInt32(this.pos)
    this.pos += 4
    return v
  }

  i64(): bigint {
    this.need(8, 'i64')
    const v = this.view.getBigInt64(this.pos)
    this.pos += 8
    return v
  }

  f32(): number {
    this.need(4, 'f32')
    const v = this.view.getFloat32(this.pos)
    this.pos += 4
    return v
  }

  f64(): number {
    this.need(8, 'f64')
    const v = this.view.getFloat64(this.pos)
    this.pos += 8
    return v
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
    const r = new WireReader(this.buf, this.pos, this.pos + len, this.view)
    this.pos += len
    return r
  }
}
