/**
 * Everything per message: which views, decoders and encoders the C flags ask for (and the
 * structs they reach), the `clasp_msg_t` tagged union, payload dispatch in both directions,
 * default QoS, the per-field list/map item helpers and iterators, and the public
 * `clasp_encode_<msg>()` functions.
 */
import { type MessageModel, type SchemaModel, type StructModel, enumByName } from '../model.ts'
import { type CNeeds, type ItemHelper, type Site, cType, decodeInto, encodeFrom, enumFunctions, newNeeds } from './fields.ts'
import { decodeSwitch } from './constants.ts'
import { decoderFn, encoderFn, hasFlag, layoutSize, structTypedef } from './structs.ts'
import { type Wire, cIdent, enumMember, fieldOf, fixedWidths, indent, itemOf, mapItem, msgMacro, stemOf, structByName, tupleItems, typeOf } from './names.ts'

export interface MessagePlan {
  model: SchemaModel
  /** Messages with a C view (encode or decode). */
  viewed: MessageModel[]
  decStructs: Set<string>
  encStructs: Set<string>
  needs: CNeeds
}

const hasFields = (m: StructModel) => m.fields.length > 0

/** Structs reachable from the fields of `sts`, dependencies first. */
function reach(model: SchemaModel, sts: StructModel[]): Set<string> {
  const seen = new Set<string>()
  const visit = (s: Wire): void => {
    if (s.wire === 'struct') {
      if (seen.has(s.struct!)) return
      structByName(model, s.struct!).fields.forEach((f) => visit(f.schema))
      seen.add(s.struct!)
    } else if (s.wire === 'list') visit(itemOf(s))
    else if (s.wire === 'map') visit(mapItem(s))
    else if (s.wire === 'tuple') tupleItems(s).forEach(visit)
  }
  sts.forEach((st) => st.fields.forEach((f) => visit(f.schema)))
  return seen
}

export function planMessages(model: SchemaModel): MessagePlan {
  const viewed = model.messages.filter((m) => m.c.encode || m.c.decode)
  const stems = new Set<string>()
  for (const st of [...viewed, ...model.structs]) {
    if (stems.has(stemOf(st))) throw new Error(`C emitter: two views would be called ${typeOf(st)}`)
    stems.add(stemOf(st))
  }
  return {
    model, viewed, needs: newNeeds(),
    decStructs: reach(model, viewed.filter((m) => m.c.decode)),
    encStructs: reach(model, viewed.filter((m) => m.c.encode)),
  }
}

const ordered = (p: MessagePlan, names: Set<string>) => p.model.structs.filter((s) => names.has(s.name))

// ---------------------------------------------------------------------------------------------

/** Struct and message typedefs plus the tagged union. Call after `messageImplementation`. */
export function messageTypes(p: MessagePlan): string {
  const out: string[] = ['/* ---- Messages -------------------------------------------------------------------------- */', '']
  const structs = [...new Set([...reachOrder(p)])]
  for (const st of structs) out.push(...structTypedef(st, p.model, `${st.name}${st.doc ? `: ${st.doc}` : ''}`), '')
  for (const h of p.needs.items.values()) {
    if (h.kind === 'map') out.push(`typedef struct clasp_${h.stem}_entry {`, '  clasp_str_t key;', `  ${cType(h.item, p.model)} value;`, `} clasp_${h.stem}_entry_t;`, '')
  }
  for (const m of p.viewed.filter(hasFields)) {
    out.push(...structTypedef(m, p.model, `${m.wireName} (${`0x${m.code.toString(16).padStart(2, '0')}`}): ${m.doc}`), '')
  }
  out.push(
    '/** A decoded (or to-be-encoded) message: `type` is a CLASP_MSG_* code and selects the view. */',
    'typedef struct clasp_msg {',
    '  uint8_t type;',
    '  union {',
    ...p.viewed.filter(hasFields).map((m) => `    ${typeOf(m)} ${stemOf(m)};`),
    '  } as;',
    '} clasp_msg_t;',
    '',
  )
  return out.join('\n')
}

function reachOrder(p: MessagePlan): StructModel[] {
  return ordered(p, new Set([...p.decStructs, ...p.encStructs]))
}

// ---------------------------------------------------------------------------------------------

function qosFn(m: MessageModel): string {
  const q = m.defaultQos
  if (typeof q === 'number') return String(q)
  return `clasp_qos_${stemOf(m)}(${hasFields(m) ? 'm' : ''})`
}

