/**
 * Typed access to the golden vectors copied into test/fixtures (never read from ../shared: the
 * project must build and test without it).
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export interface Vector {
  name: string
  category: string
  provenance: string
  hex: string
  message: unknown
  encode_options?: { qos?: number; timestamp?: { $bigint: string } }
  js_decoded_frame?: { flags: { qos: number }; timestamp?: { $bigint: string } }
  rust?: {
    status: 'rust_same' | 'rust_same_modulo_map_order' | 'rust_differs'
    decode: string
    decoded: string
    reencoded_hex: string
    explanation?: string[]
    equivalent_rust_hex?: string
  }
  rust_message?: string
  rust_redecoded?: string
  rust_decode?: {
    status: 'ok' | 'error' | 'panic'
    decoded?: string
    detail?: string
    frame_flags?: { qos: number; has_timestamp: boolean; encrypted: boolean; compressed: boolean; version: number }
  }
  note?: string
}

const path = fileURLToPath(new URL('../fixtures/vectors.json', import.meta.url))

export function loadVectors(): Vector[] {
  return JSON.parse(readFileSync(path, 'utf8')) as Vector[]
}

/** Whether the reference (Rust) accepts the frame. */
export function rustAccepts(v: Vector): boolean {
  if (v.rust) return v.rust.decode === 'ok'
  if (v.rust_decode) return v.rust_decode.status === 'ok'
  return true // rust_native: produced by the Rust encoder
}
