/**
 * fast-check arbitraries for CLASP messages in their TypeScript form (generated/types.ts),
 * derived from the schema's wire annotations so that every message the C header supports is
 * covered without a hand-written list: bigint for u64 and integer values, numbers (NaN, -0,
 * infinities included) for floats, arbitrary Unicode strings bounded by the C byte limits,
 * Uint8Array bytes, nested arrays and maps, TTLs, bitsets, optional fields and nested bundles.
 */
import fc from 'fast-check'
import type { SchemaModel, StructModel } from '../../codegen/model.ts'
import type { FrameOptions, Message } from '../../generated/types.ts'
import type { WireAnnotations } from '../../schema/index.ts'

type Wire = WireAnnotations & Record<string, unknown>

export interface ArbOptions {
  /** Items per list/map/bundle (lists of plain numbers may use their full C limit). */
  maxItems: number
  /** Array/map nesting inside values. */
  valueDepth: number
  /** BUNDLE nesting. */
  bundleDepth: number
}

const U64_MAX = (1n << 64n) - 1n

/** UTF-8 strings of at most `maxBytes` bytes: any code points, printable ASCII, or exactly the limit. */
export function text(maxBytes: number): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: Math.floor(maxBytes / 4) }) },
    { weight: 3, arbitrary: fc.string({ maxLength: Math.min(maxBytes, 48) }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', minLength: maxBytes, maxLength: maxBytes }) },
  )
}

/** CLASP values (kept small enough to stay under the C header's default CLASP_MAX_VALUE_SIZE). */
export function valueArb(depth: number): fc.Arbitrary<unknown> {
  return fc.letrec((tie) => ({
    value: fc.oneof(
      { maxDepth: depth, depthIdentifier: 'clasp-value' },
      tie('leaf'),
      fc.array(tie('value'), { maxLength: 3 }),
      fc.dictionary(text(48), tie('value'), { maxKeys: 3 }),
    ),
    leaf: fc.oneof(
      fc.constant(null),
      fc.boolean(),
      fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }),
      fc.double(),
      text(96),
      fc.uint8Array({ maxLength: 96 }),
    ),
  })).value
}

const enumMembers = (s: Wire): string[] => ((s as { anyOf?: Array<{ const: string }> }).anyOf ?? []).map((x) => x.const)
const itemsOf = (s: Wire): Wire => s.items as Wire
const tupleItems = (s: Wire): Wire[] => s.items as Wire[]
const mapItem = (s: Wire): Wire => Object.values(s.patternProperties as Record<string, Wire>)[0]

export class MessageArbitraries {
  constructor(private readonly model: SchemaModel, private readonly opts: ArbOptions, private readonly allowed: Set<string>) {}

  field(s: Wire, bundleDepth: number): fc.Arbitrary<unknown> {
    switch (s.wire) {
      case 'u8': return fc.integer({ min: 0, max: 0xff })
      case 'u16': return fc.integer({ min: 0, max: 0xffff })
      case 'u32': return fc.integer({ min: 0, max: 0xffffffff })
      case 'u64': return fc.bigInt({ min: 0n, max: U64_MAX })
      case 'f64': return fc.double()
      case 'bool8': return fc.boolean()
      case 'str': return text(s.maxBytes!)
      case 'value': return valueArb(this.opts.valueDepth)
      case 'enum8': return fc.constantFrom(...enumMembers(s))
      case 'bitset8': return fc.subarray(s.members!)
      case 'ttl32':
        return fc.oneof(
          fc.constant({ mode: 'never', seconds: 0 }),
          fc.record({ mode: fc.constantFrom('sliding', 'absolute'), seconds: fc.integer({ min: 0, max: 0x7fffffff }) }),
        )
      case 'list': {
        const item = itemsOf(s)
        const scalar = ['u8', 'u16', 'u32', 'u64', 'f64'].includes(item.wire)
        return fc.array(this.field(item, bundleDepth), { maxLength: Math.min(s.maxItems!, scalar ? 64 : this.opts.maxItems) })
      }
      case 'map': return fc.dictionary(text(s.maxBytes!), this.field(mapItem(s), bundleDepth), { maxKeys: Math.min(s.maxItems!, this.opts.maxItems) })
      case 'tuple': return fc.tuple(...tupleItems(s).map((t) => this.field(t, bundleDepth)))
      case 'struct': return this.struct(this.model.structs.find((x) => x.name === s.struct)!, bundleDepth)
      case 'messages':
        return bundleDepth <= 0 ? fc.constant([]) : fc.array(this.message(bundleDepth - 1), { maxLength: Math.min(s.maxItems!, this.opts.maxItems) })
      case 'bit': return fc.boolean()
      default:
        throw new Error(`no arbitrary for wire kind ${String(s.wire)}`)
    }
  }

  struct(st: StructModel, bundleDepth: number, type?: string): fc.Arbitrary<Record<string, unknown>> {
    const shape: Record<string, fc.Arbitrary<unknown>> = {}
    const required: string[] = []
    if (type) {
      shape.type = fc.constant(type)
      required.push('type')
    }
    for (const f of st.fields) {
      shape[f.name] = this.field(f.schema as unknown as Wire, bundleDepth)
      if (!f.optional) required.push(f.name)
    }
    return fc.record(shape, { requiredKeys: required })
  }

  /** Any allowed message; bundles nest at most `bundleDepth` deep. */
  message(bundleDepth = this.opts.bundleDepth): fc.Arbitrary<Message> {
    const arbs = this.model.messages.filter((m) => this.allowed.has(m.wireName)).map((m) => this.struct(m, bundleDepth, m.wireName))
    return fc.oneof(...arbs) as unknown as fc.Arbitrary<Message>
  }

  frameOptions(): fc.Arbitrary<FrameOptions> {
    return fc.record(
      {
        qos: fc.integer({ min: 0, max: 3 }),
        timestamp: fc.bigInt({ min: 0n, max: U64_MAX }),
        encrypted: fc.boolean(),
        compressed: fc.boolean(),
        version: fc.integer({ min: 0, max: 7 }),
      },
      { requiredKeys: [] },
    )
  }
}