function qosFnDef(p: MessagePlan, m: MessageModel): string[] {
  const q = m.defaultQos
  if (typeof q === 'number') return []
  const f = fieldOf(m, q.byField)
  const e = enumByName(p.model, f.schema.enum!)
  const lines = [`static uint8_t clasp_qos_${stemOf(m)}(const ${typeOf(m)}* m) {`]
  if (hasFlag(m, f)) lines.push(`  if (!m->has_${cIdent(f.name)}) return ${q.absent};`)
  lines.push(`  switch (m->${cIdent(f.name)}) {`)
  for (const [k, v] of Object.entries(q.codes)) lines.push(`    case ${enumMember(e.name, k)}: return ${v};`)
  lines.push('    default: break;', '  }', `  return ${q.absent};`, '}', '')
  return lines
}

/** Prototypes of the per-message API. */
export function messagePrototypes(p: MessagePlan): string {
  const out = ['/* ---- Message API ----------------------------------------------------------------------- */', '']
  out.push(...enumFunctions(p.model, p.needs).protos, '')
  out.push(
    '/** The frame QoS the Rust reference writes for a message (used when opts is NULL). */',
    'uint8_t clasp_default_qos(const clasp_msg_t* m);',
    '/** Write a message payload (type byte first) at depth 0 unless nested in a BUNDLE. */',
    'void clasp_encode_payload(clasp_writer_t* w, const clasp_msg_t* m, uint8_t depth);',
    '',
    '/* Encoders: write a whole frame into buf[0..cap); return its length, or 0 on any error',
    ' * (buffer too small, a CLASP_MAX_* bound exceeded, invalid UTF-8, ...). opts may be NULL. */',
  )
  for (const m of p.viewed.filter((x) => x.c.encode)) {
    const arg = hasFields(m) ? `, const ${typeOf(m)}* m` : ''
    out.push(`size_t clasp_encode_${stemOf(m)}(uint8_t* buf, size_t cap, const clasp_frame_opts_t* opts${arg});`)
  }
  out.push('')
  for (const h of p.needs.items.values()) {
    if (!h.decode) continue
    const t = cType(h.item, p.model)
    if (h.kind === 'map') out.push(`bool clasp_${h.stem}_next(clasp_iter_t* it, clasp_str_t* key, ${t}* out);`)
    else out.push(`bool clasp_${h.stem}_next(clasp_iter_t* it, ${t}* out);`)
    if (h.kind === 'list' && atWidth(h) !== undefined) out.push(`${t} clasp_${h.stem}_at(const clasp_list_t* l, uint16_t i);`)
  }
  for (const m of p.viewed.filter((x) => x.c.decode)) {
    const lists = m.fields.filter((f) => ['list', 'map', 'messages'].includes(f.schema.wire) && fixedWidths[itemWire(f.schema)] === undefined)
    if (lists.length !== 1) continue
    const next = lists[0].schema.wire === 'messages' ? 'clasp_messages_next' : `clasp_${stemOf(m)}_${cIdent(lists[0].name)}_next`
    out.push(
      `/** Iterate a decoded ${m.wireName}: clasp_${stemOf(m)}_begin(&msg.as.${stemOf(m)}, &it); while (clasp_${stemOf(m)}_next(&it, &item)) ... */`,
      `#define clasp_${stemOf(m)}_begin(m, it) clasp_list_begin(&(m)->${cIdent(lists[0].name)}, (it))`,
      `#define clasp_${stemOf(m)}_next ${next}`,
    )
  }
  out.push('')
  return out.join('\n')
}

const itemWire = (s: Wire): string => (s.wire === 'list' ? itemOf(s).wire : s.wire === 'map' ? 'map' : 'messages')
const atWidth = (h: ItemHelper): number | undefined => (['u8', 'u16', 'u32', 'u64', 'f64'].includes(h.item.wire) ? fixedWidths[h.item.wire] : undefined)

// ---------------------------------------------------------------------------------------------

/** Bodies: struct/message codecs, item helpers, dispatch and the public encoders. */
export function messageImplementation(p: MessagePlan): string {
  const out: string[] = ['/* ---- Messages -------------------------------------------------------------------------- */', '']
  const { model, needs } = p
  for (const st of ordered(p, p.decStructs)) out.push(...decoderFn(st, model, needs, `clasp_dec_${stemOf(st)}`))
  for (const st of ordered(p, p.encStructs)) out.push(...encoderFn(st, model, needs, `clasp_enc_${stemOf(st)}`))
  for (const m of p.viewed.filter(hasFields)) {
    if (m.c.decode) out.push(...decoderFn(m, model, needs, `clasp_dec_msg_${stemOf(m)}`))
    if (m.c.encode) out.push(...encoderFn(m, model, needs, `clasp_enc_msg_${stemOf(m)}`))
  }
  const helpers = itemHelpers(p)
  const forward = [...needs.items.values()].flatMap((h) => [
    `static CLASP_MAYBE_UNUSED void clasp_skip_${h.stem}(clasp_cursor_t* c, uint8_t depth);`,
    ...(h.encode ? [`static CLASP_MAYBE_UNUSED void clasp_put_${h.stem}(clasp_writer_t* w, const void* items, uint16_t i, uint8_t depth);`] : []),
  ])
  for (const m of p.viewed) out.push(...qosFnDef(p, m))
  out.push(...dispatch(p), ...helpers, ...enumFunctions(model, needs).defs)
  return [...forward, '', ...out].join('\n')
}

