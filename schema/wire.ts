/**
 * The wire vocabulary of the schema.
 *
 * Every field of every message is a TypeBox schema carrying a `wire` annotation that tells the
 * generator how it is laid out in bytes. Messages and nested structs carry a `layout`: the
 * ordered list of what goes on the wire, including flag bytes whose bits mark optional fields
 * present, hold booleans, or hold small enums. Nothing about byte layout is written anywhere
 * else: `codegen/` reads these annotations and emits the TypeScript codec and the C header.
 */
import { Type, type TSchema } from 'typebox'

/** Field kinds the generator knows how to encode and decode. */
export type WireKind =
  | 'u8' | 'u16' | 'u32' | 'u64' | 'f64'
  | 'bool8'      // u8, 0 = false, anything else = true
  | 'bit'        // a boolean kept in a flags byte (its `boolean` bit); no bytes of its own
  | 'str'        // u16 byte length + UTF-8
  | 'value'      // u8 type code + value data (see values.ts)
  | 'enum8'      // u8 code of a named enum
  | 'bitset8'    // u8 where each member of a named enum owns one bit (features, type masks)
  | 'ttl32'      // u32: 0 never, bit 31 absolute, bits 30-0 seconds
  | 'list'       // u16 count + items
  | 'map'        // u16 count + (str key, item) pairs
  | 'tuple'      // fixed items, no count
  | 'struct'     // a nested layout
  | 'messages'   // u16 count + (u16 length + message payload) per item (BUNDLE)

/** Annotations that every wire field carries. Stored as plain JSON on the TypeBox schema. */
export interface WireAnnotations {
  wire: WireKind
  /** Maximum UTF-8 bytes (str, map keys) that the C side accepts, and the name of its C macro. */
  maxBytes?: number
  maxBytesLimit?: string
  /** Maximum items (list, map, messages) that the C side accepts, and the name of its C macro. */
  maxItems?: number
  maxItemsLimit?: string
  /** Name of the enum in enums.ts (enum8, bitset8). */
  enum?: string
  /** bitset8: members of the enum that this field may carry (others are dropped on encode). */
  members?: string[]
  /** bitset8: the byte written for an empty set, and decoded back to an empty set. */
  emptyAs?: number
  /** enum8: code decoded for unknown codes instead of failing. Absent = unknown code is an error. */
  unknownAs?: string
  /** str: an empty string is written for an absent field and decodes as absent. */
  emptyIsAbsent?: boolean
  /** struct: name of the struct definition (its layout lives on the struct schema). */
  struct?: string
  /** struct: when absent, the struct's leading flags byte is written as 0; 0 decodes as absent. */
  zeroFlagsIsAbsent?: boolean
}

/** One bit field inside a flags byte. */
export type FlagBit =
  /** The optional field `field` is present on the wire iff the bit is set. */
  | { mask: number; presence: string }
  /** A boolean property stored in the bit. */
  | { mask: number; boolean: string }
  /** An enum property stored in `mask >> shift`; `absentCode` is written when the property is absent. */
  | { mask: number; shift: number; enumField: string; absentCode: number }
  /** The value type code of the value property `field` (SET: the value has no type byte of its own). */
  | { mask: number; shift: number; valueTypeOf: string }

/** One element of a layout, in wire order. */
export type LayoutItem =
  | { field: string }
  /** The value of `field` written without its type byte; its type lives in a flags nibble. */
  | { valueData: string }
  | { flags: FlagBit[] }
  /** A u8 saying which of several optional fields follows (first present wins on encode). */
  | { indicator: { code: number; field: string }[]; noneCode: number }
  /** A list field whose u16 count is written apart from its items. */
  | { countOf: string }
  | { itemsOf: string }
  /** An optional field with no presence bit: written iff present, read iff enough bytes remain. */
  | { trailing: string }

/** Annotations on a struct (nested layout) or a message. */
export interface LayoutAnnotations {
  layout: LayoutItem[]
}

const ann = <T extends TSchema>(schema: T, a: WireAnnotations): T => Object.assign(schema, a)

/** Unsigned integers. u64 is a bigint so that revisions and timestamps survive beyond 2^53. */
export const u8 = (o: { description?: string } = {}) => ann(Type.Integer({ minimum: 0, maximum: 0xff, ...o }), { wire: 'u8' })
export const u16 = (o: { description?: string } = {}) => ann(Type.Integer({ minimum: 0, maximum: 0xffff, ...o }), { wire: 'u16' })
export const u32 = (o: { description?: string } = {}) => ann(Type.Integer({ minimum: 0, maximum: 0xffffffff, ...o }), { wire: 'u32' })
export const u64 = (o: { description?: string } = {}) => ann(Type.BigInt(o), { wire: 'u64' })
export const f64 = (o: { description?: string } = {}) => ann(Type.Number(o), { wire: 'f64' })
export const bool8 = (o: { description?: string } = {}) => ann(Type.Boolean(o), { wire: 'bool8' })
/** A boolean stored in a flags bit (SET lock/unlock); the layout's flags item names its mask. */
export const bit = (o: { description?: string } = {}) => ann(Type.Boolean(o), { wire: 'bit' })

