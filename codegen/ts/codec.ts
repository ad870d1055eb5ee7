/**
 * Emits `generated/codec.ts`: one specialised encoder and decoder per message and struct, the
 * value codec from the value-type table, the frame header, and the default-QoS table. The
 * output calls only the small bounds-checked primitives in `runtime/codec/`.
 */
import { type SourceFile, VariableDeclarationKind } from 'ts-morph'
import type { FlagBit, LayoutItem } from '../../schema/index.ts'
import { type FieldModel, type MessageModel, type SchemaModel, type StructModel, enumByName } from '../model.ts'
import { type HelperNeeds, type Wire, decodeField, encodeField, encodeMessageItems, enumFromCode, enumToCode, fixedWidth } from './fields.ts'
import { enumTypeName, tsType } from './types.ts'

const hex2 = (n: number) => `0x${n.toString(16).padStart(2, '0')}`

/** Name stem for helpers owned by one field, e.g. `HelloFeatures`. */
const stemFor = (st: StructModel, field: string) => `${st.name.replace(/Message$/, '')}${field[0].toUpperCase()}${field.slice(1)}`

function fieldOf(st: StructModel, name: string): FieldModel {
  const f = st.fields.find((x) => x.name === name)
  if (!f) throw new Error(`${st.name}: no field ${name}`)
  return f
}

// ---------------------------------------------------------------------------------------------
// Struct and message bodies
// ---------------------------------------------------------------------------------------------

function encodeBody(st: StructModel, needs: HelperNeeds, codeByte?: number): string[] {
  const out: string[] = []
  if (codeByte !== undefined) out.push(`w.u8(${hex2(codeByte)})`)
  const valueTypeBits = st.layout.flatMap((i) => ('flags' in i ? i.flags : [])).filter((b): b is Extract<FlagBit, { valueTypeOf: string }> => 'valueTypeOf' in b)
  for (const b of valueTypeBits) out.push(`const type_${b.valueTypeOf} = valueTypeCode(m.${b.valueTypeOf})`)
  let flagsIndex = 0
  for (const item of st.layout) out.push(...encodeItem(st, item, needs, flagsIndex, () => flagsIndex++))
  return out
}

function encodeItem(st: StructModel, item: LayoutItem, needs: HelperNeeds, flagsIndex: number, nextFlags: () => void): string[] {
  if ('flags' in item) {
    nextFlags()
    const f = `f${flagsIndex}`
    const lines = [`let ${f} = 0`]
    for (const b of item.flags) {
      if ('presence' in b) lines.push(`if (m.${b.presence} !== undefined) ${f} |= ${hex2(b.mask)}`)
      else if ('boolean' in b) lines.push(`if (m.${b.boolean}) ${f} |= ${hex2(b.mask)}`)
      else if ('valueTypeOf' in b) lines.push(`${f} |= (type_${b.valueTypeOf} << ${b.shift}) & ${hex2(b.mask)}`)
      else {
        const e = fieldOf(st, b.enumField).schema
        needs.enums.set(e.enum!, needs.enums.get(e.enum!) ?? e.unknownAs)
        lines.push(`${f} |= ((m.${b.enumField} === undefined ? ${b.absentCode} : ${enumToCode(e.enum!)}(m.${b.enumField})) << ${b.shift}) & ${hex2(b.mask)}`)
      }
    }
    lines.push(`w.u8(${f})`)
    return lines
  }
  if ('valueData' in item) return [`encodeValueData(w, m.${item.valueData}, type_${item.valueData}, depth)`]
  if ('countOf' in item) return [`w.count(m.${item.countOf}.length)`]
  if ('itemsOf' in item) return encodeMessageItems(`m.${item.itemsOf}`, item.itemsOf)
  if ('indicator' in item) {
    const lines: string[] = []
    item.indicator.forEach((c, i) => {
      const f = fieldOf(st, c.field)
      lines.push(`${i === 0 ? 'if' : '} else if'} (m.${c.field} !== undefined) {`, `  w.u8(${c.code})`)
      lines.push(...encodeField(f.schema, `m.${c.field}`, c.field, needs, stemFor(st, c.field)).map((l) => `  ${l}`))
    })
    lines.push('} else {', `  w.u8(${item.noneCode})`, '}')
    return lines
  }
  const name = 'trailing' in item ? item.trailing : item.field
  const f = fieldOf(st, name)
  const presence = st.presence.get(name)!
  const enc = (expr: string) => encodeField(f.schema, expr, name, needs, stemFor(st, name))
  switch (presence.by) {
    case 'required':
      return enc(`m.${name}`)
    case 'emptyString':
      return [`w.str(m.${name} ?? '')`]
    case 'zeroFlags':
      return [`if (m.${name} === undefined) w.u8(0)`, `else encode${f.schema.struct}(w, m.${name}, depth)`]
    default:
      return [`if (m.${name} !== undefined) {`, ...enc(`m.${name}`).map((l) => `  ${l}`), '}']
  }
}