function itemHelpers(p: MessagePlan): string[] {
  const out: string[] = []
  for (const h of p.needs.items.values()) {
    const t = cType(h.item, p.model)
    const site: Site = { model: p.model, needs: p.needs, stem: h.stem, decode: h.decode, encode: h.encode }
    const key = h.kind === 'map' ? [`clasp_get_str(c, key, ${h.keyLimit});`] : []
    out.push(
      `static CLASP_MAYBE_UNUSED void clasp_skip_${h.stem}(clasp_cursor_t* c, uint8_t depth) {`,
      ...(h.kind === 'map' ? ['  clasp_str_t key_;', '  clasp_str_t* key = &key_;'] : []),
      `  ${t} item;`,
      ...indent([...key, ...decodeInto(h.item, 'item', site)]),
      '  (void)item;', '  (void)depth;', '}', '',
    )
    if (h.encode) {
      const elem = h.kind === 'map' ? `clasp_${h.stem}_entry_t` : t
      out.push(
        `static CLASP_MAYBE_UNUSED void clasp_put_${h.stem}(clasp_writer_t* w, const void* items, uint16_t i, uint8_t depth) {`,
        `  const ${elem}* e = (const ${elem}*)items + i;`,
        ...indent(h.kind === 'map' ? [`clasp_put_str(w, e->key, ${h.keyLimit});`, ...encodeFrom(h.item, 'e->value', site)] : encodeFrom(h.item, '(*e)', site)),
        '  (void)depth;', '}', '',
      )
    }
    if (!h.decode) continue
    const sig = h.kind === 'map' ? `clasp_iter_t* it, clasp_str_t* key, ${t}* out` : `clasp_iter_t* it, ${t}* out`
    out.push(
      `bool clasp_${h.stem}_next(${sig}) {`,
      '  clasp_cursor_t* c = &it->c;',
      '  uint8_t depth = it->depth;',
      '  if (it->left == 0 || c->err) return false;',
      '  it->left--;',
      ...indent([...key, ...decodeInto(h.item, '(*out)', site)]),
      '  (void)depth;', '  return !c->err;', '}', '',
    )
    const width = h.kind === 'list' ? atWidth(h) : undefined
    if (width !== undefined) {
      const read = width === 1 ? 'l->wire[i]' : `clasp_be${width * 8}(l->wire + (size_t)i * ${width})`
      out.push(
        `${t} clasp_${h.stem}_at(const clasp_list_t* l, uint16_t i) {`,
        `  if (l->items) return ((const ${t}*)l->items)[i];`,
        `  return i < l->count && l->wire ? (${t})${read} : 0;`,
        '}', '',
      )
    }
  }
  return out
}

