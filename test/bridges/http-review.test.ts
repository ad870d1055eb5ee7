/**
 * HTTP bridge corrections found in review: HTTP/1.1 status codes for requests Node cannot parse
 * (400/431 instead of a dropped connection), HEAD on every GET route and 405 + Allow for a
 * method a route does not take, ETag readable by cross-origin pages, `/v1/emit` bodies without
 * `value`, a value too large for a CLASP frame (413, not 500), and a start that failed to listen
 * leaving no subscription behind.
 */
import { connect as netConnect, createServer as netServer } from 'node:net'
import { afterEach, describe, expect, test } from 'vitest'
import { HttpBridge, type HttpBridgeOptions } from '../../bridges/http.ts'
import { bridgeRig } from '../support/peers.ts'
import { sleep, waitFor } from '../support/wait.ts'

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function setup(options: Partial<HttpBridgeOptions> = {}) {
  const rig = await bridgeRig('/**')
  cleanups.push(() => rig.close())
  const bridge = await rig.start(new HttpBridge({ namespace: '/', host: '127.0.0.1', port: 0, ...options }))
  return { rig, bridge, base: `http://127.0.0.1:${bridge.port}` }
}

/** Raw bytes in, everything the server writes back until it closes (or 2 s). */
function raw(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    let out = ''
    const s = netConnect(port, '127.0.0.1', () => s.write(text))
    const timer = setTimeout(() => s.destroy(), 2000)
    s.on('data', (d) => (out += d))
    s.on('error', () => undefined)
    s.on('close', () => {
      clearTimeout(timer)
      resolve(out)
    })
  })
}