function decodeBody(st: StructModel, needs: HelperNeeds, typeLiteral?: string): string[] {
  const out: string[] = []
  const computed = new Map<string, string>()
  let flagsIndex = 0
  for (const item of st.layout) {
    if ('flags' in item) {
      const f = `f${flagsIndex++}`
      out.push(`const ${f} = r.u8()`)
      if (st.zeroFlagsIsAbsent && flagsIndex === 1) out.push(`if (${f} === 0) return undefined`)
      for (const b of item.flags) {
        if ('boolean' in b) computed.set(b.boolean, `(${f} & ${hex2(b.mask)}) !== 0`)
        else if ('enumField' in b) {
          const e = fieldOf(st, b.enumField).schema
          needs.enums.set(e.enum!, needs.enums.get(e.enum!) ?? e.unknownAs)
          computed.set(b.enumField, `${enumFromCode(e.enum!)}((${f} & ${hex2(b.mask)}) >> ${b.shift})`)
        } else if ('valueTypeOf' in b) computed.set(`type_${b.valueTypeOf}`, `(${f} & ${hex2(b.mask)}) >> ${b.shift}`)
      }
      continue
    }
    if ('valueData' in item) {
      out.push(`const v_${item.valueData} = decodeValueData(r, ${computed.get(`type_${item.valueData}`)}, depth)`)
      continue
    }
    if ('countOf' in item) {
      out.push(`const n_${item.countOf} = r.u16()`)
      continue
    }
    if ('itemsOf' in item) {
      out.push(`const v_${item.itemsOf} = decodeMessageItems(r, n_${item.itemsOf}, depth)`)
      continue
    }
    if ('indicator' in item) {
      for (const c of item.indicator) out.push(`let v_${c.field}: ${tsType(fieldOf(st, c.field).schema)} | undefined`)
      out.push(`switch (r.u8()) {`)
      for (const c of item.indicator) {
        out.push(`  case ${c.code}: {`)
        out.push(...decodeField(fieldOf(st, c.field).schema, `d_${c.field}`, needs, stemFor(st, c.field)).map((l) => `    ${l}`))
        out.push(`    v_${c.field} = d_${c.field}`, '    break', '  }')
      }
      out.push('  // Other indicator values mean "no value", as in the reference decoders.', '}')
      continue
    }
    const name = 'trailing' in item ? item.trailing : item.field
    const f = fieldOf(st, name)
    const presence = st.presence.get(name)!
    const target = `v_${name}`
    if (presence.by === 'required') out.push(...decodeField(f.schema, target, needs, stemFor(st, name)))
    else if (presence.by === 'emptyString') out.push(`const s_${name} = r.str()`, `const ${target} = s_${name} === '' ? undefined : s_${name}`)
    else if (presence.by === 'zeroFlags') out.push(`const ${target} = decode${f.schema.struct}(r, depth)`)
    else {
      const cond = presence.by === 'bit' ? `(f${presence.flagsIndex} & ${hex2(presence.mask)}) !== 0` : `r.remaining() >= ${fixedWidth(f.schema)}`
      out.push(`let ${target}: ${tsType(f.schema)} | undefined`, `if (${cond}) {`)
      out.push(...decodeField(f.schema, `d_${name}`, needs, stemFor(st, name)).map((l) => `  ${l}`), `  ${target} = d_${name}`, '}')
    }
  }
  const props = st.fields.map((f) => `${f.name}: ${computed.get(f.name) ?? `v_${f.name}`}`)
  if (typeLiteral) props.unshift(`type: '${typeLiteral}'`)
  out.push(`return { ${props.join(', ')} }`)
  return out
}

