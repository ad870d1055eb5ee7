/**
 * `npm run bench:codec`: encode and decode rates of our generated codec, side by side with the
 * npm reference client `@clasp-to/core` 3.3.2 on the same logical messages, in one run.
 * Cases (issue #2): (a) SET f64 with revision, (b) PUBLISH event with a small map, (c) SNAPSHOT of
 * 100 params with writer and timestamp. The npm encoder throws on (c) (4 KB scratch buffer).
 * Fixtures are deterministic; each measurement takes the best of several timed rounds.
 */
import * as npm from '@clasp-to/core'
import { decode, encode, encodeShared } from '../generated/codec.ts'
import type { Message } from '../generated/types.ts'

const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 300)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)

interface Case {
  name: string
  ours: Message
  /** The same content in the npm client's message form. */
  theirs: Record<string, unknown>
}

function snapshotParams(n: number) {
  const ours = []
  const theirs = []
  for (let i = 0; i < n; i++) {
    const address = `/lights/fixture${i}/level`
    const value = i / n
    ours.push({ address, value, revision: BigInt(1000 + i), writer: '550e8400-e29b-41d4-a716-446655440000', timestamp: 1_700_000_000_000_000n + BigInt(i) })
    theirs.push({ address, value, revision: 1000 + i, writer: '550e8400-e29b-41d4-a716-446655440000', timestamp: 1_700_000_000_000_000 + i })
  }
  return { ours, theirs }
}

const snap = snapshotParams(100)
const cases: Case[] = [
  {
    name: '(a) SET f64 /test/value rev',
    ours: { type: 'SET', address: '/test/value', value: 0.75, revision: 42n },
    theirs: { type: 'SET', address: '/test/value', value: 0.75, revision: 42 },
  },
  {
    name: '(b) PUBLISH event small map',
    ours: { type: 'PUBLISH', address: '/cue/fire', signal: 'event', value: Object.assign(Object.create(null), { cue: 'intro', level: 0.8, go: true }) },
    theirs: { type: 'PUBLISH', address: '/cue/fire', signal: 'event', value: { cue: 'intro', level: 0.8, go: true } },
  },
  {
    name: '(c) SNAPSHOT 100 params',
    ours: { type: 'SNAPSHOT', params: snap.ours },
    theirs: { type: 'SNAPSHOT', params: snap.theirs },
  },
]

let sink = 0
/** Operations per second, best of ROUNDS rounds of about ROUND_MS each. */
function rate(fn: () => unknown): number {
  let best = 0
  for (let round = 0; round < ROUNDS + 1; round++) {
    let n = 0
    const start = performance.now()
    let now = start
    while (now - start < ROUND_MS) {
      for (let i = 0; i < 256; i++) {
        const r = fn() as { length?: number } | undefined
        sink += r && typeof r === 'object' ? 1 : 0
      }
      n += 256
      now = performance.now()
    }
    if (round > 0) best = Math.max(best, (n * 1000) / (now - start)) // round 0 warms up the JIT
  }
  return best
}

function attempt<T>(fn: () => T): T | Error {
  try {
    return fn()
  } catch (e) {
    return e as Error
  }
}

const fmt = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M/s` : `${(n / 1e3).toFixed(0)} k/s`)
const rows: string[][] = [['case', 'bytes ours/npm', 'encode ours', 'encode npm', 'ratio', 'encodeShared ours', 'decode ours', 'decode npm', 'ratio']]

// The decoder caches short strings (addresses repeat in real traffic); this row defeats the
// cache with 4,096 distinct addresses so that the uncached rate is on record too.
const distinct = Array.from({ length: 4096 }, (_, i) => encode({ type: 'SET', address: `/test/value${i}`, value: 0.75, revision: 42n }))
const distinctNpm = distinct.map((b) => Uint8Array.from(b))
let k = 0
const decDistinctOurs = rate(() => decode(distinct[(k = (k + 1) & 4095)]))
const decDistinctNpm = rate(() => npm.decode(distinctNpm[(k = (k + 1) & 4095)]))

for (const c of cases) {
  const ourBytes = encode(c.ours)
  const npmBytes = attempt(() => npm.encode(c.theirs as never) as Uint8Array)
  const encOurs = rate(() => encode(c.ours))
  const encShared = rate(() => encodeShared(c.ours))
  const decOurs = rate(() => decode(ourBytes))
  let encNpm = Number.NaN
  let decNpm = Number.NaN
  let npmNote = ''
  if (npmBytes instanceof Error) {
    npmNote = `npm encode throws: ${npmBytes.message.slice(0, 60)}`
    // npm can still decode our bytes; measure that so both decoders see the same frame.
    decNpm = rate(() => npm.decode(ourBytes))
  } else {
    encNpm = rate(() => npm.encode(c.theirs as never))
    decNpm = rate(() => npm.decode(npmBytes))
  }
  rows.push([
    c.name,
    `${ourBytes.length}/${npmBytes instanceof Error ? '—' : npmBytes.length}`,
    fmt(encOurs), Number.isNaN(encNpm) ? 'throws' : fmt(encNpm), Number.isNaN(encNpm) ? '∞' : `${(encOurs / encNpm).toFixed(1)}×`,
    fmt(encShared), fmt(decOurs), fmt(decNpm), `${(decOurs / decNpm).toFixed(1)}×`,
  ])
  if (npmNote) console.log(`${c.name}: ${npmNote}`)
}

rows.push(['(a*) SET, 4096 distinct addresses', '', '', '', '', '', fmt(decDistinctOurs), fmt(decDistinctNpm), `${(decDistinctOurs / decDistinctNpm).toFixed(1)}×`])
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)))
for (const r of rows) console.log(r.map((x, i) => x.padEnd(widths[i])).join('  '))
console.log(`\nNode ${process.version}, best of ${ROUNDS} rounds × ${ROUND_MS} ms; encode ours = fresh copy per frame, encodeShared = view of the reused buffer.`)
if (sink < 0) console.log(sink)
