/**
 * Router conformance over in-memory ports with a manual clock. Each test cites the checklist
 * item it covers ([CONF-n], ../shared/spec/conformance-checklist.md); deliberate deviations are
 * recorded in docs/compat.md.
 */
import { describe, expect, test } from 'vitest'
import type { ClaspValue, SetMessage } from '../../generated/types.ts'
import { Harness } from '../support/router-harness.ts'

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

describe('handshake', () => {
  test('[CONF-4][CONF-5][CONF-7] HELLO → WELCOME with a UUID v4, version 1, name, features, time; then an empty SNAPSHOT', () => {
    const h = new Harness({ config: { name: 'Stage Router' } })
    const c = h.connect()
    c.send({ type: 'HELLO', version: 1, features: ['param'], name: 'desk' })
    const [welcome, snapshot] = c.take()
    expect(welcome).toMatchObject({ type: 'WELCOME', version: 1, name: 'Stage Router', features: ['param', 'event', 'stream', 'gesture', 'timeline'] })
    if (welcome.type !== 'WELCOME') throw new Error()
    expect(welcome.session).toMatch(UUID_V4)
    expect(Number(welcome.time / 1000n)).toBe(h.clock.now())
    expect(snapshot).toEqual({ type: 'SNAPSHOT', params: [] })
  })

  test('[CONF-6] any HELLO version is accepted', () => {
    const h = new Harness()
    for (const version of [1, 2, 99]) {
      const c = h.connect()
      c.send({ type: 'HELLO', version, features: [], name: 'v' })
      expect(c.takeType('WELCOME')).toHaveLength(1)
    }
  })

  test('[CONF-8] the connect snapshot holds every param with writer and timestamp', () => {
    const h = new Harness()
    const a = h.client('a')
    a.send({ type: 'SET', address: '/x', value: 1n })
    a.send({ type: 'SET', address: '/y', value: 'two' })
    const b = h.connect()
    b.send({ type: 'HELLO', version: 1, features: [], name: 'b' })
    const snap = b.takeType('SNAPSHOT')[0]
    expect(snap.params.map((p) => [p.address, p.value, p.revision, p.writer])).toEqual([['/x', 1n, 1n, a.session], ['/y', 'two', 1n, a.session]])
    expect(snap.params[0].timestamp).toBe(BigInt(h.clock.now()) * 1000n)
  })

  test('[CONF-9][CONF-10] a SET or garbage before HELLO gets nothing and ends the connection', () => {
    const h = new Harness()
    const c = h.connect()
    c.send({ type: 'SET', address: '/x', value: 1 })
    expect(c.take()).toEqual([])
    expect(c.closed).toBe(true)
    const d = h.connect()
    d.raw(Buffer.from('{"type":"hello"}'))
    expect(d.take()).toEqual([])
    expect(d.closed).toBe(true)
  })

  test('[CONF-11] no HELLO within 10 s closes the connection', () => {
    const h = new Harness()
    const c = h.connect()
    h.clock.advance(9_999)
    expect(c.closed).toBe(false)
    h.clock.advance(2)
    expect(c.closed).toBe(true)
  })

  test('[CONF-12][CONF-13] distinct session ids per connection', () => {
    const h = new Harness()
    const ids = new Set(Array.from({ length: 5 }, () => h.client().session))
    expect(ids.size).toBe(5)
  })

  test('[CONF-14] a second HELLO re-sends WELCOME and snapshot for the same session, without duplicate deliveries', () => {
    const h = new Harness()
    const c = h.client()
    c.send({ type: 'SUBSCRIBE', id: 1, pattern: '/x', types: [] })
    c.send({ type: 'HELLO', version: 1, features: [], name: 'again' })
    const welcome = c.takeType('WELCOME')
    expect(welcome).toHaveLength(1)
    expect(welcome[0].session).toBe(c.session)
    expect(c.takeType('SNAPSHOT')).toHaveLength(1)
    h.client().send({ type: 'SET', address: '/x', value: 1 })
    expect(c.takeType('SET')).toHaveLength(1)
  })

  test('[CONF-15] client-sent WELCOME, ACK, ERROR, SNAPSHOT, RESULT, PONG are ignored', () => {
    const h = new Harness()
    const c = h.client()
    c.send({ type: 'WELCOME', version: 1, features: [], time: 0n, session: 's', name: 'n' })
    c.send({ type: 'ACK' })
    c.send({ type: 'ERROR', code: 1, message: 'x' })
    c.send({ type: 'SNAPSHOT', params: [] })
    c.send({ type: 'RESULT', signals: [] })
    c.send({ type: 'PONG' })
    expect(c.take()).toEqual([])
    c.send({ type: 'PING' })
    expect(c.take()).toEqual([{ type: 'PONG' }])
  })

  test('[CONF-16] connections beyond maxSessions are closed without WELCOME; 0 means unlimited', () => {
    const h = new Harness({ config: { maxSessions: 2 } })
    h.client()
    h.client()
    const third = h.connect()
    expect(third.closed).toBe(true)
    const unlimited = new Harness({ config: { maxSessions: 0 } })
    for (let i = 0; i < 5; i++) unlimited.client()
    expect(unlimited.router.sessions.size).toBe(5)
  })

  test('[CONF-17] mass disconnects leave the router working', () => {
    const h = new Harness()
    const clients = Array.from({ length: 50 }, () => h.client())
    for (const c of clients) c.close()
    expect(h.router.sessions.size).toBe(0)
    const c = h.client()
    c.send({ type: 'SET', address: '/after', value: true })
    expect(c.takeType('ACK')).toHaveLength(1)
  })
})