// ---------------------------------------------------------------------------------------------
// Value codec, from the value-type table
// ---------------------------------------------------------------------------------------------

const modelTest: Record<string, string> = {
  boolean: "typeof v === 'boolean'",
  int: "typeof v === 'bigint'",
  float: "typeof v === 'number'",
  string: "typeof v === 'string'",
  bytes: 'v instanceof Uint8Array',
  array: 'Array.isArray(v)',
}

const dataEncode: Record<string, string[]> = {
  none: [],
  bool: ['w.u8(v ? 1 : 0)'],
  i64: ['w.i64(v as bigint)'],
  f64: ['w.f64(v as number)'],
  str: ['w.str(v as string)'],
  bytes: ['w.bytes(v as Uint8Array)'],
  array: [
    'if (depth >= MAX_NESTING_DEPTH) throw new ClaspEncodeError(\'TOO_DEEP\', `values nest deeper than ${MAX_NESTING_DEPTH}`)',
    'const items = v as ClaspValue[]',
    'w.count(items.length)',
    'for (const item of items) encodeValue(w, item, depth + 1)',
  ],
  map: [
    'if (depth >= MAX_NESTING_DEPTH) throw new ClaspEncodeError(\'TOO_DEEP\', `values nest deeper than ${MAX_NESTING_DEPTH}`)',
    'if (v instanceof Map) {',
    '  w.count(v.size)',
    '  for (const [k, item] of v) {',
    '    w.str(k)',
    '    encodeValue(w, item, depth + 1)',
    '  }',
    '  return',
    '}',
    'const obj = v as { [key: string]: ClaspValue }',
    'const keys = Object.keys(obj)',
    'w.count(keys.length)',
    'for (const k of keys) {',
    '  w.str(k)',
    '  encodeValue(w, obj[k], depth + 1)',
    '}',
  ],
}

const dataDecode: Record<string, string[]> = {
  none: ['return null'],
  bool: ['return r.u8() !== 0'],
  i8: ['return BigInt(r.i8())'],
  i16: ['return BigInt(r.i16())'],
  i32: ['return BigInt(r.i32())'],
  i64: ['return r.i64()'],
  f32: ['return r.f32()'],
  f64: ['return r.f64()'],
  str: ['return r.str()'],
  bytes: ['return r.bytes()'],
  array: [
    'if (depth >= MAX_NESTING_DEPTH) throw new ClaspDecodeError(\'TOO_DEEP\', `values nest deeper than ${MAX_NESTING_DEPTH}`)',
    'const items: ClaspValue[] = []',
    'for (let n = r.u16(); n > 0; n--) items.push(decodeValue(r, depth + 1))',
    'return items',
  ],
  map: [
    'if (depth >= MAX_NESTING_DEPTH) throw new ClaspDecodeError(\'TOO_DEEP\', `values nest deeper than ${MAX_NESTING_DEPTH}`)',
    '// A null prototype makes "__proto__" an ordinary key instead of a prototype swap.',
    'const obj: { [key: string]: ClaspValue } = Object.create(null)',
    'for (let n = r.u16(); n > 0; n--) {',
    '  const k = r.str()',
    '  obj[k] = decodeValue(r, depth + 1)',
    '}',
    'return obj',
  ],
}

