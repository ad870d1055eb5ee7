/**
 * The generated C header (generated/clasp.h) [embedded §7]: it compiles as C99, C++11 and for
 * AVR; it decodes and re-encodes the golden vectors [wire §9] exactly where the reference does;
 * TS-encoded messages survive a C round trip bit-exactly; garbage never crashes it; and its TCP,
 * SLIP, pattern and binary64 helpers behave [embedded §1, §7.7, §7.8; wire §2, §8].
 *
 * Every frame test runs as one batch through one driver process (test/c/driver.c).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { emitCHeader } from '../codegen/c/header.ts'
import { buildModel } from '../codegen/model.ts'
import { decode, encode } from '../generated/codec.ts'
import { CLimits } from '../generated/types.ts'
import { MessageArbitraries } from './c/arbitraries.ts'
import { Oracle, canonical, referenceReencoding, rustStatus, tsDecodeError } from './c/oracle.ts'
import { roundTripThroughDriver, roundTripTypes } from './c/round-trip.ts'
import { buildDir, buildDriver, compileC, cTestDir, ensureBuildDir, fromHex, hasTool, root, run, runDriver, toHex } from './support/c-build.ts'
import { loadVectors, rustAccepts } from './support/vectors.ts'

const model = buildModel()
const cBoth = roundTripTypes(model)
const oracle = new Oracle(model)
const expectation = (bytes: Uint8Array) => oracle.expectation(bytes)
const hex2 = (n: number) => n.toString(16).padStart(2, '0')
const seed = Number(process.env.CLASP_PROP_SEED ?? Math.floor(Math.random() * 2 ** 31))
const propRuns = Number(process.env.CLASP_PROP_RUNS ?? 10000)

const vectors = loadVectors()
const addressCases: Array<{ pattern: string; address: string; router_trie: boolean | null }> = JSON.parse(
  readFileSync(join(root, 'test', 'fixtures', 'address-matching.json'), 'utf8'),
)

let driver: string
beforeAll(() => {
  driver = buildDriver()
}, 120_000)

// -------------------------------------------------------------------------------------------

describe('generated/clasp.h compiles [embedded §7]', () => {
  const usage = join(cTestDir, 'api_usage.c')

  it('as C99: gcc -std=c99 -Wall -Wextra -Werror -pedantic', () => {
    const r = compileC('gcc', ['-std=c99', '-Wall', '-Wextra', '-Werror', '-pedantic', '-c'], [usage], join(ensureBuildDir(), 'api-c99.o'))
    expect(r.stderr).toBe('')
    expect(r.ok).toBe(true)
  }, 60_000)

  it('as C++11: g++ -std=c++11 -Wall -Wextra -Werror -x c++', () => {
    const r = compileC('g++', ['-std=c++11', '-Wall', '-Wextra', '-Werror', '-x', 'c++', '-c'], [usage], join(ensureBuildDir(), 'api-cxx.o'))
    expect(r.stderr).toBe('')
    expect(r.ok).toBe(true)
  }, 60_000)

  it('for the ATmega328P: avr-gcc -mmcu=atmega328p -Os -Wall -Werror', (ctx) => {
    const avrGcc = process.env.CLASP_AVR_GCC ?? 'avr-gcc' // an override to exercise the skip path
    if (!hasTool(avrGcc)) {
      const msg = 'avr-gcc not found: install the Debian packages gcc-avr avr-libc'
      if (process.env.CLASP_REQUIRE_PEERS === '1') throw new Error(`${msg} (CLASP_REQUIRE_PEERS=1)`)
      console.warn(`[c-header] skipping the AVR build: ${msg}`)
      ctx.skip(msg)
    }
    const flags = ['-mmcu=atmega328p', '-Os', '-Wall', '-Werror']
    const full = join(ensureBuildDir(), 'api-avr.elf')
    const gc = join(buildDir, 'api-avr-gc.elf')
    const a = compileC(avrGcc, flags, [usage], full)
    expect(a.stderr).toBe('')
    expect(a.ok).toBe(true)
    const b = compileC(avrGcc, [...flags, '-ffunction-sections', '-fdata-sections', '-Wl,--gc-sections'], [usage], gc)
    expect(b.ok).toBe(true)
    if (hasTool('avr-size')) {
      console.info(`[c-header] AVR (ATmega328P) sizes, test/c/api_usage.c + clasp.h:\n${run('avr-size', [full, gc]).stdout}` +
        '  (first: whole library linked; second: --gc-sections, what that sketch uses; bss includes its two 256-byte buffers)')
    } else {
      console.info('[c-header] avr-size not found; AVR size not reported')
    }
  }, 120_000)

  it('links one TU with CLASP_IMPLEMENTATION and one without (header-only, no duplicate symbols)', () => {
    const dir = ensureBuildDir()
    const other = join(dir, 'second-tu.c')
    writeFileSync(other, '#include "clasp.h"\nint second(void) { return clasp_match_cstr("/a/*", "/a/b") ? (int)clasp_encode_ping(0, 0, 0) : 1; }\n')
    const r = compileC('gcc', ['-std=c99', '-Wall', '-Wextra', '-Werror', '-pedantic'], [join(cTestDir, 'api_usage.c'), other], join(dir, 'two-tu'))
    expect(r.stderr).toBe('')
    expect(r.ok).toBe(true)
  }, 60_000)

  it('stops the build when CLASP_EXPECT_SCHEMA_VERSION or CLASP_EXPECT_SCHEMA_HASH differ', () => {
    const src = join(ensureBuildDir(), 'guard.c')
    writeFileSync(src, '#include "clasp.h"\nint x;\n')
    const out = join(buildDir, 'guard.o')
    const version = readFileSync(join(root, 'generated', 'clasp.h'), 'utf8').match(/#define CLASP_SCHEMA_HASH_U64 (\w+)/)![1]
    expect(compileC('gcc', ['-std=c99', '-c', `-DCLASP_EXPECT_SCHEMA_VERSION=${model.schemaVersion}`, `-DCLASP_EXPECT_SCHEMA_HASH=${version}`], [src], out).ok).toBe(true)
    const badVersion = compileC('gcc', ['-std=c99', '-c', '-DCLASP_EXPECT_SCHEMA_VERSION=999'], [src], out)
    expect(badVersion.ok).toBe(false)
    expect(badVersion.stderr).toMatch(/CLASP_EXPECT_SCHEMA_VERSION/)
    const badHash = compileC('gcc', ['-std=c99', '-c', '-DCLASP_EXPECT_SCHEMA_HASH=0x1ULL'], [src], out)
    expect(badHash.ok).toBe(false)
    expect(badHash.stderr).toMatch(/CLASP_EXPECT_SCHEMA_HASH/)
  }, 60_000)
})

// -------------------------------------------------------------------------------------------

describe('golden vectors through the C decoder and encoder [wire §9, vectors README §1.5, §1.8]', () => {
  let out: string[]
  beforeAll(() => {
    out = runDriver(driver, vectors.map((v) => v.hex))
  }, 120_000)

  it('answers unsupported, with the reason, for every vector of a type the header was generated without', () => {
    const listed: string[] = []
    vectors.forEach((v, i) => {
      const exp = expectation(fromHex(v.hex))
      if (!exp.unsupported) return
      const code = model.messages.find((m) => m.wireName === exp.unsupported)!.code
      listed.push(`${v.name}: ${exp.unsupported} (0x${hex2(code)}) has c.decode=false in schema/messages.ts`)
      expect(out[i], v.name).toBe(`unsupported ${hex2(code)}`)
    })
    console.info(`[c-header] ${listed.length} vectors not checked by the C header, each answered "unsupported":\n  ${listed.join('\n  ')}`)
    expect(listed.length).toBeGreaterThan(0)
  })

  it('decodes every supported frame that Rust accepts, to the same content as the TS codec', () => {
    vectors.forEach((v, i) => {
      if (expectation(fromHex(v.hex)).unsupported || !rustAccepts(v)) return
      const [status, hex, type] = out[i].split(' ')
      expect(status, `${v.name}: ${out[i]}`).toBe('ok')
      expect(type, v.name).toBe(decode(fromHex(v.hex)).message.type)
      expect(canonical(fromHex(hex)), v.name).toBe(canonical(fromHex(v.hex)))
    })
  })

  it('re-encodes byte-exactly where the reference does (rust_same, rust_native; rust_differs vs rust.reencoded_hex)', () => {
    let exact = 0
    vectors.forEach((v, i) => {
      if (expectation(fromHex(v.hex)).unsupported || !out[i].startsWith('ok ')) return
      const hex = out[i].split(' ')[1]
      const reference = referenceReencoding(v)
      if (reference !== undefined) expect(hex, v.name).toBe(reference)
      else if (rustStatus(v) === 'rust_same_modulo_map_order') expect(hex.length, v.name).toBe(v.hex.length)
      else return
      exact++
    })
    expect(exact).toBeGreaterThan(100) // not vacuous: most vectors are compared byte for byte
  })

  it('rejects every supported frame that Rust rejects (errors, panics, legacy MessagePack)', () => {
    vectors.forEach((v, i) => {
      if (expectation(fromHex(v.hex)).unsupported || rustAccepts(v)) return
      expect(out[i], v.name).toMatch(/^err [A-Z_0-9]+$/)
      if (v.name.startsWith('dec_legacy_msgpack_')) expect(out[i]).toBe('err LEGACY_ENCODING')
      // Same error as the TS decoder (both read in wire order and stop at the first problem).
      expect(out[i], v.name).toBe(`err ${tsDecodeError(fromHex(v.hex))}`)
    })
  })

  it('follows layouts, not a message list: with every message C-enabled, all vectors match too', () => {
    const all = { ...model, messages: model.messages.map((m) => ({ ...m, c: { encode: true, decode: true } })) }
    const dir = join(ensureBuildDir(), 'all-messages')
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'clasp.h'), emitCHeader(all, 'allmessages'))
    const res = runDriver(buildDriver({ includeDir: dir, name: 'clasp-driver-all' }), vectors.map((v) => v.hex))
    vectors.forEach((v, i) => {
      const status = rustStatus(v)
      if (!rustAccepts(v)) expect(res[i], v.name).toMatch(/^err /)
      else if (status === 'rust_same' || status === 'rust_native') expect(res[i], v.name).toMatch(new RegExp(`^ok ${v.hex} `))
      else expect(res[i], v.name).toMatch(/^ok /)
    })
  }, 120_000)
})

// -------------------------------------------------------------------------------------------

describe('properties and fuzzing (one driver process per batch)', () => {
  const arbs = new MessageArbitraries(model, { maxItems: 4, valueDepth: 3, bundleDepth: 2 }, cBoth)

  it(`TS encode → C decode → C encode is the identity (${propRuns} messages, seed ${seed}) [embedded §7.5, §7.6]`, () => {
    const seen = roundTripThroughDriver(driver, model, cBoth, propRuns, seed)
    expect([...seen].sort()).toEqual([...cBoth].sort())
  }, 300_000)

  it('random and mutated frames give ok/err/unsupported, agree with the TS decoder, and never crash', () => {
    const valid = fc.tuple(arbs.message(), arbs.frameOptions()).map(([m, o]) => encode(m, o))
    const mutate = fc.tuple(valid, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('flip', 'set', 'insert', 'delete', 'truncate')), { minLength: 1, maxLength: 2 }))
      .map(([bytes, edits]) => {
        const b = [...bytes]
        for (const [at, v, op] of edits) {
          const k = b.length ? at % b.length : 0
          if (op === 'flip') b[k] ^= 1 << (v & 7)
          else if (op === 'set') b[k] = v
          else if (op === 'insert') b.splice(k, 0, v)
          else if (op === 'delete') b.splice(k, 1)
          else b.length = k
        }
        return new Uint8Array(b)
      })
    // A valid header and a known message code followed by random bytes reaches the field decoders.
    const codes = model.messages.map((m) => m.code)
    const headed = fc.tuple(fc.integer({ min: 0, max: 255 }), fc.constantFrom(...codes), fc.uint8Array({ maxLength: 80 }))
      .map(([flags, code, rest]) => new Uint8Array([0x53, flags & 0xdf, 0, rest.length + 1, code, ...rest]))
    const frames = fc.sample(fc.oneof(mutate, headed, fc.uint8Array({ maxLength: 40 })), { numRuns: Math.max(2000, propRuns), seed: seed + 1 })
    const res = runDriver(driver, frames.map(toHex))
    const counts: Record<string, number> = {}
    res.forEach((line, i) => {
      const [status, arg] = line.split(' ')
      counts[status] = (counts[status] ?? 0) + 1
      const where = `input ${toHex(frames[i])} → ${line}`
      expect(['ok', 'err', 'unsupported'], where).toContain(status)
      const exp = expectation(frames[i])
      const tsError = tsDecodeError(frames[i])
      if (status === 'unsupported') expect(exp.unsupported, where).toBeDefined()
      else if (status === 'ok') expect(canonical(fromHex(arg)), where).toBe(canonical(frames[i]))
      else if (arg !== 'LIMIT') expect(`err ${tsError}`, where).toBe(line) // LIMIT: a C-only bound
    })
    console.info(`[c-header] fuzz: ${frames.length} frames → ${JSON.stringify(counts)}`)
  }, 300_000)

  it('nesting limits match the TS codec at 63/64/65 levels (arrays and bundles) [schema MAX_NESTING_DEPTH]', () => {
    const setArray = (n: number) => {
      let v: number[] = [0x00, 0x00]
      for (let k = 1; k < n; k++) v = [0x00, 0x01, 0x0a, ...v]
      return [0x21, 0x0a, 0x00, 0x02, 0x2f, 0x61, ...v]
    }
    const bundled = (n: number, inner: number[]) => {
      let p = inner
      for (let k = 0; k < n; k++) p = [0x30, 0x00, 0x00, 0x01, p.length >> 8, p.length & 0xff, ...p]
      return p
    }
    const frame = (p: number[]) => new Uint8Array([0x53, 0x01, p.length >> 8, p.length & 0xff, ...p])
    const frames = [63, 64, 65].flatMap((n) => [frame(setArray(n)), frame(bundled(n, [0x41])), frame(bundled(3, setArray(n - 2)))])
    const res = runDriver(driver, frames.map(toHex))
    res.forEach((line, i) => {
      const tsError = tsDecodeError(frames[i])
      expect(line.startsWith('ok ') ? 'ok' : line, `case ${i}`).toBe(tsError === undefined ? 'ok' : `err ${tsError}`)
    })
    // 65 arrays, 65 bundles, and 3 bundles around 62 or 63 arrays (bundle and value depth add up).
    expect(res.filter((l) => l === 'err TOO_DEEP').length).toBe(4)
  })
})

// -------------------------------------------------------------------------------------------

describe('stream framing [embedded §1, §7.7; wire §2]', () => {
  const frames = [
    encode({ type: 'PING' }),
    encode({ type: 'SET', address: '/slip/\u00c0\u00db', value: new Uint8Array([0xc0, 0xdb, 0xdc, 0xdd, 0xc0]) }),
    encode({ type: 'PUBLISH', address: '/x', signal: 'stream', samples: [1.5, -2, 0] }, { timestamp: 0xc0c0dbdbn }),
  ].map(toHex)
  const prefix = (h: string) => (h.length / 2).toString(16).padStart(8, '0') + h
  const slip = (h: string) => 'c0' + h.replace(/../g, (b) => (b === 'c0' ? 'dbdc' : b === 'db' ? 'dbdd' : b)) + 'c0'
  const chunk = (hex: string, cuts: number[]) => {
    const at = [...new Set(cuts.map((c) => (c % (hex.length / 2)) * 2))].sort((a, b) => a - b)
    return [0, ...at].map((s, k) => hex.slice(s, k < at.length ? at[k] : undefined)).filter((c) => c.length > 0)
  }

  it('TCP: frames split or merged arbitrarily come out whole, fed in chunks or byte by byte', () => {
    const stream = frames.map(prefix).join('')
    const cuts = fc.sample(fc.array(fc.nat(), { maxLength: 12 }), { numRuns: 200, seed })
    const lines = cuts.flatMap((c) => [`!tcp 256 c ${chunk(stream, c).join(' ')}`, `!tcp 256 b ${chunk(stream, c).join(' ')}`])
    for (const line of runDriver(driver, lines)) expect(line).toBe(`tcp ${frames.join(' ')} dropped=0`)
  })

  it('TCP: a frame larger than the buffer is skipped with a bytes-left counter, without desynchronising', () => {
    const big = toHex(encode({ type: 'SET', address: '/big', value: 'x'.repeat(180) }))
    const stream = [frames[0], big, frames[2], big, frames[1]].map(prefix).join('') + '00000000' + prefix(frames[0])
    const cuts = fc.sample(fc.array(fc.nat(), { maxLength: 20 }), { numRuns: 100, seed: seed + 2 })
    const lines = cuts.map((c) => `!tcp 64 c ${chunk(stream, c).join(' ')}`)
    for (const line of runDriver(driver, lines)) expect(line).toBe(`tcp ${frames[0]} ${frames[2]} ${frames[1]} ${frames[0]} dropped=3`)
    expect(runDriver(driver, [`!tcpwrap ${frames[1]}`])[0]).toBe(`tcpwrap ${prefix(frames[1])}`)
  })

  it('SLIP: END before and after, ESC escapes; split frames reassemble', () => {
    expect(runDriver(driver, frames.map((f) => `!slipenc ${f}`))).toEqual(frames.map((f) => `slipenc ${slip(f)}`))
    const stream = frames.map(slip).join('')
    const cuts = fc.sample(fc.array(fc.nat(), { maxLength: 12 }), { numRuns: 200, seed: seed + 3 })
    const lines = cuts.flatMap((c) => [`!slip 256 c ${chunk(stream, c).join(' ')}`, `!slip 256 b ${chunk(stream, c).join(' ')}`])
    for (const line of runDriver(driver, lines)) expect(line).toBe(`slip ${frames.join(' ')} dropped=0`)
  })

  it('SLIP: garbage, bad escapes and overlong frames are dropped and the next END resynchronises', () => {
    const overlong = slip(toHex(encode({ type: 'SET', address: '/big', value: 'y'.repeat(120) })))
    const stream = [
      '0102035301', // line noise before the first END
      slip(frames[0]),
      'ffee53', // garbage between frames
      slip(frames[1]),
      'c05301dbaa0141c0', // ESC followed by a byte that is not ESC_END/ESC_ESC
      overlong,
      slip(frames[0].slice(0, -2)), // a truncated CLASP frame
      slip(frames[2]),
    ].join('')
    const cuts = fc.sample(fc.array(fc.nat(), { maxLength: 16 }), { numRuns: 100, seed: seed + 4 })
    const lines = cuts.map((c) => `!slip 64 c ${chunk(stream, c).join(' ')}`)
    for (const line of runDriver(driver, lines)) expect(line).toBe(`slip ${frames[0]} ${frames[1]} ${frames[2]} dropped=5`)
  })
})

// -------------------------------------------------------------------------------------------

describe('helpers', () => {
  it('clasp_match agrees with the router trie on every address-matching case [wire §8.3]', () => {
    const cases = addressCases.filter((c) => c.router_trie !== null)
    const enc = (s: string) => (s === '' ? '-' : Buffer.from(s, 'utf8').toString('hex'))
    const res = runDriver(driver, cases.map((c) => `!match ${enc(c.pattern)} ${enc(c.address)}`))
    const wrong = cases.filter((c, i) => res[i] !== `match ${c.router_trie ? 1 : 0}`).map((c) => `${c.pattern} vs ${c.address}`)
    expect(wrong).toEqual([])
  })

  it('binary64 <-> binary32 bit conversions match IEEE-754 (used where double is 32 bits) [embedded §7]', () => {
    const dv = new DataView(new ArrayBuffer(8))
    const d64 = fc.sample(fc.oneof(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.double().map((d) => (dv.setFloat64(0, d), dv.getBigUint64(0)))), { numRuns: 5000, seed })
    const f32 = fc.sample(fc.integer({ min: 0, max: 0xffffffff }), { numRuns: 5000, seed })
    const res = runDriver(driver, [
      ...d64.map((b) => `!f64to32 ${b.toString(16).padStart(16, '0')}`),
      ...f32.map((b) => `!f32to64 ${b.toString(16).padStart(8, '0')}`),
    ])
    d64.forEach((bits, i) => {
      dv.setBigUint64(0, bits)
      const want = Math.fround(dv.getFloat64(0))
      dv.setUint32(0, parseInt(res[i].slice(4), 16))
      const got = dv.getFloat32(0)
      if (Number.isNaN(want)) expect(Number.isNaN(got), res[i]).toBe(true)
      else expect(Object.is(got, want), `${bits.toString(16)} → ${res[i]}`).toBe(true)
    })
    f32.forEach((bits, i) => {
      dv.setUint32(0, bits)
      const want = dv.getFloat32(0)
      dv.setBigUint64(0, BigInt(`0x${res[d64.length + i].slice(4)}`))
      const got = dv.getFloat64(0)
      if (Number.isNaN(want)) expect(Number.isNaN(got)).toBe(true)
      else expect(Object.is(got, want), `${bits.toString(16)} → ${res[d64.length + i]}`).toBe(true)
    })
  })

  it('size macros bound what the encoders write, and limits come from schema/limits.ts', () => {
    const h = readFileSync(join(root, 'generated', 'clasp.h'), 'utf8')
    for (const [name, max] of Object.entries(CLimits)) expect(h).toContain(`#define CLASP_MAX_${name} ${max}u`)
    const src = join(ensureBuildDir(), 'sizes.c')
    const names = model.messages.map((m) => `CLASP_${m.wireName}_MAX_SIZE`)
    writeFileSync(src, `#include <stdio.h>\n#include "clasp.h"\nint main(void) {\n${names.map((n) => `  printf("%lu\\n", (unsigned long)(${n}));`).join('\n')}\n  return 0;\n}\n`)
    const exe = join(buildDir, 'sizes')
    expect(compileC('gcc', ['-std=c99', '-Wall', '-Werror'], [src], exe).ok).toBe(true)
    const sizes = run(exe, []).stdout.trim().split('\n').map(Number)
    const byName = Object.fromEntries(model.messages.map((m, i) => [m.wireName, sizes[i]]))
    expect(byName.PING).toBe(4 + 8 + 1)
    expect(byName.UNSUBSCRIBE).toBe(4 + 8 + 1 + 4)
    expect(byName.GET).toBe(4 + 8 + 1 + 2 + CLimits.ADDRESS_BYTES)
    expect(byName.BUNDLE).toBe(4 + 8 + 65535)
    // A maximal HELLO really encodes to its bound.
    const hello = encode({ type: 'HELLO', version: 1, features: [], name: 'n'.repeat(CLimits.NAME_BYTES), token: 't'.repeat(CLimits.TOKEN_BYTES) }, { timestamp: 1n })
    expect(hello.length).toBe(byName.HELLO)
    expect(runDriver(driver, [toHex(hello)])[0]).toMatch(/^ok /)
  })
})
