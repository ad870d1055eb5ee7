/**
 * Slow consumers (docs/compat.md R17) [CONF-141, CONF-142]: while a subscriber's transport is
 * congested, params are coalesced to their latest value, stream samples are dropped, events are
 * kept in order; past the queue limit it gets ERROR 503 and is disconnected; nobody else waits.
 */
import { describe, expect, test } from 'vitest'
import { decode, encode } from '../../generated/codec.ts'
import type { Message } from '../../generated/types.ts'
import type { FramePort, PortHandlers } from '../../runtime/router/port.ts'
import { Harness } from '../support/router-harness.ts'

/** A port whose transport buffer we fill and drain by hand. */
class SlowPort implements FramePort {
  readonly label = 'slow'
  handlers!: PortHandlers
  buffered = 0
  sent: Message[] = []
  closed = false
  send(frame: Uint8Array): void {
    this.sent.push(decode(frame).message)
  }
  close(): void {
    if (this.closed) return
    this.closed = true
    this.handlers.close()
  }
  bufferedBytes(): number {
    return this.buffered
  }
  start(h: PortHandlers): void {
    this.handlers = h
  }
  input(m: Message): void {
    this.handlers.frame(encode(m))
  }
}

function slowSubscriber(h: Harness, pattern = '/**') {
  const port = new SlowPort()
  h.router.attach(port)
  port.input({ type: 'HELLO', version: 1, features: [], name: 'slow' })
  port.input({ type: 'SUBSCRIBE', id: 1, pattern, types: [] })
  port.sent = []
  return port
}

describe('backpressure', () => {
  test('[CONF-141] congested: params coalesce, streams drop, events stay in order; drain delivers', () => {
    const h = new Harness({ config: { sendHighWaterBytes: 1000 } })
    const slow = slowSubscriber(h)
    const fast = h.client()
    fast.send({ type: 'SUBSCRIBE', id: 1, pattern: '/**', types: [] })
    const pub = h.client()
    slow.buffered = 5000 // the socket is not keeping up
    for (let i = 0; i < 100; i++) {
      pub.send({ type: 'SET', address: '/fader', value: i / 100 })
      pub.send({ type: 'PUBLISH', address: '/audio', signal: 'stream', value: i })
    }
    pub.send({ type: 'PUBLISH', address: '/cue', signal: 'event', value: 'a' })
    pub.send({ type: 'PUBLISH', address: '/cue', signal: 'event', value: 'b' })
    expect(slow.sent).toEqual([])
    // The fast subscriber got everything at once [CONF-142].
    expect(fast.take().length).toBe(202)
    slow.buffered = 0
    slow.handlers.drain!()
    expect(slow.sent.map((m) => (m.type === 'SET' || m.type === 'PUBLISH' ? `${m.address}=${String(m.value)}` : m.type))).toEqual(['/fader=0.99', '/cue=a', '/cue=b'])
    const stats = h.router.sessions.get([...h.router.sessions.keys()][0])!.outbox
    expect(stats.dropped).toBe(100)
    expect(stats.coalesced).toBe(99)
  })

  test('[CONF-141] past the queue limit the consumer gets ERROR 503 and is disconnected', () => {
    const h = new Harness({ config: { sendHighWaterBytes: 1000, sendQueueLimit: 50 } })
    const slow = slowSubscriber(h)
    const fast = h.client()
    fast.send({ type: 'SUBSCRIBE', id: 1, pattern: '/**', types: [] })
    const pub = h.client()
    slow.buffered = 5000
    for (let i = 0; i < 60; i++) pub.send({ type: 'PUBLISH', address: '/e', signal: 'event', value: BigInt(i) })
    expect(slow.closed).toBe(true)
    expect(slow.sent.at(-1)).toMatchObject({ type: 'ERROR', code: 503 })
    expect(h.router.stats.slowConsumersDropped).toBe(1)
    expect(fast.takeType('PUBLISH')).toHaveLength(60)
    pub.send({ type: 'SET', address: '/still', value: 1 })
    expect(pub.takeType('ACK')).toHaveLength(1)
  })
})