function emitValueCodec(file: SourceFile, model: SchemaModel): void {
  const canonical = model.valueTypes.filter((t) => t.canonical)
  const typeCode: string[] = ['if (v === null || v === undefined) return 0x00']
  for (const t of canonical) {
    if (t.model === 'null' || t.model === 'map') continue
    typeCode.push(`if (${modelTest[t.model]}) return ${hex2(t.code)}`)
  }
  const mapCode = canonical.find((t) => t.model === 'map')!.code
  typeCode.push(
    "if (typeof v === 'object' && !ArrayBuffer.isView(v)) return " + hex2(mapCode),
    "throw new ClaspEncodeError('INVALID_VALUE', `${describe(v)} is not a CLASP value (use bigint for integers, number for floats)`)",
  )
  file.addFunction({
    name: 'valueTypeCode', isExported: true,
    docs: ['The type code the encoder writes for a value: Rust\'s choices (i64 for bigint, f64 for number).'],
    parameters: [{ name: 'v', type: 'ClaspValue | undefined' }], returnType: 'number', statements: typeCode,
  })
  file.addFunction({
    name: 'encodeValueData', isExported: true, docs: ['Write a value\'s data (no type byte) for the given canonical type code.'],
    parameters: [{ name: 'w', type: 'WireWriter' }, { name: 'v', type: 'ClaspValue | undefined' }, { name: 'code', type: 'number' }, { name: 'depth', type: 'number' }],
    returnType: 'void',
    statements: [
      'switch (code) {',
      ...canonical.flatMap((t) => [`  case ${hex2(t.code)}: {`, ...dataEncode[t.data].map((l) => `    ${l}`), '    return', '  }']),
      '}',
    ],
  })
  file.addFunction({
    name: 'encodeValue', isExported: true, docs: ['Write a type byte and the value data.'],
    parameters: [{ name: 'w', type: 'WireWriter' }, { name: 'v', type: 'ClaspValue | undefined' }, { name: 'depth', type: 'number' }],
    returnType: 'void',
    statements: ['const code = valueTypeCode(v)', 'w.u8(code)', 'encodeValueData(w, v, code, depth)'],
  })
  file.addFunction({
    name: 'decodeValueData', isExported: true, docs: ['Read value data of the given type code; narrow integer and float codes are widened.'],
    parameters: [{ name: 'r', type: 'WireReader' }, { name: 'code', type: 'number' }, { name: 'depth', type: 'number' }],
    returnType: 'ClaspValue',
    statements: [
      'switch (code) {',
      ...model.valueTypes.flatMap((t) => [`  case ${hex2(t.code)}: {`, ...dataDecode[t.data].map((l) => `    ${l}`), '  }']),
      '}',
      "throw new ClaspDecodeError('UNKNOWN_VALUE_TYPE', `unknown value type 0x${code.toString(16).padStart(2, '0')}`)",
    ],
  })
  file.addFunction({
    name: 'decodeValue', isExported: true, docs: ['Read a type byte and the value data.'],
    parameters: [{ name: 'r', type: 'WireReader' }, { name: 'depth', type: 'number' }], returnType: 'ClaspValue',
    statements: ['return decodeValueData(r, r.u8(), depth)'],
  })
}

// ---------------------------------------------------------------------------------------------
// Enum, bitset and TTL helpers
// ---------------------------------------------------------------------------------------------

function emitEnumHelpers(file: SourceFile, model: SchemaModel, needs: HelperNeeds): void {
  for (const [enumName, unknownAs] of needs.enums) {
    const e = enumByName(model, enumName)
    const t = enumTypeName[enumName]
    file.addFunction({
      name: enumToCode(enumName), parameters: [{ name: 'v', type: t }], returnType: 'number',
      statements: [
        'switch (v) {',
        ...Object.entries(e.members).map(([k, c]) => `  case '${k}': return ${c}`),
        '}',
        `throw new ClaspEncodeError('INVALID_FIELD', \`\${String(v)} is not a ${t}\`)`,
      ],
    })
    file.addFunction({
      name: enumFromCode(enumName), parameters: [{ name: 'c', type: 'number' }], returnType: t,
      statements: [
        'switch (c) {',
        ...Object.entries(e.members).map(([k, c]) => `  case ${c}: return '${k}'`),
        '}',
        unknownAs !== undefined
          ? `return '${unknownAs}'`
          : `throw new ClaspDecodeError('UNKNOWN_ENUM', \`unknown ${enumName} code \${c}\`)`,
      ],
    })
  }
  for (const b of needs.bitsets.values()) {
    const e = enumByName(model, b.enumName)
    const t = enumTypeName[b.enumName]
    file.addFunction({
      name: `encode${b.fnStem}Bits`, parameters: [{ name: 'names', type: `readonly ${t}[]` }], returnType: 'number',
      docs: ['Members this field cannot carry are dropped, as in the reference encoder.'],
      statements: [
        ...(b.emptyAs !== undefined ? [`if (names.length === 0) return ${hex2(b.emptyAs)}`] : []),
        'let bits = 0',
        'for (const n of names) {',
        '  switch (n) {',
        ...b.members.map((m) => `    case '${m}': bits |= ${hex2(e.members[m])}; break`),
        '  }',
        '}',
        'return bits',
      ],
    })
    file.addFunction({
      name: `decode${b.fnStem}Bits`, parameters: [{ name: 'bits', type: 'number' }], returnType: `${t}[]`,
      statements: [
        ...(b.emptyAs !== undefined ? [`if (bits === ${hex2(b.emptyAs)}) return []`] : []),
        `const names: ${t}[] = []`,
        ...b.members.map((m) => `if (bits & ${hex2(e.members[m])}) names.push('${m}')`),
        'return names',
      ],
    })
  }
}

