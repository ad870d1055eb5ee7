/**
 * One behaviour suite over every real transport (ws, tcp, udp, serial over a socat pty pair),
 * all on 127.0.0.1 with OS-chosen ports: the router must look the same whatever carries the
 * frames. Then transport-specific edges: TCP bad lengths, UDP idle expiry and datagram limits,
 * serial noise and reconnect, and a malformed-input property test over TCP.
 */
import { mkdtemp, realpath, rename, rm, symlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { encode } from '../../generated/codec.ts'
import type { Message } from '../../generated/types.ts'
import type { RouterConfig } from '../../runtime/router/config.ts'
import { Router } from '../../runtime/router/router.ts'
import { type SerialAttachment, attachSerial } from '../../runtime/transports/serial.ts'
import { listenTcp } from '../../runtime/transports/tcp.ts'
import { type UdpListener, listenUdp } from '../../runtime/transports/udp.ts'
import { type Listener, listenWebSocket } from '../../runtime/transports/websocket.ts'
import { type PtyPair, type TransportClient, connectSerialPty, connectTcp, connectUdp, connectWs, hasSocat, startPtyPair } from '../support/transport-clients.ts'
import { sleep, waitFor } from '../support/wait.ts'

type Kind = TransportClient['kind']

const REQUIRE_PEERS = process.env.CLASP_REQUIRE_PEERS === '1'
const SOCAT = hasSocat()
const SERIAL_SKIP = !SOCAT && !REQUIRE_PEERS
if (SERIAL_SKIP) console.warn('serial transport tests skipped: socat not found (install the Debian package `socat`, or set CLASP_REQUIRE_PEERS=1 to fail instead)')

/** Idle expiry for UDP sessions: long enough never to fire mid-test, short enough to wait for. */
const UDP_IDLE_MS = 1500

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) {
    try {
      await c()
    } catch (e) {
      console.error('cleanup failed', e)
    }
  }
})

interface Rig {
  router: Router
  ws: Listener
  tcp: Listener
  udp: UdpListener
  dir: string
  /** Serial attachments made by `connect('serial')`, newest last. */
  serial: SerialAttachment[]
  connect(kind: Kind): Promise<TransportClient>
}

async function startRig(config: Partial<RouterConfig> = {}): Promise<Rig> {
  const router = new Router({ config })
  cleanups.push(() => router.close())
  const ws = await listenWebSocket(router, { port: 0, host: '127.0.0.1' })
  cleanups.push(() => ws.close())
  const tcp = await listenTcp(router, { port: 0, host: '127.0.0.1' })
  cleanups.push(() => tcp.close())
  const udp = await listenUdp(router, { port: 0, host: '127.0.0.1', idleMs: UDP_IDLE_MS })
  cleanups.push(() => udp.close())
  const dir = await mkdtemp(join(tmpdir(), 'clasp-serial-'))
  cleanups.push(() => rm(dir, { recursive: true, force: true }))
  const serial: SerialAttachment[] = []
  let n = 0
  const rig: Rig = {
    router, ws, tcp, udp, dir, serial,
    async connect(kind) {
      let c: TransportClient
      if (kind === 'ws') c = await connectWs(`ws://127.0.0.1:${ws.port}`)
      else if (kind === 'tcp') c = await connectTcp(tcp.port)
      else if (kind === 'udp') c = await connectUdp(udp.port)
      else return connectSerial(rig, ++n)
      cleanups.push(() => c.close())
      return c
    },
  }
  return rig
}

/**
 * A serial "connection": a fresh socat pair, the router attached to one end and a device client
 * on the other. Closing the client also removes the pair, i.e. unplugs the device: a pty gives
 * the other end no signal when one side merely closes.
 */
async function connectSerial(rig: Rig, n: number): Promise<TransportClient> {
  const pair = await startPtyPair(join(rig.dir, `router${n}`), join(rig.dir, `device${n}`))
  cleanups.push(() => pair.stop())
  const att = await attachSerial(rig.router, { path: pair.a, reconnectMs: 100 })
  cleanups.push(() => att.close())
  rig.serial.push(att)
  await waitFor(() => att.connected, 5000, 'router side of the serial link open')
  const device = await connectSerialPty(pair.b)
  cleanups.push(() => device.close())
  const close = device.close
  device.close = async () => {
    await close()
    await pair.stop()
  }
  return device
}

