/**
 * The shared transform layer (bridges/transform.ts) as pure functions: address rewrites with `*`
 * and `**` captures in both directions, scale / clamp / invert / integerOut, direction filters,
 * rule order, and value kinds that must pass through untouched.
 */
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { Normalize, Transforms } from '../../bridges/transform.ts'

describe('address rewrite', () => {
  const t = new Transforms([{ match: '/osc/mixer/*', to: '/mixer/*' }, { match: '/osc/deep/**', to: '/d/**' }])

  test('a * captures one segment, inbound and outbound', () => {
    expect(t.inbound('/osc/mixer/fader1', 0.5)).toEqual({ address: '/mixer/fader1', value: 0.5 })
    expect(t.outbound('/mixer/fader1', 0.5)).toEqual({ address: '/osc/mixer/fader1', value: 0.5 })
  })

  test('a * does not cross segments; ** takes the rest', () => {
    expect(t.inbound('/osc/mixer/a/b', 1).address).toBe('/osc/mixer/a/b') // no rule matched: unchanged
    expect(t.inbound('/osc/deep/a/b/c', 1).address).toBe('/d/a/b/c')
    expect(t.outbound('/d/x/y', 1).address).toBe('/osc/deep/x/y')
  })

  test('several captures are substituted in order', () => {
    const r = new Transforms([{ match: '/midi/*/cc/*', to: '/ctl/*/*' }])
    expect(r.inbound('/midi/dev/cc/7', 1n).address).toBe('/ctl/dev/7')
    expect(r.outbound('/ctl/dev/7', 1n).address).toBe('/midi/dev/cc/7')
  })

  test('regex characters in patterns are literal', () => {
    const r = new Transforms([{ match: '/a.b/(x)/*', to: '/c+d/*' }])
    expect(r.inbound('/a.b/(x)/1', 1).address).toBe('/c+d/1')
    expect(r.inbound('/aXb/(x)/1', 1).address).toBe('/aXb/(x)/1')
  })

  test('the first matching rule wins', () => {
    const r = new Transforms([{ match: '/x/*', to: '/first/*' }, { match: '/x/a', to: '/second' }])
    expect(r.inbound('/x/a', 1).address).toBe('/first/a')
  })

  test('no rules: identity', () => {
    const none = new Transforms()
    expect(none.inbound('/a', 1)).toEqual({ address: '/a', value: 1 })
    expect(none.outbound('/a', 1)).toEqual({ address: '/a', value: 1 })
  })
})

