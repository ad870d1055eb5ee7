/**
 * The schema hash and the stamp at the top of every generated file (protobuf-es style: no
 * timestamps, so regenerating an unchanged schema gives identical bytes).
 */
import { createHash } from 'node:crypto'
import type { SchemaModel } from './model.ts'

export const GENERATOR_NAME = 'codegen'
export const GENERATOR_VERSION = '1.0.0'

/** SHA-256 over the canonical JSON of everything the emitters read; first 16 hex digits. */
export function schemaHash(model: SchemaModel): string {
  const canonical = JSON.stringify(model, (_key, v) => (v instanceof Map ? Object.fromEntries(v) : v))
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16)
}

/** The first line of a generated file, in the comment syntax of its language. */
export function stampLine(hash: string, lang: 'ts' | 'c'): string {
  const text = `generated from schema ${hash} by ${GENERATOR_NAME} ${GENERATOR_VERSION} — do not edit`
  return lang === 'ts' ? `// ${text}` : `/* ${text} */`
}
