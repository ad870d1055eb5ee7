/**
 * C views, decoders and encoders of messages and nested structs, emitted by walking each
 * layout: flags bytes (presence, boolean, enum and value-type bits), indicator bytes, trailing
 * fields, countOf/itemsOf and plain fields. The per-kind statements come from fields.ts.
 *
 * C shape of a field: required fields are plain members; a field whose presence is on the wire
 * (flag bit, indicator, trailing bytes, zero flags, or an optional enum kept in flag bits) gets
 * a `has_<field>` member before it; an optional string whose empty form means "absent" is just
 * a string with len 0.
 */
import type { FlagBit, LayoutItem } from '../../schema/index.ts'
import type { FieldModel, SchemaModel, StructModel } from '../model.ts'
import { type CNeeds, type Site, cType, checkEnum, decodeEnum, decodeInto, encodeFrom, memberDoc, sizeExpr } from './fields.ts'
import { type Wire, cIdent, comment, fieldOf, fixedWidths, hex2, indent, limitMacro, stemOf, typeOf } from './names.ts'

/** Does the C view carry `has_<field>`? */
export function hasFlag(st: StructModel, f: FieldModel): boolean {
  const p = st.presence.get(f.name)!
  if (p.by === 'bit' || p.by === 'indicator' || p.by === 'trailing' || p.by === 'zeroFlags') return true
  return f.optional && flagEnum(st, f.name) !== undefined
}

function flagEnum(st: StructModel, field: string): Extract<FlagBit, { enumField: string }> | undefined {
  for (const item of st.layout) {
    if (!('flags' in item)) continue
    for (const b of item.flags) if ('enumField' in b && b.enumField === field) return b
  }
  return undefined
}

const member = (f: FieldModel) => cIdent(f.name)
const fieldStem = (st: StructModel, f: string) => `${stemOf(st)}_${cIdent(f)}`
const isFlagBoolean = (f: FieldModel) => f.schema.wire === 'bit'

/** The typedef of a view. */
export function structTypedef(st: StructModel, model: SchemaModel, doc: string): string[] {
  const lines = [`/** ${doc} */`, `typedef struct clasp_${stemOf(st)} {`]
  for (const f of st.fields) {
    if (hasFlag(st, f)) lines.push(`  bool has_${member(f)};`)
    if (isFlagBoolean(f)) {
      lines.push(`  bool ${member(f)};`)
      continue
    }
    const note = [memberDoc(f.schema, model, fieldStem(st, f.name)), st.presence.get(f.name)!.by === 'emptyString' ? 'len 0 = absent' : '']
      .filter(Boolean).join('; ')
    lines.push(`  ${cType(f.schema, model)} ${member(f)};${note ? ` ${comment(note)}` : ''}`)
  }
  lines.push(`} ${typeOf(st)};`)
  return lines
}

/** Worst-case encoded bytes of a layout (without a message's type byte). */
export function layoutSize(st: StructModel, model: SchemaModel): string {
  const parts: string[] = []
  for (const item of st.layout) {
    if ('flags' in item) parts.push('1UL')
    else if ('valueData' in item) parts.push('CLASP_MAX_VALUE_SIZE')
    else if ('countOf' in item) parts.push('2UL')
    else if ('itemsOf' in item) parts.push(`${limitMacro(fieldOf(st, item.itemsOf).schema.maxItemsLimit!)} * (2UL + CLASP_MAX_PAYLOAD)`)
    else if ('indicator' in item) {
      const sizes = item.indicator.map((c) => sizeExpr(fieldOf(st, c.field).schema, model))
      parts.push(`(1UL + ${sizes.reduce((a, b) => `CLASP_MAX2_(${a}, ${b})`)})`)
    } else parts.push(sizeExpr(fieldOf(st, 'trailing' in item ? item.trailing : item.field).schema, model))
  }
  return parts.length ? parts.join(' + ') : '0UL'
}

/** BUNDLE-style message lists are decoded lazily to the end of the payload, so they come last. */
function checkMessagesLast(st: StructModel): void {
  st.layout.forEach((item, i) => {
    const name = 'itemsOf' in item ? item.itemsOf : 'field' in item ? item.field : undefined
    if (name === undefined || fieldOf(st, name).schema.wire !== 'messages') return
    if (i !== st.layout.length - 1) throw new Error(`C emitter: ${st.name}.${name} (messages) must be the last layout item`)
  })
}

