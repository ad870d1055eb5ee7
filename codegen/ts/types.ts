/**
 * Emits `generated/types.ts`: the TypeScript message model (one interface per message and
 * struct, the `Message` union), the enum name unions and their wire codes, and the limits.
 */
import { type SourceFile, VariableDeclarationKind } from 'ts-morph'
import type { TSchema } from 'typebox'
import type { WireAnnotations } from '../../schema/index.ts'
import type { FieldModel, SchemaModel, StructModel } from '../model.ts'

/** TypeScript name of the member-name union of each enum used by fields. */
export const enumTypeName: Record<string, string> = {
  SignalType: 'SignalType',
  GesturePhase: 'GesturePhase',
  TypeMaskBit: 'SignalType',
  FeatureBit: 'Feature',
  FederationOp: 'FederationOp',
}

/** The TypeScript type of a wire field. */
export function tsType(s: TSchema & WireAnnotations): string {
  const any = s as unknown as { items?: TSchema | TSchema[]; patternProperties?: Record<string, TSchema> }
  switch (s.wire) {
    case 'u8': case 'u16': case 'u32': case 'f64': return 'number'
    case 'u64': return 'bigint'
    case 'bool8': return 'boolean'
    case 'str': return 'string'
    case 'value': return 'ClaspValue'
    case 'enum8': return enumTypeName[s.enum!]
    case 'bitset8': return `${enumTypeName[s.enum!]}[]`
    case 'ttl32': return 'Ttl'
    case 'list': return `${tsType(any.items as TSchema & WireAnnotations)}[]`
    case 'map': return `Record<string, ${tsType(Object.values(any.patternProperties!)[0] as TSchema & WireAnnotations)}>`
    case 'tuple': return `[${(any.items as (TSchema & WireAnnotations)[]).map(tsType).join(', ')}]`
    case 'struct': return s.struct!
    case 'messages': return 'Message[]'
    case 'bit': return 'boolean'
    default:
      throw new Error(`no TypeScript type for wire kind ${String(s.wire)}`)
  }
}

/** Bit masks read best in hex, codes (error numbers, ops) in decimal. */
const codeText = (enumName: string, v: number) => (/Bit$|Flag$/.test(enumName) ? `0x${v.toString(16).padStart(2, '0')}` : String(v))

function fieldDocs(f: FieldModel): string[] {
  const parts: string[] = []
  if (f.doc) parts.push(/[.!?]$/.test(f.doc) ? f.doc : `${f.doc}.`)
  const w = f.schema
  const width = w.wire === 'u8' || w.wire === 'u16' || w.wire === 'u32' || w.wire === 'u64' || w.wire === 'f64' ? w.wire : undefined
  if (width) parts.push(`Wire: ${width}.`)
  if (w.maxBytes) parts.push(`C limit: CLASP_MAX_${w.maxBytesLimit} (${w.maxBytes}) bytes.`)
  if (w.maxItems) parts.push(`C limit: CLASP_MAX_${w.maxItemsLimit} (${w.maxItems}) items.`)
  return parts.length ? [parts.join(' ')] : []
}

function addStructInterface(file: SourceFile, st: StructModel, typeLiteral?: string): void {
  file.addInterface({
    name: st.name,
    isExported: true,
    docs: st.doc ? [st.doc] : [],
    properties: [
      ...(typeLiteral ? [{ name: 'type', type: `'${typeLiteral}'` }] : []),
      ...st.fields.map((f) => ({ name: f.name, type: tsType(f.schema), hasQuestionToken: f.optional, docs: fieldDocs(f) })),
    ],
  })
}

