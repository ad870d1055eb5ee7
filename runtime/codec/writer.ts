/**
 * A reusable output buffer sized for the largest frame the wire allows (12-byte header +
 * 65,535-byte payload). Encoders write straight into it; nothing is allocated per field.
 * Range checks reject values that the reference npm client would silently wrap (§0.4).
 */
import { ClaspEncodeError } from './errors.ts'
import { encodeUtf8Into } from './utf8.ts'

/** 4-byte header + 8-byte timestamp + maximum payload. */
export const MAX_FRAME_BYTES = 12 + 0xffff

const U64_MAX = (1n << 64n) - 1n
const I64_MIN = -(1n << 63n)
const I64_MAX = (1n << 63n) - 1n

export class WireWriter {
  readonly buf: Uint8Array
  readonly view: DataView
  pos = 0

  constructor(capacity = MAX_FRAME_BYTES) {
    this.buf = new Uint8Array(capacity)
    this.view = new DataView(this.buf.buffer)
  }

  /** Start a new frame at offset 0. */
  reset(): void {
    this.pos = 0
  }

  private room(n: number): void {
    if (this.pos + n > this.buf.length) {
      throw new ClaspEncodeError('PAYLOAD_TOO_LARGE', `frame exceeds ${this.buf.length - 12} payload bytes`)
    }
  }

  u8(v: number): void {
    if (!(v >= 0 && v <= 0xff && Number.isInteger(v))) throw outOfRange('u8', v)
    this.room(1)
    this.buf[this.pos++] = v
  }

  u16(v: number): void {
    if (!(v >= 0 && v <= 0xffff && Number.isInteger(v))) throw outOfRange('u16', v)
    this.room(2)
    this.buf[this.pos] = v >>> 8
    this.buf[this.pos + 1] = v & 0xff
    this.pos += 2
  }

  /** A u16 item count; a count beyond 65,535 cannot fit any frame. */
  count(n: number): void {
    if (n > 0xffff) throw new ClaspEncodeError('PAYLOAD_TOO_LARGE', `${n} items exceed the u16 count`)
    this.u16(n)
  }

  u32(v: number): void {
    if (!(v >= 0 && v <= 0xffffffff && Number.isInteger(v))) throw outOfRange('u32', v)
    this.room(4)
    this.view.setUint32(this.pos, v)
    this.pos += 4
  }

  /** u64 from a bigint or a non-negative safe integer. */
  u64(v: bigint | number): void {
    this.room(8)
    if (typeof v === 'number') {
      if (!(v >= 0 && Number.isSafeInteger(v))) throw outOfRange('u64', v)
      this.view.setUint32(this.pos, Math.floor(v / 0x100000000))
      this.view.setUint32(this.pos + 4, v >>> 0)
    } else {
      if (typeof v !== 'bigint' || v < 0n || v > U64_MAX) throw outOfRange('u64', v)
      this.view.setBigUint64(this.pos, v)
    }
    this.pos += 8
  }

  i64(v: bigint): void {
    if (v < I64_MIN || v > I64_MAX) throw outOfRange('i64', v)
    this.room(8)
    this.view.setBigInt64(this.pos, v)
    this.pos += 8
  }

  f64(v: number): void {
    if (typeof v !== 'number') throw new ClaspEncodeError('INVALID_FIELD', `expected a number, got ${typeof v}`)
    this.room(8)
    this.view.setFloat64(this.pos, v)
    this.pos += 8
  }

  /** u16 byte length + UTF-8. */
  str(s: string): void {
    if (typeof s !== 'string') throw new ClaspEncodeError('INVALID_FIELD', `expected a string, got ${typeof s}`)
    this.room(2)
    const room = Math.min(0xffff, this.buf.length - this.pos - 2)
    const n = encodeUtf8Into(s, this.buf, this.pos + 2, room)
    if (n < 0) throw new ClaspEncodeError('PAYLOAD_TOO_LARGE', `string of ${s.length} characters does not fit`)
    this.buf[this.pos] = n >>> 8
    this.buf[this.pos + 1] = n & 0xff
    this.pos += 2 + n
  }

  /** u16 length + raw bytes. */
  bytes(b: Uint8Array): void {
    if (b.length > 0xffff) throw new ClaspEncodeError('PAYLOAD_TOO_LARGE', `${b.length} bytes exceed the u16 length`)
    this.u16(b.length)
    this.room(b.length)
    this.buf.set(b, this.pos)
    this.pos += b.length
  }

  /** Leave room for a u16 written later by `patchU16`; returns its offset. */
  reserveU16(): number {
    this.room(2)
    const at = this.pos
    this.pos += 2
    return at
  }

  patchU16(at: number, v: number): void {
    if (v > 0xffff) throw new ClaspEncodeError('PAYLOAD_TOO_LARGE', `${v} bytes exceed a u16 length`)
    this.buf[at] = v >>> 8
    this.buf[at + 1] = v & 0xff
  }
}

function outOfRange(kind: string, v: unknown): ClaspEncodeError {
  return new ClaspEncodeError('OUT_OF_RANGE', `${String(v)} is not a valid ${kind}`)
}