function emitTtlHelpers(file: SourceFile): void {
  file.addFunction({
    name: 'ttlToWord', parameters: [{ name: 't', type: 'Ttl' }], returnType: 'number',
    docs: ['0 = never; bit 31 = absolute; bits 30-0 = seconds (masked, as Rust does).'],
    statements: [
      "if (t.mode === 'never') return 0",
      'const s = t.seconds % 0x80000000',
      "if (!(s >= 0) || !Number.isInteger(s)) throw new ClaspEncodeError('OUT_OF_RANGE', `ttl seconds ${t.seconds}`)",
      "if (t.mode === 'absolute') return (s + 0x80000000) >>> 0",
      "if (t.mode === 'sliding') return s",
      "throw new ClaspEncodeError('INVALID_FIELD', `${String(t.mode)} is not a ttl mode`)",
    ],
  })
  file.addFunction({
    name: 'ttlFromWord', parameters: [{ name: 'word', type: 'number' }], returnType: 'Ttl',
    statements: [
      "if (word === 0) return { mode: 'never', seconds: 0 }",
      "if (word >= 0x80000000) return { mode: 'absolute', seconds: word - 0x80000000 }",
      "return { mode: 'sliding', seconds: word }",
    ],
  })
}

// ---------------------------------------------------------------------------------------------
// Dispatch, QoS and frames
// ---------------------------------------------------------------------------------------------

function qosExpr(m: MessageModel): string {
  const q = m.defaultQos
  if (typeof q === 'number') return String(q)
  const cases = Object.entries(q.codes).map(([k, v]) => `m.${q.byField} === '${k}' ? ${v}`).join(' : ')
  return `m.${q.byField} === undefined ? ${q.absent} : ${cases} : ${q.absent}`
}

function emitDispatch(file: SourceFile, model: SchemaModel): void {
  file.addFunction({
    name: 'encodePayload', isExported: true, docs: ['Write a message payload (no frame header).'],
    parameters: [{ name: 'w', type: 'WireWriter' }, { name: 'm', type: 'Message' }, { name: 'depth', type: 'number' }], returnType: 'void',
    statements: [
      "if (depth > MAX_NESTING_DEPTH) throw new ClaspEncodeError('TOO_DEEP', 'bundles nest too deep')",
      'switch (m.type) {',
      ...model.messages.map((m) => `  case '${m.wireName}': return encode${m.typeName}(w, m, depth)`),
      '}',
      "throw new ClaspEncodeError('INVALID_FIELD', `unknown message type ${String((m as { type?: unknown }).type)}`)",
    ],
  })
  file.addFunction({
    name: 'decodePayload', isExported: true, docs: ['Read a message payload; the reader must be positioned on the type byte.'],
    parameters: [{ name: 'r', type: 'WireReader' }, { name: 'depth', type: 'number' }], returnType: 'Message',
    statements: [
      "if (depth > MAX_NESTING_DEPTH) throw new ClaspDecodeError('TOO_DEEP', 'bundles nest too deep')",
      'const code = r.u8()',
      'switch (code) {',
      ...model.messages.map((m) => `  case ${hex2(m.code)}: return decode${m.typeName}(r, depth)`),
      '}',
      "throw new ClaspDecodeError('UNKNOWN_MESSAGE_TYPE', `unknown message type 0x${code.toString(16).padStart(2, '0')}`)",
    ],
  })
  file.addFunction({
    name: 'decodeMessageItems', docs: ['BUNDLE items: a u16 length each; bytes after an inner message are ignored.'],
    parameters: [{ name: 'r', type: 'WireReader' }, { name: 'count', type: 'number' }, { name: 'depth', type: 'number' }], returnType: 'Message[]',
    statements: ['const out: Message[] = []', 'for (let n = count; n > 0; n--) out.push(decodePayload(r.sub(r.u16()), depth + 1))', 'return out'],
  })
  file.addFunction({
    name: 'defaultQos', isExported: true, docs: ['The frame QoS the Rust reference writes for a message.'],
    parameters: [{ name: 'm', type: 'Message' }], returnType: 'number',
    statements: ['switch (m.type) {', ...model.messages.map((m) => `  case '${m.wireName}': return ${qosExpr(m)}`), '}', 'return 0'],
  })
}

