/**
 * WS-JSON bridge corrections found in review: an `error` message from the peer is never answered
 * with another error (two bridges, or a bridge and a server speaking the documented protocol,
 * used to bounce errors forever), and a start that failed to listen leaves no subscription behind.
 */
import { createServer as netServer } from 'node:net'
import { afterEach, describe, expect, test } from 'vitest'
import WebSocket from 'ws'
import { WsJsonBridge } from '../../bridges/wsjson.ts'
import { bridgeRig } from '../support/peers.ts'
import { sleep, waitFor } from '../support/wait.ts'

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

describe('WS-JSON bridge: review fixes', () => {
  test('an error from the peer is counted, never answered: a client-mode bridge linked to a server-mode one does not ping-pong errors', async () => {
    const rig = await bridgeRig('/**')
    cleanups.push(() => rig.close())
    const server = await rig.start(new WsJsonBridge({ namespace: '/b', host: '127.0.0.1', port: 0 }))
    const client = await rig.start(new WsJsonBridge({ namespace: '/a', serverUrl: `ws://127.0.0.1:${server.port}/` }))
    await rig.observer.set('/a/x', 1n) // goes to the server as a "value" message, which it does not take
    await waitFor(() => client.stats().errors >= 1, 2000, 'the server refusal at the client')
    await sleep(300)
    expect(server.stats().malformed).toBe(1) // the "value" message
    expect(client.stats()).toMatchObject({ malformed: 0, errors: 1 }) // its error reply, not answered
  })

  test('a client sending {"type":"error"} gets no reply', async () => {
    const rig = await bridgeRig('/**')
    cleanups.push(() => rig.close())
    const bridge = await rig.start(new WsJsonBridge({ namespace: '/', host: '127.0.0.1', port: 0 }))
    const ws = new WebSocket(`ws://127.0.0.1:${bridge.port}/`)
    cleanups.push(() => ws.terminate())
    const frames: string[] = []
    ws.on('message', (d) => frames.push(String(d)))
    await new Promise((resolve) => ws.once('open', resolve))
    ws.send('{"type":"error","message":"something","request_type":"value"}')
    ws.send('{"type":"get","address":"/none","id":1}')
    await waitFor(() => frames.length >= 1, 2000, 'the get error')
    await sleep(100)
    expect(frames.map((f) => JSON.parse(f))).toEqual([{ type: 'error', message: 'no value at /none', request_type: 'get', id: 1 }])
  })

  test('a start that could not listen leaves no subscription behind: started again, a client never gets its own write', async () => {
    const blocker = netServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()))
    cleanups.push(() => new Promise<void>((resolve) => blocker.close(() => resolve())))
    const rig = await bridgeRig('/**')
    cleanups.push(() => rig.close())
    const bridge = new WsJsonBridge({ namespace: '/', host: '127.0.0.1', port: (blocker.address() as { port: number }).port })
    await expect(bridge.start({ clasp: rig.clasp, log: rig.log })).rejects.toThrow(/EADDRINUSE/)
    bridge.options.port = 0
    await rig.start(bridge)
    const ws = new WebSocket(`ws://127.0.0.1:${bridge.port}/`)
    cleanups.push(() => ws.terminate())
    const frames: string[] = []
    ws.on('message', (d) => frames.push(String(d)))
    await new Promise((resolve) => ws.once('open', resolve))
    ws.send(JSON.stringify({ type: 'subscribe', pattern: '/**' }))
    ws.send(JSON.stringify({ type: 'set', address: '/mine', value: 1, id: 1 }))
    await waitFor(() => frames.some((f) => f.includes('"ack"')), 2000, 'the ack')
    await rig.observer.set('/theirs', 2n)
    await waitFor(() => frames.some((f) => f.includes('/theirs')), 2000, 'the other write')
    await sleep(100)
    expect(frames.map((f) => JSON.parse(f))).toEqual([
      { type: 'ack', id: 1, address: '/mine', revision: 1 },
      { type: 'value', address: '/theirs', value: 2, revision: 1 },
    ])
  })
})
