/**
 * What the C header should answer for a frame, worked out with the TS codec: the logical content
 * of a frame as bytes (TS decode then encode), the message types inside it, whether the header
 * was generated without one of them (then the answer is "unsupported", not a verdict), the error
 * the TS decoder gives, and the re-encoding the reference (Rust) made of a golden vector.
 */
import type { SchemaModel } from '../../codegen/model.ts'
import { decode, encode } from '../../generated/codec.ts'
import type { Message } from '../../generated/types.ts'
import { fromHex, toHex } from '../support/c-build.ts'
import type { Vector } from '../support/vectors.ts'

/** TS decode → TS encode with the same header: a byte form of the logical content. */
export function canonical(bytes: Uint8Array): string | undefined {
  try {
    const d = decode(bytes)
    return toHex(encode(d.message, { qos: d.qos, timestamp: d.timestamp, encrypted: d.encrypted, compressed: d.compressed, version: d.version }))
  } catch {
    return undefined
  }
}

/** Message types of a frame in pre-order (bundles opened), as the TS codec reads them. */
export function typesOf(m: Message): string[] {
  return m.type === 'BUNDLE' ? ['BUNDLE', ...m.messages.flatMap(typesOf)] : [m.type]
}

/** Maps decode to null-prototype objects; two or more entries have no canonical byte order. */
export function hasMultiEntryMap(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(hasMultiEntryMap)
  if (v instanceof Uint8Array || v === null || typeof v !== 'object') return false
  const vals = Object.values(v as object)
  return (Object.getPrototypeOf(v) === null && vals.length > 1) || vals.some(hasMultiEntryMap)
}

/** The TS decoder's error code for a frame, or undefined if it decodes: the C decoder must agree. */
export function tsDecodeError(bytes: Uint8Array): string | undefined {
  try {
    decode(bytes)
    return undefined
  } catch (e) {
    return (e as { code: string }).code
  }
}

/** How the reference treats a golden vector: its rust.status, or rust_native (made by the Rust encoder). */
export function rustStatus(v: Vector): string | undefined {
  return v.category === 'rust_native' ? 'rust_native' : v.rust?.status
}

/**
 * The bytes (hex) the reference re-encodes a golden vector to, where the C encoder must match them
 * exactly: the frame itself (rust_same, rust_native) or rust.reencoded_hex (rust_differs). Undefined
 * where no byte-exact answer exists: maps of two or more entries have no canonical order.
 */
export function referenceReencoding(v: Vector): string | undefined {
  const status = rustStatus(v)
  if (status === 'rust_same' || status === 'rust_native') return v.hex
  if (status === 'rust_differs' && !hasMultiEntryMap(decode(fromHex(v.hex)).message)) return v.rust!.reencoded_hex
  return undefined
}

/** Payload byte 0 of a frame, if the header is readable. */
export function payloadCode(bytes: Uint8Array): number | undefined {
  if (bytes.length < 4 || bytes[0] !== 0x53) return undefined
  const at = bytes[1] & 0x20 ? 12 : 4
  return bytes.length > at && ((bytes[2] << 8) | bytes[3]) > 0 ? bytes[at] : undefined
}

export class Oracle {
  private readonly cDecodes: Set<string>
  private readonly codeName: Map<number, string>

  constructor(model: SchemaModel) {
    this.cDecodes = new Set(model.messages.filter((m) => m.c.decode).map((m) => m.wireName))
    this.codeName = new Map(model.messages.map((m) => [m.code, m.wireName]))
  }

  /**
   * `unsupported` names the first message type (pre-order) the C header cannot decode, found
   * before anything else makes the frame invalid. This is what the C decoder reports: it cannot
   * judge the bytes of a message type it was generated without, even a truncated one.
   */
  expectation(bytes: Uint8Array): { unsupported?: string } {
    try {
      const bad = typesOf(decode(bytes).message).find((t) => !this.cDecodes.has(t))
      return bad ? { unsupported: bad } : {}
    } catch {
      const code = payloadCode(bytes)
      if (code === undefined) return {}
      const at = bytes[1] & 0x20 ? 12 : 4
      const payload = bytes.subarray(at, at + ((bytes[2] << 8) | bytes[3]))
      const r = this.walk(payload)
      return r === 'ok' || r === 'err' ? {} : { unsupported: r }
    }
  }

  /** Walk a payload like the C decoder: bundles item by item, other messages by the TS codec. */
  private walk(p: Uint8Array): 'ok' | 'err' | string {
    const name = this.codeName.get(p[0])
    if (name === undefined) return 'err'
    if (!this.cDecodes.has(name)) return name
    if (name !== 'BUNDLE') {
      try {
        decode(new Uint8Array([0x53, 0x01, p.length >> 8, p.length & 0xff, ...p]))
        return 'ok'
      } catch {
        return 'err'
      }
    }
    if (p.length < 4) return 'err'
    let at = p[1] & 0x80 ? 12 : 4
    if (p.length < at) return 'err'
    for (let n = (p[2] << 8) | p[3]; n > 0; n--) {
      if (p.length < at + 2) return 'err'
      const len = (p[at] << 8) | p[at + 1]
      if (p.length < at + 2 + len) return 'err'
      const r = len === 0 ? 'err' : this.walk(p.subarray(at + 2, at + 2 + len))
      if (r !== 'ok') return r
      at += 2 + len
    }
    return 'ok'
  }
}