function dispatch(p: MessagePlan): string[] {
  const { model } = p
  const dec = model.messages.map((m) => {
    if (!m.c.decode) return [`    case ${msgMacro(m.wireName)}: /* not generated for C */`, '      clasp_fail(c, CLASP_ERR_UNSUPPORTED_MESSAGE);', '      break;']
    // A decoder switched off by CLASP_DECODE_<MSG> 0 answers as if the header lacked it.
    const call = hasFields(m) ? [`      (void)clasp_dec_msg_${stemOf(m)}(c, &m->as.${stemOf(m)}, depth);`] : []
    return [`    case ${msgMacro(m.wireName)}:`, `#if ${decodeSwitch(m.wireName)}`, ...call, '#else', '      clasp_fail(c, CLASP_ERR_UNSUPPORTED_MESSAGE);', '#endif', '      break;']
  })
  const enc = model.messages.map((m) => {
    if (!m.c.encode) return [`    case ${msgMacro(m.wireName)}:`, '      clasp_wfail(w, CLASP_ERR_UNSUPPORTED_MESSAGE);', '      break;']
    return [
      `    case ${msgMacro(m.wireName)}:`, `      clasp_put_u8(w, ${msgMacro(m.wireName)});`,
      ...(hasFields(m) ? [`      clasp_enc_msg_${stemOf(m)}(w, &m->as.${stemOf(m)}, depth);`] : []), '      break;',
    ]
  })
  const sub = p.viewed.filter((m) => m.c.decode).flatMap((m) => {
    const f = m.fields.filter((x) => x.schema.wire === 'messages')
    if (f.length > 1) throw new Error(`C emitter: ${m.wireName} has more than one message list`)
    return f.length ? [`#if ${decodeSwitch(m.wireName)}`, `    case ${msgMacro(m.wireName)}: return &m->as.${stemOf(m)}.${cIdent(f[0].name)};`, '#endif'] : []
  })
  const qos = p.viewed.map((m) => `    case ${msgMacro(m.wireName)}: return ${qosFn(m).replace('(m)', `(&m->as.${stemOf(m)})`)};`)
  return [
    '/* Decode one payload; a message list (BUNDLE) is only located here, clasp_walk_messages checks it. */',
    'static void clasp_dec_payload_flat(clasp_cursor_t* c, clasp_msg_t* m, uint8_t depth) {',
    '  uint8_t code;',
    '  if (depth > CLASP_MAX_NESTING_DEPTH) clasp_fail(c, CLASP_ERR_TOO_DEEP);',
    '  code = clasp_get_u8(c);',
    '  if (c->err) return;',
    '  m->type = code;',
    '  switch (code) {',
    ...dec.flat(),
    '    default:',
    '      clasp_fail(c, CLASP_ERR_UNKNOWN_MESSAGE_TYPE);',
    '      break;',
    '  }',
    '}',
    '',
    '/* The message list of a decoded message (BUNDLE), or NULL. */',
    'static clasp_list_t* clasp_msg_sublist(clasp_msg_t* m) {',
    '  switch (m->type) {',
    ...sub,
    '    default: return NULL;',
    '  }',
    '}',
    '',
    'void clasp_encode_payload(clasp_writer_t* w, const clasp_msg_t* m, uint8_t depth) {',
    '  if (depth > CLASP_MAX_NESTING_DEPTH) clasp_wfail(w, CLASP_ERR_TOO_DEEP);',
    '  switch (m->type) {',
    ...enc.flat(),
    '    default:',
    '      clasp_wfail(w, CLASP_ERR_UNKNOWN_MESSAGE_TYPE);',
    '      break;',
    '  }',
    '}',
    '',
    'uint8_t clasp_default_qos(const clasp_msg_t* m) {',
    '  switch (m->type) {',
    ...qos,
    '    default: return 0;',
    '  }',
    '}',
    '',
    ...p.viewed.filter((m) => m.c.encode).flatMap((m) => [
      `size_t clasp_encode_${stemOf(m)}(uint8_t* buf, size_t cap, const clasp_frame_opts_t* opts${hasFields(m) ? `, const ${typeOf(m)}* m` : ''}) {`,
      '  clasp_writer_t w;',
      '  size_t start;',
      '  clasp_writer_init(&w, buf, cap);',
      `  start = clasp_frame_begin(&w, opts, ${qosFn(m)});`,
      `  clasp_put_u8(&w, ${msgMacro(m.wireName)});`,
      ...(hasFields(m) ? [`  clasp_enc_msg_${stemOf(m)}(&w, m, 0);`] : []),
      '  return clasp_frame_end(&w, start, NULL);',
      '}',
      '',
    ]),
  ]
}

/** Worst-case size macros of structs and messages. */
export function sizeMacros(model: SchemaModel): string {
  const out = ['/* ---- Worst-case encoded sizes (follow the CLASP_MAX_* settings above) --------------------- */', '']
  out.push('#define CLASP_MAX2_(a, b) ((a) > (b) ? (a) : (b))', '#define CLASP_MIN2_(a, b) ((a) < (b) ? (a) : (b))')
  out.push('/** Header plus the optional header timestamp. */', '#define CLASP_FRAME_OVERHEAD (CLASP_HEADER_SIZE + CLASP_TIMESTAMP_SIZE)', '')
  for (const st of model.structs) out.push(`/** ${st.name}: encoded bytes at most. */`, `#define CLASP_${stemOf(st).toUpperCase()}_MAX_SIZE (${layoutSize(st, model)})`)
  out.push('', '/* Whole frames (header, timestamp, type byte, payload), capped by the u16 payload length. */')
  for (const m of model.messages) {
    out.push(`#define CLASP_${m.wireName}_MAX_SIZE CLASP_MIN2_(CLASP_FRAME_OVERHEAD + 1UL + ${layoutSize(m, model)}, CLASP_FRAME_OVERHEAD + CLASP_MAX_PAYLOAD)`)
  }
  return out.join('\n') + '\n'
}