/** SUBSCRIBE has no reply; a PING answered after it proves the router has processed it. */
async function subscribe(c: TransportClient, pattern: string, types: Extract<Message, { type: 'SUBSCRIBE' }>['types'] = []): Promise<void> {
  c.send({ type: 'SUBSCRIBE', id: 1, pattern, types })
  c.send({ type: 'PING' })
  await c.next('PONG', 5000)
}

const KINDS: Kind[] = ['ws', 'tcp', 'udp', 'serial']

describe.each(KINDS)('behaviour over %s', (kind) => {
  /** The other transport in cross-transport tests: WS pairs with TCP, everything else with WS. */
  const peer: Kind = kind === 'ws' ? 'tcp' : 'ws'
  const skip = kind === 'serial' && SERIAL_SKIP

  beforeAll(() => {
    if (kind === 'serial' && !SOCAT && REQUIRE_PEERS) throw new Error('CLASP_REQUIRE_PEERS=1 but socat is missing (Debian package `socat`)')
  })

  test.skipIf(skip)('handshake: WELCOME with a session id, then an empty SNAPSHOT', async () => {
    const rig = await startRig()
    const c = await rig.connect(kind)
    c.send({ type: 'HELLO', version: 1, features: ['param', 'event'], name: `${kind}-hs` })
    const welcome = await c.next('WELCOME', 5000)
    expect(welcome.session).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(welcome.name).toBe(rig.router.config.name)
    expect((await c.next('SNAPSHOT', 5000)).params).toEqual([])
    expect(rig.router.sessions.get(welcome.session)?.port.label).toMatch(new RegExp(`^${kind} `))
  })

  test.skipIf(skip)('SET is acknowledged and stored', async () => {
    const rig = await startRig()
    const c = await rig.connect(kind)
    await c.hello()
    c.send({ type: 'SET', address: `/${kind}/level`, value: 0.5 })
    const ack = await c.next('ACK', 5000)
    expect(ack.address).toBe(`/${kind}/level`)
    expect(ack.revision).toBe(1n)
    expect(rig.router.params.get(`/${kind}/level`)?.value).toBe(0.5)
  })

  test.skipIf(skip)(`SETs cross between ${kind} and ${peer} in both directions`, async () => {
    const rig = await startRig()
    const [a, b] = [await rig.connect(kind), await rig.connect(peer)]
    await a.hello('a')
    await b.hello('b')
    await subscribe(a, '/x/**')
    await subscribe(b, '/y/**')
    b.send({ type: 'SET', address: '/x/from-peer', value: 'hi' })
    a.send({ type: 'SET', address: '/y/from-me', value: 42 })
    expect(await a.next('SET', 5000, (m) => m.address === '/x/from-peer')).toMatchObject({ value: 'hi' })
    expect(await b.next('SET', 5000, (m) => m.address === '/y/from-me')).toMatchObject({ value: 42 })
  })

  test.skipIf(skip)('PUBLISH events reach subscribers on the other transport', async () => {
    const rig = await startRig()
    const [a, b] = [await rig.connect(kind), await rig.connect(peer)]
    await a.hello('a')
    await b.hello('b')
    await subscribe(a, '/cue/**', ['event'])
    await subscribe(b, '/cue/**', ['event'])
    b.send({ type: 'PUBLISH', address: '/cue/go', signal: 'event', value: { scene: 3 } })
    a.send({ type: 'PUBLISH', address: '/cue/back', signal: 'event', value: true })
    expect(await a.next('PUBLISH', 5000, (m) => m.address === '/cue/go')).toMatchObject({ signal: 'event', value: { scene: 3 } })
    expect(await b.next('PUBLISH', 5000, (m) => m.address === '/cue/back')).toMatchObject({ signal: 'event', value: true })
  })

  test.skipIf(skip)('PING is answered with PONG', async () => {
    const rig = await startRig()
    const c = await rig.connect(kind)
    await c.hello()
    c.send({ type: 'PING' })
    await c.next('PONG', 5000)
  })

  test.skipIf(skip)('garbage is ignored and a following SET is still answered', async () => {
    const rig = await startRig()
    const c = await rig.connect(kind)
    await c.hello()
    c.sendFrame(Uint8Array.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0x01]))
    c.sendFrame(Uint8Array.from([0x53, 0x01, 0x00, 0x02, 0x21, 0xff])) // valid header, truncated SET
    if (kind === 'serial') c.sendRaw(Uint8Array.from([0x41, 0x54, 0x0d, 0x0a, 0xdb, 0x99])) // line noise, bad escape
    c.send({ type: 'SET', address: '/after/garbage', value: 1 })
    expect((await c.next('ACK', 5000)).address).toBe('/after/garbage')
    expect(c.closed).toBe(false)
  })

  test.skipIf(skip)('closing the client removes its router session', async () => {
    const rig = await startRig()
    const c = await rig.connect(kind)
    const { session } = await c.hello()
    expect(rig.router.sessions.has(session)).toBe(true)
    await c.close()
    // UDP has no close: the session goes when the remote has been idle for UDP_IDLE_MS.
    await waitFor(() => !rig.router.sessions.has(session), 5000, `${kind} session removed`)
  })
})

