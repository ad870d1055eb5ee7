/**
 * `npm run bench:router`: our router (dist/clasp.js) and Mosquitto side by side on the same
 * workloads, each broker, publisher and subscriber set in its own process on 127.0.0.1:
 * single-hop latency, fan-out latency to 10 and 100 subscribers (until all have received),
 * sustained one-to-one throughput, and broker RSS idle and with 1,000 clients. Our router is
 * measured twice: over WebSocket (what browsers and the npm client use) and over its
 * length-prefixed TCP port (the like-for-like comparison with MQTT over TCP). `--rounds=N`
 * (default 3) repeats every workload, brokers taken in turn; `--quick` runs one short round.
 *
 * Latency mode pins every process to CPU 0 (`taskset -c 0`) by default: on a 2-vCPU VM a
 * cross-CPU wake-up costs tens of µs and would swamp the brokers' own time. `--unpinned` runs
 * without pinning. Each figure says which mode it used.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '../..')
const pinned = !process.argv.includes('--unpinned')
const quick = process.argv.includes('--quick')
const mode = pinned ? 'pinned to CPU 0' : 'unpinned'
const hasTaskset = spawnSync('taskset', ['-V']).status === 0
const tmp = mkdtempSync(join(tmpdir(), 'clasp-bench-'))
/** `--bin=PATH` benchmarks another build of clasp.js (e.g. to compare two commits). */
const bin = process.argv.find((a) => a.startsWith('--bin='))?.slice(6) ?? join(root, 'dist/clasp.js')

function launch(cmd: string, args: string[], ipc = false): ChildProcess {
  const [c, a] = pinned && hasTaskset ? ['taskset', ['-c', '0', cmd, ...args]] : [cmd, args]
  return spawn(c, a, { stdio: ipc ? ['ignore', 'inherit', 'inherit', 'ipc'] : ['ignore', 'ignore', 'inherit'], cwd: root })
}

async function waitPort(port: number, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => {
        s.destroy()
        resolve(true)
      })
      s.on('error', () => resolve(false))
    })
    if (ok) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`nothing listening on ${port} after ${ms} ms`)
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024
}

let nextPort = 17400 + Math.floor(Math.random() * 1000)

type Proto = 'clasp' | 'clasp-tcp' | 'mqtt'

interface Broker {
  proto: Proto
  port: number
  proc: ChildProcess
}

async function startBroker(proto: Proto): Promise<Broker> {
  const port = nextPort++
  let proc: ChildProcess
  if (proto !== 'mqtt') {
    // Benchmarks measure the router, not its abuse limits: no inbound rate cap. The clients use
    // the WebSocket port (`clasp`) or the length-prefixed TCP port (`clasp-tcp`).
    const cfg = join(tmp, 'clasp.json')
    writeFileSync(cfg, JSON.stringify({ router: { maxMessagesPerSecond: 0, maxSessions: 0 } }))
    const [wsPort, tcpPort] = proto === 'clasp' ? [port, 0] : [nextPort++, port]
    proc = launch(process.execPath, [bin, 'server', '--host', '127.0.0.1', '--port', String(wsPort), '--tcp-port', String(tcpPort), '--config', cfg, '--log-level', 'warn'])
  } else {
    const cfg = join(tmp, 'mosquitto.conf')
    writeFileSync(cfg, `listener ${port} 127.0.0.1\nallow_anonymous true\nmax_connections -1\nlog_dest none\n`)
    proc = launch('mosquitto', ['-c', cfg])
  }
  await waitPort(port)
  await new Promise((r) => setTimeout(r, 300))
  return { proto, port, proc }
}

