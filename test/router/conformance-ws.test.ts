/**
 * Conformance items that only show over a real WebSocket listener on 127.0.0.1 [CONF-n].
 */
import { request } from 'node:http'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { WebSocket } from 'ws'
import { encode } from '../../generated/codec.ts'
import { Router } from '../../runtime/router/router.ts'
import { type Listener, listenWebSocket } from '../../runtime/transports/websocket.ts'
import { type TransportClient, connectWs } from '../support/transport-clients.ts'
import { waitFor } from '../support/wait.ts'

let router: Router
let listener: Listener
let url: string
const clients: TransportClient[] = []

beforeAll(async () => {
  router = new Router({ config: { maxMessagesPerSecond: 0 } })
  listener = await listenWebSocket(router, { port: 0, host: '127.0.0.1' })
  url = `ws://127.0.0.1:${listener.port}`
})

afterAll(async () => {
  for (const c of clients) await c.close()
  router.close()
  await listener.close()
})

async function client(): Promise<TransportClient> {
  const c = await connectWs(url)
  clients.push(c)
  await c.hello()
  return c
}

function raw(method: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: listener.port, method, path: '/' }, (res) => {
      let body = ''
      res.on('data', (d) => (body += d))
      res.on('end', () => resolve({ status: res.statusCode!, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('WebSocket transport conformance', () => {
  test('[CONF-1] subprotocol clasp is echoed when offered; no subprotocol works too', async () => {
    for (const protocols of [['clasp'], []]) {
      const ws = new WebSocket(url, protocols)
      await new Promise((r, j) => ws.once('open', r).once('error', j))
      expect(ws.protocol).toBe(protocols[0] ?? '')
      const welcome = new Promise<Buffer>((r) => ws.once('message', (d) => r(d as Buffer)))
      ws.send(encode({ type: 'HELLO', version: 1, features: [], name: 'p' }))
      expect((await welcome)[4]).toBe(0x02)
      ws.close()
    }
  })

  test('[CONF-2] plain HTTP GET, HEAD, POST, OPTIONS get 200 ok', async () => {
    for (const m of ['GET', 'POST', 'OPTIONS']) expect(await raw(m)).toEqual({ status: 200, body: 'ok\n' })
    expect((await raw('HEAD')).status).toBe(200)
  })

  test('[CONF-3] text frames are ignored without closing', async () => {
    const ws = new WebSocket(url, ['clasp'])
    await new Promise((r) => ws.once('open', r))
    ws.send('{"type":"HELLO"}')
    ws.send(encode({ type: 'HELLO', version: 1, features: [], name: 't' }))
    const first = await new Promise<Buffer>((r) => ws.once('message', (d) => r(d as Buffer)))
    expect(first[4]).toBe(0x02)
    ws.close()
  })

  test('[CONF-18] connect/subscribe/SET/disconnect churn leaves a fresh /** subscriber working', async () => {
    for (let i = 0; i < 10; i++) {
      const c = await connectWs(url)
      await c.hello()
      c.send({ type: 'SUBSCRIBE', id: 1, pattern: '/churn/**', types: [] })
      c.send({ type: 'SET', address: `/churn/${i}`, value: BigInt(i) })
      await c.next('ACK')
      await c.close()
    }
    const watcher = await client()
    watcher.send({ type: 'SUBSCRIBE', id: 1, pattern: '/**', types: [] })
    await watcher.next('SNAPSHOT')
    const writer = await client()
    writer.send({ type: 'SET', address: '/after-churn', value: true })
    expect((await watcher.next('SET')).address).toBe('/after-churn')
    await waitFor(() => router.sessions.size === 2, 3000, 'churned sessions to be removed')
  })

  test('[CONF-69] a 60 KB value round-trips through SET and GET', async () => {
    const c = await client()
    const big = 'v'.repeat(60_000)
    c.send({ type: 'SET', address: '/big', value: big })
    await c.next('ACK')
    c.send({ type: 'GET', address: '/big' })
    expect((await c.next('SNAPSHOT')).params[0].value).toBe(big)
  })

  test('[CONF-73][CONF-75][CONF-77] 500 SETs arrive complete and in order, with writer and server time', async () => {
    const sub = await client()
    sub.send({ type: 'SUBSCRIBE', id: 1, pattern: '/seq', types: [] })
    const pub = await connectWs(url)
    clients.push(pub)
    const { session } = await pub.hello()
    for (let i = 0; i < 500; i++) pub.send({ type: 'SET', address: '/seq', value: BigInt(i) })
    await waitFor(() => sub.inbox.filter((m) => m.type === 'SET').length === 500, 5000, '500 SETs')
    const values = sub.inbox.filter((m) => m.type === 'SET').map((m) => (m.type === 'SET' ? m.value : null))
    expect(values).toEqual(Array.from({ length: 500 }, (_, i) => BigInt(i)))
    const p = router.params.get('/seq')!
    expect(p.revision).toBe(500n)
    expect(p.writer).toBe(session)
    expect(Math.abs(Number(p.timestamp / 1000n) - Date.now())).toBeLessThan(5000)
  })
})