describe('HTTP bridge: protocol details', () => {
  test('a request Node cannot parse gets an HTTP status (400, 431), not a silently dropped connection; counted as malformed', async () => {
    const { bridge } = await setup()
    expect(await raw(bridge.port, 'GARBAGE\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 /)
    expect(await raw(bridge.port, `GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 431 /)
    expect(bridge.stats().malformed).toBe(2)
    expect((await fetch(`http://127.0.0.1:${bridge.port}/v1/health`)).status).toBe(200)
  })

  test('HEAD works wherever GET does (snapshot, /api, health, stream), without a body', async () => {
    const { rig, base } = await setup()
    await rig.observer.set('/a/b', 1n)
    for (const path of ['/v1/snapshot', '/v1/snapshot/a', '/api/a/b', '/v1/state/a/b', '/v1/health']) {
      const r = await fetch(`${base}${path}`, { method: 'HEAD' })
      expect([path, r.status]).toEqual([path, 200])
      expect(await r.text()).toBe('')
    }
    const s = await fetch(`${base}/v1/stream/a/**`, { method: 'HEAD' })
    expect(s.status).toBe(200)
    expect(s.headers.get('content-type')).toMatch(/text\/event-stream/)
  })

  test('a method a route does not take is 405 with Allow (not 404, and not a 200 from /v1/health)', async () => {
    const { rig, base } = await setup()
    await rig.observer.set('/a/b', 1n)
    const cases: Array<[string, string, RegExp]> = [
      ['POST', '/v1/state/a/b', /^GET, HEAD, PUT, DELETE$/],
      ['GET', '/v1/emit/a/b', /^POST$/],
      ['PUT', '/v1/snapshot', /^GET, HEAD$/],
      ['DELETE', '/v1/stream', /^GET, HEAD$/],
      ['PUT', '/v1/health', /^GET, HEAD$/],
      ['PATCH', '/api/a/b', /^GET, HEAD, PUT, POST, DELETE$/],
    ]
    for (const [method, path, allow] of cases) {
      const r = await fetch(`${base}${path}`, { method, body: method === 'GET' ? undefined : '{"value":1}' })
      expect([method, path, r.status]).toEqual([method, path, 405])
      expect(r.headers.get('allow')).toMatch(allow)
    }
    expect(rig.router.params.get('/a/b')).toMatchObject({ value: 1n, revision: 1n })
    expect((await fetch(`${base}/v1/nothing`)).status).toBe(404)
  })

  test('CORS: a listed origin may read the ETag it needs for If-Match', async () => {
    const { rig, base } = await setup({ cors: ['http://panel.local'] })
    await rig.observer.set('/a/b', 1n)
    const r = await fetch(`${base}/v1/state/a/b`, { headers: { Origin: 'http://panel.local' } })
    expect(r.headers.get('etag')).toBe('"1"')
    expect(r.headers.get('access-control-expose-headers') ?? '').toMatch(/\bETag\b/i)
    const other = await fetch(`${base}/v1/state/a/b`, { headers: { Origin: 'http://evil.example' } })
    expect(other.headers.get('access-control-expose-headers')).toBeNull()
  })

  test('/v1/emit: a body without "value" is 400 and counted (an empty body is a null event); /api stays lenient', async () => {
    const { rig, base, bridge } = await setup()
    const bad = await fetch(`${base}/v1/emit/cue/go`, { method: 'POST', body: '{"valu": "typo"}' })
    expect(bad.status).toBe(400)
    expect((await fetch(`${base}/v1/emit/cue/go`, { method: 'POST', body: '"bare"' })).status).toBe(400)
    expect(bridge.stats().malformed).toBe(2)
    expect((await fetch(`${base}/v1/emit/cue/go`, { method: 'POST' })).status).toBe(200)
    expect((await fetch(`${base}/api/cue/go`, { method: 'POST', body: '"bare"' })).status).toBe(200)
    await waitFor(() => rig.seen.filter((s) => s.address === '/cue/go').length === 2, 2000, 'the two good events')
    expect(rig.seen.filter((s) => s.address === '/cue/go').map((s) => s.value)).toEqual([null, 'bare'])
  })

  test('a value no CLASP frame can carry is 413 (counted as malformed), a revision the wire cannot carry 400; neither is a 500', async () => {
    const { rig, base, bridge } = await setup({ maxBodyBytes: 1 << 20 })
    const big = await fetch(`${base}/v1/state/big`, { method: 'PUT', body: JSON.stringify({ value: 'x'.repeat(100_000) }) })
    expect(big.status).toBe(413)
    expect((await big.json()).error).toMatch(/PAYLOAD_TOO_LARGE/)
    const neg = await fetch(`${base}/v1/state/neg`, { method: 'PUT', body: '{"value": 1, "revision": -1}' })
    expect(neg.status).toBe(400)
    expect(bridge.stats()).toMatchObject({ malformed: 2, errors: 0 })
    expect(rig.router.params.size).toBe(0)
  })

  test('a start that could not listen leaves no subscription behind: started again, every update arrives once', async () => {
    const blocker = netServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()))
    cleanups.push(() => new Promise<void>((resolve) => blocker.close(() => resolve())))
    const rig = await bridgeRig('/**')
    cleanups.push(() => rig.close())
    const bridge = new HttpBridge({ namespace: '/', host: '127.0.0.1', port: (blocker.address() as { port: number }).port })
    await expect(bridge.start({ clasp: rig.clasp, log: rig.log })).rejects.toThrow(/EADDRINUSE/)
    bridge.options.port = 0
    await rig.start(bridge)
    const base = `http://127.0.0.1:${bridge.port}`
    const res = await fetch(`${base}/v1/stream/s/**`)
    const reader = res.body!.getReader()
    let text = ''
    const reading = (async () => {
      for (;;) {
        const { value, done } = await reader.read()
        if (done) return
        text += new TextDecoder().decode(value)
      }
    })().catch(() => undefined)
    await rig.observer.set('/s/a', 1n)
    await waitFor(() => text.includes('/s/a'), 2000, 'the update')
    await sleep(100)
    expect(text.match(/"\/s\/a"/g)).toHaveLength(1) // once, not once per subscription
    await reader.cancel().catch(() => undefined)
    await reading
  })
})