function locals(st: StructModel): string[] {
  const flags = st.layout.filter((i) => 'flags' in i).map((_, k) => `f${k}`)
  const counts = st.layout.flatMap((i) => ('countOf' in i ? [`n_${cIdent(i.countOf)}`] : []))
  return [...(flags.length ? [`uint8_t ${flags.join(', ')};`] : []), ...(counts.length ? [`uint16_t ${counts.join(', ')};`] : [])]
}

/** `static bool clasp_dec_<stem>(...)`: false only when a zero-flags struct is absent. */
export function decoderFn(st: StructModel, model: SchemaModel, needs: CNeeds, fn: string): string[] {
  checkMessagesLast(st)
  const site = (f: string): Site => ({ model, needs, stem: fieldStem(st, f), decode: true, encode: false })
  const out = [`static CLASP_MAYBE_UNUSED bool ${fn}(clasp_cursor_t* c, ${typeOf(st)}* m, uint8_t depth) {`, ...indent(locals(st)), '  memset(m, 0, sizeof *m);', '  (void)depth;']
  let flagsIndex = 0
  for (const item of st.layout) out.push(...indent(decodeItem(st, item, site, flagsIndex, () => flagsIndex++)))
  out.push('  return true;', '}', '')
  return out
}

function decodeItem(st: StructModel, item: LayoutItem, site: (f: string) => Site, k: number, next: () => void): string[] {
  if ('flags' in item) {
    next()
    const f = `f${k}`
    const lines = [`${f} = clasp_get_u8(c);`]
    if (st.zeroFlagsIsAbsent && k === 0) lines.push(`if (${f} == 0) return false; /* a zero flags byte means "absent" */`)
    for (const b of item.flags) {
      const bits = `(${f} & ${hex2(b.mask)})`
      if ('presence' in b) lines.push(`m->has_${cIdent(b.presence)} = ${bits} != 0;`)
      else if ('boolean' in b) lines.push(`m->${cIdent(b.boolean)} = ${bits} != 0;`)
      else if ('valueTypeOf' in b) lines.push(`m->${cIdent(b.valueTypeOf)}.type = (uint8_t)(${bits} >> ${b.shift});`)
      else {
        const fm = fieldOf(st, b.enumField)
        if (hasFlag(st, fm)) lines.push(`m->has_${member(fm)} = true; /* decoders always report it */`)
        lines.push(...decodeEnum(fm.schema, `m->${member(fm)}`, `${bits} >> ${b.shift}`, site(b.enumField)))
      }
    }
    return lines
  }
  if ('valueData' in item) {
    const v = cIdent(item.valueData)
    return [`clasp_get_value_data(c, m->${v}.type, &m->${v}, depth);`]
  }
  if ('countOf' in item) return [`n_${cIdent(item.countOf)} = clasp_get_u16(c);`]
  if ('itemsOf' in item) {
    const f = fieldOf(st, item.itemsOf)
    return [`clasp_get_messages(c, &m->${member(f)}, n_${member(f)}, ${limitMacro(f.schema.maxItemsLimit!)}, depth);`]
  }
  if ('indicator' in item) {
    const lines = ['switch (clasp_get_u8(c)) {']
    for (const opt of item.indicator) {
      const f = fieldOf(st, opt.field)
      lines.push(`  case ${opt.code}:`, `    m->has_${member(f)} = true;`, ...indent(decodeInto(f.schema, `m->${member(f)}`, site(f.name)), '    '), '    break;')
    }
    lines.push('  default:', '    break; /* other indicator values mean "nothing", as in the reference decoders */', '}')
    return lines
  }
  const f = fieldOf(st, 'trailing' in item ? item.trailing : item.field)
  const dst = `m->${member(f)}`
  const presence = st.presence.get(f.name)!
  const body = presence.by === 'zeroFlags'
    ? [`m->has_${member(f)} = clasp_dec_${cIdent(f.schema.struct!)}(c, &${dst}, depth);`]
    : decodeInto(f.schema, dst, site(f.name))
  if (presence.by === 'trailing') {
    const width = fixedWidths[f.schema.wire]
    if (width === undefined) throw new Error(`C emitter: trailing field ${st.name}.${f.name} has no fixed width`)
    return [`m->has_${member(f)} = !c->err && c->left >= ${width}; /* no presence bit: read iff the bytes are there */`, `if (m->has_${member(f)}) {`, ...indent(body), '}']
  }
  if (presence.by === 'bit') return [`if (m->has_${member(f)}) {`, ...indent(body), '}']
  return body
}

