/**
 * In-memory router tests: a Router on a manual clock and clients on memory port pairs. Memory
 * ports deliver synchronously, so every reply is present as soon as `send` returns.
 */
import { decode, encode } from '../../generated/codec.ts'
import type { Message, MessageOf, MessageType } from '../../generated/types.ts'
import { type MemoryPort, memoryPortPair } from '../../runtime/router/port.ts'
import { Router, type RouterOptions } from '../../runtime/router/router.ts'
import { ManualClock } from './manual-clock.ts'

export class TestClient {
  readonly inbox: Message[] = []
  closed = false
  session = ''

  constructor(readonly port: MemoryPort) {
    port.start({
      frame: (bytes) => this.inbox.push(decode(bytes).message),
      close: () => (this.closed = true),
    })
  }

  send(m: Message): void {
    this.port.send(encode(m))
  }

  raw(bytes: Uint8Array | number[]): void {
    this.port.send(Uint8Array.from(bytes))
  }

  /** Remove and return everything received so far. */
  take(): Message[] {
    return this.inbox.splice(0)
  }

  /** Remove and return received messages of one type. */
  takeType<K extends MessageType>(type: K): MessageOf<K>[] {
    const out: MessageOf<K>[] = []
    for (let i = 0; i < this.inbox.length; ) {
      if (this.inbox[i].type === type) out.push(this.inbox.splice(i, 1)[0] as MessageOf<K>)
      else i++
    }
    return out
  }

  /** HELLO, then consume WELCOME and the connect SNAPSHOT. */
  hello(name = 'test'): this {
    this.send({ type: 'HELLO', version: 1, features: ['param', 'event', 'stream', 'gesture', 'timeline'], name })
    const welcome = this.takeType('WELCOME')[0]
    if (!welcome) throw new Error(`no WELCOME; got ${JSON.stringify(this.inbox.map((m) => m.type))}`)
    this.session = welcome.session
    this.takeType('SNAPSHOT')
    return this
  }

  close(): void {
    this.port.close()
  }
}

export class Harness {
  readonly clock = new ManualClock()
  readonly router: Router

  constructor(options: Omit<RouterOptions, 'clock'> = {}) {
    this.router = new Router({ ...options, clock: this.clock })
  }

  connect(): TestClient {
    const [clientSide, routerSide] = memoryPortPair('client', 'router')
    const client = new TestClient(clientSide)
    this.router.attach(routerSide)
    return client
  }

  /** A connected client that has completed the handshake. */
  client(name?: string): TestClient {
    return this.connect().hello(name)
  }
}