/**
 * A size bound that reaches C: `CLASP_MAX_<name>` (overridable with -D) and the schema maximum.
 * The TypeScript codec is bounded only by the wire (u16 lengths, 65,535-byte payloads).
 */
export interface Limit { name: string; max: number; doc: string }

/** A UTF-8 string with a u16 byte length. */
export const str = (limit: Limit, o: { emptyIsAbsent?: boolean } = {}) =>
  ann(Type.String(), { wire: 'str', maxBytes: limit.max, maxBytesLimit: limit.name, ...o })

/** A tagged CLASP value (type byte + data). */
export const value = (o: { description?: string } = {}) => ann(Type.Ref('Value', o), { wire: 'value' })

/** A u8 enum code, exposed as the member name. */
export const enum8 = (enumName: string, members: readonly string[], o: Partial<WireAnnotations> = {}) =>
  ann(Type.Union(members.map((m) => Type.Literal(m))), { wire: 'enum8', enum: enumName, ...o })

/** A set of enum members packed into one byte, exposed as an ordered list of names. */
export const bitset8 = (enumName: string, members: readonly string[], o: Partial<WireAnnotations> = {}) =>
  ann(Type.Array(Type.Union(members.map((m) => Type.Literal(m)))), {
    wire: 'bitset8', enum: enumName, members: [...members], ...o,
  })

/** A TTL: never, sliding or absolute seconds, in one u32 word. */
export const ttl32 = () =>
  ann(
    Type.Object({
      mode: Type.Union([Type.Literal('never'), Type.Literal('sliding'), Type.Literal('absolute')]),
      seconds: Type.Integer({ minimum: 0 }),
    }),
    { wire: 'ttl32' },
  )

/** A u16-counted list. */
export const list = <T extends TSchema>(item: T, limit: Limit) =>
  ann(Type.Array(item), { wire: 'list', maxItems: limit.max, maxItemsLimit: limit.name })

/** A u16-counted map from string keys to items. */
export const map = <T extends TSchema>(item: T, items: Limit, key: Limit) =>
  ann(Type.Record(Type.String(), item), {
    wire: 'map', maxItems: items.max, maxItemsLimit: items.name, maxBytes: key.max, maxBytesLimit: key.name,
  })

/** A fixed sequence of fields with no count. */
export const tuple = <T extends TSchema[]>(items: [...T]) => ann(Type.Tuple(items), { wire: 'tuple' })

/** Inline BUNDLE contents: each message's payload behind a u16 length. */
export const messages = (limit: Limit) =>
  ann(Type.Array(Type.Ref('Message')), { wire: 'messages', maxItems: limit.max, maxItemsLimit: limit.name })

/** A nested struct with its own layout. */
export function struct(name: string, properties: Record<string, TSchema>, layout: LayoutItem[], o: Partial<WireAnnotations> = {}) {
  return Object.assign(Type.Object(properties, { $id: name }), { wire: 'struct' as const, struct: name, layout, ...o })
}

/** Message definitions: a struct plus the facts the codec and the router need about it. */
export interface MessageAnnotations extends LayoutAnnotations {
  /** Upper-case name as written in the `type` discriminator (and by the npm client). */
  name: string
  /** Payload byte 0. */
  code: number
  /** Default frame QoS as the Rust reference writes it. A field name means "look it up by that enum field". */
  defaultQos: number | { byField: string; codes: Record<string, number>; absent: number }
  /** Who sends it. */
  direction: 'client' | 'router' | 'both' | 'peer'
  /** Whether the generated C header encodes/decodes it. */
  c: { encode: boolean; decode: boolean }
  doc: string
}

/** Define a message: TypeBox object with the `type` discriminator first, plus its wire facts. */
export function message(properties: Record<string, TSchema>, a: MessageAnnotations) {
  const props = { type: Type.Literal(a.name), ...properties }
  return Object.assign(Type.Object(props, { $id: a.name, description: a.doc }), { wire: 'struct' as const, ...a })
}

/** Optional property. */
export const opt = <T extends TSchema>(s: T) => Type.Optional(s)