describe('subscriptions and routing', () => {
  function delivered(pattern: string, addresses: string[]): string[] {
    const h = new Harness()
    const sub = h.client()
    sub.send({ type: 'SUBSCRIBE', id: 1, pattern, types: [] })
    const pub = h.client()
    for (const a of addresses) pub.send({ type: 'SET', address: a, value: 1 })
    return sub.takeType('SET').map((m) => m.address)
  }

  test('[CONF-42] exact subscription', () => expect(delivered('/a/b', ['/a/b', '/a/c', '/a/b/c'])).toEqual(['/a/b']))
  test('[CONF-43] single-segment wildcard', () =>
    expect(delivered('/sub/single/*/value', ['/sub/single/a/value', '/sub/single/b/value', '/sub/single/a/b/specific', '/different'])).toEqual(['/sub/single/a/value', '/sub/single/b/value']))
  test('[CONF-44] trailing globstar at depth 1-3', () =>
    expect(delivered('/sub/multi/**', ['/sub/multi/a', '/sub/multi/a/b', '/sub/multi/a/b/c', '/sub/other'])).toEqual(['/sub/multi/a', '/sub/multi/a/b', '/sub/multi/a/b/c']))
  test('[CONF-45] /** matches everything', () => expect(delivered('/**', ['/a', '/a/b'])).toEqual(['/a', '/a/b']))
  test('[CONF-46] mid-pattern globstar', () =>
    expect(delivered('/lights/**/opacity', ['/lights/opacity', '/lights/a/b/opacity', '/lights/a/color'])).toEqual(['/lights/opacity', '/lights/a/b/opacity']))
  test('[CONF-47] partial-segment wildcards', () =>
    expect(delivered('/lights/zone5*/fixture*/brightness', ['/lights/zone5/fixture1/brightness', '/lights/zone51/fixtureA/brightness', '/lights/zone6/fixture1/brightness'])).toEqual(['/lights/zone5/fixture1/brightness', '/lights/zone51/fixtureA/brightness']))
  test('[CONF-48] /a/** routes /a itself', () => expect(delivered('/a/**', ['/a'])).toEqual(['/a']))

  test('[CONF-49][CONF-50] disjoint namespaces stay apart; overlapping subscriptions deliver once', () => {
    const h = new Harness()
    const a = h.client()
    const b = h.client()
    a.send({ type: 'SUBSCRIBE', id: 1, pattern: '/a/**', types: [] })
    a.send({ type: 'SUBSCRIBE', id: 2, pattern: '/a/*', types: [] })
    a.send({ type: 'SUBSCRIBE', id: 3, pattern: '/**', types: ['param'] })
    b.send({ type: 'SUBSCRIBE', id: 1, pattern: '/b/**', types: [] })
    h.client().send({ type: 'SET', address: '/a/x', value: 1 })
    expect(a.takeType('SET')).toHaveLength(1)
    expect(b.takeType('SET')).toHaveLength(0)
  })

  test('[CONF-51] type filters: events only vs all', () => {
    const h = new Harness()
    const events = h.client()
    const all = h.client()
    events.send({ type: 'SUBSCRIBE', id: 1, pattern: '/**', types: ['event'] })
    all.send({ type: 'SUBSCRIBE', id: 1, pattern: '/**', types: [] })
    const pub = h.client()
    pub.send({ type: 'SET', address: '/p', value: 1 })
    pub.send({ type: 'PUBLISH', address: '/e', signal: 'event', value: 'go' })
    expect(events.take().map((m) => m.type)).toEqual(['PUBLISH'])
    expect(all.take().map((m) => m.type)).toEqual(['SET', 'PUBLISH'])
  })

  test('[CONF-52][CONF-53][CONF-54][CONF-55] late joiner gets a SNAPSHOT of matches, nothing when none, never an ACK', () => {
    const h = new Harness()
    const w = h.client()
    w.send({ type: 'SET', address: '/a/1', value: 0.5 })
    w.send({ type: 'SET', address: '/b/1', value: 0.5 })
    const late = h.client()
    late.send({ type: 'SUBSCRIBE', id: 1, pattern: '/a/**', types: [] })
    const [snap, ...rest] = late.take()
    expect(rest).toEqual([])
    expect(snap).toMatchObject({ type: 'SNAPSHOT', params: [{ address: '/a/1', value: 0.5, revision: 1n, writer: w.session }] })
    late.send({ type: 'SUBSCRIBE', id: 2, pattern: '/none/**', types: [] })
    expect(late.take()).toEqual([])
  })

  test('[CONF-56] invalid patterns → ERROR 202 with the pattern as address', () => {
    const h = new Harness()
    const c = h.client()
    for (const pattern of ['', 'a/b', '/a//b', '/a/{b,c}/*']) {
      c.send({ type: 'SUBSCRIBE', id: 1, pattern, types: [] })
      expect(c.take(), pattern).toMatchObject([{ type: 'ERROR', code: 202, address: pattern }])
    }
  })

  test('[CONF-57][CONF-58] UNSUBSCRIBE stops delivery silently; unknown ids are ignored', () => {
    const h = new Harness()
    const c = h.client()
    c.send({ type: 'SUBSCRIBE', id: 7, pattern: '/x', types: [] })
    c.send({ type: 'UNSUBSCRIBE', id: 7 })
    c.send({ type: 'UNSUBSCRIBE', id: 99 })
    h.client().send({ type: 'SET', address: '/x', value: 1 })
    expect(c.take()).toEqual([])
  })

  test('[CONF-59] the subscription limit is configurable and answered with ERROR 429', () => {
    const h = new Harness({ config: { maxSubscriptionsPerSession: 3 } })
    const c = h.client()
    for (let id = 1; id <= 4; id++) c.send({ type: 'SUBSCRIBE', id, pattern: `/s/${id}`, types: [] })
    expect(c.take()).toMatchObject([{ type: 'ERROR', code: 429, message: 'Subscription limit reached (max 3)', address: '/s/4' }])
    c.send({ type: 'SUBSCRIBE', id: 2, pattern: '/s/replaced', types: [] }) // re-using an id is not a new one
    expect(c.take()).toEqual([])
  })

  test('[CONF-61][CONF-62] 2,000 params arrive in SNAPSHOT chunks of at most 800', () => {
    const h = new Harness({ config: { maxMessagesPerSecond: 0 } })
    const w = h.client()
    for (let i = 0; i < 2000; i++) w.send({ type: 'SET', address: `/bulk/${i}`, value: BigInt(i) })
    const late = h.client()
    late.send({ type: 'SUBSCRIBE', id: 1, pattern: '/bulk/**', types: [] })
    const chunks = late.takeType('SNAPSHOT')
    expect(chunks.map((c) => c.params.length)).toEqual([800, 800, 400])
  })

  test('[CONF-63] chunks that would exceed 65,535 bytes are cut by size, nothing is lost', () => {
    const h = new Harness()
    const w = h.client()
    const big = 'x'.repeat(1000)
    for (let i = 0; i < 300; i++) w.send({ type: 'SET', address: `/big/${i}`, value: big })
    const late = h.client()
    late.send({ type: 'SUBSCRIBE', id: 1, pattern: '/big/**', types: [] })
    const chunks = late.takeType('SNAPSHOT')
    expect(chunks.length).toBeGreaterThan(1)
    expect(chunks.reduce((n, c) => n + c.params.length, 0)).toBe(300)
  })

  test('[CONF-64] maxRate and epsilon are honoured per subscription', () => {
    const h = new Harness()
    const c = h.client()
    c.send({ type: 'SUBSCRIBE', id: 1, pattern: '/m', types: [], options: { maxRate: 10, epsilon: 0.1 } })
    const w = h.client()
    w.send({ type: 'SET', address: '/m', value: 0.0 })
    w.send({ type: 'SET', address: '/m', value: 0.5 }) // within 100 ms: dropped by maxRate
    h.clock.advance(150)
    w.send({ type: 'SET', address: '/m', value: 0.05 }) // below epsilon: dropped
    w.send({ type: 'SET', address: '/m', value: 0.9 })
    expect(c.takeType('SET').map((m) => m.value)).toEqual([0.0, 0.9])
  })
})