/** `static void clasp_enc_<stem>(...)`: writes the layout (the caller writes a message's type byte). */
export function encoderFn(st: StructModel, model: SchemaModel, needs: CNeeds, fn: string): string[] {
  const site = (f: string): Site => ({ model, needs, stem: fieldStem(st, f), decode: false, encode: true })
  const out = [`static void ${fn}(clasp_writer_t* w, const ${typeOf(st)}* m, uint8_t depth) {`, ...indent(locals(st).filter((l) => !l.startsWith('uint16_t'))), '  (void)depth;']
  let flagsIndex = 0
  for (const item of st.layout) out.push(...indent(encodeItem(st, item, site, flagsIndex, () => flagsIndex++)))
  out.push('}', '')
  return out
}

function encodeItem(st: StructModel, item: LayoutItem, site: (f: string) => Site, k: number, next: () => void): string[] {
  if ('flags' in item) {
    next()
    const f = `f${k}`
    const lines = [`${f} = 0;`]
    for (const b of item.flags) {
      const mask = hex2(b.mask)
      if ('presence' in b) lines.push(`if (m->has_${cIdent(b.presence)}) ${f} |= ${mask};`)
      else if ('boolean' in b) lines.push(`if (m->${cIdent(b.boolean)}) ${f} |= ${mask};`)
      else if ('valueTypeOf' in b) lines.push(`${f} |= (uint8_t)((m->${cIdent(b.valueTypeOf)}.type << ${b.shift}) & ${mask});`)
      else {
        const fm = fieldOf(st, b.enumField)
        const code = hasFlag(st, fm) ? `(m->has_${member(fm)} ? m->${member(fm)} : ${b.absentCode})` : `m->${member(fm)}`
        lines.push(...checkEnum(fm.schema, code, site(fm.name)), `${f} |= (uint8_t)((${code} << ${b.shift}) & ${mask});`)
      }
    }
    lines.push(`clasp_put_u8(w, ${f});`)
    return lines
  }
  if ('valueData' in item) return [`clasp_put_value_data(w, &m->${cIdent(item.valueData)}, depth);`]
  if ('countOf' in item) return [`clasp_put_u16(w, m->${cIdent(item.countOf)}.count);`]
  if ('itemsOf' in item) {
    const f = fieldOf(st, item.itemsOf)
    return [`clasp_put_messages(w, &m->${member(f)}, ${limitMacro(f.schema.maxItemsLimit!)}, depth);`]
  }
  if ('indicator' in item) {
    const lines: string[] = []
    item.indicator.forEach((opt, i) => {
      const f = fieldOf(st, opt.field)
      lines.push(`${i === 0 ? 'if' : '} else if'} (m->has_${member(f)}) {`, `  clasp_put_u8(w, ${opt.code});`, ...indent(encodeFrom(f.schema, `m->${member(f)}`, site(f.name))))
    })
    lines.push('} else {', `  clasp_put_u8(w, ${item.noneCode});`, '}')
    return lines
  }
  const f = fieldOf(st, 'trailing' in item ? item.trailing : item.field)
  const src = `m->${member(f)}`
  const presence = st.presence.get(f.name)!
  if (presence.by === 'zeroFlags') {
    return [`if (m->has_${member(f)}) clasp_enc_${cIdent(f.schema.struct!)}(w, &${src}, depth);`, 'else clasp_put_u8(w, 0);']
  }
  const body = encodeFrom(f.schema, src, site(f.name))
  if (presence.by === 'bit' || presence.by === 'trailing') return [`if (m->has_${member(f)}) {`, ...indent(body), '}']
  return body
}
