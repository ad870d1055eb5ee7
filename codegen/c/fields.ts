/**
 * Per-wire-kind C templates: the C type of a field, its worst-case encoded size as a macro
 * expression, and the statements that read it from a cursor `c` or write it to a writer `w`.
 * messages.ts strings these together in layout order, like codegen/ts/fields.ts does for TS.
 *
 * Lists and maps get small per-field item helpers (read one item, write item i, iterate), so
 * the generic list code in the header never needs to know an item's type.
 */
import { type SchemaModel, enumByName } from '../model.ts'
import { type Wire, cIdent, enumMember, enumPrefix, fixedWidths, hex2, itemOf, limitMacro, mapItem, structByName, tupleItems, typeOf } from './names.ts'

/** What the emitted code needs beyond the fixed primitives, collected while emitting. */
export interface CNeeds {
  /** Enums that need a `clasp_<enum>_valid()` function. */
  enums: Set<string>
  /** Per-field list/map item helpers, keyed by stem (`snapshot_params`). */
  items: Map<string, ItemHelper>
}

export interface ItemHelper {
  stem: string
  kind: 'list' | 'map'
  item: Wire
  keyLimit?: string
  decode: boolean
  encode: boolean
}

export const newNeeds = (): CNeeds => ({ enums: new Set(), items: new Map() })

/** Where a template is used: which directions are generated and what the helpers are called. */
export interface Site {
  model: SchemaModel
  needs: CNeeds
  /** Stem for helpers owned by this field, e.g. `snapshot_params`. */
  stem: string
  decode: boolean
  encode: boolean
}

const enumFn = (e: string) => `clasp_${cIdent(e)}_valid`

/** Bits a bitset8 field may carry. */
export function bitsetMask(model: SchemaModel, s: Wire): number {
  const e = enumByName(model, s.enum!)
  return (s.members ?? Object.keys(e.members)).reduce((m, k) => m | e.members[k], 0)
}

/** The C type of a field of kind `s` (a list's element type is in its comment). */
export function cType(s: Wire, model: SchemaModel): string {
  switch (s.wire) {
    case 'u8': case 'enum8': case 'bitset8': return 'uint8_t'
    case 'u16': return 'uint16_t'
    case 'u32': return 'uint32_t'
    case 'u64': return 'uint64_t'
    case 'f64': return 'clasp_f64_t'
    case 'bool8': return 'bool'
    case 'str': return 'clasp_str_t'
    case 'value': return 'clasp_value_t'
    case 'ttl32': return 'clasp_ttl_t'
    case 'list': case 'map': case 'messages': return 'clasp_list_t'
    case 'tuple': return `struct { ${tupleItems(s).map((t, i) => `${cType(t, model)} v${i};`).join(' ')} }`
    case 'struct': return typeOf(structByName(model, s.struct!))
    default: throw new Error(`C emitter: no C type for wire kind ${String(s.wire)}`)
  }
}

/** The element type of a list/map/messages field, as written in comments and native arrays. */
export function elementType(s: Wire, model: SchemaModel, stem: string): string {
  if (s.wire === 'messages') return 'clasp_msg_t'
  if (s.wire === 'map') return `clasp_${stem}_entry_t`
  return cType(itemOf(s), model)
}

/** A short comment for a struct member. */
export function memberDoc(s: Wire, model: SchemaModel, stem: string): string {
  switch (s.wire) {
    case 'str': return `UTF-8, at most ${limitMacro(s.maxBytesLimit!)} bytes`
    case 'enum8': return `${enumPrefix(s.enum!)}_*`
    case 'bitset8': return `${enumPrefix(s.enum!)}_* bits${s.emptyAs !== undefined ? ` (0 = all; written as ${hex2(s.emptyAs)})` : ''}`
    case 'f64': return 'binary64 bits'
    case 'ttl32': return 'CLASP_TTL_*'
    case 'list': case 'map': case 'messages': {
      const next = s.wire === 'messages' ? 'clasp_messages_next' : `clasp_${stem}_next`
      return `${elementType(s, model, stem)} items, at most ${limitMacro(s.maxItemsLimit!)}; ${next}`
    }
    default: return ''
  }
}

