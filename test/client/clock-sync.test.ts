/**
 * Clock sync: SYNC at connect and periodically, offset and RTT as in wire-protocol.md §5.12, so
 * `serverTime()` follows the router's clock even when the two clocks disagree by seconds.
 */
import { afterEach, describe, expect, test } from 'vitest'
import { ClockSync } from '../../runtime/client/clock-sync.ts'
import { clientClock } from '../../runtime/client/index.ts'
import { systemClock } from '../../runtime/router/clock.ts'
import { ClientHarness } from '../support/client-harness.ts'
import { waitFor } from '../support/wait.ts'

const h = new ClientHarness()
afterEach(() => h.cleanup())

/** µs between the client's idea of server time and the router's own clock. */
const error = (a: bigint, b: bigint) => Math.abs(Number(a - b))
const FEW_MS = 5_000

describe('ClockSync arithmetic', () => {
  test('offset = ((t2−t1)+(t3−t4))/2, rtt = (t4−t1)−(t3−t2); the lowest-RTT sample wins', () => {
    const s = new ClockSync()
    s.welcome(10_000_000n, 1_000n)
    expect(s.offsetUs).toBe(9_999_000)
    expect(s.rttUs).toBeUndefined()
    // Server is 5 s ahead; 400 µs each way, 100 µs inside the router.
    s.sent(1_000_000n)
    const a = s.reply(1_000_000n, 6_000_400n, 6_000_500n, 1_000_900n)!
    expect(a).toEqual({ offsetUs: 5_000_000, rttUs: 800 })
    // A slower, asymmetric exchange does not displace the better estimate.
    s.sent(2_000_000n)
    const b = s.reply(2_000_000n, 7_003_000n, 7_003_000n, 2_004_000n)!
    expect(b.rttUs).toBe(4_000)
    expect(s.offsetUs).toBe(5_000_000)
    expect(s.rttUs).toBeCloseTo(800 + 0.3 * (4_000 - 800))
    // Replies to SYNCs we did not send (or already answered) are ignored.
    expect(s.reply(1_000_000n, 0n, 0n, 0n)).toBeUndefined()
    expect(s.toServer(3_000_000n)).toBe(8_000_000n)
  })
})

describe('against a real router', () => {
  test('router clock 5 s ahead: serverTime() tracks it within a few ms', async () => {
    const r = await h.router('ws', 0, { clock: { ...systemClock, now: () => Date.now() + 5_000 } })
    const c = await h.client(r.url)
    await c.syncClock()
    expect(c.rtt).toBeGreaterThan(0)
    expect(c.rtt).toBeLessThan(50_000)
    expect(Math.abs(c.clockOffset - 5_000_000)).toBeLessThan(50_000) // hi-res vs Date.now() differ slightly
    for (let i = 0; i < 5; i++) {
      expect(error(c.serverTime(), r.router.nowMicros())).toBeLessThan(FEW_MS)
      await new Promise((res) => setTimeout(res, 20))
    }
  })

  test('client clock 3 s behind (injected): the offset compensates', async () => {
    const r = await h.router('ws')
    const c = await h.client(r.url, { clock: { ...clientClock, now: () => clientClock.now() - 3_000 } })
    await c.syncClock()
    expect(Math.abs(c.clockOffset - 3_000_000)).toBeLessThan(50_000)
    expect(error(c.serverTime(), r.router.nowMicros())).toBeLessThan(FEW_MS)
  })

  test('periodic SYNC follows a router clock that jumps', async () => {
    let skew = 0
    const r = await h.router('ws', 0, { clock: { ...systemClock, now: () => Date.now() + skew } })
    const c = await h.client(r.url, { syncIntervalMs: 25 })
    await c.syncClock()
    expect(error(c.serverTime(), r.router.nowMicros())).toBeLessThan(FEW_MS)
    skew = 2_000
    await waitFor(() => error(c.serverTime(), r.router.nowMicros()) < FEW_MS, 3000, 'offset to follow the jump')
    expect(Math.abs(c.clockOffset - 2_000_000)).toBeLessThan(50_000)
  })

  test('timestamps on signals are in router time', async () => {
    const r = await h.router('ws', 0, { clock: { ...systemClock, now: () => Date.now() - 60_000 } })
    const a = await h.client(r.url)
    const b = await h.client(r.url)
    await a.syncClock()
    let stamp: bigint | undefined
    b.on('/t', (_v, _a, meta) => (stamp = meta.timestamp))
    await b.flush()
    a.emit('/t')
    await waitFor(() => stamp !== undefined, 2000, 'event')
    expect(error(stamp!, r.router.nowMicros())).toBeLessThan(50_000)
  })
})