function emitFrame(file: SourceFile, model: SchemaModel): void {
  const f = model.frame
  const l = f.legacyPayloadBytes
  file.addVariableStatement({
    declarationKind: VariableDeclarationKind.Const, docs: ['Shared output buffer for the hot path; `encode` copies out of it.'],
    declarations: [{ name: 'shared', initializer: 'new WireWriter()' }],
  })
  file.addFunction({
    name: 'encodeFrameInto', isExported: true,
    docs: ['Write a whole frame at the writer\'s position. Any failure is a ClaspEncodeError.'],
    parameters: [{ name: 'w', type: 'WireWriter' }, { name: 'm', type: 'Message' }, { name: 'options', type: 'FrameOptions', initializer: '{}' }],
    returnType: 'void',
    statements: [
      'const start = w.pos',
      'try {',
      `  const qos = options.qos ?? defaultQos(m)`,
      `  if (!(qos >= 0 && qos <= 3 && Number.isInteger(qos))) throw new ClaspEncodeError('OUT_OF_RANGE', \`qos \${qos}\`)`,
      `  const version = options.version ?? ${f.encodingVersion}`,
      `  let flags = (qos << 6) | (version & 0x07)`,
      '  if (options.timestamp !== undefined) flags |= 0x20',
      '  if (options.encrypted) flags |= 0x10',
      '  if (options.compressed) flags |= 0x08',
      `  w.u8(${hex2(f.magic)})`,
      '  w.u8(flags)',
      '  const lengthAt = w.reserveU16()',
      '  if (options.timestamp !== undefined) w.u64(options.timestamp)',
      '  const payloadStart = w.pos',
      '  encodePayload(w, m, 0)',
      '  const length = w.pos - payloadStart',
      `  if (length > ${f.maxPayloadBytes}) throw new ClaspEncodeError('PAYLOAD_TOO_LARGE', \`payload of \${length} bytes exceeds ${f.maxPayloadBytes}\`)`,
      '  w.patchU16(lengthAt, length)',
      '} catch (e) {',
      '  w.pos = start',
      '  if (e instanceof ClaspEncodeError) throw e',
      "  throw new ClaspEncodeError('INVALID_FIELD', `cannot encode ${String((m as { type?: unknown })?.type)}: ${(e as Error).message}`)",
      '}',
    ],
  })
  file.addFunction({
    name: 'encode', isExported: true, docs: ['Encode a message as a complete frame, in a new buffer.'],
    parameters: [{ name: 'm', type: 'Message' }, { name: 'options', type: 'FrameOptions', hasQuestionToken: true }], returnType: 'Uint8Array',
    statements: ['shared.reset()', 'encodeFrameInto(shared, m, options)', 'return shared.buf.slice(0, shared.pos)'],
  })
  file.addFunction({
    name: 'encodeShared', isExported: true,
    docs: ['Encode into the shared buffer and return a view of it, valid only until the next encode call. For hot paths that copy or send at once.'],
    parameters: [{ name: 'm', type: 'Message' }, { name: 'options', type: 'FrameOptions', hasQuestionToken: true }], returnType: 'Uint8Array',
    statements: ['shared.reset()', 'encodeFrameInto(shared, m, options)', 'return shared.buf.subarray(0, shared.pos)'],
  })
  file.addFunction({
    name: 'decode', isExported: true,
    docs: ['Decode one frame from the start of `bytes`. Bytes after the frame are ignored (see `length`). Any failure is a ClaspDecodeError.'],
    parameters: [{ name: 'bytes', type: 'Uint8Array' }], returnType: 'DecodedFrame',
    statements: [
      `if (bytes.length < ${f.headerBytes}) throw new ClaspDecodeError('TRUNCATED', \`frame needs ${f.headerBytes} header bytes, got \${bytes.length}\`)`,
      `if (bytes[0] !== ${hex2(f.magic)}) throw new ClaspDecodeError('BAD_MAGIC', \`bad magic byte 0x\${bytes[0].toString(16).padStart(2, '0')}\`)`,
      'const flags = bytes[1]',
      'const length = (bytes[2] << 8) | bytes[3]',
      `let offset = ${f.headerBytes}`,
      'let timestamp: bigint | undefined',
      'const r = new WireReader(bytes, offset)',
      'if (flags & 0x20) {',
      '  timestamp = r.u64()',
      `  offset += ${f.timestampBytes}`,
      '}',
      "if (bytes.length < offset + length) throw new ClaspDecodeError('TRUNCATED', `frame announces ${length} payload bytes, ${bytes.length - offset} present`)",
      "if (length === 0) throw new ClaspDecodeError('EMPTY_PAYLOAD', 'frame has no payload')",
      'const first = bytes[offset]',
      `if ((first >= ${hex2(l.fixmapFirst)} && first <= ${hex2(l.fixmapLast)}) || first === ${hex2(l.map16)} || first === ${hex2(l.map32)}) {`,
      "  throw new ClaspDecodeError('LEGACY_ENCODING', 'legacy v0 MessagePack payloads are not supported')",
      '}',
      'r.end = offset + length',
      'const message = decodePayload(r, 0)',
      '// QoS 3 is reserved; Rust reads it as fire, and so do we.',
      'const qos = flags >> 6',
      'return { message, qos: qos === 3 ? 0 : qos, timestamp, encrypted: (flags & 0x10) !== 0, compressed: (flags & 0x08) !== 0, version: flags & 0x07, length: offset + length }',
    ],
  })
}

