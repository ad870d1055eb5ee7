/**
 * The client against our router on 127.0.0.1, over WebSocket and length-prefixed TCP: params with
 * ACK/ERROR correlation, subscriptions, every signal kind, bundles, and a second client seeing
 * the first one's writes.
 */
import { afterEach, describe, expect, test } from 'vitest'
import { ClaspError, type ClaspValue, type UpdateMeta } from '../../runtime/client/index.ts'
import { ClientHarness } from '../support/client-harness.ts'
import { sleep, waitFor } from '../support/wait.ts'

const h = new ClientHarness()
afterEach(() => h.cleanup())

type Got = Array<{ value: ClaspValue; address: string; meta: UpdateMeta }>
const collector = () => {
  const got: Got = []
  return { got, cb: (value: ClaspValue, address: string, meta: UpdateMeta) => void got.push({ value, address, meta }) }
}

describe.each([
  { scheme: 'ws' as const },
  { scheme: 'tcp' as const },
  { scheme: 'udp' as const },
])('client over $scheme://', ({ scheme }) => {
  const start = async () => {
    const r = await h.router(scheme)
    const a = await h.client(r.url, { name: `${scheme}-a` })
    const b = await h.client(r.url, { name: `${scheme}-b` })
    return { r, a, b }
  }

  test('set resolves to the revision; get reads it back; another client sees the writes', async () => {
    const { r, a, b } = await start()
    expect(a.session).toMatch(/^[0-9a-f-]{36}$/)
    const { got, cb } = collector()
    b.on('/mixer/**', cb)
    await b.flush() // SUBSCRIBE processed
    expect(await a.set('/mixer/fader1', 0.5)).toBe(1n)
    expect(await a.set('/mixer/fader1', 0.75)).toBe(2n)
    expect(await a.set('/mixer/mute', true)).toBe(1n)
    await waitFor(() => got.length >= 3, 2000, 'three SETs at b')
    expect(got.map((g) => [g.address, g.value, g.meta.revision, g.meta.signal])).toEqual([
      ['/mixer/fader1', 0.5, 1n, 'param'],
      ['/mixer/fader1', 0.75, 2n, 'param'],
      ['/mixer/mute', true, 1n, 'param'],
    ])
    expect(await b.get('/mixer/fader1')).toBe(0.75)
    expect(b.cached('/mixer/fader1')).toBe(0.75)
    expect(a.cached('/mixer/mute')).toBe(true) // own acknowledged write
    expect(r.router.params.get('/mixer/fader1')?.value).toBe(0.75)
    // integers are bigint (i64), floats number (f64)
    await a.set('/mixer/count', 42n)
    expect(await b.get('/mixer/count')).toBe(42n)
  })

  test('a late subscriber gets the snapshot with writer and timestamp, once', async () => {
    const { a, b } = await start()
    await a.set('/scene/current', 'intro')
    await a.set('/scene/fade', 2.5)
    const { got, cb } = collector()
    b.on('/scene/**', cb)
    await waitFor(() => got.length >= 2, 2000, 'snapshot')
    await b.flush()
    await sleep(30)
    expect(got).toHaveLength(2)
    const current = got.find((g) => g.address === '/scene/current')!
    expect(current.value).toBe('intro')
    expect(current.meta).toMatchObject({ signal: 'param', revision: 1n, writer: a.session, snapshot: true })
    expect(typeof current.meta.timestamp).toBe('bigint')
  })

  test('ERROR rejects the matching set: revision conflict and a lock held by another client', async () => {
    const { a, b } = await start()
    await a.set('/cfg/x', 1)
    await a.set('/cfg/x', 2)
    const conflict = await a.set('/cfg/x', 3, { revision: 1n }).catch((e: unknown) => e)
    expect(conflict).toBeInstanceOf(ClaspError)
    expect(conflict).toMatchObject({ kind: 'router', code: 400, address: '/cfg/x' })
    expect((conflict as ClaspError).message).toContain('RevisionConflict')
    expect(await a.set('/cfg/x', 3, { revision: 2n })).toBe(3n)

    expect(await a.set('/cfg/locked', 'mine', { lock: true })).toBe(1n)
    const held = await b.set('/cfg/locked', 'theirs').catch((e: unknown) => e)
    expect(held).toMatchObject({ kind: 'router', code: 400, address: '/cfg/locked' })
    expect((held as Error).message).toContain('LockHeld')
    // a refused write in between does not disturb the correlation of the next one
    const [ok, refused] = await Promise.allSettled([b.set('/cfg/free', 1), b.set('/cfg/locked', 'again')])
    expect(ok).toEqual({ status: 'fulfilled', value: 1n })
    expect(refused.status).toBe('rejected')
    expect(await a.set('/cfg/locked', 'released', { unlock: true })).toBe(2n)
    expect(await b.set('/cfg/locked', 'theirs now')).toBe(3n)
  })

  test('get of an address the router does not hold times out with a clear error', async () => {
    const { a } = await start()
    const t0 = Date.now()
    const err = await a.get('/does/not/exist', { timeoutMs: 300 }).catch((e: unknown) => e)
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250)
    expect(err).toMatchObject({ kind: 'timeout', code: 502, address: '/does/not/exist' })
    expect((err as Error).message).toMatch(/GET \/does\/not\/exist: no reply within 300 ms/)
  })

  test('one SUBSCRIBE per pattern; UNSUBSCRIBE only when the last callback goes', async () => {
    const { r, a, b } = await start()
    const one = collector()
    const two = collector()
    const offOne = b.on('/room/*', one.cb)
    const offTwo = b.on('/room/*', two.cb)
    await b.flush()
    const session = r.router.sessions.get(b.session!)!
    expect([...session.subscriptions.values()].map((s) => s.pattern)).toEqual(['/room/*'])
    await a.set('/room/temp', 21.5)
    await waitFor(() => one.got.length === 1 && two.got.length === 1, 2000, 'both callbacks')
    offOne()
    await b.flush()
    expect(session.subscriptions.size).toBe(1)
    await a.set('/room/temp', 22)
    await waitFor(() => two.got.length === 2, 2000, 'second callback only')
    expect(one.got).toHaveLength(1)
    offTwo()
    await b.flush()
    expect(session.subscriptions.size).toBe(0)
  })

  test('a callback added to a subscribed pattern gets the current values at once', async () => {
    const { a, b } = await start()
    const first = collector()
    b.on('/lamp/**', first.cb)
    await b.flush()
    await a.set('/lamp/1', 0.1)
    await waitFor(() => first.got.length === 1, 2000, 'first callback')
    const second = collector()
    b.on('/lamp/**', second.cb)
    await waitFor(() => second.got.length === 1, 1000, 'replay to the second callback')
    expect(second.got[0]).toMatchObject({ address: '/lamp/1', value: 0.1, meta: { revision: 1n, snapshot: true } })
    await b.flush()
    expect(first.got).toHaveLength(1)
  })

  test('dispatch uses the router matcher: /a/** gets /a, /x/**/y gets /x/y', async () => {
    const { a, b } = await start()
    const deep = collector()
    const mid = collector()
    b.on('/lights/**', deep.cb)
    b.on('/lumen/**/opacity', mid.cb)
    await b.flush()
    await a.set('/lights', 1)
    await a.set('/lights/a/b', 2)
    await a.set('/lumen/opacity', 0.5)
    await a.set('/lumen/layer/3/opacity', 0.25)
    await waitFor(() => deep.got.length === 2 && mid.got.length === 2, 2000, 'trie deliveries')
    expect(deep.got.map((g) => g.address)).toEqual(['/lights', '/lights/a/b'])
    expect(mid.got.map((g) => g.address)).toEqual(['/lumen/opacity', '/lumen/layer/3/opacity'])
  })

  test('an invalid pattern throws at once', async () => {
    const { a } = await start()
    expect(() => a.on('/a/{b,c}/*', () => undefined)).toThrow(ClaspError)
    expect(() => a.on('no-slash', () => undefined)).toThrow(/invalid pattern/)
  })

  test('emit reaches subscribers but not the sender; types filter per callback', async () => {
    const { a, b } = await start()
    const atA = collector()
    const atB = collector()
    const onlyParams = collector()
    a.on('/cue/**', atA.cb)
    b.on('/cue/**', atB.cb)
    b.on('/cue/**', onlyParams.cb, { types: ['param'] })
    await a.flush()
    await b.flush()
    expect(a.emit('/cue/go', { cue: 'intro' })).toBe(true)
    a.emit('/cue/stop')
    await a.set('/cue/level', 0.5)
    await waitFor(() => atB.got.length === 3, 2000, 'events and the SET at b')
    expect(atB.got.map((g) => [g.address, g.value, g.meta.signal])).toEqual([
      ['/cue/go', { cue: 'intro' }, 'event'],
      ['/cue/stop', null, 'event'],
      ['/cue/level', 0.5, 'param'],
    ])
    expect(typeof atB.got[0].meta.timestamp).toBe('bigint')
    expect(onlyParams.got.map((g) => g.address)).toEqual(['/cue/level'])
    await a.flush()
    expect(atA.got.map((g) => g.meta.signal)).toEqual(['param']) // its own SET echo, never its events
  })

  test('stream: values and Float64Array samples', async () => {
    const { a, b } = await start()
    const { got, cb } = collector()
    b.on('/sensor/**', cb, { types: ['stream'] })
    await b.flush()
    for (let i = 0; i < 5; i++) a.stream('/sensor/accel', i / 10)
    a.stream('/sensor/audio', new Float64Array([0.25, -0.5, 1]), { rate: 48000 })
    await waitFor(() => got.length === 6, 2000, 'stream samples')
    expect(got.slice(0, 5).map((g) => g.value)).toEqual([0, 0.1, 0.2, 0.3, 0.4])
    expect(got[5]).toMatchObject({ address: '/sensor/audio', value: [0.25, -0.5, 1], meta: { signal: 'stream', samples: [0.25, -0.5, 1], rate: 48000 } })
  })

  test('gesture phases arrive with phase and gesture id', async () => {
    const { a, b } = await start()
    const { got, cb } = collector()
    b.on('/touch/**', cb)
    await b.flush()
    a.gesture('/touch/0', 7, 'start', { x: 0.1, y: 0.2 })
    a.gesture('/touch/0', 7, 'move', { x: 0.3, y: 0.4 })
    a.gesture('/touch/0', 7, 'end', { x: 0.5, y: 0.6 })
    await waitFor(() => got.some((g) => g.meta.phase === 'end'), 2000, 'gesture end')
    const phases = got.map((g) => g.meta.phase)
    expect(phases[0]).toBe('start')
    expect(phases.at(-1)).toBe('end')
    expect(got.every((g) => g.meta.signal === 'gesture' && g.meta.gestureId === 7)).toBe(true)
    expect(got[0].value).toEqual({ x: 0.1, y: 0.2 })
    expect(got.at(-1)!.value).toEqual({ x: 0.5, y: 0.6 })
  })

  test('timeline travels as a map value with keyframes, loop and start time', async () => {
    const { a, b } = await start()
    const { got, cb } = collector()
    b.on('/fx/**', cb)
    await b.flush()
    const startTime = a.serverTime() + 1_000_000n
    a.timeline('/fx/fade', [
      { time: 0, value: 0 },
      { time: 1_000_000n, value: 1, easing: 'ease-in-out' },
    ], { loop: true, startTime })
    await waitFor(() => got.length === 1, 2000, 'timeline')
    const { value, meta } = got[0]
    expect(meta.signal).toBe('timeline')
    expect(meta.timestamp).toBe(startTime)
    expect(meta.timeline).toEqual({
      keyframes: [
        { time: 0n, value: 0, easing: 'linear' },
        { time: 1_000_000n, value: 1, easing: 'ease-in-out' },
      ],
      loop: true,
      startTime,
    })
    expect({ ...(value as object) }).toMatchObject({ loop: true, startTime })
  })

  test('bundle resolves on its ACK; a rejected bundle applies nothing; scheduled ones wait', async () => {
    const { r, a, b } = await start()
    const { got, cb } = collector()
    b.on('/bundle/**', cb)
    await b.flush()
    const rev = await a.bundle([{ set: ['/bundle/x', 1] }, { set: ['/bundle/y', 2] }, { emit: ['/bundle/go', true] }])
    expect(rev).toBe(1n)
    await waitFor(() => got.length === 3, 2000, 'bundle deliveries')
    expect(got.map((g) => [g.address, g.value])).toEqual([['/bundle/x', 1], ['/bundle/y', 2], ['/bundle/go', true]])

    const rejected = await a.bundle([{ set: ['/bundle/x', 10] }, { set: ['/bundle/y', 20], revision: 99n }]).catch((e: unknown) => e)
    expect(rejected).toMatchObject({ kind: 'router', code: 400 })
    expect((rejected as Error).message).toMatch(/^Bundle rejected/)
    expect(r.router.params.get('/bundle/x')?.value).toBe(1)

    // A bundle scheduled 150 ms ahead is answered after an immediate one sent later.
    const order: string[] = []
    const t0 = Date.now()
    const later = a.bundle([{ set: ['/bundle/x', 3] }], { at: a.serverTime() + 150_000n }).then((v) => (order.push('scheduled'), v))
    const now = a.bundle([{ set: ['/bundle/z', 1] }]).then((v) => (order.push('immediate'), v))
    expect(await now).toBe(1n)
    expect(await later).toBe(2n)
    expect(Date.now() - t0).toBeGreaterThanOrEqual(120)
    expect(order).toEqual(['immediate', 'scheduled'])
  })

  test('calls while not connected reject or report false; close is clean', async () => {
    const { a } = await start()
    await a.close()
    expect(a.connected).toBe(false)
    expect(a.state).toBe('closed')
    await expect(a.set('/x', 1)).rejects.toMatchObject({ kind: 'closed' })
    await expect(a.get('/x')).rejects.toMatchObject({ kind: 'closed' })
    expect(a.emit('/x')).toBe(false)
    await a.close() // idempotent
  })
})

describe('connect failures', () => {
  test('nothing listening: connect rejects quickly', async () => {
    const r = await h.router('ws')
    const url = r.url
    await r.stop()
    await expect(h.client(url, { connectTimeoutMs: 1000 })).rejects.toThrow(/failed|closed|refused/i)
  })

  test('unsupported schemes are usage errors', async () => {
    await expect(h.client('http://127.0.0.1:1')).rejects.toMatchObject({ kind: 'usage' })
    await expect(h.client('tcp://127.0.0.1')).rejects.toMatchObject({ kind: 'usage' })
  })
})