describe('tcp specifics', () => {
  test.each([
    ['zero', [0, 0, 0, 0]],
    ['65537', [0, 1, 0, 1]],
    ['4 GiB', [0xff, 0xff, 0xff, 0xff]],
  ])('a %s length prefix closes that connection only', async (_name, prefix) => {
    const rig = await startRig()
    const bad = await rig.connect('tcp')
    const good = await rig.connect('tcp')
    const { session } = await bad.hello('bad')
    await good.hello('good')
    bad.sendRaw(Uint8Array.from(prefix))
    await waitFor(() => bad.closed, 5000, 'bad connection closed')
    await waitFor(() => !rig.router.sessions.has(session), 5000, 'bad session removed')
    good.send({ type: 'SET', address: '/still/fine', value: true })
    expect((await good.next('ACK', 5000)).address).toBe('/still/fine')
  })

  test('a peer that resets mid-frame, with deliveries still addressed to it, raises nothing', async () => {
    const rig = await startRig()
    const { connect } = await import('node:net')
    const raw = connect({ port: rig.tcp.port, host: '127.0.0.1' })
    raw.on('error', () => undefined)
    await new Promise((r) => raw.once('connect', r))
    const frames = [{ type: 'HELLO', version: 1, features: [], name: 'rst' }, { type: 'SUBSCRIBE', id: 1, pattern: '/**', types: [] }] as Message[]
    for (const m of frames) raw.write(Uint8Array.from([0, 0, 0, encode(m).length, ...encode(m)]))
    await waitFor(() => rig.router.sessions.size === 1, 5000, 'rst session open')
    raw.write(Uint8Array.of(0, 0, 1, 0, 0x53)) // half a frame, then RST
    raw.resetAndDestroy()
    const writer = await rig.connect('tcp')
    await writer.hello('writer')
    for (let i = 0; i < 20; i++) writer.send({ type: 'SET', address: `/to/dead/${i}`, value: i })
    await writer.next('ACK', 5000, (m) => m.address === '/to/dead/19')
    await waitFor(() => rig.router.sessions.size === 1, 5000, 'reset session removed')
  })

  test('frames split byte by byte and coalesced in one write are both understood', async () => {
    const rig = await startRig()
    const c = await rig.connect('tcp')
    await c.hello()
    const one = encode({ type: 'SET', address: '/split', value: 'x'.repeat(300) })
    const prefixed = Uint8Array.from([0, 0, one.length >> 8, one.length & 0xff, ...one])
    for (const byte of prefixed) c.sendRaw(Uint8Array.of(byte))
    const two = [encode({ type: 'SET', address: '/a', value: 1 }), encode({ type: 'SET', address: '/b', value: 2 })]
    c.sendRaw(Uint8Array.from(two.flatMap((f) => [0, 0, 0, f.length, ...f])))
    for (const address of ['/split', '/a', '/b']) await c.next('ACK', 5000, (m) => m.address === address)
  })
})

