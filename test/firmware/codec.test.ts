/**
 * The codec inside the Arduino library (generated/arduino/Clasp/src/clasp.h), built the way the
 * firmware simulator builds it (g++ as C++, sanitizers when available) behind a line-per-frame
 * batch program (firmware-sim/codec-batch.cpp): one process answers a whole batch.
 *   - the golden vectors [wire §9]: the same verdicts as the reference where it accepts, the
 *     TS decoder's error where it rejects, "unsupported" for types the header leaves out;
 *   - fast-check: TS encode → C decode → C re-encode is byte-identical for every message type
 *     the header both decodes and encodes (CLASP_PROP_RUNS cases, default 10,000).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'
import fc from 'fast-check'
import { beforeAll, describe, expect, test } from 'vitest'
import { buildModel } from '../../codegen/model.ts'
import { decode, encode } from '../../generated/codec.ts'
import { buildCodecBatch, libraryDir, root, sanitizerEnv } from '../../firmware-sim/harness.ts'
import { MessageArbitraries } from '../c/arbitraries.ts'
import { Oracle, canonical, hasMultiEntryMap } from '../c/oracle.ts'
import { unavailable } from './support.ts'

const skip = unavailable('firmware codec tests', ['host'])
const model = buildModel()
const both = new Set(model.messages.filter((m) => m.c.decode && m.c.encode).map((m) => m.wireName))
const oracle = new Oracle(model)
const seed = Number(process.env.CLASP_PROP_SEED ?? Math.floor(Math.random() * 2 ** 31))
const propRuns = Number(process.env.CLASP_PROP_RUNS ?? 10000)
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const unhex = (h: string) => new Uint8Array(Buffer.from(h, 'hex'))

interface Vector {
  name: string
  category: string
  hex: string
  rust?: { status: string; decode: string; reencoded_hex: string }
  rust_decode?: { status: string }
}
const vectors: Vector[] = JSON.parse(readFileSync(join(root, 'test', 'fixtures', 'vectors.json'), 'utf8'))
const rustAccepts = (v: Vector) => v.rust?.decode === 'ok' || v.category === 'rust_native' || v.rust_decode?.status === 'ok'

function batch(exe: string, lines: string[]): string[] {
  const r = spawnSync(exe, [], { input: lines.join('\n') + '\n', encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, ...sanitizerEnv } })
  if (r.status !== 0) throw new Error(`codec-batch failed (status ${r.status}, signal ${r.signal}):\n${r.stderr.slice(0, 4000)}`)
  const out = r.stdout.split('\n')
  out.pop()
  if (out.length !== lines.length) throw new Error(`codec-batch answered ${out.length} lines for ${lines.length}`)
  return out
}

describe.skipIf(skip)('the Arduino library codec through the firmware-sim build', () => {
  let exe: string
  beforeAll(() => {
    expect(readFileSync(join(libraryDir, 'src', 'clasp.h'), 'utf8')).toBe(readFileSync(join(root, 'generated', 'clasp.h'), 'utf8'))
    exe = buildCodecBatch().path
  }, 120_000)

  test('golden vectors [wire §9]', () => {
    const out = batch(exe, vectors.map((v) => v.hex))
    let exact = 0
    let unsupported = 0
    vectors.forEach((v, i) => {
      const exp = oracle.expectation(unhex(v.hex))
      if (exp.unsupported) {
        const code = model.messages.find((m) => m.wireName === exp.unsupported)!.code
        expect(out[i], v.name).toBe(`unsupported ${code.toString(16).padStart(2, '0')}`)
        unsupported++
        return
      }
      if (!rustAccepts(v)) {
        let tsCode = ''
        try {
          decode(unhex(v.hex))
        } catch (e) {
          tsCode = (e as { code: string }).code
        }
        expect(out[i], v.name).toBe(`err ${tsCode}`)
        return
      }
      const [status, got, type] = out[i].split(' ')
      expect(status, `${v.name}: ${out[i]}`).toBe('ok')
      expect(type, v.name).toBe(decode(unhex(v.hex)).message.type)
      expect(canonical(unhex(got)), v.name).toBe(canonical(unhex(v.hex)))
      const rust = v.category === 'rust_native' ? 'rust_native' : v.rust?.status
      if (rust === 'rust_same' || rust === 'rust_native') {
        expect(got, v.name).toBe(v.hex)
        exact++
      } else if (rust === 'rust_differs' && !hasMultiEntryMap(decode(unhex(v.hex)).message)) {
        expect(got, v.name).toBe(v.rust!.reencoded_hex)
        exact++
      }
    })
    console.info(`[firmware] codec-batch: ${vectors.length} golden vectors, ${exact} re-encoded byte for byte, ${unsupported} of types the header leaves out`)
    expect(exact).toBeGreaterThan(100)
  })

  test(`TS encode → C decode → C re-encode is byte-identical (${propRuns} messages, seed ${seed})`, () => {
    const arbs = new MessageArbitraries(model, { maxItems: 4, valueDepth: 3, bundleDepth: 2 }, both)
    const cases = fc.sample(fc.tuple(arbs.message(), arbs.frameOptions()), { numRuns: propRuns, seed })
    const lines = cases.map(([m, o]) => hex(encode(m, o)))
    const t0 = performance.now()
    const out = batch(exe, lines)
    const seen = new Set<string>()
    out.forEach((line, i) => {
      if (line !== `ok ${lines[i]} ${cases[i][0].type}`) {
        throw new Error(`round trip failed (seed ${seed}, case ${i}):\n  message ${fc.stringify(cases[i])}\n  in  ${lines[i]}\n  out ${line}`)
      }
      seen.add(cases[i][0].type)
    })
    console.info(`[firmware] codec-batch: ${cases.length} messages round-tripped in one process (${(performance.now() - t0).toFixed(0)} ms)`)
    expect([...seen].sort()).toEqual([...both].sort())
  }, 300_000)
})
