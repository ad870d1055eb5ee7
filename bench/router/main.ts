/**
 * `npm run bench:router`: our router (dist/clasp.js) and Mosquitto side by side on the same
 * workloads, each broker, publisher and subscriber set in its own process on 127.0.0.1:
 * single-hop latency, fan-out latency to 10 and 100 subscribers (until all have received),
 * sustained one-to-one throughput, and broker RSS idle and with 1,000 clients.
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

interface Broker {
  proto: 'clasp' | 'mqtt'
  port: number
  proc: ChildProcess
}

async function startBroker(proto: 'clasp' | 'mqtt'): Promise<Broker> {
  const port = nextPort++
  let proc: ChildProcess
  if (proto === 'clasp') {
    // Benchmarks measure the router, not its abuse limits: no inbound rate cap.
    const cfg = join(tmp, 'clasp.json')
    writeFileSync(cfg, JSON.stringify({ router: { maxMessagesPerSecond: 0, maxSessions: 0 } }))
    proc = launch(process.execPath, [join(root, 'dist/clasp.js'), 'server', '--host', '127.0.0.1', '--port', String(port), '--tcp-port', '0', '--config', cfg, '--log-level', 'warn'])
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
  return { p50: pct(lat, 50), p95: pct(lat, 95), p99: pct(lat, 99), complete: (r.latencies as number[]).length, count }
}

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

async function measure(proto: 'clasp' | 'mqtt') {
  const b = await startBroker(proto)
  try {
    const rss = await rssRun(b)
    const single = await latencyRun(b, 1, quick ? 500 : 3000, 2000)
    const fan10 = await latencyRun(b, 10, quick ? 300 : 1500, 2000)
    const fan100 = await latencyRun(b, 100, quick ? 150 : 600, 5000)
    const tput = await throughputRun(b, quick ? 20_000 : 150_000)
    return { rss, single, fan10, fan100, tput }
  } finally {
    b.proc.kill('SIGTERM')
  }
}

if (!existsSync(join(root, 'dist/clasp.js'))) throw new Error('dist/clasp.js is missing: run `npm run build` first')
if (spawnSync('mosquitto', ['-h']).error) throw new Error('mosquitto is not installed: apt-get install mosquitto')

const ours = await measure('clasp')
const theirs = await measure('mqtt')
rmSync(tmp, { recursive: true, force: true })

const f = (x: number, d = 0) => x.toFixed(d)
const rows: string[][] = [
  ['metric', 'mode', 'CLASP (ours)', 'Mosquitto', 'ours/mosquitto', 'target'],
  ['single-hop latency p50 (µs)', mode, f(ours.single.p50), f(theirs.single.p50), f(ours.single.p50 / theirs.single.p50, 2), '≤ 1.1'],
  ['single-hop latency p95 (µs)', mode, f(ours.single.p95), f(theirs.single.p95), f(ours.single.p95 / theirs.single.p95, 2), ''],
  ['single-hop latency p99 (µs)', mode, f(ours.single.p99), f(theirs.single.p99), f(ours.single.p99 / theirs.single.p99, 2), ''],
  ['fan-out 10, all received p50 (µs)', mode, f(ours.fan10.p50), f(theirs.fan10.p50), f(ours.fan10.p50 / theirs.fan10.p50, 2), ''],
  ['fan-out 10 p99 (µs)', mode, f(ours.fan10.p99), f(theirs.fan10.p99), f(ours.fan10.p99 / theirs.fan10.p99, 2), ''],
  ['fan-out 100, all received p50 (µs)', mode, f(ours.fan100.p50), f(theirs.fan100.p50), f(ours.fan100.p50 / theirs.fan100.p50, 2), '≤ 0.8'],
  ['fan-out 100 p99 (µs)', mode, f(ours.fan100.p99), f(theirs.fan100.p99), f(ours.fan100.p99 / theirs.fan100.p99, 2), ''],
  ['throughput 1→1 (msg/s)', mode, f(ours.tput.perSecond), f(theirs.tput.perSecond), f(ours.tput.perSecond / theirs.tput.perSecond, 2), '≥ 1.2'],
  ['broker RSS idle (MiB)', '—', f(ours.rss.idle, 1), f(theirs.rss.idle, 1), '', 'ours ≤ 60'],
  ['broker RSS, 1,000 clients (MiB)', '—', f(ours.rss.loaded, 1), f(theirs.rss.loaded, 1), '', ''],
]
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)))
for (const r of rows) console.log(r.map((x, i) => x.padEnd(widths[i])).join('  '))
console.log(`\nCLASP: PUBLISH event over WebSocket (value [i64 time, 16 bytes]); MQTT: QoS 0 PUBLISH over TCP (8-byte time + 16 bytes).`)
console.log(`Delivery: single ${ours.single.complete}/${ours.single.count} vs ${theirs.single.complete}/${theirs.single.count}; fan-out 100 ${ours.fan100.complete}/${ours.fan100.count} vs ${theirs.fan100.complete}/${theirs.fan100.count} complete.`)
console.log(`Node ${process.version}; ${hasTaskset ? '' : 'taskset missing: ran unpinned; '}latency rows: ${mode}.`)
