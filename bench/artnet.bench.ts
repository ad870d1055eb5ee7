/**
 * `npx tsx bench/artnet.bench.ts`: Art-Net bridge throughput and CPU for 4 universes at 44 Hz,
 * the DMX-512 refresh rate, in both directions. Router, bridge and CLASP clients run in this one
 * process (in-memory transport, as `clasp server` runs bridges); Art-Net is real UDP on 127.0.0.1.
 * CPU% is this process's user+system time over wall time (100% = one core), so it covers the
 * router, the bridge, the clients and the test traffic generator together.
 *
 *   out            a CLASP client moves 8 faders per universe every 5 ms; the bridge coalesces to
 *                  ≤ 44 frames/s per universe and unicasts them to a receiving socket
 *   in/channel-64  ArtDmx in at 44 Hz per universe, 64 slots changed per frame → SETs
 *   in/channel-512 the same with every slot changing in every frame (the worst case: 90k SETs/s)
 *   in/universe    ArtDmx in at 44 Hz per universe, universe mode → one Stream of 512 bytes each
 *
 * BENCH_SECONDS (default 5) sets the length of each case.
 */
import { createSocket } from 'node:dgram'
import { ArtNetBridge, type ArtNetOptions } from '../bridges/artnet.ts'
import { decodeArtNet, encodeArtDmx } from '../bridges/artnet/codec.ts'
import { connect } from '../runtime/client/index.ts'
import { memoryTransport } from '../runtime/client/transport-memory.ts'
import { silentLogger } from '../runtime/router/log.ts'
import { Router } from '../runtime/router/router.ts'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5)
const UNIVERSES = [0, 1, 2, 3]
const HZ = 44

interface Result {
  name: string
  artnetFramesPerSec: number
  claspUpdatesPerSec: number
  cpuPercent: number
  note: string
}

async function rig(options: Partial<ArtNetOptions>) {
  const router = new Router()
  const clasp = await connect('memory://bridge', { name: 'artnet', transport: memoryTransport(router), reconnect: false })
  const peer = await connect('memory://peer', { name: 'peer', transport: memoryTransport(router), reconnect: false })
  const bridge = new ArtNetBridge({ namespace: '/artnet', port: 0, bind: '127.0.0.1', ...options })
  await bridge.start({ clasp, log: silentLogger })
  const close = async () => {
    await bridge.stop()
    await peer.close()
    await clasp.close()
    router.close()
  }
  return { router, bridge, peer, close }
}

/** Run `body` for SECONDS and measure wall time and this process's CPU time. */
async function measure(body: (until: number) => Promise<void>): Promise<{ wallS: number; cpuPercent: number }> {
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  await body(t0 + SECONDS * 1000)
  const wall = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  return { wallS: wall / 1000, cpuPercent: ((cpu.user + cpu.system) / 1000 / wall) * 100 }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function outbound(): Promise<Result> {
  const sink = createSocket('udp4')
  let frames = 0
  sink.on('message', (m) => {
    if (decodeArtNet(m).op === 'dmx') frames++
  })
  await new Promise<void>((r) => sink.bind(0, '127.0.0.1', () => r()))
  const { peer, bridge, close } = await rig({ nodes: [`127.0.0.1:${sink.address().port}`] })
  let writes = 0
  const m = await measure(async (until) => {
    for (let i = 0; performance.now() < until; i++) {
      for (const u of UNIVERSES) for (let f = 1; f <= 8; f++) (peer.set(`/artnet/${u}/${f}`, BigInt((i + f) & 0xff)).catch(() => undefined), writes++)
      await sleep(5)
    }
  })
  await sleep(100)
  const sent = bridge.stats().framesSent
  await close()
  sink.close()
  return { name: 'out', artnetFramesPerSec: frames / m.wallS, claspUpdatesPerSec: writes / m.wallS, cpuPercent: m.cpuPercent, note: `${sent} frames sent, ${frames} received; limit ${UNIVERSES.length * HZ}/s` }
}

async function inbound(name: string, mode: 'channel' | 'universe', changed: number): Promise<Result> {
  const { peer, bridge, close } = await rig({ mode })
  let updates = 0
  peer.on('/artnet/**', () => void updates++)
  await peer.flush()
  const src = createSocket('udp4')
  await new Promise<void>((r) => src.bind(0, '127.0.0.1', () => r()))
  const data = UNIVERSES.map(() => new Uint8Array(512))
  let sent = 0
  const m = await measure(async (until) => {
    // Paced by absolute deadlines so the rate stays at 44 Hz even when a tick runs late.
    const t0 = performance.now()
    for (let tick = 0; performance.now() < until; tick++) {
      for (const u of UNIVERSES) {
        const d = data[u]
        for (let c = 0; c < changed; c++) d[(tick * 7 + c) % 512] = (d[(tick * 7 + c) % 512] + 1) & 0xff
        src.send(encodeArtDmx({ sequence: (tick % 255) + 1, physical: 0, universe: u, data: d }), bridge.port, '127.0.0.1')
        sent++
      }
      await sleep(Math.max(0, t0 + ((tick + 1) * 1000) / HZ - performance.now()))
    }
    await sleep(200) // let the router deliver what is in flight
  })
  const received = bridge.stats().inbound
  await close()
  src.close()
  return { name, artnetFramesPerSec: received / m.wallS, claspUpdatesPerSec: updates / m.wallS, cpuPercent: m.cpuPercent, note: `${sent} sent, ${received} handled, ${updates} CLASP updates seen by a subscriber` }
}

const results: Result[] = []
results.push(await outbound())
results.push(await inbound('in/channel-64', 'channel', 64))
results.push(await inbound('in/channel-512', 'channel', 512))
results.push(await inbound('in/universe', 'universe', 512))

console.log(`Art-Net bridge, ${UNIVERSES.length} universes at ${HZ} Hz, ${SECONDS} s per case, Node ${process.version}`)
console.log('case             Art-Net frames/s   CLASP updates/s   CPU %   notes')
for (const r of results) {
  console.log(`${r.name.padEnd(16)} ${r.artnetFramesPerSec.toFixed(1).padStart(16)} ${r.claspUpdatesPerSec.toFixed(0).padStart(17)} ${r.cpuPercent.toFixed(1).padStart(7)}   ${r.note}`)
}
process.exit(0)