interface Worker {
  proc: ChildProcess
  next(pred: (m: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>
  send(m: unknown): void
}

function worker(job: Record<string, unknown>): Worker {
  const proc = launch(process.execPath, ['--import', 'tsx', join(root, 'bench/router/worker.ts')], true)
  const listeners: Array<(m: Record<string, unknown>) => boolean> = []
  // Messages nobody waited for yet are kept, so a fast worker's 'ready' is not lost.
  const unclaimed: Record<string, unknown>[] = []
  proc.on('message', (m: Record<string, unknown>) => {
    if (m.error) console.error('worker error:', m.error)
    if (m.progress !== undefined) return
    if (!listeners.some((l) => l(m))) unclaimed.push(m)
  })
  proc.send(job)
  return {
    proc,
    send: (m) => proc.send(m as never),
    next: (pred) =>
      new Promise((resolve, reject) => {
        const early = unclaimed.findIndex(pred)
        if (early >= 0) {
          resolve(unclaimed.splice(early, 1)[0])
          return
        }
        const timer = setTimeout(() => reject(new Error(`worker timeout waiting (${JSON.stringify(job)})`)), 120_000)
        const l = (m: Record<string, unknown>) => {
          if (!pred(m)) return false
          clearTimeout(timer)
          listeners.splice(listeners.indexOf(l), 1)
          resolve(m)
          return true
        }
        listeners.push(l)
      }),
  }
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]
}

async function latencyRun(b: Broker, conns: number, count: number, intervalUs: number) {
  const sub = worker({ role: 'sub', proto: b.proto, port: b.port, conns })
  await sub.next((m) => !!m.ready)
  const pub = worker({ role: 'pub', proto: b.proto, port: b.port, count, intervalUs })
  await pub.next((m) => !!m.ready)
  pub.send({ go: true })
  await pub.next((m) => m.sent !== undefined)
  await new Promise((r) => setTimeout(r, 500))
  sub.send({ report: true })
  const r = await sub.next((m) => !!m.done)
  const lat = (r.latencies as number[]).slice(Math.floor(count * 0.1)) // drop warm-up
  return { lat, complete: (r.latencies as number[]).length, count }
}

type Lat = Awaited<ReturnType<typeof latencyRun>>

async function throughputRun(b: Broker, count: number) {
  const sub = worker({ role: 'sub', proto: b.proto, port: b.port, conns: 1 })
  await sub.next((m) => !!m.ready)
  const pub = worker({ role: 'pub', proto: b.proto, port: b.port, count, window: 500, payloadBytes: 16 })
  await pub.next((m) => !!m.ready)
  const forward = (m: Record<string, unknown>) => {
    if (m.progress !== undefined) pub.send({ acked: m.progress })
  }
  sub.proc.on('message', forward)
  const t0 = process.hrtime.bigint()
  pub.send({ go: true })
  await new Promise<void>((resolve) => {
    const done = (m: Record<string, unknown>) => {
      if ((m.progress as number) >= count - 256) {
        sub.proc.off('message', done)
        resolve()
      }
    }
    sub.proc.on('message', done)
  })
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9
  sub.proc.off('message', forward)
  sub.send({ report: true })
  const r = await sub.next((m) => !!m.done)
  return { perSecond: (r.received as number) / seconds }
}

async function rssRun(b: Broker) {
  const idle = rssMiB(b.proc.pid!)
  const workers = [worker({ role: 'idle', proto: b.proto, port: b.port, conns: 500 }), worker({ role: 'idle', proto: b.proto, port: b.port, conns: 500 })]
  for (const w of workers) await w.next((m) => !!m.ready)
  await new Promise((r) => setTimeout(r, 500))
  const loaded = rssMiB(b.proc.pid!)
  for (const w of workers) w.send({ stop: true })
  return { idle, loaded }
}

const rounds = quick ? 1 : Number(process.argv.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 3)

/** Percentiles over every round's latencies together. */
function merge(runs: Array<{ lat: number[]; complete: number; count: number }>) {
  const lat = runs.flatMap((r) => r.lat)
  return { p50: pct(lat, 50), p95: pct(lat, 95), p99: pct(lat, 99), complete: runs.reduce((n, r) => n + r.complete, 0), count: runs.reduce((n, r) => n + r.count, 0) }
}

/**
 * All brokers stay up; each workload runs `rounds` times, taking the brokers in turn, so that
 * drift on a shared VM (another tenant, CPU frequency) spreads over all of them alike.
 */
async function measureAll(protos: Proto[]) {
  const brokers: Broker[] = []
  try {
    for (const p of protos) brokers.push(await startBroker(p))
    const rss = new Map<Proto, { idle: number; loaded: number }>()
    for (const b of brokers) rss.set(b.proto, await rssRun(b))
    const runs = new Map(protos.map((p) => [p, { single: [] as Lat[], fan10: [] as Lat[], fan100: [] as Lat[], tput: [] as number[] }]))
    for (let round = 0; round < rounds; round++) {
      for (const b of brokers) {
        const r = runs.get(b.proto)!
        r.single.push(await latencyRun(b, 1, quick ? 500 : 2000, 2000))
        r.fan10.push(await latencyRun(b, 10, quick ? 300 : 1000, 2000))
        r.fan100.push(await latencyRun(b, 100, quick ? 150 : 400, 5000))
        r.tput.push((await throughputRun(b, quick ? 20_000 : 100_000)).perSecond)
      }
    }
    return new Map(protos.map((p) => {
      const r = runs.get(p)!
      return [p, { rss: rss.get(p)!, single: merge(r.single), fan10: merge(r.fan10), fan100: merge(r.fan100), tput: { perSecond: pct(r.tput, 50) } }]
    }))
  } finally {
    for (const b of brokers) b.proc.kill('SIGTERM')
  }
}

if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`npm run build\` first`)
if (spawnSync('mosquitto', ['-h']).error) throw new Error('mosquitto is not installed: apt-get install mosquitto')