// ---------------------------------------------------------------------------------------------

export function emitCodec(file: SourceFile, model: SchemaModel): void {
  file.addImportDeclarations([
    { moduleSpecifier: '../runtime/codec/errors.ts', namedImports: ['ClaspDecodeError', 'ClaspEncodeError'] },
    { moduleSpecifier: '../runtime/codec/reader.ts', namedImports: ['WireReader'] },
    { moduleSpecifier: '../runtime/codec/writer.ts', namedImports: ['WireWriter'] },
    {
      moduleSpecifier: './types.ts', isTypeOnly: true,
      namedImports: ['ClaspValue', 'DecodedFrame', 'FrameOptions', 'Message', 'Ttl', ...new Set(Object.values(enumTypeName)),
        ...model.structs.map((s) => s.name), ...model.messages.map((m) => m.typeName)].sort(),
    },
    { moduleSpecifier: './types.ts', namedImports: ['MAX_NESTING_DEPTH'] },
  ])
  const needs: HelperNeeds = { enums: new Map(), bitsets: new Map() }
  emitValueCodec(file, model)
  const all: Array<[StructModel, string | undefined, number | undefined]> = [
    ...model.structs.map((s): [StructModel, undefined, undefined] => [s, undefined, undefined]),
    ...model.messages.map((m): [StructModel, string, number] => [m, m.wireName, m.code]),
  ]
  for (const [st, literal, code] of all) {
    file.addFunction({
      name: `encode${st.name}`, isExported: true,
      parameters: [{ name: 'w', type: 'WireWriter' }, { name: 'm', type: st.name }, { name: 'depth', type: 'number' }], returnType: 'void',
      statements: encodeBody(st, needs, code),
    })
    file.addFunction({
      name: `decode${st.name}`, isExported: true,
      docs: literal ? [`Decode a ${literal} payload after its type byte.`] : [],
      parameters: [{ name: 'r', type: 'WireReader' }, { name: 'depth', type: 'number' }],
      returnType: st.zeroFlagsIsAbsent ? `${st.name} | undefined` : st.name,
      statements: decodeBody(st, needs, literal),
    })
  }
  emitEnumHelpers(file, model, needs)
  emitTtlHelpers(file)
  emitDispatch(file, model)
  emitFrame(file, model)
  file.addFunction({
    name: 'describe', parameters: [{ name: 'v', type: 'unknown' }], returnType: 'string',
    statements: ["if (typeof v === 'object' && v !== null) return v.constructor?.name ?? 'object'", 'return typeof v'],
  })
}

export type { Wire }