describe('udp specifics', () => {
  test('each remote gets its own session, replies go to it, and idle remotes expire', async () => {
    const rig = await startRig()
    const [a, b] = [await rig.connect('udp'), await rig.connect('udp')]
    const sa = (await a.hello('a')).session
    const sb = (await b.hello('b')).session
    expect(sa).not.toBe(sb)
    expect(rig.udp.remotes).toBe(2)
    b.send({ type: 'PING' })
    await b.next('PONG', 5000)
    expect(a.inbox.filter((m) => m.type === 'PONG')).toEqual([])
    // Keep `a` alive past the idle limit while `b` stays silent.
    const deadline = Date.now() + UDP_IDLE_MS * 2
    while (Date.now() < deadline && rig.router.sessions.has(sb)) {
      a.send({ type: 'PING' })
      await sleep(100)
    }
    await waitFor(() => !rig.router.sessions.has(sb), 5000, 'idle session expired')
    expect(rig.router.sessions.has(sa)).toBe(true)
    expect(rig.udp.stats.idleClosed).toBe(1)
    // The same remote speaking again starts a new session.
    expect((await b.hello('b again')).session).not.toBe(sb)
  })

  test('a frame too large for one datagram is dropped and counted', async () => {
    const rig = await startRig()
    const u = await rig.connect('udp')
    await u.hello()
    const w = await rig.connect('ws')
    await w.hello()
    // A ~65.4 kB value: its one-entry SNAPSHOT still fits a CLASP frame but not an IPv4 datagram.
    w.send({ type: 'SET', address: '/big', value: 'v'.repeat(65_440) })
    await w.next('ACK', 5000)
    u.send({ type: 'GET', address: '/big' })
    u.send({ type: 'PING' })
    await u.next('PONG', 5000)
    await waitFor(() => rig.udp.stats.oversizedDropped === 1, 5000, 'oversized frame counted')
    expect(u.inbox.filter((m) => m.type === 'SNAPSHOT')).toEqual([])
    // The session survives the drop.
    u.send({ type: 'SET', address: '/small', value: 1 })
    expect((await u.next('ACK', 5000)).address).toBe('/small')
  })
})

describe.skipIf(SERIAL_SKIP)('serial specifics', () => {
  beforeAll(() => {
    if (!SOCAT && REQUIRE_PEERS) throw new Error('CLASP_REQUIRE_PEERS=1 but socat is missing (Debian package `socat`)')
  })

  test('line noise before HELLO is dropped and does not cost the handshake', async () => {
    const rig = await startRig()
    const c = await rig.connect('serial')
    const text = (t: string) => [...new TextEncoder().encode(t)]
    c.sendRaw(Uint8Array.from([...text('boot v1.2\r\n'), 0xc0, ...text('junk'), 0xc0]))
    const welcome = await c.hello('noisy device')
    expect(rig.router.sessions.has(welcome.session)).toBe(true)
    await waitFor(() => rig.serial[0].stats.badFrames >= 1, 5000, 'noise counted')
  })

  test('the device disappearing and returning at the same path gives a new session', async () => {
    const rig = await startRig()
    const routerEnd = join(rig.dir, 'ttyR')
    const deviceEnd = join(rig.dir, 'ttyD')
    let pair: PtyPair = await startPtyPair(routerEnd, deviceEnd)
    cleanups.push(() => pair.stop())
    const att = await attachSerial(rig.router, { path: routerEnd, reconnectMs: 100 })
    cleanups.push(() => att.close())
    await waitFor(() => att.connected, 5000, 'serial open')
    let device = await connectSerialPty(deviceEnd)
    cleanups.push(() => device.close())
    const first = (await device.hello('mcu')).session

    await device.close()
    await pair.stop() // unplugged
    await waitFor(() => !att.connected && !rig.router.sessions.has(first), 5000, 'link loss noticed')
    await sleep(300) // a few failed reopen attempts against the missing path

    pair = await startPtyPair(routerEnd, deviceEnd) // plugged back in
    await waitFor(() => att.connected && att.stats.opens === 2, 5000, 'serial reopened')
    device = await connectSerialPty(deviceEnd)
    const second = (await device.hello('mcu')).session
    expect(second).not.toBe(first)
    device.send({ type: 'SET', address: '/mcu/up', value: true })
    expect((await device.next('ACK', 5000)).address).toBe('/mcu/up')
  })

  test('a path that comes to name another device is reopened (the watchdog, no hangup needed)', async () => {
    const rig = await startRig()
    const one = await startPtyPair(join(rig.dir, 'r1'), join(rig.dir, 'd1'))
    cleanups.push(() => one.stop())
    const two = await startPtyPair(join(rig.dir, 'r2'), join(rig.dir, 'd2'))
    cleanups.push(() => two.stop())
    // A stable name that is re-pointed, as udev re-points /dev/serial/by-id/* on re-enumeration.
    const stable = join(rig.dir, 'ttyStable')
    await symlink(await realpath(one.a), stable)
    const att = await attachSerial(rig.router, { path: stable, reconnectMs: 100 })
    cleanups.push(() => att.close())
    await waitFor(() => att.connected, 5000, 'serial open')
    const first = await connectSerialPty(one.b)
    cleanups.push(() => first.close())
    const s1 = (await first.hello('first')).session

    await symlink(await realpath(two.a), `${stable}.new`)
    await rename(`${stable}.new`, stable) // atomic re-point; pair one stays up, so no hangup
    await waitFor(() => att.stats.opens === 2 && att.connected, 5000, 'reopened on the new device')
    expect(rig.router.sessions.has(s1)).toBe(false)
    const second = await connectSerialPty(two.b)
    cleanups.push(() => second.close())
    expect((await second.hello('second')).session).not.toBe(s1)
  })

  test('a missing serialport package is reported in one clear line', async () => {
    const router = new Router()
    cleanups.push(() => router.close())
    const err = await attachSerial(router, { path: '/dev/null', load: () => Promise.reject(new Error("Cannot find package 'serialport'\n  at ...")) }).catch((e: Error) => e)
    expect(err).toBeInstanceOf(Error)
    expect((err as Error).message).toMatch(/'serialport'/)
    expect((err as Error).message).not.toContain('\n')
  })
})

