/**
 * Benchmark client process: a publisher or a set of subscribers for either CLASP (our router,
 * raw WebSocket + generated codec, as lean as a client can be) or MQTT (mosquitto, via MQTT.js).
 * Talks to the orchestrator over the IPC channel. Timestamps are process.hrtime, which on Linux
 * is CLOCK_MONOTONIC and therefore comparable across processes on one machine.
 */
import mqtt from 'mqtt'
import { connect as tcpConnect } from 'node:net'
import { WebSocket } from 'ws'
import { decode, encode } from '../../generated/codec.ts'
import { LengthPrefixDecoder, lengthPrefix } from '../../runtime/framing/length-prefix.ts'

type Proto = 'clasp' | 'clasp-tcp' | 'mqtt'
interface Job {
  role: 'pub' | 'sub' | 'idle'
  proto: Proto
  port: number
  /** Subscriber connections in this process. */
  conns?: number
  /** Publisher: messages to send, and pacing. */
  count?: number
  intervalUs?: number
  /** Publisher: flow-control window (messages in flight, acknowledged by the orchestrator). */
  window?: number
  payloadBytes?: number
}

const send = (m: unknown) => process.send!(m)
const now = () => process.hrtime.bigint()
const TOPIC = 'bench/value'
const ADDRESS = '/bench/value'

interface Conn {
  onValue(cb: (sentAt: bigint) => void): void
  publish(sentAt: bigint, pad: Uint8Array): void
  close(): void
}

/** A CLASP frame link: over WebSocket, or raw TCP with the u32 length prefix. */
interface FrameLink {
  send(frame: Uint8Array): void
  onFrame(f: (frame: Uint8Array) => void): void
  close(): void
}

async function wsLink(port: number): Promise<FrameLink> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}`, 'clasp', { perMessageDeflate: false })
  ws.binaryType = 'nodebuffer'
  await new Promise<void>((resolve, reject) => {
    ws.once('error', reject)
    ws.once('open', () => resolve())
  })
  return { send: (f) => ws.send(f), onFrame: (f) => ws.on('message', (d: Buffer) => f(d)), close: () => ws.terminate() }
}

async function tcpLink(port: number): Promise<FrameLink> {
  const socket = tcpConnect(port, '127.0.0.1')
  socket.setNoDelay(true)
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject)
    socket.once('connect', () => resolve())
  })
  let handler: (frame: Uint8Array) => void = () => undefined
  const decoder = new LengthPrefixDecoder((frame) => handler(frame), (reason) => send({ error: `bad TCP frame: ${reason}` }))
  socket.on('data', (chunk) => decoder.push(chunk))
  return { send: (f) => socket.write(lengthPrefix(f)), onFrame: (f) => (handler = f), close: () => socket.destroy() }
}

async function claspConn(link: FrameLink, subscribe: boolean): Promise<Conn> {
  let cb: (t: bigint) => void = () => undefined
  await new Promise<void>((resolve) => {
    link.onFrame((data) => {
      const m = decode(data).message
      if (m.type === 'WELCOME') {
        if (subscribe) link.send(encode({ type: 'SUBSCRIBE', id: 1, pattern: ADDRESS, types: ['event'] }))
        // A PING round trip confirms the subscription is in place before the run starts.
        link.send(encode({ type: 'PING' }))
      } else if (m.type === 'PONG') resolve()
      else if (m.type === 'PUBLISH') {
        const v = m.value as unknown[]
        cb(v[0] as bigint)
      }
    })
    link.send(encode({ type: 'HELLO', version: 1, features: ['param', 'event'], name: 'bench' }))
  })
  return {
    onValue: (f) => (cb = f),
    publish: (sentAt, pad) => link.send(encode({ type: 'PUBLISH', address: ADDRESS, signal: 'event', value: [sentAt, pad] })),
    close: () => link.close(),
  }
}

async function mqttConn(port: number, subscribe: boolean): Promise<Conn> {
  const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { protocolVersion: 4, reconnectPeriod: 0, clean: true })
  let cb: (t: bigint) => void = () => undefined
  c.on('message', (_t, payload) => cb(payload.readBigUInt64BE(0)))
  if (subscribe) await c.subscribeAsync(TOPIC, { qos: 0 })
  return {
    onValue: (f) => (cb = f),
    publish: (sentAt, pad) => {
      const b = Buffer.allocUnsafe(8 + pad.length)
      b.writeBigUInt64BE(sentAt, 0)
      b.set(pad, 8)
      c.publish(TOPIC, b, { qos: 0 })
    },
    close: () => c.end(true),
  }
}

const open = async (proto: Proto, port: number, subscribe: boolean) =>
  proto === 'mqtt' ? mqttConn(port, subscribe) : claspConn(await (proto === 'clasp' ? wsLink(port) : tcpLink(port)), subscribe)

async function runSubs(job: Job): Promise<void> {
  const n = job.conns ?? 1
  const conns: Conn[] = []
  for (let i = 0; i < n; i++) conns.push(await open(job.proto, job.port, true))
  // Per message (keyed by its send time): arrivals and the latest arrival.
  const arrivals = new Map<bigint, { count: number; last: bigint }>()
  let received = 0
  const latencies: number[] = []
  for (const c of conns) {
    c.onValue((sentAt) => {
      const t = now()
      received++
      const a = arrivals.get(sentAt) ?? { count: 0, last: 0n }
      a.count++
      a.last = t
      if (a.count === n) {
        latencies.push(Number(t - sentAt) / 1000)
        arrivals.delete(sentAt)
      } else arrivals.set(sentAt, a)
      if (received % 256 === 0) send({ progress: received })
    })
  }
  send({ ready: true })
  process.on('message', (m: { report?: boolean }) => {
    if (m.report) {
      send({ done: true, received, latencies })
      for (const c of conns) c.close()
      setTimeout(() => process.exit(0), 50)
    }
  })
}

async function runPub(job: Job): Promise<void> {
  const c = await open(job.proto, job.port, false)
  const pad = new Uint8Array(job.payloadBytes ?? 16)
  const count = job.count ?? 1000
  const window = job.window ?? 0
  let acked = 0
  process.on('message', (m: { acked?: number; go?: boolean }) => {
    if (m.acked !== undefined) acked = m.acked
  })
  send({ ready: true })
  await new Promise<void>((resolve) => process.once('message', () => resolve())) // go
  const start = now()
  for (let i = 0; i < count; i++) {
    if (job.intervalUs) {
      // Sleep between sends: a busy-waiting publisher would steal the pinned CPU from the broker.
      await new Promise((r) => setTimeout(r, Math.max(1, Math.round(job.intervalUs! / 1000))))
    } else if (window > 0) {
      while (i - acked >= window) await new Promise((r) => setImmediate(r))
    }
    c.publish(now(), pad)
    if (!job.intervalUs && i % 64 === 63) await new Promise((r) => setImmediate(r))
  }
  send({ sent: count, seconds: Number(now() - start) / 1e9 })
  setTimeout(() => {
    c.close()
    process.exit(0)
  }, 200)
}

async function runIdle(job: Job): Promise<void> {
  const conns: Conn[] = []
  for (let i = 0; i < (job.conns ?? 1); i++) conns.push(await open(job.proto, job.port, false))
  send({ ready: true })
  process.on('message', () => {
    for (const c of conns) c.close()
    setTimeout(() => process.exit(0), 50)
  })
}

process.once('message', (job: Job) => {
  const run = job.role === 'pub' ? runPub : job.role === 'sub' ? runSubs : runIdle
  run(job).catch((e) => {
    send({ error: String(e) })
    process.exit(1)
  })
})
