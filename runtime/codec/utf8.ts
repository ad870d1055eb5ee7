/**
 * Strict UTF-8, as Rust's `str::from_utf8`: overlong forms, surrogates, code points above
 * U+10FFFF and truncated sequences are errors. Short strings (the common case: addresses) are
 * decoded by hand because TextDecoder's call overhead dominates below a few dozen bytes.
 */

const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
const encoder = new TextEncoder()
const HAND_DECODE_MAX = 48

/**
 * Recently decoded short strings, by a hash of their bytes. Addresses and session ids repeat in
 * almost every frame a router sees, so comparing a few bytes beats building the string again.
 * A hit is only taken after a full byte comparison.
 */
const CACHE_SIZE = 512
const CACHE_MAX_BYTES = 40
const cacheBytes: (Uint8Array | undefined)[] = new Array(CACHE_SIZE)
const cacheStrings: string[] = new Array(CACHE_SIZE)

/** Decode `buf[start, end)`; returns undefined when the bytes are not valid UTF-8. */
export function decodeUtf8(buf: Uint8Array, start: number, end: number): string | undefined {
  const len = end - start
  if (len <= CACHE_MAX_BYTES) {
    let h = len
    for (let i = start; i < end; i++) h = (Math.imul(h, 31) + buf[i]) | 0
    const slot = (h ^ (h >>> 15)) & (CACHE_SIZE - 1)
    const hit = cacheBytes[slot]
    if (hit !== undefined && hit.length === len) {
      let same = true
      for (let i = 0; i < len; i++) {
        if (hit[i] !== buf[start + i]) {
          same = false
          break
        }
      }
      if (same) return cacheStrings[slot]
    }
    const s = decodeShort(buf, start, end)
    if (s !== undefined) {
      cacheBytes[slot] = buf.slice(start, end)
      cacheStrings[slot] = s
    }
    return s
  }
  return decodeShort(buf, start, end)
}

function decodeShort(buf: Uint8Array, start: number, end: number): string | undefined {
  if (end - start > HAND_DECODE_MAX) {
    try {
      return strictDecoder.decode(buf.subarray(start, end))
    } catch {
      return undefined
    }
  }
  let out = ''
  let i = start
  while (i < end) {
    const b0 = buf[i]
    if (b0 < 0x80) {
      out += String.fromCharCode(b0)
      i++
      continue
    }
    let cp: number
    let need: number
    let min: number
    if (b0 >= 0xc2 && b0 <= 0xdf) { cp = b0 & 0x1f; need = 1; min = 0x80 }
    else if (b0 >= 0xe0 && b0 <= 0xef) { cp = b0 & 0x0f; need = 2; min = 0x800 }
    else if (b0 >= 0xf0 && b0 <= 0xf4) { cp = b0 & 0x07; need = 3; min = 0x10000 }
    else return undefined
    if (i + need >= end) return undefined
    for (let k = 1; k <= need; k++) {
      const b = buf[i + k]
      if ((b & 0xc0) !== 0x80) return undefined
      cp = (cp << 6) | (b & 0x3f)
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return undefined
    out += String.fromCodePoint(cp)
    i += need + 1
  }
  return out
}

/**
 * Write `s` as UTF-8 at `buf[at]`, with at most `room` bytes. Returns the byte count, or -1 when
 * it does not fit. Lone surrogates become U+FFFD (TextEncoder's rule); Rust strings cannot hold them.
 */
export function encodeUtf8Into(s: string, buf: Uint8Array, at: number, room: number): number {
  const n = s.length
  if (n <= room) {
    let i = 0
    for (; i < n; i++) {
      const c = s.charCodeAt(i)
      if (c >= 0x80) break
      buf[at + i] = c
    }
    if (i === n) return n
  }
  const { read, written } = encoder.encodeInto(s, buf.subarray(at, at + room))
  return read === n ? written : -1
}