/** Worst-case encoded bytes of a field, as a C constant expression over the limit macros. */
export function sizeExpr(s: Wire, model: SchemaModel): string {
  const w = fixedWidths[s.wire]
  if (w !== undefined) return `${w}UL`
  switch (s.wire) {
    case 'str': return `(2UL + ${limitMacro(s.maxBytesLimit!)})`
    case 'value': return 'CLASP_MAX_VALUE_SIZE'
    case 'list': return `(2UL + ${limitMacro(s.maxItemsLimit!)} * ${sizeExpr(itemOf(s), model)})`
    case 'map': return `(2UL + ${limitMacro(s.maxItemsLimit!)} * (2UL + ${limitMacro(s.maxBytesLimit!)} + ${sizeExpr(mapItem(s), model)}))`
    case 'tuple': return `(${tupleItems(s).map((t) => sizeExpr(t, model)).join(' + ')})`
    case 'struct': return `CLASP_${cIdent(s.struct!).toUpperCase()}_MAX_SIZE`
    case 'messages': return `(2UL + ${messagesItemsSize(s)})`
    default: throw new Error(`C emitter: no size for wire kind ${String(s.wire)}`)
  }
}

/** BUNDLE items: any message (even another bundle), so each is bounded only by the payload. */
export const messagesItemsSize = (s: Wire): string => `${limitMacro(s.maxItemsLimit!)} * (2UL + CLASP_MAX_PAYLOAD)`

function itemHelper(site: Site, s: Wire): string {
  const kind = s.wire === 'map' ? 'map' : 'list'
  const item = kind === 'map' ? mapItem(s) : itemOf(s)
  if (item.wire === 'list' || item.wire === 'map' || item.wire === 'messages') throw new Error(`C emitter: ${site.stem}: lists of lists are not supported`)
  const prev = site.needs.items.get(site.stem)
  site.needs.items.set(site.stem, {
    stem: site.stem, kind, item, keyLimit: kind === 'map' ? limitMacro(s.maxBytesLimit!) : undefined,
    decode: site.decode || (prev?.decode ?? false), encode: site.encode || (prev?.encode ?? false),
  })
  return site.stem
}

/** Statements that read a field of kind `s` into the lvalue `dst`. */
export function decodeInto(s: Wire, dst: string, site: Site): string[] {
  switch (s.wire) {
    case 'u8': return [`${dst} = clasp_get_u8(c);`]
    case 'u16': return [`${dst} = clasp_get_u16(c);`]
    case 'u32': return [`${dst} = clasp_get_u32(c);`]
    case 'u64': case 'f64': return [`${dst} = clasp_get_u64(c);`]
    case 'bool8': return [`${dst} = clasp_get_u8(c) != 0;`]
    case 'str': return [`clasp_get_str(c, &${dst}, ${limitMacro(s.maxBytesLimit!)});`]
    case 'value': return [`clasp_get_value(c, &${dst}, depth);`]
    case 'enum8': return decodeEnum(s, dst, 'clasp_get_u8(c)', site)
    case 'bitset8': {
      const mask = hex2(bitsetMask(site.model, s))
      if (s.emptyAs === undefined) return [`${dst} = (uint8_t)(clasp_get_u8(c) & ${mask});`]
      return ['{', '  uint8_t b_ = clasp_get_u8(c);', `  ${dst} = (uint8_t)(b_ == ${hex2(s.emptyAs)} ? 0 : (b_ & ${mask}));`, '}']
    }
    case 'ttl32': return [`${dst} = clasp_ttl_from_word(clasp_get_u32(c));`]
    case 'list': case 'map':
      return [`clasp_get_list(c, &${dst}, ${limitMacro(s.maxItemsLimit!)}, depth, clasp_skip_${itemHelper(site, s)});`]
    case 'tuple': return tupleItems(s).flatMap((t, i) => decodeInto(t, `${dst}.v${i}`, site))
    case 'struct': return [`(void)clasp_dec_${cIdent(s.struct!)}(c, &${dst}, depth);`]
    case 'messages': return [`clasp_get_messages(c, &${dst}, clasp_get_u16(c), ${limitMacro(s.maxItemsLimit!)}, depth);`]
    default: throw new Error(`C emitter: cannot decode wire kind ${String(s.wire)}`)
  }
}

