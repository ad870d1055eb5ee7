/**
 * The property both builds of the C codec are held to (generated/clasp.h as C99 in
 * test/c-header.test.ts, the Arduino library's copy as C++ in test/firmware/codec.test.ts):
 * TS encode → C decode → C re-encode gives the same bytes, for every message type the header
 * both decodes and encodes.
 */
import fc from 'fast-check'
import type { SchemaModel } from '../../codegen/model.ts'
import { encode } from '../../generated/codec.ts'
import { runDriver, toHex } from '../support/c-build.ts'
import { MessageArbitraries } from './arbitraries.ts'

/** The message types a header both decodes and encodes: the ones a round trip can cover. */
export function roundTripTypes(model: SchemaModel): Set<string> {
  return new Set(model.messages.filter((m) => m.c.decode && m.c.encode).map((m) => m.wireName))
}

/**
 * `runs` messages of `types` drawn with `seed`, TS-encoded and sent through one driver process
 * (test/c/driver.c): each must come back as "ok <the same hex> <TYPE>". Throws at the first that
 * does not, with the seed and case to replay it; returns the types seen, so that the caller can
 * check none was left out.
 */
export function roundTripThroughDriver(exe: string, model: SchemaModel, types: Set<string>, runs: number, seed: number): Set<string> {
  const arbs = new MessageArbitraries(model, { maxItems: 4, valueDepth: 3, bundleDepth: 2 }, types)
  const cases = fc.sample(fc.tuple(arbs.message(), arbs.frameOptions()), { numRuns: runs, seed })
  const lines = cases.map(([m, o]) => toHex(encode(m, o)))
  const seen = new Set<string>()
  runDriver(exe, lines).forEach((line, i) => {
    if (line !== `ok ${lines[i]} ${cases[i][0].type}`) {
      throw new Error(`round trip failed (seed ${seed}, case ${i}):\n  message ${fc.stringify(cases[i])}\n  in  ${lines[i]}\n  out ${line}`)
    }
    seen.add(cases[i][0].type)
  })
  return seen
}
