/**
 * Local dispatch rules without a network: per-callback de-duplication by revision (within a
 * connection and across reconnects), client-side maxRate/epsilon, and the SUBSCRIBE a pattern
 * with several callbacks needs.
 */
import { describe, expect, test } from 'vitest'
import type { ClaspValue } from '../../generated/types.ts'
import { Subscriptions } from '../../runtime/client/subscriptions.ts'

function setup() {
  const subs = new Subscriptions(() => 0, (e) => {
    throw e
  })
  const seen: Array<[string, ClaspValue, bigint | undefined]> = []
  subs.add('/p/**', (v, a, m) => void seen.push([a, v, m.revision]))
  const param = (address: string, value: ClaspValue, revision: bigint, snapshot = false) =>
    subs.dispatchParam(address, value, { signal: 'param', revision, snapshot })
  return { subs, seen, param }
}

describe('param de-duplication', () => {
  test('same connection: a repeated revision is dropped, a lower one is stale, revision 1 restarts', () => {
    const { subs, seen, param } = setup()
    subs.epoch = 1
    param('/p/a', 'v1', 1n, true) // connect snapshot
    param('/p/a', 'v1', 1n, true) // subscribe snapshot
    param('/p/a', 'v2', 2n)
    param('/p/a', 'v1', 1n) // stale? no: revision 1 means the param was recreated
    param('/p/a', 'v3', 3n)
    param('/p/a', 'v2', 2n) // stale
    expect(seen).toEqual([['/p/a', 'v1', 1n], ['/p/a', 'v2', 2n], ['/p/a', 'v1', 1n], ['/p/a', 'v3', 3n]])
  })

  test('after a reconnect only the same revision with an equal value is a repeat', () => {
    const { subs, seen, param } = setup()
    subs.epoch = 1
    param('/p/same', { x: [1, 2] }, 4n)
    param('/p/changed', 'old', 4n)
    param('/p/reset', 'old', 9n)
    seen.length = 0
    subs.epoch = 2 // WELCOME of the new connection
    param('/p/same', { x: [1, 2] }, 4n, true)
    param('/p/changed', 'new', 4n, true)
    param('/p/reset', 'fresh', 1n, true) // a restarted router numbers from 1
    param('/p/same', { x: [1, 2] }, 4n, true) // subscribe snapshot repeats all of it
    param('/p/changed', 'new', 4n, true)
    param('/p/reset', 'fresh', 1n, true)
    expect(seen).toEqual([['/p/changed', 'new', 4n], ['/p/reset', 'fresh', 1n]])
  })

  test('each callback keeps its own history: a new callback still gets the current value', () => {
    const { subs, seen, param } = setup()
    subs.epoch = 1
    param('/p/a', 1, 1n)
    const late: unknown[] = []
    subs.add('/p/*', (v) => void late.push(v))
    param('/p/a', 1, 1n, true) // snapshot answering the new SUBSCRIBE
    expect(seen).toHaveLength(1)
    expect(late).toEqual([1])
  })
})

describe('SUBSCRIBE per pattern and client-side rate limits', () => {
  test('types are the union of the callbacks, options the loosest', () => {
    const subs = new Subscriptions(() => 0, () => undefined)
    const { entry } = subs.add('/s/*', () => undefined, { types: ['stream'], maxRate: 10, epsilon: 0.1 })
    expect(subs.subscribeFields(entry)).toEqual({ id: entry.id, pattern: '/s/*', types: ['stream'], options: { maxRate: 10, epsilon: 0.1 } })
    const second = subs.add('/s/*', () => undefined, { types: ['event'], maxRate: 30, epsilon: 0.5 })
    expect(second.created).toBe(false)
    expect(second.entry).toBe(entry)
    expect(subs.subscribeFields(entry)).toMatchObject({ types: ['event', 'stream'], options: { maxRate: 30, epsilon: 0.1 } })
    subs.add('/s/*', () => undefined)
    expect(subs.subscribeFields(entry)).toMatchObject({ types: [], options: undefined })
  })

  test('maxRate and epsilon apply per callback to live updates', () => {
    let now = 0
    const subs = new Subscriptions(() => now, () => undefined)
    const slow: unknown[] = []
    const coarse: unknown[] = []
    const all: unknown[] = []
    subs.add('/m', (v) => void slow.push(v), { maxRate: 10 })
    subs.add('/m', (v) => void coarse.push(v), { epsilon: 2.5 })
    subs.add('/m', (v) => void all.push(v))
    for (let i = 0; i < 10; i++) {
      subs.dispatchPublish({ type: 'PUBLISH', address: '/m', signal: 'stream', value: i })
      now += 20
    }
    expect(all).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    expect(slow).toEqual([0, 5]) // at t = 0 and t = 100 ms
    expect(coarse).toEqual([0, 3, 6, 9])
  })
})
