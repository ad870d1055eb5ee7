/**
 * fast-check arbitraries for every message, built by walking the same schema model as the
 * generator, so a new field or message is covered without touching the tests.
 *
 * They produce messages in canonical form — the form decoding gives back — so a round trip can
 * be compared with deep equality: u64 as bigint, enum and flag fields always present, bitsets in
 * member order, one of value/samples, no empty token (it reads back as absent), no all-absent
 * subscribe options, TTL seconds within 31 bits and no sliding(0) (it reads back as never).
 */
import fc from 'fast-check'
import { type FieldModel, type MessageModel, type SchemaModel, type StructModel, buildModel, enumByName } from '../../codegen/model.ts'
import type { Wire } from '../../codegen/ts/fields.ts'
import type { ClaspValue, Message } from '../../generated/types.ts'

const model: SchemaModel = buildModel()

export interface ArbitraryOptions {
  /** Longest string in UTF-16 units (addresses, names, string values). */
  maxString?: number
  /** Most items in lists, arrays and maps. */
  maxItems?: number
  /** Nesting depth of values. */
  maxDepth?: number
  /** Only types the C header can decode (for the C equality property). */
  forC?: boolean
  /** Inside a bundle: no further bundles. */
  inner?: boolean
}

const str = (o: ArbitraryOptions) =>
  fc.oneof(fc.string({ maxLength: o.maxString ?? 24 }), fc.string({ unit: 'binary', maxLength: o.maxString ?? 24 }))
const u32 = fc.integer({ min: 0, max: 0xffffffff })
const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })
const i64 = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n })
const f64 = fc.oneof(fc.double(), fc.constantFrom(Number.NaN, -0, 0, Infinity, -Infinity, 5e-324))

/** Any value: scalars of every model kind, nested arrays and maps (null-prototype objects). */
export function valueArbitrary(o: ArbitraryOptions = {}): fc.Arbitrary<ClaspValue> {
  const maxItems = o.maxItems ?? 4
  const { value } = fc.letrec<{ value: ClaspValue }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', maxDepth: o.maxDepth ?? 3 },
      fc.constant(null),
      fc.boolean(),
      i64,
      f64,
      str(o),
      fc.uint8Array({ maxLength: 16 }),
      fc.array(tie('value'), { maxLength: maxItems }),
      fc.uniqueArray(fc.tuple(str(o), tie('value')), { maxLength: maxItems, selector: (e) => e[0] }).map((entries) => {
        const obj: Record<string, ClaspValue> = Object.create(null)
        for (const [k, v] of entries) obj[k] = v
        return obj
      }),
    ),
  }))
  return value
}

function fieldArbitrary(f: FieldModel | { schema: Wire; name: string }, owner: StructModel, o: ArbitraryOptions): fc.Arbitrary<unknown> {
  const s = f.schema
  const items = (s as unknown as { items: Wire | Wire[] }).items
  switch (s.wire) {
    case 'u8': return fc.integer({ min: 0, max: 255 })
    case 'u16': return fc.integer({ min: 0, max: 0xffff })
    case 'u32': return u32
    case 'u64': return u64
    case 'f64': return f64
    case 'bool8': return fc.boolean()
    case 'str': return s.emptyIsAbsent ? str(o).filter((x) => x !== '') : str(o)
    case 'value': return valueArbitrary(o)
    case 'enum8': return fc.constantFrom(...Object.keys(enumByName(model, s.enum!).members))
    case 'bitset8': {
      const members = s.members!
      return fc.subarray(members).map((picked) => members.filter((m) => picked.includes(m)))
    }
    case 'ttl32':
      return fc.oneof(
        fc.constant({ mode: 'never', seconds: 0 }),
        fc.record({ mode: fc.constant('sliding'), seconds: fc.integer({ min: 1, max: 0x7fffffff }) }),
        fc.record({ mode: fc.constant('absolute'), seconds: fc.integer({ min: 0, max: 0x7fffffff }) }),
      )
    case 'list': return fc.array(fieldArbitrary({ schema: items as Wire, name: f.name }, owner, o), { maxLength: o.maxItems ?? 4 })
    case 'tuple': return fc.tuple(...(items as Wire[]).map((i) => fieldArbitrary({ schema: i, name: f.name }, owner, o)))
    case 'map': {
      const item = Object.values((s as unknown as { patternProperties: Record<string, Wire> }).patternProperties)[0]
      return fc.uniqueArray(fc.tuple(str(o), fieldArbitrary({ schema: item, name: f.name }, owner, o)), { maxLength: o.maxItems ?? 4, selector: (e) => e[0] })
        .map((entries) => Object.assign(Object.create(null), Object.fromEntries(entries)))
    }
    case 'struct': return structArbitrary(model.structs.find((x) => x.name === s.struct)!, o)
    // One level of bundle nesting keeps generation finite.
    case 'messages': return fc.array(anyMessage({ ...o, inner: true }), { maxLength: 3 })
    case 'bit': return fc.boolean()
    default:
      throw new Error(`no arbitrary for ${String(s.wire)}`)
  }
}

function structArbitrary(st: StructModel, o: ArbitraryOptions): fc.Arbitrary<Record<string, unknown>> {
  const shape: Record<string, fc.Arbitrary<unknown>> = {}
  for (const f of st.fields) {
    const a = fieldArbitrary(f, st, o)
    const presence = st.presence.get(f.name)!.by
    // Fields kept in flag bits are always decoded, so canonical messages always carry them.
    shape[f.name] = f.optional && presence !== 'required' ? fc.option(a, { nil: undefined }) : a
  }
  let arb = fc.record(shape) as fc.Arbitrary<Record<string, unknown>>
  if (st.zeroFlagsIsAbsent) arb = arb.filter((r) => Object.values(r).some((v) => v !== undefined))
  if (st.name === 'PublishMessage') arb = arb.filter((r) => r.value === undefined || r.samples === undefined)
  return arb
}

const byName = new Map(model.messages.map((m) => [m.wireName, m]))

/** Canonical messages of one type. */
export function messageArbitrary(wireName: string, o: ArbitraryOptions = {}): fc.Arbitrary<Message> {
  const m: MessageModel = byName.get(wireName)!
  return structArbitrary(m, o).map((fields) => ({ type: wireName, ...fields }) as Message)
}

/** Canonical messages of any type (or any C-supported type). */
export function anyMessage(o: ArbitraryOptions = {}): fc.Arbitrary<Message> {
  const names = model.messages.filter((m) => (!o.forC || m.c.decode) && !(o.inner && m.wireName === 'BUNDLE')).map((m) => m.wireName)
  return fc.constantFrom(...names).chain((n) => messageArbitrary(n, o))
}

export const messageNames = model.messages.map((m) => m.wireName)
