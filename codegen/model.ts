/**
 * Reads the TypeBox schema into a small model that the emitters walk. The model keeps the
 * schema's annotations as they are; it only resolves names (struct references, which fields are
 * optional, which flag bit governs which field) so that each emitter does not repeat that work.
 */
import type { TSchema } from 'typebox'
import * as S from '../schema/index.ts'
import type { EnumDef, FlagBit, LayoutItem, Limit, MessageAnnotations, ValueTypeDef, WireAnnotations } from '../schema/index.ts'

/** A field of a message or struct, with its wire annotations. */
export interface FieldModel {
  name: string
  optional: boolean
  schema: TSchema & WireAnnotations
  doc?: string
}

/** How an optional field's presence is known on the wire. */
export type Presence =
  | { by: 'required' }
  | { by: 'bit'; flagsIndex: number; mask: number }
  | { by: 'indicator' }
  | { by: 'trailing' }
  | { by: 'emptyString' }
  | { by: 'zeroFlags' }

export interface StructModel {
  /** Struct name, also the TypeScript type name. */
  name: string
  fields: FieldModel[]
  layout: LayoutItem[]
  /** For each field, how its presence is encoded. */
  presence: Map<string, Presence>
  /** When absent, the leading flags byte is written as 0 (and 0 decodes as absent). */
  zeroFlagsIsAbsent: boolean
  doc?: string
}

export interface MessageModel extends StructModel {
  /** Upper-case wire name, e.g. `SET`. */
  wireName: string
  /** PascalCase stem, e.g. `Set`, `FederationSync`. */
  stem: string
  /** TypeScript interface name, e.g. `SetMessage`. */
  typeName: string
  code: number
  defaultQos: MessageAnnotations['defaultQos']
  direction: MessageAnnotations['direction']
  c: MessageAnnotations['c']
}

export interface SchemaModel {
  messages: MessageModel[]
  structs: StructModel[]
  enums: EnumDef[]
  valueTypes: ValueTypeDef[]
  limits: Limit[]
  frame: typeof S.Frame
  transports: typeof S.Transports
  maxNestingDepth: number
  schemaVersion: number
}

/** `FEDERATION_SYNC` → `FederationSync`. */
export const pascalFromWireName = (name: string): string =>
  name.toLowerCase().split('_').map((p) => p[0].toUpperCase() + p.slice(1)).join('')

/** `FederationSync` → `federationSync`. */
export const camel = (pascal: string): string => pascal[0].toLowerCase() + pascal.slice(1)

/** `maxRate` → `max_rate`. */
export const snake = (name: string): string => name.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase())

function fieldsOf(schema: TSchema): FieldModel[] {
  const obj = schema as unknown as { properties: Record<string, TSchema>; required?: string[] }
  const required = new Set(obj.required ?? [])
  return Object.entries(obj.properties)
    .filter(([name]) => name !== 'type')
    .map(([name, s]) => ({
      name,
      optional: !required.has(name),
      schema: s as TSchema & WireAnnotations,
      doc: (s as { description?: string }).description,
    }))
}

function presenceOf(fields: FieldModel[], layout: LayoutItem[], zeroFlagsIsAbsent: boolean, owner: string): Map<string, Presence> {
  const presence = new Map<string, Presence>()
  let flagsIndex = 0
  for (const item of layout) {
    if ('flags' in item) {
      for (const bit of item.flags as FlagBit[]) if ('presence' in bit) presence.set(bit.presence, { by: 'bit', flagsIndex, mask: bit.mask })
      flagsIndex++
    } else if ('indicator' in item) {
      for (const c of item.indicator) presence.set(c.field, { by: 'indicator' })
    } else if ('trailing' in item) {
      presence.set(item.trailing, { by: 'trailing' })
    }
  }
  for (const f of fields) {
    if (presence.has(f.name)) continue
    if (!f.optional) presence.set(f.name, { by: 'required' })
    else if (f.schema.wire === 'str' && f.schema.emptyIsAbsent) presence.set(f.name, { by: 'emptyString' })
    else if (f.schema.wire === 'struct' && f.schema.zeroFlagsIsAbsent) presence.set(f.name, { by: 'zeroFlags' })
    else if (isFlagStored(layout, f.name)) presence.set(f.name, { by: 'required' })
    else throw new Error(`${owner}.${f.name} is optional but nothing on the wire says whether it is present`)
  }
  void zeroFlagsIsAbsent
  return presence
}

/** Booleans and enums kept in flag bits are always on the wire, even when optional in TypeScript. */
function isFlagStored(layout: LayoutItem[], field: string): boolean {
  return layout.some((item) => 'flags' in item && item.flags.some((b) => ('boolean' in b && b.boolean === field) || ('enumField' in b && b.enumField === field)))
}

function checkLayout(owner: string, fields: FieldModel[], layout: LayoutItem[]): void {
  const names = new Set(fields.map((f) => f.name))
  const placed = new Set<string>()
  const mention = (n: string) => {
    if (!names.has(n)) throw new Error(`${owner}: layout names unknown field ${n}`)
    placed.add(n)
  }
  for (const item of layout) {
    if ('field' in item) mention(item.field)
    else if ('valueData' in item) mention(item.valueData)
    else if ('trailing' in item) mention(item.trailing)
    else if ('itemsOf' in item) mention(item.itemsOf)
    else if ('indicator' in item) item.indicator.forEach((c) => mention(c.field))
    else if ('flags' in item) item.flags.forEach((b) => ('boolean' in b ? mention(b.boolean) : 'enumField' in b ? mention(b.enumField) : undefined))
  }
  for (const n of names) if (!placed.has(n)) throw new Error(`${owner}: field ${n} is not in the layout`)
}

function structModel(schema: TSchema, name: string): StructModel {
  const s = schema as unknown as { layout: LayoutItem[]; zeroFlagsIsAbsent?: boolean; description?: string }
  const fields = fieldsOf(schema)
  checkLayout(name, fields, s.layout)
  const zero = s.zeroFlagsIsAbsent === true
  return { name, fields, layout: s.layout, presence: presenceOf(fields, s.layout, zero, name), zeroFlagsIsAbsent: zero, doc: s.description }
}

/** Build the model from the schema module. */
export function buildModel(schema: typeof S = S): SchemaModel {
  const structs = schema.structs.map((st) => structModel(st, (st as unknown as { struct: string }).struct))
  const messages = schema.messagesByCode.map((m) => {
    const a = m as unknown as MessageAnnotations
    const stem = pascalFromWireName(a.name)
    const base = structModel(m, `${stem}Message`)
    return {
      ...base, doc: a.doc, wireName: a.name, stem, typeName: `${stem}Message`, code: a.code,
      defaultQos: a.defaultQos, direction: a.direction, c: a.c,
    }
  })
  return {
    messages,
    structs,
    enums: schema.enums,
    valueTypes: schema.valueTypes,
    limits: schema.allLimits,
    frame: schema.Frame,
    transports: schema.Transports,
    maxNestingDepth: schema.MAX_NESTING_DEPTH,
    schemaVersion: schema.SCHEMA_VERSION,
  }
}

/** Look up an enum definition by name. */
export function enumByName(model: SchemaModel, name: string): EnumDef {
  const e = model.enums.find((x) => x.name === name)
  if (!e) throw new Error(`unknown enum ${name}`)
  return e
}