describe('SET and state', () => {
  test('[CONF-65][CONF-66][CONF-74] ACK with new revision; the subscribed writer gets its echo first', () => {
    const h = new Harness()
    const c = h.client()
    c.send({ type: 'SUBSCRIBE', id: 1, pattern: '/v', types: [] })
    c.send({ type: 'SET', address: '/v', value: 0.25 })
    c.send({ type: 'SET', address: '/v', value: 0.5 })
    expect(c.take()).toEqual([
      { type: 'SET', address: '/v', value: 0.25, revision: 1n, lock: false, unlock: false, ttl: undefined },
      { type: 'ACK', address: '/v', revision: 1n, locked: undefined, holder: undefined, correlationId: undefined },
      { type: 'SET', address: '/v', value: 0.5, revision: 2n, lock: false, unlock: false, ttl: undefined },
      { type: 'ACK', address: '/v', revision: 2n, locked: undefined, holder: undefined, correlationId: undefined },
    ])
  })

  test('[CONF-67][CONF-68] every value type and unicode addresses round-trip through SET and GET', () => {
    const h = new Harness()
    const c = h.client()
    const values: ClaspValue[] = [42n, -1n, 0.5, 'héllo 🌍', '', true, false, null, new Uint8Array([0, 255]), new Uint8Array(), [1n, 'x'], [], Object.assign(Object.create(null), { k: 1.5 })]
    values.forEach((value, i) => {
      const address = `/values/ü/${i}`
      c.send({ type: 'SET', address, value })
      c.take()
      c.send({ type: 'GET', address })
      const [snap] = c.takeType('SNAPSHOT')
      expect(snap.params[0].value).toEqual(value)
    })
  })

  test('[CONF-70][CONF-71][CONF-78] last write wins; a stale expected revision is ERROR 400 and changes nothing', () => {
    const h = new Harness()
    const a = h.client()
    const b = h.client()
    a.send({ type: 'SET', address: '/r', value: 1n })
    b.send({ type: 'SET', address: '/r', value: 2n })
    a.send({ type: 'SET', address: '/r', value: 3n, revision: 1n })
    expect(a.takeType('ERROR')).toEqual([{ type: 'ERROR', code: 400, message: 'RevisionConflict { expected: 1, actual: 2 }', address: '/r', correlationId: undefined }])
    a.send({ type: 'SET', address: '/r', value: 3n, revision: 2n })
    expect(a.takeType('ACK').at(-1)).toMatchObject({ revision: 3n })
    expect(h.router.params.get('/r')?.value).toBe(3n)
  })

  test('[CONF-72] an expected revision on a missing address creates it at revision 1', () => {
    const h = new Harness()
    const c = h.client()
    c.send({ type: 'SET', address: '/new', value: 1, revision: 41n })
    expect(c.takeType('ACK')[0].revision).toBe(1n)
  })

  test('[CONF-76] beyond maxParams the least recently written param is evicted', () => {
    const h = new Harness({ config: { maxParams: 3 } })
    const c = h.client()
    for (const a of ['/1', '/2', '/3']) c.send({ type: 'SET', address: a, value: 1 })
    c.send({ type: 'SET', address: '/1', value: 2 }) // refresh /1
    c.send({ type: 'SET', address: '/4', value: 1 })
    expect([...h.router.params.values()].map((p) => p.address)).toEqual(['/3', '/1', '/4'])
  })

  test('[CONF-79] conflict strategies per pattern from the config: max and min', () => {
    const h = new Harness({ config: { strategies: [{ pattern: '/peak/**', strategy: 'max' }, { pattern: '/low/**', strategy: 'min' }] } })
    const c = h.client()
    for (const v of [5, 3, 8]) c.send({ type: 'SET', address: '/peak/a', value: v })
    for (const v of [5, 7, 2]) c.send({ type: 'SET', address: '/low/a', value: v })
    for (const v of [5, 3]) c.send({ type: 'SET', address: '/lww/a', value: v })
    expect(h.router.params.get('/peak/a')?.value).toBe(8)
    expect(h.router.params.get('/low/a')?.value).toBe(2)
    expect(h.router.params.get('/lww/a')?.value).toBe(3)
    expect(c.takeType('ERROR').map((e) => e.message)).toEqual(['ConflictRejected { strategy: max }', 'ConflictRejected { strategy: min }'])
  })
})

