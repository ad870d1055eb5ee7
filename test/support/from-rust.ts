/**
 * Turns a parsed Rust `Debug` rendering of a `clasp_core::Message` (the authoritative content of
 * a golden vector) into our TypeScript message, walking the same schema model the generator
 * uses: which fields are u64 (bigint), which are enums, which are structs. Rust fields that our
 * wire model does not carry (capabilities, timeline data, message-level meta) are ignored, as
 * the reference encoder ignores them.
 */
import { type FieldModel, type StructModel, buildModel, snake } from '../../codegen/model.ts'
import type { ClaspValue, Message } from '../../generated/types.ts'
import type { Wire } from '../../codegen/ts/fields.ts'
import { type RustNode, parseRustDebug } from './rust-debug.ts'

const model = buildModel()

const lowerFirst = (s: string) => s[0].toLowerCase() + s.slice(1)

function unwrapOption(n: RustNode): RustNode | undefined {
  if (n.kind === 'unit' && n.name === 'None') return undefined
  if (n.kind === 'tuple' && n.name === 'Some') return n.items[0]
  return n
}

function intOf(n: RustNode): bigint {
  if (n.kind !== 'int') throw new Error(`expected an integer, got ${n.kind}`)
  return n.value
}

function floatOf(n: RustNode): number {
  if (n.kind === 'float') return n.value
  if (n.kind === 'int') return Number(n.value)
  throw new Error(`expected a float, got ${n.kind}`)
}

/** A Rust `Value` enum → our value model. */
export function fromRustValue(n: RustNode): ClaspValue {
  if (n.kind === 'unit' && n.name === 'Null') return null
  if (n.kind !== 'tuple') throw new Error(`not a Value: ${JSON.stringify(n)}`)
  const inner = n.items[0]
  switch (n.name) {
    case 'Bool': if (inner.kind === 'bool') return inner.value; break
    case 'Int': return intOf(inner)
    case 'Float': return floatOf(inner)
    case 'String': if (inner.kind === 'str') return inner.value; break
    case 'Bytes': if (inner.kind === 'list') return Uint8Array.from(inner.items.map((b) => Number(intOf(b)))); break
    case 'Array': if (inner.kind === 'list') return inner.items.map(fromRustValue); break
    case 'Map':
      if (inner.kind === 'map') {
        const obj: Record<string, ClaspValue> = Object.create(null)
        for (const [k, v] of inner.entries) {
          if (k.kind !== 'str') throw new Error('map key is not a string')
          obj[k.value] = fromRustValue(v)
        }
        return obj
      }
  }
  throw new Error(`unsupported Value ${n.name}`)
}

function fromRustField(s: Wire, n: RustNode): unknown {
  const items = (s as unknown as { items: Wire | Wire[] }).items
  switch (s.wire) {
    case 'u8': case 'u16': case 'u32': return Number(intOf(n))
    case 'u64': return intOf(n)
    case 'f64': return floatOf(n)
    case 'bool8': if (n.kind === 'bool') return n.value; break
    case 'str': if (n.kind === 'str') return n.value; break
    case 'value': return fromRustValue(n)
    case 'enum8': if (n.kind === 'unit') return lowerFirst(n.name); break
    case 'bitset8':
      if (n.kind === 'list') return n.items.map((i) => (i.kind === 'str' ? i.value : i.kind === 'unit' ? lowerFirst(i.name) : '?'))
      break
    case 'ttl32':
      if (n.kind === 'unit' && n.name === 'Never') return { mode: 'never', seconds: 0 }
      if (n.kind === 'tuple') return { mode: lowerFirst(n.name!), seconds: Number(intOf(n.items[0])) }
      break
    case 'list': if (n.kind === 'list') return n.items.map((i) => fromRustField(items as Wire, i)); break
    case 'tuple': if (n.kind === 'tuple') return n.items.map((i, k) => fromRustField((items as Wire[])[k], i)); break
    case 'map':
      if (n.kind === 'map') {
        const item = Object.values((s as unknown as { patternProperties: Record<string, Wire> }).patternProperties)[0]
        const obj: Record<string, unknown> = Object.create(null)
        for (const [k, v] of n.entries) obj[(k as { value: string }).value] = fromRustField(item, v)
        return obj
      }
      break
    case 'struct': return fromRustStruct(model.structs.find((x) => x.name === s.struct)!, n)
    case 'messages': if (n.kind === 'list') return n.items.map(fromRustMessageNode); break
    default:
      if (n.kind === 'bool') return n.value
  }
  throw new Error(`cannot read ${s.wire} from ${JSON.stringify(n, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`)
}

function fromRustStruct(st: StructModel, n: RustNode): Record<string, unknown> {
  if (n.kind !== 'struct') throw new Error(`expected struct for ${st.name}`)
  const out: Record<string, unknown> = {}
  for (const f of st.fields) {
    const raw = rustFieldFor(st, f, n.fields)
    if (raw === undefined) continue
    const present = unwrapOption(raw)
    if (present !== undefined) out[f.name] = fromRustField(f.schema, present)
  }
  return out
}

/** Rust field names are our names in snake_case, with two renames. */
function rustFieldFor(st: StructModel, f: FieldModel, fields: Map<string, RustNode>): RustNode | undefined {
  if (st.name === 'PublishMessage' && f.name === 'value') {
    // Rust writes `value` first, else `payload`; both decode into `value`.
    const v = fields.get('value')
    return v && unwrapOption(v) !== undefined ? v : fields.get('payload')
  }
  return fields.get(snake(f.name))
}

function fromRustMessageNode(n: RustNode): Message {
  const variant = n.kind === 'unit' ? n.name : n.kind === 'tuple' ? n.name! : undefined
  const m = model.messages.find((x) => x.stem === variant)
  if (!m) throw new Error(`unknown message variant ${String(variant)}`)
  if (n.kind === 'unit') return { type: m.wireName } as Message
  return { type: m.wireName, ...fromRustStruct(m, (n as { items: RustNode[] }).items[0]) } as Message
}

/** Parse a Rust `Debug` message string into our message. */
export function fromRustDebug(text: string): Message {
  return fromRustMessageNode(parseRustDebug(text))
}
