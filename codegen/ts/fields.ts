/**
 * Per-wire-kind code templates for the TypeScript codec: how one field is written and read.
 * The struct and message emitter (codec.ts) strings these together in layout order.
 */
import type { TSchema } from 'typebox'
import type { WireAnnotations } from '../../schema/index.ts'
import { tsType } from './types.ts'

export type Wire = TSchema & WireAnnotations

/** Helper functions a field needs (enum and bitset converters), collected while emitting. */
export interface HelperNeeds {
  enums: Map<string, string | undefined>
  bitsets: Map<string, { enumName: string; members: string[]; emptyAs?: number; fnStem: string }>
}

const cap = (s: string) => s[0].toUpperCase() + s.slice(1)
const lower = (s: string) => s[0].toLowerCase() + s.slice(1)

export const enumToCode = (enumName: string) => `${lower(enumName)}ToCode`
export const enumFromCode = (enumName: string) => `${lower(enumName)}FromCode`

function bitsetStem(needs: HelperNeeds, s: Wire, owner: string): string {
  const key = JSON.stringify([s.enum, s.members, s.emptyAs])
  let entry = needs.bitsets.get(key)
  if (!entry) {
    entry = { enumName: s.enum!, members: s.members!, emptyAs: s.emptyAs, fnStem: owner }
    needs.bitsets.set(key, entry)
  }
  return entry.fnStem
}

const itemOf = (s: Wire): Wire => (s as unknown as { items: Wire }).items
const tupleItems = (s: Wire): Wire[] => (s as unknown as { items: Wire[] }).items
const mapItem = (s: Wire): Wire => Object.values((s as unknown as { patternProperties: Record<string, Wire> }).patternProperties)[0]

/** Statements that write `expr`. `id` keeps loop variable names unique. */
export function encodeField(s: Wire, expr: string, id: string, needs: HelperNeeds, owner: string): string[] {
  switch (s.wire) {
    case 'u8': case 'u16': case 'u32': case 'u64': case 'f64': case 'str':
      return [`w.${s.wire}(${expr})`]
    case 'bool8':
      return [`w.u8(${expr} ? 1 : 0)`]
    case 'value':
      return [`encodeValue(w, ${expr}, depth)`]
    case 'enum8':
      needs.enums.set(s.enum!, needs.enums.get(s.enum!) ?? s.unknownAs)
      return [`w.u8(${enumToCode(s.enum!)}(${expr}))`]
    case 'bitset8':
      return [`w.u8(encode${bitsetStem(needs, s, owner)}Bits(${expr}))`]
    case 'ttl32':
      return [`w.u32(ttlToWord(${expr}))`]
    case 'list':
      return [
        `w.count(${expr}.length)`,
        `for (const x_${id} of ${expr}) {`,
        ...encodeField(itemOf(s), `x_${id}`, `${id}_i`, needs, owner).map((l) => `  ${l}`),
        '}',
      ]
    case 'map':
      return [
        `const keys_${id} = Object.keys(${expr})`,
        `w.count(keys_${id}.length)`,
        `for (const k_${id} of keys_${id}) {`,
        `  w.str(k_${id})`,
        ...encodeField(mapItem(s), `${expr}[k_${id}]`, `${id}_v`, needs, owner).map((l) => `  ${l}`),
        '}',
      ]
    case 'tuple':
      return tupleItems(s).flatMap((item, i) => encodeField(item, `${expr}[${i}]`, `${id}_${i}`, needs, owner))
    case 'struct':
      return [`encode${s.struct}(w, ${expr}, depth)`]
    case 'messages':
      return [`w.count(${expr}.length)`, ...encodeMessageItems(expr, id)]
    default:
      throw new Error(`cannot encode wire kind ${String(s.wire)}`)
  }
}

/** Each BUNDLE item: a u16 length, then the message payload. */
export function encodeMessageItems(expr: string, id: string): string[] {
  return [
    `for (const x_${id} of ${expr}) {`,
    `  const at_${id} = w.reserveU16()`,
    `  encodePayload(w, x_${id}, depth + 1)`,
    `  w.patchU16(at_${id}, w.pos - at_${id} - 2)`,
    '}',
  ]
}

/** Statements that read the field into a new `const target`. */
export function decodeField(s: Wire, target: string, needs: HelperNeeds, owner: string): string[] {
  switch (s.wire) {
    case 'u8': case 'u16': case 'u32': case 'u64': case 'f64': case 'str':
      return [`const ${target} = r.${s.wire}()`]
    case 'bool8':
      return [`const ${target} = r.u8() !== 0`]
    case 'value':
      return [`const ${target} = decodeValue(r, depth)`]
    case 'enum8':
      needs.enums.set(s.enum!, needs.enums.get(s.enum!) ?? s.unknownAs)
      return [`const ${target} = ${enumFromCode(s.enum!)}(r.u8())`]
    case 'bitset8':
      return [`const ${target} = decode${bitsetStem(needs, s, owner)}Bits(r.u8())`]
    case 'ttl32':
      return [`const ${target} = ttlFromWord(r.u32())`]
    case 'list': {
      const item = itemOf(s)
      return [
        `const ${target}: ${tsType(item)}[] = []`,
        `for (let n_${target} = r.u16(); n_${target} > 0; n_${target}--) {`,
        ...decodeField(item, `${target}_i`, needs, owner).map((l) => `  ${l}`),
        `  ${target}.push(${target}_i)`,
        '}',
      ]
    }
    case 'map': {
      const item = mapItem(s)
      return [
        `const ${target}: Record<string, ${tsType(item)}> = Object.create(null)`,
        `for (let n_${target} = r.u16(); n_${target} > 0; n_${target}--) {`,
        `  const k_${target} = r.str()`,
        ...decodeField(item, `${target}_v`, needs, owner).map((l) => `  ${l}`),
        `  ${target}[k_${target}] = ${target}_v`,
        '}',
      ]
    }
    case 'tuple': {
      const items = tupleItems(s)
      return [
        ...items.flatMap((item, i) => decodeField(item, `${target}_${i}`, needs, owner)),
        `const ${target}: ${tsType(s)} = [${items.map((_, i) => `${target}_${i}`).join(', ')}]`,
      ]
    }
    case 'struct':
      return [`const ${target} = decode${s.struct}(r, depth)`]
    case 'messages':
      return [`const ${target} = decodeMessageItems(r, r.u16(), depth)`]
    default:
      throw new Error(`cannot decode wire kind ${String(s.wire)}`)
  }
}

/** Fixed byte width of a kind that may be read as a trailing field. */
export function fixedWidth(s: Wire): number {
  const widths: Record<string, number> = { u8: 1, u16: 2, u32: 4, u64: 8, f64: 8, bool8: 1, ttl32: 4 }
  const w = widths[s.wire]
  if (w === undefined) throw new Error(`trailing field of kind ${s.wire} has no fixed width`)
  return w
}

export { cap }
