/** The guard every bridge puts around its inbound socket handlers (bridges/bridge.ts). */
import { describe, expect, test } from 'vitest'
import { emptyStats, guarded } from '../../bridges/bridge.ts'
import { recordingLogger } from '../support/peers.ts'

describe('guarded inbound handlers', () => {
  test('a handler that throws costs that one message: counted, logged with its stack, not rethrown', () => {
    const stats = emptyStats()
    const log = recordingLogger()
    const seen: number[] = []
    const handler = guarded(stats, log, 'OSC input', (n: number) => {
      if (n === 2) throw new Error('bug on input 2')
      seen.push(n)
    })
    for (const n of [1, 2, 3]) expect(() => handler(n)).not.toThrow()
    expect(seen).toEqual([1, 3])
    expect(stats.errors).toBe(1)
    expect(log.entries).toMatchObject([{ level: 'warn', msg: 'OSC input failed' }])
    expect(String(log.entries[0].fields?.error)).toMatch(/bug on input 2\n\s+at /)
  })
})