describe('locks', () => {
  function locked() {
    const h = new Harness()
    const owner = h.client('owner')
    const other = h.client('other')
    owner.send({ type: 'SET', address: '/l', value: 1, lock: true })
    owner.take()
    return { h, owner, other }
  }

  test('[CONF-80][CONF-81][CONF-82][CONF-85] only the holder writes a locked param', () => {
    const { h, owner, other } = locked()
    other.send({ type: 'SET', address: '/l', value: 2 })
    other.send({ type: 'SET', address: '/l', value: 2, lock: true })
    expect(other.takeType('ERROR').map((e) => [e.code, e.message])).toEqual([
      [400, `LockHeld { holder: "${owner.session}" }`], [400, `LockHeld { holder: "${owner.session}" }`],
    ])
    owner.send({ type: 'SET', address: '/l', value: 3 })
    expect(owner.takeType('ACK')).toHaveLength(1)
    expect(h.router.params.get('/l')?.value).toBe(3)
  })

  test('[CONF-83][CONF-88] the holder unlocks; subscribers see the lock flags', () => {
    const { h, owner, other } = locked()
    const watcher = h.client()
    watcher.send({ type: 'SUBSCRIBE', id: 1, pattern: '/l', types: [] })
    watcher.take()
    owner.send({ type: 'SET', address: '/l', value: 4, unlock: true })
    expect(watcher.takeType('SET')[0]).toMatchObject({ value: 4, unlock: true })
    other.send({ type: 'SET', address: '/l', value: 5 })
    expect(other.takeType('ACK')).toHaveLength(1)
  })

  test('[CONF-84] two lock attempts: the first wins, the second is refused, the value stays stable', () => {
    const h = new Harness()
    const a = h.client()
    const b = h.client()
    a.send({ type: 'SET', address: '/race', value: 'a', lock: true })
    b.send({ type: 'SET', address: '/race', value: 'b', lock: true })
    expect(a.takeType('ACK')).toHaveLength(1)
    expect(b.takeType('ERROR')[0].code).toBe(400)
    expect(h.router.params.get('/race')).toMatchObject({ value: 'a', lockHolder: a.session })
  })

  test('[CONF-86] a non-holder SET with unlock=true is rejected', () => {
    const { h, other } = locked()
    other.send({ type: 'SET', address: '/l', value: 9, unlock: true })
    expect(other.takeType('ERROR')[0].code).toBe(400)
    expect(h.router.params.get('/l')?.value).toBe(1)
  })

  test('[CONF-87] locks are released when the holder disconnects', () => {
    const { owner, other } = locked()
    owner.close()
    other.send({ type: 'SET', address: '/l', value: 2 })
    expect(other.takeType('ACK')).toHaveLength(1)
  })
})