describe('malformed input over TCP (property)', () => {
  test('arbitrary and mutated frames after HELLO never stop a valid SET from being answered', async () => {
    // No rate limit: 300 runs of several frames each would otherwise trip ERROR 429 by design.
    const rig = await startRig({ maxMessagesPerSecond: 0 })
    const c = await rig.connect('tcp')
    await c.hello('fuzzer')
    const valid: Message[] = [
      { type: 'SET', address: '/fuzz/a', value: 1.5, revision: 3n, ttl: { mode: 'sliding', seconds: 10 } },
      { type: 'PUBLISH', address: '/fuzz/e', signal: 'event', value: { k: [1, 'two', null] } },
      { type: 'SUBSCRIBE', id: 7, pattern: '/fuzz/**', types: ['param', 'event'] },
      { type: 'BUNDLE', messages: [{ type: 'SET', address: '/fuzz/b', value: 'x' }] },
      { type: 'GET', address: '/fuzz/a' },
    ]
    const mutated = fc
      .tuple(fc.constantFrom(...valid.map((m) => encode(m))), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), fc.nat())
      .map(([frame, flips, cut]) => {
        const out = Uint8Array.from(frame)
        for (const [at, v] of flips) out[at % out.length] = v
        return out.subarray(0, Math.max(1, out.length - (cut % 4)))
      })
    const junk = fc.uint8Array({ minLength: 1, maxLength: 300 })
    let run = 0
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(junk, mutated), { minLength: 1, maxLength: 4 }), async (frames) => {
        const address = `/ok/${run++}`
        c.inbox.length = 0
        for (const f of frames) c.sendFrame(f)
        c.send({ type: 'SET', address, value: run })
        const ack = await c.next('ACK', 3000, (m) => m.address === address)
        return ack.address === address && !c.closed
      }),
      { numRuns: 300, interruptAfterTimeLimit: 30_000 },
    )
    expect(rig.router.stats.decodeErrors).toBeGreaterThan(0)
    // The router is still fine for newcomers.
    const fresh = await rig.connect('tcp')
    await fresh.hello('after fuzz')
    fresh.send({ type: 'SET', address: '/after/fuzz', value: 1 })
    expect((await fresh.next('ACK', 5000)).address).toBe('/after/fuzz')
  })
})
