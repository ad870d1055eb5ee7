/**
 * The codec inside the Arduino library (generated/arduino/Clasp/src/clasp.h), built the way the
 * firmware simulator builds it (g++ as C++, sanitizers when available) behind the C header
 * tests' batch driver (test/c/driver.c, see buildCodecBatch): one process answers a whole batch.
 *   - the golden vectors [wire §9]: the same verdicts as the reference where it accepts, the
 *     TS decoder's error where it rejects, "unsupported" for types the header leaves out;
 *   - fast-check: TS encode → C decode → C re-encode is byte-identical for every message type
 *     the header both decodes and encodes (CLASP_PROP_RUNS cases, default 10,000).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import { buildModel } from '../../codegen/model.ts'
import { decode } from '../../generated/codec.ts'
import { buildCodecBatch, libraryDir, root } from '../../firmware-sim/harness.ts'
import { Oracle, canonical, referenceReencoding, tsDecodeError } from '../c/oracle.ts'
import { roundTripThroughDriver, roundTripTypes } from '../c/round-trip.ts'
import { fromHex, runDriver } from '../support/c-build.ts'
import { loadVectors, rustAccepts } from '../support/vectors.ts'
import { unavailable } from './support.ts'

const skip = unavailable('firmware codec tests', ['host'])
const model = buildModel()
const both = roundTripTypes(model)
const oracle = new Oracle(model)
const seed = Number(process.env.CLASP_PROP_SEED ?? Math.floor(Math.random() * 2 ** 31))
const propRuns = Number(process.env.CLASP_PROP_RUNS ?? 10000)
const vectors = loadVectors()

describe.skipIf(skip)('the Arduino library codec through the firmware-sim build', () => {
  let exe: string
  beforeAll(() => {
    expect(readFileSync(join(libraryDir, 'src', 'clasp.h'), 'utf8')).toBe(readFileSync(join(root, 'generated', 'clasp.h'), 'utf8'))
    exe = buildCodecBatch().path
  }, 120_000)

  test('golden vectors [wire §9]', () => {
    const out = runDriver(exe, vectors.map((v) => v.hex))
    let exact = 0
    let unsupported = 0
    vectors.forEach((v, i) => {
      const exp = oracle.expectation(fromHex(v.hex))
      if (exp.unsupported) {
        const code = model.messages.find((m) => m.wireName === exp.unsupported)!.code
        expect(out[i], v.name).toBe(`unsupported ${code.toString(16).padStart(2, '0')}`)
        unsupported++
        return
      }
      if (!rustAccepts(v)) {
        expect(out[i], v.name).toBe(`err ${tsDecodeError(fromHex(v.hex))}`)
        return
      }
      const [status, got, type] = out[i].split(' ')
      expect(status, `${v.name}: ${out[i]}`).toBe('ok')
      expect(type, v.name).toBe(decode(fromHex(v.hex)).message.type)
      expect(canonical(fromHex(got)), v.name).toBe(canonical(fromHex(v.hex)))
      const reference = referenceReencoding(v)
      if (reference !== undefined) {
        expect(got, v.name).toBe(reference)
        exact++
      }
    })
    console.info(`[firmware] codec-batch: ${vectors.length} golden vectors, ${exact} re-encoded byte for byte, ${unsupported} of types the header leaves out`)
    expect(exact).toBeGreaterThan(100)
  })

  test(`TS encode → C decode → C re-encode is byte-identical (${propRuns} messages, seed ${seed})`, () => {
    const t0 = performance.now()
    const seen = roundTripThroughDriver(exe, model, both, propRuns, seed)
    console.info(`[firmware] codec-batch: ${propRuns} messages generated and round-tripped in one process (${(performance.now() - t0).toFixed(0)} ms)`)
    expect([...seen].sort()).toEqual([...both].sort())
  }, 300_000)
})