describe('TTL', () => {
  test('[CONF-89][CONF-91][CONF-92] sliding and absolute TTLs expire; ttl never stays; recreated params restart at revision 1', () => {
    const h = new Harness({ config: { paramTtlSeconds: 60 } })
    const c = h.client()
    c.send({ type: 'SET', address: '/slide', value: 1, ttl: { mode: 'sliding', seconds: 5 } })
    c.send({ type: 'SET', address: '/abs', value: 1, ttl: { mode: 'absolute', seconds: 6 } })
    c.send({ type: 'SET', address: '/never', value: 1, ttl: { mode: 'never', seconds: 0 } })
    c.send({ type: 'SET', address: '/global', value: 1 })
    h.clock.advance(4000)
    c.send({ type: 'SET', address: '/slide', value: 2 }) // a write slides it, keeping its ttl
    h.clock.advance(4000)
    expect(h.router.params.get('/slide')).toBeDefined()
    expect(h.router.params.get('/abs')).toBeUndefined()
    h.clock.advance(2000)
    expect(h.router.params.get('/slide')).toBeUndefined()
    h.clock.advance(60_000)
    expect(h.router.params.get('/global')).toBeUndefined()
    expect(h.router.params.get('/never')).toBeDefined()
    c.take()
    c.send({ type: 'SET', address: '/abs', value: 3 })
    expect(c.takeType('ACK')[0].revision).toBe(1n)
  })

  test('[CONF-90] with a global TTL, an unwritten param disappears from snapshots and GET', () => {
    const h = new Harness({ config: { paramTtlSeconds: 30, sessionTimeoutMs: 0 } })
    const c = h.client()
    c.send({ type: 'SET', address: '/old', value: 1 })
    h.clock.advance(31_000)
    c.take()
    c.send({ type: 'GET', address: '/old' })
    expect(c.take()).toEqual([])
    const late = h.connect()
    late.send({ type: 'HELLO', version: 1, features: [], name: 'late' })
    expect(late.takeType('SNAPSHOT')[0].params).toEqual([])
  })

  test('per-param TTLs work with the global TTL off (the reference ignored them)', () => {
    const h = new Harness()
    h.client().send({ type: 'SET', address: '/t', value: 1, ttl: { mode: 'sliding', seconds: 2 } })
    h.clock.advance(3000)
    expect(h.router.params.get('/t')).toBeUndefined()
  })
})

describe('GET', () => {
  test('[CONF-94][CONF-95] GET answers with one entry, literally; a missing address gets no reply', () => {
    const h = new Harness()
    const c = h.client()
    c.send({ type: 'SET', address: '/g/1', value: 1 })
    c.take()
    c.send({ type: 'GET', address: '/g/1' })
    expect(c.takeType('SNAPSHOT')[0].params).toMatchObject([{ address: '/g/1', value: 1, revision: 1n, writer: c.session }])
    c.send({ type: 'GET', address: '/g/*' })
    c.send({ type: 'GET', address: '/missing' })
    expect(c.take()).toEqual([])
  })
})