const results = await measureAll(['clasp', 'clasp-tcp', 'mqtt'])
const ours = results.get('clasp')!
const oursTcp = results.get('clasp-tcp')!
const theirs = results.get('mqtt')!
rmSync(tmp, { recursive: true, force: true })

type Result = typeof ours
const f = (x: number, d = 0) => x.toFixed(d)
const row = (name: string, m: string, get: (r: Result) => number, target: string, digits = 0): string[] => {
  const ratio = (x: Result) => (digits === 0 ? f(get(x) / get(theirs), 2) : '') // no ratio for memory
  return [name, m, f(get(ours), digits), f(get(oursTcp), digits), f(get(theirs), digits), ratio(ours), ratio(oursTcp), target]
}
const rows: string[][] = [
  ['metric', 'mode', 'CLASP/WS', 'CLASP/TCP', 'Mosquitto', 'WS/mosq', 'TCP/mosq', 'target'],
  row('single-hop latency p50 (µs)', mode, (r) => r.single.p50, '≤ 1.1'),
  row('single-hop latency p95 (µs)', mode, (r) => r.single.p95, ''),
  row('single-hop latency p99 (µs)', mode, (r) => r.single.p99, ''),
  row('fan-out 10, all received p50 (µs)', mode, (r) => r.fan10.p50, ''),
  row('fan-out 10 p99 (µs)', mode, (r) => r.fan10.p99, ''),
  row('fan-out 100, all received p50 (µs)', mode, (r) => r.fan100.p50, '≤ 0.8'),
  row('fan-out 100 p99 (µs)', mode, (r) => r.fan100.p99, ''),
  row('throughput 1→1 (msg/s)', mode, (r) => r.tput.perSecond, '≥ 1.2'),
  row('broker RSS idle (MiB)', '—', (r) => r.rss.idle, 'ours ≤ 60', 1),
  row('broker RSS, 1,000 clients (MiB)', '—', (r) => r.rss.loaded, '', 1),
]
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)))
for (const r of rows) console.log(r.map((x, i) => x.padEnd(widths[i])).join('  '))
console.log(`\nCLASP: PUBLISH event (value [i64 time, 16 bytes]) over WebSocket, and over the length-prefixed TCP port; MQTT: QoS 0 PUBLISH over TCP (8-byte time + 16 bytes).`)
const delivery = (r: Result) => `single ${r.single.complete}/${r.single.count}, fan-out 100 ${r.fan100.complete}/${r.fan100.count}`
console.log(`Delivery (complete/sent): CLASP/WS ${delivery(ours)}; CLASP/TCP ${delivery(oursTcp)}; Mosquitto ${delivery(theirs)}.`)
console.log(`Node ${process.version}; ${hasTaskset ? '' : 'taskset missing: ran unpinned; '}latency rows: ${mode}; ${rounds} round(s), brokers taken in turn; throughput is the median round.`)