export function emitTypes(file: SourceFile, model: SchemaModel, hash: string): void {
  file.addVariableStatement({
    isExported: true, declarationKind: VariableDeclarationKind.Const,
    docs: ['Hash of the schema this file was generated from.'],
    declarations: [{ name: 'SCHEMA_HASH', initializer: `'${hash}'` }],
  })
  file.addVariableStatement({
    isExported: true, declarationKind: VariableDeclarationKind.Const,
    declarations: [{ name: 'SCHEMA_VERSION', initializer: String(model.schemaVersion) }],
  })

  file.addTypeAlias({
    name: 'ClaspValue', isExported: true,
    docs: ['A CLASP value. `bigint` is an integer (i64 on the wire), `number` a float (f64). Maps decode to null-prototype objects; a `Map` is accepted on encode.'],
    type: 'null | boolean | bigint | number | string | Uint8Array | ClaspValue[] | { [key: string]: ClaspValue } | ReadonlyMap<string, ClaspValue>',
  })
  file.addTypeAlias({
    name: 'Ttl', isExported: true,
    docs: ['Time to live of a param. `never` is the u32 word 0; seconds are masked to 31 bits.'],
    type: "{ mode: 'never' | 'sliding' | 'absolute'; seconds: number }",
  })

  const unions = new Set<string>()
  for (const e of model.enums) {
    const union = enumTypeName[e.name]
    if (union && !unions.has(union)) {
      unions.add(union)
      file.addTypeAlias({ name: union, isExported: true, docs: [e.doc], type: Object.keys(e.members).map((m) => `'${m}'`).join(' | ') })
    }
    file.addVariableStatement({
      isExported: true, declarationKind: VariableDeclarationKind.Const, docs: [`${e.doc} Wire codes.`],
      declarations: [{ name: e.name, initializer: `{ ${Object.entries(e.members).map(([k, v]) => `${k}: ${codeText(e.name, v)}`).join(', ')} } as const` }],
    })
  }

  file.addVariableStatement({
    isExported: true, declarationKind: VariableDeclarationKind.Const,
    docs: ['Message type codes (payload byte 0).'],
    declarations: [{ name: 'MessageCode', initializer: `{ ${model.messages.map((m) => `${m.wireName}: 0x${m.code.toString(16).padStart(2, '0')}`).join(', ')} } as const` }],
  })
  file.addVariableStatement({
    isExported: true, declarationKind: VariableDeclarationKind.Const,
    docs: ['Size bounds of the C header (the TypeScript codec is bounded only by the wire).'],
    declarations: [{ name: 'CLimits', initializer: `{ ${model.limits.map((l) => `${l.name}: ${l.max}`).join(', ')} } as const` }],
  })
  file.addVariableStatement({
    isExported: true, declarationKind: VariableDeclarationKind.Const,
    declarations: [{ name: 'MAX_NESTING_DEPTH', initializer: String(model.maxNestingDepth) }],
  })

  for (const st of model.structs) addStructInterface(file, st)
  for (const m of model.messages) addStructInterface(file, m, m.wireName)

  file.addTypeAlias({ name: 'Message', isExported: true, docs: ['Any CLASP message.'], type: model.messages.map((m) => m.typeName).join(' | ') })
  file.addTypeAlias({ name: 'MessageType', isExported: true, type: "Message['type']" })
  file.addTypeAlias({ name: 'MessageOf', isExported: true, typeParameters: ['K extends MessageType'], type: 'Extract<Message, { type: K }>' })

  file.addInterface({
    name: 'FrameOptions', isExported: true, docs: ['Frame header options for encoding. Defaults: the Rust default QoS, no timestamp, version 1.'],
    properties: [
      { name: 'qos', type: 'number', hasQuestionToken: true, docs: ['0 fire, 1 confirm, 2 commit.'] },
      { name: 'timestamp', type: 'bigint', hasQuestionToken: true, docs: ['Header timestamp, µs.'] },
      { name: 'encrypted', type: 'boolean', hasQuestionToken: true },
      { name: 'compressed', type: 'boolean', hasQuestionToken: true },
      { name: 'version', type: 'number', hasQuestionToken: true, docs: ['Encoding version bits; 1 = binary.'] },
    ],
  })
  file.addInterface({
    name: 'DecodedFrame', isExported: true, docs: ['A decoded frame: the message and its header.'],
    properties: [
      { name: 'message', type: 'Message' },
      { name: 'qos', type: 'number', docs: ['0 fire, 1 confirm, 2 commit; the reserved 3 reads as fire, as in Rust.'] },
      { name: 'timestamp', type: 'bigint | undefined' },
      { name: 'encrypted', type: 'boolean' },
      { name: 'compressed', type: 'boolean' },
      { name: 'version', type: 'number' },
      { name: 'length', type: 'number', docs: ['Bytes of the frame consumed; bytes after it are not part of it.'] },
    ],
  })
}