describe('PUBLISH', () => {
  test('[CONF-96][CONF-97][CONF-98] events fan out to all subscribers but never back; no ACK; nothing stored', () => {
    const h = new Harness()
    const subs = Array.from({ length: 5 }, () => h.client())
    for (const s of subs) s.send({ type: 'SUBSCRIBE', id: 1, pattern: '/cue/**', types: [] })
    const pub = subs[0]
    pub.send({ type: 'PUBLISH', address: '/cue/go', signal: 'event', value: 'intro' })
    expect(pub.take()).toEqual([])
    for (const s of subs.slice(1)) expect(s.takeType('PUBLISH')).toMatchObject([{ address: '/cue/go', value: 'intro' }])
    const late = h.client()
    late.send({ type: 'SUBSCRIBE', id: 1, pattern: '/cue/**', types: [] })
    late.send({ type: 'GET', address: '/cue/go' })
    expect(late.take()).toEqual([])
  })

  test('[CONF-99] streams keep samples, timestamp and rate', () => {
    const h = new Harness()
    const s = h.client()
    s.send({ type: 'SUBSCRIBE', id: 1, pattern: '/audio/**', types: ['stream'] })
    h.client().send({ type: 'PUBLISH', address: '/audio/in', signal: 'stream', samples: [0, 0.5, -1], timestamp: 5n, rate: 48000 })
    expect(s.takeType('PUBLISH')[0]).toMatchObject({ samples: [0, 0.5, -1], timestamp: 5n, rate: 48000 })
  })

  const gesture = (phase: 'start' | 'move' | 'end' | 'cancel', x: number, id = 1) =>
    ({ type: 'PUBLISH', address: '/touch', signal: 'gesture', phase, id, value: x }) as const

  test('[CONF-100][CONF-103] continuous moves are throttled to one per interval; the last move precedes end', () => {
    const h = new Harness({ config: { gestureIntervalMs: 16 } })
    const s = h.client()
    s.send({ type: 'SUBSCRIBE', id: 1, pattern: '/touch', types: [] })
    const p = h.client()
    p.send(gesture('start', 0))
    for (let i = 1; i <= 100; i++) {
      h.clock.advance(4) // 250 Hz input
      p.send(gesture('move', i))
    }
    p.send(gesture('end', 100))
    const got = s.takeType('PUBLISH')
    expect(got[0].phase).toBe('start')
    expect(got.at(-1)?.phase).toBe('end')
    expect(got.at(-2)?.value).toBe(100)
    const moves = got.filter((m) => m.phase === 'move').length
    expect(moves).toBeGreaterThanOrEqual(20) // ~400 ms / 16 ms: a steady beat, not starvation
    expect(moves).toBeLessThan(40)
  })

  test('[CONF-104] a paused move is flushed within the interval', () => {
    const h = new Harness({ config: { gestureIntervalMs: 16 } })
    const s = h.client()
    s.send({ type: 'SUBSCRIBE', id: 1, pattern: '/touch', types: [] })
    const p = h.client()
    p.send(gesture('start', 0))
    h.clock.advance(1)
    p.send(gesture('move', 1))
    p.send(gesture('move', 2))
    expect(s.takeType('PUBLISH').map((m) => m.value)).toEqual([0])
    h.clock.advance(16)
    expect(s.takeType('PUBLISH').map((m) => m.value)).toEqual([2])
    expect(p.take()).toEqual([]) // the sender never gets its own moves back
  })

  test('[CONF-101][CONF-102][CONF-105] gesture ids are independent; cancel flushes; a move without start goes at once', () => {
    const h = new Harness({ config: { gestureIntervalMs: 16 } })
    const s = h.client()
    s.send({ type: 'SUBSCRIBE', id: 1, pattern: '/touch', types: [] })
    const p = h.client()
    p.send(gesture('move', 9, 3))
    p.send(gesture('start', 0, 1))
    p.send(gesture('start', 0, 2))
    p.send(gesture('move', 1, 1))
    p.send(gesture('cancel', 1, 1))
    expect(s.takeType('PUBLISH').map((m) => `${m.id}:${m.phase}`)).toEqual(['3:move', '1:start', '2:start', '1:move', '1:cancel'])
  })

  test('[CONF-106] timeline PUBLISH reaches timeline subscribers', () => {
    const h = new Harness()
    const s = h.client()
    s.send({ type: 'SUBSCRIBE', id: 1, pattern: '/tl', types: ['timeline'] })
    h.client().send({ type: 'PUBLISH', address: '/tl', signal: 'timeline', value: [0n, 1.0] })
    expect(s.takeType('PUBLISH')).toHaveLength(1)
  })

  test('[CONF-123][CONF-124][CONF-125] P2P signals go to their target only; unknown target is ERROR 404', () => {
    const h = new Harness()
    const a = h.client()
    const b = h.client()
    const spy = h.client()
    spy.send({ type: 'SUBSCRIBE', id: 1, pattern: '/**', types: [] })
    a.send({ type: 'PUBLISH', address: `/clasp/p2p/signal/${b.session}`, signal: 'event', value: 'offer' })
    expect(b.takeType('PUBLISH')).toMatchObject([{ value: 'offer' }])
    expect(spy.take()).toEqual([])
    a.send({ type: 'PUBLISH', address: '/clasp/p2p/signal/nobody', signal: 'event' })
    expect(a.takeType('ERROR')).toMatchObject([{ code: 404, address: '/clasp/p2p/signal/nobody' }])
    b.send({ type: 'SUBSCRIBE', id: 1, pattern: '/clasp/p2p/announce', types: [] })
    a.send({ type: 'PUBLISH', address: '/clasp/p2p/announce', signal: 'event', value: 'hi' })
    expect(b.takeType('PUBLISH')).toHaveLength(1)
    expect(a.take()).toEqual([])
  })
})

