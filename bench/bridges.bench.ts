/**
 * `npm run bench:bridges`: the OSC bridge as `clasp server` runs it (in-process, memory
 * transport), a CLASP subscriber on the WebSocket listener, and OSC datagrams from a UDP socket
 * in this process, all on 127.0.0.1.
 *
 * 1. Latency: one OSC message at a time (`/bench/ch{n} f x`, paced at 500/s so the router's
 *    default per-session limit of 1000 msg/s is not hit), from `send()` to the subscriber's
 *    callback; p50 / p99 / max over BENCH_LATENCY_N messages (default 2000).
 * 2. Sustained rate: OSC paced at increasing rates for BENCH_SECONDS each (default 2) over 64
 *    addresses; delivered/s at the subscriber and loss. The highest rate with < 1 % loss is the
 *    sustained figure. With the router's limit off: one bridge is one session, so the default
 *    maxMessagesPerSecond (1000) caps every OSC device together — shown by a last run with it on.
 * Sender, bridge, router and subscriber share one process (and one core's event loop).
 */
import { createSocket } from 'node:dgram'
import { toBuffer } from 'osc-min'
import type { OscBridge } from '../bridges/osc.ts'
import type { BridgeConfig } from '../bridges/registry.ts'
import { mergeSettings } from '../runtime/cli/config.ts'
import { connect } from '../runtime/client/index.ts'
import { silentLogger } from '../runtime/router/log.ts'
import { startServer } from '../runtime/server.ts'

const LATENCY_N = Number(process.env.BENCH_LATENCY_N ?? 2000)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 2)
const RATES = (process.env.BENCH_RATES ?? '2000,5000,10000,20000,30000,40000').split(',').map(Number)

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]

async function rig(maxMessagesPerSecond?: number) {
  const bridges: BridgeConfig[] = [{ kind: 'osc', host: '127.0.0.1', port: 0, recvBufferBytes: 4 << 20 }]
  const settings = mergeSettings(
    { bridges },
    { host: '127.0.0.1', port: 0, tcpPort: 0, logLevel: 'silent', router: maxMessagesPerSecond === undefined ? {} : { maxMessagesPerSecond } },
  )
  const server = await startServer(settings, silentLogger, () => undefined)
  const oscPort = (server.bridges[0] as OscBridge).port
  const client = await connect(`ws://127.0.0.1:${server.ports.ws}`, { reconnect: false })
  const socket = createSocket('udp4')
  const packets = Array.from({ length: 64 }, (_, i) => (x: number) => {
    const dv = toBuffer({ address: `/bench/ch${i}`, args: [{ type: 'float', value: x }] })
    return new Uint8Array(dv.buffer, dv.byteOffset, dv.byteLength)
  })
  return {
    server, client, socket, packets,
    send: (bytes: Uint8Array) => socket.send(bytes, oscPort, '127.0.0.1'),
    async close() {
      socket.close()
      await client.close()
      await server.close()
    },
  }
}

async function latency() {
  const r = await rig()
  let waiting: ((t: number) => void) | undefined
  r.client.on('/osc/bench/**', () => waiting?.(performance.now()))
  await r.client.flush()
  const samples: number[] = []
  for (let i = 0; i < LATENCY_N + 100; i++) {
    const got = new Promise<number>((resolve) => (waiting = resolve))
    const t0 = performance.now()
    r.send(r.packets[i % 64](i + 0.5))
    const t1 = await Promise.race([got, new Promise<number>((resolve) => setTimeout(() => resolve(NaN), 1000))])
    if (i >= 100 && !Number.isNaN(t1)) samples.push((t1 - t0) * 1000) // first 100 are warm-up
    while (performance.now() - t0 < 2) await new Promise((res) => setImmediate(res))
  }
  await r.close()
  samples.sort((a, b) => a - b)
  return { n: samples.length, p50: percentile(samples, 50), p99: percentile(samples, 99), max: samples[samples.length - 1] }
}

async function throughput(rate: number, maxMessagesPerSecond?: number) {
  const r = await rig(maxMessagesPerSecond)
  let received = 0
  r.client.on('/osc/bench/**', () => void received++)
  await r.client.flush()
  let sent = 0
  const start = performance.now()
  const end = start + SECONDS * 1000
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now()
      if (now >= end) return resolve()
      const due = Math.floor(((now - start) / 1000) * rate)
      for (; sent < due; sent++) r.send(r.packets[sent % 64](sent + 0.5))
      setImmediate(tick)
    }
    tick()
  })
  const sendSeconds = (performance.now() - start) / 1000
  // Let what is in flight arrive, then count.
  let last = -1
  while (received !== last) {
    last = received
    await new Promise((res) => setTimeout(res, 200))
  }
  const stats = r.server.bridges[0].stats()
  const limited = r.server.router.stats.rateLimited
  await r.close()
  return { sentPerS: sent / sendSeconds, receivedPerS: received / sendSeconds, loss: 1 - received / sent, bridgeIn: stats.inbound, sent, rateLimited: limited }
}

const fmt = (n: number) => n.toFixed(0).padStart(7)
const l = await latency()
console.log(`OSC → CLASP subscriber latency (${l.n} messages, one at a time): p50 ${l.p50.toFixed(0)} µs, p99 ${l.p99.toFixed(0)} µs, max ${l.max.toFixed(0)} µs`)
let sustained = 0
for (const rate of RATES) {
  const t = await throughput(rate, 0)
  console.log(`OSC at ${fmt(rate)}/s (router limit off): delivered ${fmt(t.receivedPerS)}/s, loss ${(t.loss * 100).toFixed(2)}% (datagrams decoded by the bridge: ${t.bridgeIn} of ${t.sent})`)
  if (t.loss < 0.01) sustained = Math.max(sustained, t.receivedPerS)
}
console.log(`sustained OSC → CLASP subscriber (< 1 % loss): ${sustained.toFixed(0)} messages/s`)
const capped = await throughput(5000)
console.log(`OSC at 5000/s with the router default maxMessagesPerSecond 1000: delivered ${fmt(capped.receivedPerS)}/s, router rate-limited ${capped.rateLimited} SETs`)
process.exit(0)
