/**
 * Naming and small text helpers shared by the C emitter files. Every C identifier the header
 * exposes is derived here from schema names, so a renamed schema field renames its C member.
 */
import type { TSchema } from 'typebox'
import type { WireAnnotations } from '../../schema/index.ts'
import { type FieldModel, type SchemaModel, type StructModel, snake } from '../model.ts'

export type Wire = TSchema & WireAnnotations

/** C and C++ keywords a schema field name could collide with (`default`, `namespace`, ...). */
const reserved = new Set([
  'auto', 'bool', 'break', 'case', 'char', 'class', 'const', 'continue', 'default', 'delete', 'do', 'double', 'else',
  'enum', 'explicit', 'export', 'extern', 'false', 'float', 'for', 'friend', 'goto', 'if', 'inline', 'int', 'long',
  'mutable', 'namespace', 'new', 'operator', 'private', 'protected', 'public', 'register', 'restrict', 'return',
  'short', 'signed', 'sizeof', 'static', 'struct', 'switch', 'template', 'this', 'throw', 'true', 'try', 'typedef',
  'typename', 'union', 'unsigned', 'using', 'virtual', 'void', 'volatile', 'while',
])

/** `maxRate` → `max_rate`, `ParamValue` → `param_value`, `default` → `default_`. */
export function cIdent(name: string): string {
  const s = snake(name[0].toLowerCase() + name.slice(1))
  return reserved.has(s) ? `${s}_` : s
}

/** `max_rate` → `MAX_RATE`; reserved-word suffixes are dropped for macros. */
export const macroIdent = (name: string): string => cIdent(name).replace(/_$/, '').toUpperCase()

/** Lower-case C stem of a message or struct: `SET` → `set`, `FEDERATION_SYNC` → `federation_sync`, `ParamValue` → `param_value`. */
export function stemOf(st: StructModel): string {
  return 'wireName' in st ? (st as { wireName: string }).wireName.toLowerCase() : cIdent(st.name)
}

/** The C typedef of a message or struct view. */
export const typeOf = (st: StructModel): string => `clasp_${stemOf(st)}_t`

export const hex2 = (n: number): string => `0x${n.toString(16).padStart(2, '0').toUpperCase()}`

/** Macro name of a schema limit: `ADDRESS_BYTES` → `CLASP_MAX_ADDRESS_BYTES`. */
export const limitMacro = (name: string): string => `CLASP_MAX_${name}`

/** C macro prefixes of the schema enums; others get their upper snake name. */
const enumPrefixes: Record<string, string> = {
  QoS: 'QOS', TypeMaskBit: 'TYPE', FeatureBit: 'FEATURE', ErrorCode: 'ERRCODE', FrameFlag: 'FRAME',
}
export const enumPrefix = (enumName: string): string => `CLASP_${enumPrefixes[enumName] ?? macroIdent(enumName)}`

/** Enum member macro: `SignalType.param` → `CLASP_SIGNAL_TYPE_PARAM`. */
export const enumMember = (enumName: string, member: string): string => `${enumPrefix(enumName)}_${macroIdent(member)}`

/** Message code macro: `CLASP_MSG_SET`. */
export const msgMacro = (wireName: string): string => `CLASP_MSG_${wireName}`

/** Value type code macro from the value-type table name: `f64` → `CLASP_VALUE_F64`. */
export const valueMacro = (name: string): string => `CLASP_VALUE_${name.toUpperCase()}`

/** Items of a list, entries of a map, members of a tuple (TypeBox shapes). */
export const itemOf = (s: Wire): Wire => (s as unknown as { items: Wire }).items
export const tupleItems = (s: Wire): Wire[] => (s as unknown as { items: Wire[] }).items
export const mapItem = (s: Wire): Wire => Object.values((s as unknown as { patternProperties: Record<string, Wire> }).patternProperties)[0]

export function fieldOf(st: StructModel, name: string): FieldModel {
  const f = st.fields.find((x) => x.name === name)
  if (!f) throw new Error(`${st.name}: no field ${name}`)
  return f
}

/** Fixed byte width of scalar kinds (also the test for "read iff enough bytes remain"). */
export const fixedWidths: Record<string, number> = { u8: 1, u16: 2, u32: 4, u64: 8, f64: 8, bool8: 1, enum8: 1, bitset8: 1, ttl32: 4 }

/** Struct definition by name. */
export function structByName(model: SchemaModel, name: string): StructModel {
  const s = model.structs.find((x) => x.name === name)
  if (!s) throw new Error(`unknown struct ${name}`)
  return s
}

/** Does a field kind (recursively) contain something iterated through a clasp_list_t? */
export const isListKind = (s: Wire): boolean => s.wire === 'list' || s.wire === 'map' || s.wire === 'messages'

/** Indent every line of a block. */
export const indent = (lines: string[], by = '  '): string[] => lines.map((l) => (l === '' ? l : by + l))

/** A C block comment; a comment terminator inside the text is defused. */
export function comment(text: string, pad = ''): string {
  const clean = text.replace(/\*\//g, '* /')
  return `${pad}/* ${clean} */`
}