describe('BUNDLE', () => {
  const setMsg = (address: string, value: ClaspValue, extra: Partial<SetMessage> = {}): SetMessage => ({ type: 'SET', address, value, ...extra })

  test('[CONF-108][CONF-109][CONF-110] SETs and PUBLISHes are delivered individually, then ACK with the last revision', () => {
    const h = new Harness()
    const s = h.client()
    s.send({ type: 'SUBSCRIBE', id: 1, pattern: '/**', types: [] })
    const c = h.client()
    c.send({ type: 'BUNDLE', messages: [...Array.from({ length: 40 }, (_, i) => setMsg(`/b/${i}`, i)), { type: 'PUBLISH', address: '/e', signal: 'event' }] })
    expect(s.take().map((m) => m.type)).toEqual([...Array(40).fill('SET'), 'PUBLISH'])
    expect(c.take()).toMatchObject([{ type: 'ACK', revision: 1n, address: undefined }])
  })

  test('[CONF-111][CONF-112] a future bundle waits for its timestamp', () => {
    const h = new Harness()
    const s = h.client()
    s.send({ type: 'SUBSCRIBE', id: 1, pattern: '/**', types: [] })
    const c = h.client()
    c.send({ type: 'BUNDLE', timestamp: h.router.nowMicros() + 200_000n, messages: [setMsg('/later', 1)] })
    h.clock.advance(199)
    expect(s.take()).toEqual([])
    h.clock.advance(1)
    expect(s.takeType('SET')).toHaveLength(1)
    expect(c.takeType('ACK')).toHaveLength(1)
  })

  test('[CONF-113] one conflicting SET rejects the whole bundle', () => {
    const h = new Harness()
    const owner = h.client()
    owner.send({ type: 'SET', address: '/locked', value: 1, lock: true })
    const c = h.client()
    c.send({ type: 'BUNDLE', messages: [setMsg('/free', 1), setMsg('/locked', 2)] })
    expect(c.take()).toMatchObject([{ type: 'ERROR', code: 400, address: '/locked' }])
    expect(h.router.params.get('/free')).toBeUndefined()
  })

  test('[CONF-114][CONF-115] empty bundle → ACK without revision; other inner types are ignored', () => {
    const h = new Harness()
    const c = h.client()
    c.send({ type: 'BUNDLE', messages: [] })
    c.send({ type: 'BUNDLE', messages: [{ type: 'GET', address: '/x' }, { type: 'PING' }] })
    expect(c.take()).toMatchObject([{ type: 'ACK', revision: undefined }, { type: 'ACK', revision: undefined }])
  })
})

describe('control messages', () => {
  test('[CONF-116][CONF-117] PING → PONG; SYNC echoes t1 with server time', () => {
    const h = new Harness()
    const c = h.client()
    c.send({ type: 'SYNC', t1: 123n })
    const now = h.router.nowMicros()
    expect(c.take()).toEqual([{ type: 'SYNC', t1: 123n, t2: now, t3: now }])
  })

  test('[CONF-118][CONF-119][CONF-120][CONF-93] ANNOUNCE → ACK; QUERY → RESULT by glob; not rebroadcast; expires after an hour', () => {
    const h = new Harness({ config: { sessionTimeoutMs: 0 } })
    const c = h.client()
    const other = h.client()
    other.send({ type: 'SUBSCRIBE', id: 1, pattern: '/**', types: [] })
    c.send({ type: 'ANNOUNCE', namespace: 'lumen', signals: [{ address: '/lumen/go', signalType: 'event' }, { address: '/lumen/level', signalType: 'param', datatype: 'f64', meta: { unit: '%' } }] })
    expect(c.take()).toMatchObject([{ type: 'ACK', address: 'lumen' }])
    expect(other.take()).toEqual([])
    c.send({ type: 'QUERY', pattern: '/lumen/*' })
    expect(c.takeType('RESULT')[0].signals).toEqual([
      { address: '/lumen/go', signalType: 'event', datatype: undefined, access: undefined },
      { address: '/lumen/level', signalType: 'param', datatype: 'f64', access: undefined },
    ])
    h.clock.advance(3_601_000)
    c.send({ type: 'QUERY', pattern: '/**' })
    expect(c.takeType('RESULT')[0].signals).toEqual([])
  })

  test('[CONF-121] REPLAY without a journal → ERROR 501 with the pattern; FEDERATION_SYNC → ERROR 501', () => {
    const h = new Harness()
    const c = h.client()
    c.send({ type: 'REPLAY', pattern: '/a/**', types: [] })
    c.send({ type: 'FEDERATION_SYNC', op: 'declareNamespaces', patterns: ['/a/**'], revisions: {} })
    expect(c.take()).toMatchObject([
      { type: 'ERROR', code: 501, message: 'Journal not configured on this router', address: '/a/**' },
      { type: 'ERROR', code: 501, message: 'Federation is not enabled on this router' },
    ])
  })
})

