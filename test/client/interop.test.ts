/**
 * What reference clients see of this client's output: the published npm client `@clasp-to/core`
 * 3.3.2 decodes a timeline map and a gesture, and this client receives the npm client's writes.
 */
import { Clasp } from '@clasp-to/core'
import { afterEach, beforeAll, expect, test } from 'vitest'
import { WebSocket } from 'ws'
import type { ClaspValue, UpdateMeta } from '../../runtime/client/index.ts'
import { ClientHarness } from '../support/client-harness.ts'
import { waitFor } from '../support/wait.ts'

beforeAll(() => {
  ;(globalThis as { WebSocket?: unknown }).WebSocket = WebSocket // the npm client expects a browser WebSocket
})

const h = new ClientHarness()
afterEach(() => h.cleanup())

async function npmClient(url: string): Promise<Clasp> {
  const c = new Clasp(url, { name: 'npm', reconnect: false })
  await c.connect(3000)
  h.defer(() => c.close())
  return c
}

test('the npm client decodes our timeline map and gestures; we receive its writes', async () => {
  const r = await h.router('ws')
  const ours = await h.client(r.url)
  const npm = await npmClient(r.url)
  const atNpm: Array<[string, unknown]> = []
  npm.on('/fx/**', (v, address) => atNpm.push([address, v]))
  const atOurs: Array<[ClaspValue, UpdateMeta]> = []
  ours.on('/from-npm/**', (v, _a, meta) => atOurs.push([v, meta]))
  await ours.flush()
  await new Promise((res) => setTimeout(res, 50)) // the npm client's SUBSCRIBE has no reply to wait for

  const start = ours.serverTime()
  ours.timeline('/fx/fade', [{ time: 0, value: 0 }, { time: 500_000, value: 1, easing: 'step' }], { loop: true, startTime: start })
  ours.gesture('/fx/touch', 3, 'start', { x: 1 })
  await waitFor(() => atNpm.length === 2, 2000, 'npm deliveries')
  const timeline = atNpm[0][1] as { keyframes: Array<{ time: unknown; value: unknown; easing: unknown }>; loop: unknown; startTime: unknown }
  expect(atNpm[0][0]).toBe('/fx/fade')
  expect(timeline.loop).toBe(true)
  expect(timeline.keyframes.map((k) => [Number(k.time), k.value, k.easing])).toEqual([[0, 0, 'linear'], [500_000, 1, 'step']])
  expect(BigInt(timeline.startTime as number | bigint)).toBe(start)
  expect(atNpm[1]).toEqual(['/fx/touch', { x: 1, phase: 'start', gestureId: 3 }])

  npm.set('/from-npm/level', 0.25)
  await waitFor(() => atOurs.length === 1, 2000, 'npm write at our client')
  expect(atOurs[0][0]).toBe(0.25)
  expect(atOurs[0][1]).toMatchObject({ signal: 'param', revision: 1n })
})