/** An enum code read from `expr`: unknown codes become `unknownAs` or fail with UNKNOWN_ENUM. */
export function decodeEnum(s: Wire, dst: string, expr: string, site: Site): string[] {
  site.needs.enums.add(s.enum!)
  const miss = s.unknownAs !== undefined
    ? `  if (!${enumFn(s.enum!)}(e_)) e_ = ${enumMember(s.enum!, s.unknownAs)}; /* as the reference decoders do */`
    : `  if (!${enumFn(s.enum!)}(e_)) clasp_fail(c, CLASP_ERR_UNKNOWN_ENUM);`
  return ['{', `  uint8_t e_ = (uint8_t)(${expr});`, miss, `  ${dst} = e_;`, '}']
}

/** Statements that write the field of kind `s` held in the lvalue `src`. */
export function encodeFrom(s: Wire, src: string, site: Site): string[] {
  switch (s.wire) {
    case 'u8': return [`clasp_put_u8(w, ${src});`]
    case 'u16': return [`clasp_put_u16(w, ${src});`]
    case 'u32': return [`clasp_put_u32(w, ${src});`]
    case 'u64': case 'f64': return [`clasp_put_u64(w, ${src});`]
    case 'bool8': return [`clasp_put_u8(w, ${src} ? 1 : 0);`]
    case 'str': return [`clasp_put_str(w, ${src}, ${limitMacro(s.maxBytesLimit!)});`]
    case 'value': return [`clasp_put_value(w, &${src}, depth);`]
    case 'enum8': return [...checkEnum(s, src, site), `clasp_put_u8(w, ${src});`]
    case 'bitset8': {
      const mask = hex2(bitsetMask(site.model, s))
      if (s.emptyAs === undefined) return [`clasp_put_u8(w, (uint8_t)(${src} & ${mask}));`]
      return [`clasp_put_u8(w, (uint8_t)((${src} & ${mask}) == 0 ? ${hex2(s.emptyAs)} : (${src} & ${mask})));`]
    }
    case 'ttl32':
      return [`if (${src}.mode > CLASP_TTL_ABSOLUTE) clasp_wfail(w, CLASP_ERR_INVALID_FIELD);`, `clasp_put_u32(w, clasp_ttl_to_word(${src}));`]
    case 'list': case 'map':
      return [`clasp_put_list(w, &${src}, ${limitMacro(s.maxItemsLimit!)}, depth, clasp_skip_${itemHelper(site, s)}, clasp_put_${site.stem});`]
    case 'tuple': return tupleItems(s).flatMap((t, i) => encodeFrom(t, `${src}.v${i}`, site))
    case 'struct': return [`clasp_enc_${cIdent(s.struct!)}(w, &${src}, depth);`]
    case 'messages': return [`clasp_put_u16(w, ${src}.count);`, `clasp_put_messages(w, &${src}, ${limitMacro(s.maxItemsLimit!)}, depth);`]
    default: throw new Error(`C emitter: cannot encode wire kind ${String(s.wire)}`)
  }
}

/** Encoders refuse codes the enum does not define (the TS encoder throws INVALID_FIELD). */
export function checkEnum(s: Wire, expr: string, site: Site): string[] {
  site.needs.enums.add(s.enum!)
  return [`if (!${enumFn(s.enum!)}(${expr})) clasp_wfail(w, CLASP_ERR_INVALID_FIELD);`]
}

/** Prototypes and bodies of the membership test of each enum in `needs`. */
export function enumFunctions(model: SchemaModel, needs: CNeeds): { protos: string[]; defs: string[] } {
  const protos: string[] = []
  const defs: string[] = []
  for (const name of [...needs.enums].sort()) {
    const e = enumByName(model, name)
    protos.push(`/** 1 if code is one of ${enumPrefix(name)}_*. */`, `bool ${enumFn(name)}(uint8_t code);`)
    defs.push(
      `bool ${enumFn(name)}(uint8_t code) {`,
      '  switch (code) {',
      ...Object.keys(e.members).map((k) => `    case ${enumMember(name, k)}:`),
      '      return true;',
      '    default:',
      '      return false;',
      '  }',
      '}',
      '',
    )
  }
  return { protos, defs }
}