describe('robustness and limits', () => {
  test('[CONF-136][CONF-137][CONF-139] garbage after the handshake is ignored; the next SET is answered', () => {
    const h = new Harness()
    const c = h.client()
    const bystander = h.client()
    bystander.send({ type: 'SUBSCRIBE', id: 1, pattern: '/**', types: [] })
    c.raw([0x54, 0x01, 0x00, 0x01, 0x41]) // bad magic
    c.raw([0x53, 0x01, 0x00, 0x09, 0x21]) // truncated
    c.raw([0x53, 0x01, 0x00, 0x01, 0x99]) // unknown type
    c.raw([0x53, 0x01, 0x00, 0x01, 0x21]) // SET with only its type byte
    c.send({ type: 'SET', address: '/ok', value: 1 })
    expect(c.take()).toMatchObject([{ type: 'ACK', address: '/ok' }])
    expect(bystander.takeType('SET')).toHaveLength(1)
    expect(h.router.stats.decodeErrors).toBe(4)
  })

  test('a SET whose broadcast (which adds the revision) would not fit one frame is refused before it is applied', () => {
    const h = new Harness()
    const c = h.client()
    const bystander = h.client()
    bystander.send({ type: 'SUBSCRIBE', id: 1, pattern: '/**', types: [] })
    bystander.take()
    const big = 'x'.repeat(65_520) // fits the writer's SET (no revision), not the broadcast
    c.send({ type: 'SET', address: '/big', value: big })
    expect(c.take()).toEqual([{ type: 'ERROR', code: 400, message: 'value too large: its broadcast SET would exceed the 65,535-byte frame payload', address: '/big' }])
    expect(h.router.params.get('/big')).toBeUndefined()
    expect(bystander.take()).toEqual([])
    c.send({ type: 'SET', address: '/big', value: 'x'.repeat(65_400) }) // this one fits every form
    expect(c.takeType('ACK')).toMatchObject([{ address: '/big', revision: 1n }])
    expect(bystander.takeType('SET')).toHaveLength(1)
  })

  test('a SET that fits its broadcast but not a SNAPSHOT entry (which adds writer and timestamp) is refused too: late joiners and GET could not get it', () => {
    const h = new Harness()
    const c = h.client()
    c.send({ type: 'SET', address: '/big', value: 'x'.repeat(65_480) })
    expect(c.take()).toEqual([{ type: 'ERROR', code: 400, message: 'value too large: its SNAPSHOT entry (late joiners, GET) would exceed the 65,535-byte frame payload', address: '/big' }])
    expect(h.router.params.get('/big')).toBeUndefined()
    c.send({ type: 'SET', address: '/big', value: 'x'.repeat(65_400) })
    expect(c.takeType('ACK')).toHaveLength(1)
    const late = h.client()
    late.send({ type: 'GET', address: '/big' })
    expect(late.takeType('SNAPSHOT').flatMap((m) => m.params.map((p) => (p.value as string).length))).toEqual([65_400])
  })

  test('[CONF-138] a 10 KB client name is accepted', () => {
    const h = new Harness()
    const c = h.connect()
    c.send({ type: 'HELLO', version: 1, features: [], name: 'n'.repeat(10_000) })
    expect(c.takeType('WELCOME')).toHaveLength(1)
  })

  test('[CONF-140] frames beyond the rate limit get ERROR 429 each and are dropped; the next second works', () => {
    const h = new Harness({ config: { maxMessagesPerSecond: 5 } })
    const c = h.client()
    h.clock.advance(1000 - (h.clock.now() % 1000)) // start of a window
    for (let i = 0; i < 7; i++) c.send({ type: 'PING' })
    expect(c.take().map((m) => (m.type === 'ERROR' ? m.code : m.type))).toEqual(['PONG', 'PONG', 'PONG', 'PONG', 'PONG', 429, 429])
    h.clock.advance(1000)
    c.send({ type: 'PING' })
    expect(c.take()).toEqual([{ type: 'PONG' }])
    expect(c.closed).toBe(false)
  })

  test('[CONF-143] sessions silent past the timeout are closed and stop receiving', () => {
    const h = new Harness({ config: { sessionTimeoutMs: 60_000, ttlSweepMs: 1000 } })
    const quiet = h.client()
    quiet.send({ type: 'SUBSCRIBE', id: 1, pattern: '/**', types: [] })
    const chatty = h.client()
    for (let i = 0; i < 70; i++) {
      h.clock.advance(1000)
      chatty.send({ type: 'PING' })
    }
    expect(quiet.closed).toBe(true)
    expect(chatty.closed).toBe(false)
    expect(h.router.sessions.size).toBe(1)
  })

  test('oversized frames are ignored', () => {
    const h = new Harness({ config: { maxFrameBytes: 64 } })
    const c = h.client()
    c.send({ type: 'SET', address: '/big', value: 'x'.repeat(100) })
    expect(c.take()).toEqual([])
    expect(h.router.stats.oversized).toBe(1)
  })
})