describe('value operations', () => {
  test('scale maps external ranges to CLASP ranges and back', () => {
    const t = new Transforms([{ match: '/midi/**', scale: Normalize.midi }])
    expect(t.inbound('/midi/cc/1', 127n).value).toBe(1)
    expect(t.inbound('/midi/cc/1', 64n).value).toBeCloseTo(0.5039, 4)
    expect(t.outbound('/midi/cc/1', 0.5).value).toBe(63.5)
  })

  // Known defect in transform.ts (reported, not ours to change): `mapNumber` keeps an Int when the
  // scaled number happens to equal the input, so CC 0 arrives as Int 0 while CC 1..127 arrive as
  // Floats — one signal, two types. bridges.md §0 says a linear scale returns a Float. This test
  // states the intended behaviour and is marked `fails` until transform.ts is fixed.
  test('a scaled Int is always a Float (CC 0 → 0.0, not Int 0)', () => {
    const t = new Transforms([{ match: '/midi/**', scale: Normalize.midi }])
    expect(t.inbound('/midi/cc/1', 0n).value).toBe(0)
  })

  test('outbound scale clamps to the external range (a fader pushed past 1 stays at 127)', () => {
    const t = new Transforms([{ match: '/dmx/**', scale: Normalize.dmx, integerOut: true }])
    expect(t.outbound('/dmx/1/1', 1.5).value).toBe(255)
    expect(t.outbound('/dmx/1/1', -1).value).toBe(0)
    expect(t.outbound('/dmx/1/1', 0.5).value).toBe(128) // 127.5 rounds half up
  })

  test('clamp and invert on the CLASP side', () => {
    const t = new Transforms([{ match: '/x', clamp: [0, 1], invert: true }])
    expect(t.inbound('/x', 0.25).value).toBe(0.75)
    expect(t.inbound('/x', 7).value).toBe(0) // clamped to 1, then inverted
    expect(t.outbound('/x', 0.75).value).toBe(0.25)
  })

  test('integerOut rounds on output only; the result is an integral number (a Float in CLASP terms)', () => {
    const t = new Transforms([{ match: '/x', scale: { from: [0, 10], to: [0, 1] }, integerOut: true }])
    const out = t.outbound('/x', 0.44).value
    expect(out).toBe(4)
    expect(typeof out).toBe('number') // not bigint: a bridge that needs an Int converts it itself
    expect(t.inbound('/x', 4n).value).toBeCloseTo(0.4)
  })

  test('integers stay integers unless scaled (a clamp keeps the type)', () => {
    const t = new Transforms([{ match: '/x', clamp: [0, 100] }])
    expect(t.inbound('/x', 42n).value).toBe(42n)
    expect(t.inbound('/x', 420n).value).toBe(100n)
  })

  test('an Int beyond 2^53 keeps every bit through a rule that does not change it (rename only, or a clamp it is inside)', () => {
    const big = 9007199254740993n // 2^53 + 1: not a double
    const rename = new Transforms([{ match: '/ext/*', to: '/clasp/*' }])
    expect(rename.inbound('/ext/a', big)).toEqual({ address: '/clasp/a', value: big })
    expect(rename.outbound('/clasp/a', -big)).toEqual({ address: '/ext/a', value: -big })
    const wide = new Transforms([{ match: '/x', clamp: [-1e300, 1e300], integerOut: true }])
    expect(wide.inbound('/x', big).value).toBe(big)
    expect(wide.outbound('/x', big).value).toBe(big)
    expect(new Transforms([{ match: '/x', clamp: [0, 100] }]).inbound('/x', big).value).toBe(100n) // a clamp that bites still clamps
  })

  test('non-numeric values pass through untouched', () => {
    const t = new Transforms([{ match: '/x', scale: Normalize.dmx, invert: true }])
    for (const v of ['s', true, null, new Uint8Array([1]), [1n, 2n]]) expect(t.inbound('/x', v).value).toEqual(v)
  })

  test('a zero-width source range maps to the start of the target range', () => {
    const t = new Transforms([{ match: '/x', scale: { from: [5, 5], to: [0, 1] } }])
    expect(t.inbound('/x', 5).value).toBe(0)
  })
})

describe('direction', () => {
  test("'in' rules are skipped on output and 'out' rules on input", () => {
    const t = new Transforms([
      { match: '/a/*', to: '/in/*', direction: 'in' },
      { match: '/a/*', to: '/out/*', direction: 'out' },
    ])
    expect(t.inbound('/a/1', 1).address).toBe('/in/1')
    expect(t.outbound('/in/1', 1).address).toBe('/in/1') // the 'in' rule does not run backwards
    expect(t.outbound('/out/1', 1).address).toBe('/a/1')
  })
})

describe('round trips', () => {
  const t = new Transforms([{ match: '/ext/*/v', to: '/clasp/*/v', scale: { from: [0, 255], to: [0, 1] }, invert: true }])
  test('outbound(inbound(x)) = x within range', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 255, noNaN: true }), fc.stringMatching(/^[a-z0-9]{1,8}$/), (x, seg) => {
        const inn = t.inbound(`/ext/${seg}/v`, x)
        expect(inn.address).toBe(`/clasp/${seg}/v`)
        const out = t.outbound(inn.address, inn.value)
        expect(out.address).toBe(`/ext/${seg}/v`)
        expect(out.value as number).toBeCloseTo(x, 9)
      }),
    )
  })
})
