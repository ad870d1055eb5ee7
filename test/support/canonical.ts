/**
 * A comparable form of messages and values (vectors README §1.9): absent and undefined fields
 * dropped, object keys sorted (map entry order has no meaning on the wire), floats compared by
 * bit pattern so that NaN equals NaN and -0 differs from +0, bigints and bytes tagged.
 */

const f64Bits = (x: number): string => {
  const dv = new DataView(new ArrayBuffer(8))
  dv.setFloat64(0, x)
  return dv.getBigUint64(0).toString(16).padStart(16, '0')
}

export function canonical(x: unknown): unknown {
  if (x === null) return null
  switch (typeof x) {
    case 'bigint': return `int:${x}`
    case 'number': return `f64:${f64Bits(x)}(${x})`
    case 'string': case 'boolean': return x
    case 'undefined': return undefined
  }
  if (x instanceof Uint8Array) return `bytes:${Buffer.from(x).toString('hex')}`
  if (Array.isArray(x)) return x.map(canonical)
  const obj = x as Record<string, unknown>
  // Null prototype: a "__proto__" map key stays an ordinary entry here too.
  const out: Record<string, unknown> = Object.create(null)
  for (const k of Object.keys(obj).sort()) {
    const v = canonical(obj[k])
    if (v !== undefined) out[k] = v
  }
  return out
}
