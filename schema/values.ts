/**
 * CLASP values: the 12 type codes of wire-protocol.md §4.2 and the TypeScript value model.
 *
 * The TypeScript model keeps integers and floats apart, as Rust does: a `bigint` is an integer
 * and is written as i64 (0x05); a `number` is a float and is written as f64 (0x07). Narrower
 * codes (i8…i32, f32) are accepted on decode and widened, as the reference does.
 */
import { Type } from 'typebox'

/** How a value type's data is laid out after its type code. */
export type ValueData =
  | 'none' | 'bool' | 'i8' | 'i16' | 'i32' | 'i64' | 'f32' | 'f64' | 'str' | 'bytes' | 'array' | 'map'

export interface ValueTypeDef {
  name: string
  code: number
  data: ValueData
  /** The TypeScript kind a decoded value of this type becomes. */
  model: 'null' | 'boolean' | 'int' | 'float' | 'string' | 'bytes' | 'array' | 'map'
  /** True for the one code the encoder writes for its model kind (Rust's choice). */
  canonical: boolean
}

export const valueTypes: ValueTypeDef[] = [
  { name: 'null', code: 0x00, data: 'none', model: 'null', canonical: true },
  { name: 'bool', code: 0x01, data: 'bool', model: 'boolean', canonical: true },
  { name: 'i8', code: 0x02, data: 'i8', model: 'int', canonical: false },
  { name: 'i16', code: 0x03, data: 'i16', model: 'int', canonical: false },
  { name: 'i32', code: 0x04, data: 'i32', model: 'int', canonical: false },
  { name: 'i64', code: 0x05, data: 'i64', model: 'int', canonical: true },
  { name: 'f32', code: 0x06, data: 'f32', model: 'float', canonical: false },
  { name: 'f64', code: 0x07, data: 'f64', model: 'float', canonical: true },
  { name: 'string', code: 0x08, data: 'str', model: 'string', canonical: true },
  { name: 'bytes', code: 0x09, data: 'bytes', model: 'bytes', canonical: true },
  { name: 'array', code: 0x0a, data: 'array', model: 'array', canonical: true },
  { name: 'map', code: 0x0b, data: 'map', model: 'map', canonical: true },
]

/**
 * Maximum nesting of arrays, maps and bundles that a decoder follows. The reference has no limit;
 * a 65,535-byte payload could nest about 21,000 levels and exhaust a JS or MCU stack.
 */
export const MAX_NESTING_DEPTH = 64

/** The TypeBox form of a value, for validation of user input and documentation. */
export const Value = Type.Cyclic(
  {
    Value: Type.Union([
      Type.Null(),
      Type.Boolean(),
      Type.BigInt({ description: 'integer, written as i64' }),
      Type.Number({ description: 'float, written as f64' }),
      Type.String(),
      Type.Unsafe<Uint8Array>({ type: 'object', instanceOf: 'Uint8Array', description: 'bytes' }),
      Type.Array(Type.Ref('Value')),
      Type.Record(Type.String(), Type.Ref('Value'), { description: 'map (null-prototype object)' }),
    ]),
  },
  'Value',
)
