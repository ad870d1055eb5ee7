/**
 * The HTTP bridge's `/v1` API on 127.0.0.1, driven with `curl` (Debian `curl`) and Node's
 * `fetch`: reads with revisions, writes with optimistic concurrency (409) and locks (423),
 * events, snapshots, SSE streams, the namespace applied the same way to reads and writes, CORS,
 * Bearer tokens, and bad input (oversized 413, broken JSON 400) counted without touching state.
 */
import { execFile, spawn } from 'node:child_process'
import { type IncomingMessage, get as httpGet } from 'node:http'
import { connect as netConnect } from 'node:net'
import { afterEach, describe, expect, test } from 'vitest'
import { HttpBridge, type HttpBridgeOptions } from '../../bridges/http.ts'
import { bridgeRig, peer } from '../support/peers.ts'
import { sleep, waitFor } from '../support/wait.ts'
import { startAfterFailedListen } from './harness.ts'

const curlBin = peer('curl', 'curl')

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

interface Reply {
  status: number
  headers: Record<string, string>
  body: string
}

/** curl with headers dumped to stdout; never throws for HTTP errors. */
function curl(...args: string[]): Promise<Reply> {
  return new Promise((resolve, reject) => {
    execFile(curlBin.path, ['-s', '-D', '-', '--max-time', '5', ...args], { maxBuffer: 1 << 24 }, (e, stdout) => {
      if (e && !stdout) return reject(e)
      const blocks = stdout.split('\r\n\r\n')
      // A "100 Continue" block may precede the real head.
      while (blocks.length > 2 && /^HTTP\/1\.1 100/.test(blocks[0])) blocks.shift()
      const [head, ...rest] = blocks
      const [statusLine, ...lines] = head.split('\r\n')
      const headers: Record<string, string> = {}
      for (const l of lines) {
        const i = l.indexOf(':')
        headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim()
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') })
    })
  })
}

const json = (...args: string[]) => ['-H', 'Content-Type: application/json', ...args]

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

describe.skipIf(!curlBin.ok)('HTTP /v1 bridge (curl, fetch)', () => {
  test('GET: value with revision and time; 404 for unknown addresses; floats keep their .0', async () => {
    const { rig, base } = await setup()
    await rig.observer.set('/mixer/fader1', 1.0)
    await rig.observer.set('/mixer/count', 3n)
    const r = await curl(`${base}/v1/state/mixer/fader1`)
    expect(r.status).toBe(200)
    expect(r.headers['content-type']).toMatch(/application\/json/)
    expect(r.headers.etag).toBe('"1"')
    expect(r.body).toMatch(/^\{"address":"\/mixer\/fader1","value":1\.0,"revision":1,"timestamp":\d{16}\}\n$/)
    expect(JSON.parse((await curl(`${base}/v1/state/mixer/count`)).body).value).toBe(3)
    expect((await curl(`${base}/v1/state/mixer/none`)).status).toBe(404)
  })

  test('PUT sets with types kept; a stale revision is 409 and changes nothing; If-Match works too', async () => {
    const { rig, base, bridge } = await setup()
    let r = await curl('-X', 'PUT', ...json('-d', '{"value": 1.0}'), `${base}/v1/state/mixer/fader2`)
    expect(r.status).toBe(200)
    expect(r.body).toBe('{"address":"/mixer/fader2","value":1.0,"revision":1}\n')
    expect(rig.router.params.get('/mixer/fader2')?.value).toBe(1)
    expect(typeof rig.router.params.get('/mixer/fader2')?.value).toBe('number')
    r = await curl('-X', 'PUT', ...json('-d', '{"value": 2, "revision": 1}'), `${base}/v1/state/mixer/fader2`)
    expect(r.status).toBe(200)
    expect(rig.router.params.get('/mixer/fader2')?.value).toBe(2n)
    r = await curl('-X', 'PUT', ...json('-d', '{"value": 9, "revision": 1}'), `${base}/v1/state/mixer/fader2`)
    expect(r.status).toBe(409)
    expect(JSON.parse(r.body).error).toMatch(/RevisionConflict/)
    r = await curl('-X', 'PUT', '-H', 'If-Match: "1"', ...json('-d', '{"value": 9}'), `${base}/v1/state/mixer/fader2`)
    expect(r.status).toBe(409)
    expect(rig.router.params.get('/mixer/fader2')).toMatchObject({ value: 2n, revision: 2n })
    r = await curl('-X', 'PUT', '-H', 'If-Match: "2"', ...json('-d', '{"value": {"$float": 3}}'), `${base}/v1/state/mixer/fader2`)
    expect(r.status).toBe(200)
    expect(rig.router.params.get('/mixer/fader2')?.value).toBe(3)
    expect(bridge.stats().malformed).toBe(0)
  })

  test('a param locked by another client is 423', async () => {
    const { rig, base } = await setup()
    await rig.observer.set('/cfg/locked', 1n, { lock: true })
    const r = await curl('-X', 'PUT', ...json('-d', '{"value": 2}'), `${base}/v1/state/cfg/locked`)
    expect(r.status).toBe(423)
    expect(rig.router.params.get('/cfg/locked')?.value).toBe(1n)
  })

  test('DELETE writes null (404 where nothing is held); POST emits an event that is not stored', async () => {
    const { rig, base } = await setup()
    await rig.observer.set('/x', 1n)
    const d = await curl('-X', 'DELETE', `${base}/v1/state/x`)
    expect(d.status).toBe(200)
    expect(JSON.parse(d.body)).toEqual({ address: '/x', status: 'deleted', revision: 2 })
    expect(rig.router.params.get('/x')?.value).toBeNull()
    const missing = await curl('-X', 'DELETE', `${base}/v1/state/never/written`)
    expect(missing.status).toBe(404) // nothing to delete: no null param is created
    expect(rig.router.params.get('/never/written')).toBeUndefined()
    const e = await curl('-X', 'POST', ...json('-d', '{"value": "go"}'), `${base}/v1/emit/cue/fire`)
    expect(e.status).toBe(200)
    expect(JSON.parse(e.body)).toEqual({ address: '/cue/fire', status: 'emitted' })
    await waitFor(() => rig.seen.some((s) => s.address === '/cue/fire'), 2000, 'the event')
    expect(rig.seen.find((s) => s.address === '/cue/fire')).toMatchObject({ value: 'go', meta: { signal: 'event' } })
    expect(rig.router.params.get('/cue/fire')).toBeUndefined()
  })

  test('snapshot: everything, or under a prefix, as a flat object', async () => {
    const { rig, base } = await setup()
    await rig.observer.set('/a/x', 1.5)
    await rig.observer.set('/a/y/z', 'deep')
    await rig.observer.set('/b', true)
    expect((await curl(`${base}/v1/snapshot`)).body).toBe('{"/a/x":1.5,"/a/y/z":"deep","/b":true}\n')
    expect((await curl(`${base}/v1/snapshot/a`)).body).toBe('{"/a/x":1.5,"/a/y/z":"deep"}\n')
  })

  test('SSE with curl -N: current values, then changes (including HTTP writes) and events', async () => {
    const { rig, base } = await setup()
    await rig.observer.set('/mixer/fader1', 0.5)
    const proc = spawn(curlBin.path, ['-s', '-N', `${base}/v1/stream/mixer/**`])
    cleanups.push(() => void proc.kill())
    let out = ''
    proc.stdout.on('data', (d) => (out += d))
    await waitFor(() => out.includes('fader1'), 3000, 'the initial value')
    await rig.observer.set('/mixer/fader1', 0.75)
    await curl('-X', 'PUT', ...json('-d', '{"value": 1.0}'), `${base}/v1/state/mixer/fader2`)
    await curl('-X', 'POST', ...json('-d', '{"value": null}'), `${base}/v1/emit/mixer/go`)
    await rig.observer.set('/other', 1n) // not matching
    await waitFor(() => out.includes('/mixer/go'), 3000, 'the event')
    const events = out.split('\n\n').filter((b) => b.startsWith('event:'))
    expect(events).toEqual([
      'event: value\ndata: {"address":"/mixer/fader1","value":0.5,"revision":1}',
      'event: value\ndata: {"address":"/mixer/fader1","value":0.75,"revision":2}',
      'event: value\ndata: {"address":"/mixer/fader2","value":1.0,"revision":1}',
      'event: event\ndata: {"address":"/mixer/go","value":null}',
    ])
  })

  test('SSE with fetch, and the stream ends cleanly when the client goes away', async () => {
    const { rig, base, bridge } = await setup()
    const ac = new AbortController()
    const res = await fetch(`${base}/v1/stream?pattern=${encodeURIComponent('/s/*')}`, { signal: ac.signal })
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/)
    const reader = res.body!.getReader()
    await rig.observer.set('/s/a', 1n)
    let text = ''
    const end = Date.now() + 3000
    while (!text.includes('/s/a') && Date.now() < end) text += new TextDecoder().decode((await reader.read()).value)
    expect(text).toContain('{"address":"/s/a","value":1,"revision":1}')
    ac.abort()
    await sleep(100)
    await rig.observer.set('/s/a', 2n) // no one listening: nothing breaks
    expect(bridge.stats().errors).toBe(0)
  })

  test('an SSE client that stops reading is closed once its queue passes maxBufferedBytes; others keep streaming', async () => {
    const { rig, base, bridge } = await setup({ maxBufferedBytes: 256 * 1024 })
    const stalled = await new Promise<IncomingMessage>((resolve) => httpGet(`${base}/v1/stream/big/*`, resolve))
    stalled.pause() // reads nothing from here on
    const live = await fetch(`${base}/v1/stream/big/*`)
    const reader = live.body!.getReader()
    let seen = 0
    const reading = (async () => {
      for (;;) {
        const { value, done } = await reader.read()
        if (done) return
        seen += (new TextDecoder().decode(value).match(/event: value/g) ?? []).length
      }
    })().catch(() => undefined) // ends when the test tears the bridge down
    const big = 'x'.repeat(32 * 1024)
    // Loopback socket buffers take several MiB before anything queues in the server. Each write
    // gets a turn of the event loop, so a client that reads keeps its queue near zero.
    for (let i = 0; i < 3000 && bridge.stats().errors === 0; i++) {
      await rig.observer.set(`/big/${i % 4}`, `${i}${big}`)
      await new Promise((r) => setImmediate(r))
    }
    await waitFor(() => bridge.stats().errors === 1, 5000, 'the stalled stream closed')
    expect(rig.log.entries.some((e) => e.msg === 'SSE client too slow, closing its stream')).toBe(true)
    // Reading again, the stalled client finds its stream ended by the server.
    let ended = false
    stalled.on('close', () => (ended = true))
    stalled.on('error', () => undefined)
    stalled.resume()
    await waitFor(() => ended, 5000, 'the stalled response ended')
    const before = seen
    await rig.observer.set('/big/after', 'still here')
    await waitFor(() => seen > before, 3000, 'the live stream still delivering')
    await reader.cancel().catch(() => undefined)
    await reading
  })

  test('an event too large for one CLASP frame is 413, counted, and the server keeps serving', async () => {
    const { base, bridge } = await setup()
    const res = await fetch(`${base}/v1/emit/big`, { method: 'POST', body: JSON.stringify({ value: 'x'.repeat(65_520) }) })
    expect(res.status).toBe(413)
    expect((await res.json()).error).toMatch(/PAYLOAD_TOO_LARGE/)
    expect((await fetch(`${base}/v1/emit/small`, { method: 'POST', body: '{"value":1}' })).status).toBe(200)
    expect(bridge.stats().inbound).toBe(1)
  })

  test('the namespace applies to reads and writes alike (the reference read and wrote different addresses)', async () => {
    const { rig, base } = await setup({ namespace: '/web' })
    await curl('-X', 'PUT', ...json('-d', '{"value": 5}'), `${base}/v1/state/panel/x`)
    expect(rig.router.params.get('/web/panel/x')?.value).toBe(5n)
    const r = await curl(`${base}/v1/state/panel/x`)
    expect(JSON.parse(r.body)).toMatchObject({ address: '/panel/x', value: 5 })
    await rig.observer.set('/secret', 1n)
    expect((await curl(`${base}/v1/snapshot`)).body).toBe('{"/panel/x":5}\n')
  })

  test('/api alias: a bare body is the value', async () => {
    const { rig, base } = await setup()
    expect((await curl('-X', 'PUT', ...json('-d', '42'), `${base}/api/legacy/x`)).status).toBe(200)
    expect(rig.router.params.get('/legacy/x')?.value).toBe(42n)
    expect(JSON.parse((await curl(`${base}/api/legacy/x`)).body).value).toBe(42)
    expect(JSON.parse((await curl(`${base}/api/health`)).body).status).toBe('ok')
  })

  test('Bearer token: 401 without it, accepted in the header or as ?token= (EventSource)', async () => {
    const { base } = await setup({ token: 's3cret' })
    const denied = await curl(`${base}/v1/snapshot`)
    expect(denied.status).toBe(401)
    expect(denied.headers['www-authenticate']).toBe('Bearer')
    expect((await curl('-H', 'Authorization: Bearer wrong', `${base}/v1/snapshot`)).status).toBe(401)
    expect((await curl('-H', 'Authorization: Bearer s3cret', `${base}/v1/snapshot`)).status).toBe(200)
    expect((await curl(`${base}/v1/snapshot?token=s3cret`)).status).toBe(200)
  })

  test('CORS: listed origins only; preflight answered', async () => {
    const { base } = await setup({ cors: ['http://panel.local'] })
    const ok = await curl('-H', 'Origin: http://panel.local', `${base}/v1/snapshot`)
    expect(ok.headers['access-control-allow-origin']).toBe('http://panel.local')
    const other = await curl('-H', 'Origin: http://evil.example', `${base}/v1/snapshot`)
    expect(other.headers['access-control-allow-origin']).toBeUndefined()
    const pre = await curl('-X', 'OPTIONS', '-H', 'Origin: http://panel.local', '-H', 'Access-Control-Request-Method: PUT', `${base}/v1/state/x`)
    expect(pre.status).toBe(204)
    expect(pre.headers['access-control-allow-methods']).toMatch(/PUT/)
  })

  test('oversized bodies (413), broken JSON and bad requests (400) are counted; state is untouched; the server keeps serving', async () => {
    const { rig, base, bridge } = await setup({ maxBodyBytes: 1024 })
    await rig.observer.set('/keep', 1n)
    const big = await curl('-X', 'PUT', ...json('-d', `{"value":"${'x'.repeat(5000)}"}`), `${base}/v1/state/keep`)
    expect(big.status).toBe(413)
    const chunked = await fetch(`${base}/v1/state/keep`, {
      method: 'PUT', duplex: 'half',
      body: new ReadableStream({ start(c) { for (let i = 0; i < 10; i++) c.enqueue(new TextEncoder().encode('x'.repeat(500))); c.close() } }),
    } as RequestInit)
    expect(chunked.status).toBe(413) // no Content-Length: counted while reading
    expect((await curl('-X', 'PUT', ...json('-d', '{"value": 2'), `${base}/v1/state/keep`)).status).toBe(400)
    expect((await curl('-X', 'PUT', ...json('-d', '{"nope": 2}'), `${base}/v1/state/keep`)).status).toBe(400)
    expect((await curl('-X', 'PUT', ...json('-d', 'NaN'), `${base}/v1/state/keep`)).status).toBe(400)
    expect((await curl('-X', 'PUT', ...json('-d', '{"value": 1}'), `${base}/v1/state/a//b`)).status).toBe(400)
    expect(bridge.stats().malformed).toBe(6)
    expect(rig.router.params.get('/keep')).toMatchObject({ value: 1n, revision: 1n })
    expect(rig.log.entries.filter((e) => e.level === 'warn')).toHaveLength(6)
    expect((await curl(`${base}/v1/state/keep`)).status).toBe(200)
  })
})

/**
 * HTTP/1.1 details, with `fetch` and raw sockets (no curl needed): statuses for requests Node
 * cannot parse (400, 431), HEAD wherever GET, 405 with Allow, ETag readable by CORS pages,
 * `/v1/emit` bodies without `value`, values or revisions the wire cannot carry (413, 400), and a
 * start that failed to listen leaving no subscription behind.
 */
describe('HTTP bridge: HTTP/1.1 details', () => {
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
    const rig = await bridgeRig('/**')
    cleanups.push(() => rig.close())
    const bridge = await startAfterFailedListen(rig, new HttpBridge({ namespace: '/', host: '127.0.0.1', port: 0 }))
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
