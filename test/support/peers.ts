/**
 * Real external programs as test peers (../../../shared/guides/test-peers.md): find them, start
 * them on 127.0.0.1 with random ports, wait for readiness with a deadline, stop them by PID.
 *
 * Policy: a missing peer skips its tests with a message naming the Debian package, unless
 * CLASP_REQUIRE_PEERS=1 (CI), which turns the absence into a failure:
 *
 *     const osc = peer('oscsend', 'liblo-tools')
 *     describe.skipIf(!osc.ok)('OSC against liblo', () => { ... spawnPeer(osc.path, [...]) ... })
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { connect as tcpConnect, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import type { Bridge } from '../../bridges/bridge.ts'
import type { ClaspValue } from '../../generated/types.ts'
import { type ClaspClient, type UpdateMeta, connect } from '../../runtime/client/index.ts'
import { memoryTransport } from '../../runtime/client/transport-memory.ts'
import type { Logger } from '../../runtime/router/log.ts'
import { Router } from '../../runtime/router/router.ts'

export const REQUIRE_PEERS = process.env.CLASP_REQUIRE_PEERS === '1'

export interface PeerBinary {
  /** Found and executable. */
  ok: boolean
  /** Absolute path (the bare name when missing). */
  path: string
  /** Why it is missing, naming the Debian package. */
  reason: string
}

const warned = new Set<string>()

/**
 * Look a peer binary up on PATH (plus /usr/sbin and /sbin, where Debian puts `mosquitto`).
 * Missing: warns once and returns `ok: false`, or throws when CLASP_REQUIRE_PEERS=1.
 */
export function peer(binary: string, debianPackage: string): PeerBinary {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/local/sbin']
  for (const dir of dirs) {
    if (!dir) continue
    const path = join(dir, binary)
    try {
      accessSync(path, constants.X_OK)
      return { ok: true, path, reason: '' }
    } catch {
      // not here
    }
  }
  const reason = `'${binary}' not found: install the Debian package '${debianPackage}' (apt-get install ${debianPackage})`
  if (REQUIRE_PEERS) throw new Error(`CLASP_REQUIRE_PEERS=1 but ${reason}`)
  if (!warned.has(binary)) {
    warned.add(binary)
    console.warn(`peer tests skipped: ${reason}; set CLASP_REQUIRE_PEERS=1 to fail instead`)
  }
  return { ok: false, path: binary, reason }
}

// ---- ports ---------------------------------------------------------------------------------

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })
}

/** A UDP port that was free a moment ago on 127.0.0.1. */
export function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4')
    s.once('error', reject)
    s.bind(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })
}

// ---- processes -----------------------------------------------------------------------------

export interface PeerProcess {
  proc: ChildProcess
  /** stdout and stderr so far. */
  output(): string
  /** Complete stdout lines so far. */
  lines(): string[]
  /** Resolve with the first stdout line matching `re` (from the start of the output). */
  waitForLine(re: RegExp, ms?: number): Promise<string>
  /** Resolve with the exit code (null when killed), within `ms`. */
  exited(ms?: number): Promise<number | null>
  /** SIGTERM by PID, SIGKILL after 2 s; idempotent. */
  stop(): Promise<void>
}

/** Every peer still running; killed (by PID) when the test process exits, whatever failed. */
const live = new Set<ChildProcess>()
process.once('exit', () => {
  for (const p of live) p.kill('SIGKILL')
})

/** Spawn a peer asynchronously (never `execFileSync`: an in-process broker would deadlock). */
export function spawnPeer(path: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): PeerProcess {
  const proc = spawn(path, args, { stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env, cwd: options.cwd })
  live.add(proc)
  proc.once('exit', () => live.delete(proc))
  let out = ''
  let all = ''
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
    out += d
    all += d
  })
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (all += d))
  proc.on('error', (e) => (all += `\n[spawn error] ${e.message}`))
  const exit = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)))
  const lines = () => out.split('\n').slice(0, -1)
  const deadline = <T>(p: Promise<T>, ms: number, what: string) =>
    Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}; output: ${all.slice(-2000)}`)), ms).unref())])
  return {
    proc,
    output: () => all,
    lines,
    async waitForLine(re, ms = 5000) {
      const end = Date.now() + ms
      for (;;) {
        const hit = lines().find((l) => re.test(l))
        if (hit !== undefined) return hit
        if (proc.exitCode !== null) throw new Error(`${path} exited (${proc.exitCode}) before printing ${re}; output: ${all.slice(-2000)}`)
        if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${re} from ${path}; output: ${all.slice(-2000)}`)
        await new Promise((r) => setTimeout(r, 10))
      }
    },
    exited: (ms = 5000) => deadline(exit, ms, `${path} to exit`),
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return
      proc.kill('SIGTERM')
      const t = setTimeout(() => proc.kill('SIGKILL'), 2000)
      await exit
      clearTimeout(t)
    },
  }
}

/** Try to open a TCP connection until it succeeds or `ms` pass. */
export async function waitForTcp(port: number, ms = 5000, host = '127.0.0.1'): Promise<void> {
  const end = Date.now() + ms
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = tcpConnect(port, host)
      s.once('connect', () => {
        s.destroy()
        resolve(true)
      })
      s.once('error', () => resolve(false))
    })
    if (ok) return
    if (Date.now() > end) throw new Error(`nothing listening on ${host}:${port} after ${ms} ms`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

// ---- mosquitto -----------------------------------------------------------------------------

export interface Mosquitto {
  port: number
  url: string
  process: PeerProcess
  stop(): Promise<void>
}

/**
 * mosquitto on 127.0.0.1 with a temp config (`listener <port> 127.0.0.1`, anonymous allowed).
 * `fixedPort` starts it on a port chosen beforehand (e.g. to test a bridge that came up first);
 * `listenerConf` replaces `allow_anonymous true` (TLS files, a password file).
 */
export async function startMosquitto(binary: string, fixedPort?: number, listenerConf = 'allow_anonymous true'): Promise<Mosquitto> {
  for (let attempt = 0; ; attempt++) {
    const dir = mkdtempSync(join(tmpdir(), 'clasp-mosquitto-'))
    const port = fixedPort ?? (await freeTcpPort())
    const conf = join(dir, 'mosquitto.conf')
    writeFileSync(conf, `per_listener_settings false\nlistener ${port} 127.0.0.1\n${listenerConf}\npersistence false\nlog_dest stderr\n`)
    const p = spawnPeer(binary, ['-c', conf])
    try {
      await waitForTcp(port, 5000)
      return {
        port, url: `mqtt://127.0.0.1:${port}`, process: p,
        async stop() {
          await p.stop()
          rmSync(dir, { recursive: true, force: true })
        },
      }
    } catch (e) {
      await p.stop()
      rmSync(dir, { recursive: true, force: true })
      if (attempt >= 2 || fixedPort !== undefined) throw e // the port was taken between probing and binding: try another
    }
  }
}

export interface MqttMessage {
  retain: boolean
  topic: string
  payload: string
}

export interface MosquittoSub extends PeerProcess {
  /** Messages received so far. */
  messages(): MqttMessage[]
}

/**
 * `mosquitto_sub` with debug output, resolved once its SUBACK arrived (so a publish made
 * afterwards is certainly seen). Messages are parsed from `-F 'MSG|%r|%t|%p'` lines.
 * (`stop()` kills the stdbuf wrapper's PID, which is mosquitto_sub itself after its exec.)
 */
export async function mosquittoSub(binary: string, port: number, topics: string[], extra: string[] = []): Promise<MosquittoSub> {
  const args = ['-h', '127.0.0.1', '-p', String(port), '-d', '-F', 'MSG|%r|%t|%p', ...topics.flatMap((t) => ['-t', t]), ...extra]
  // Its debug lines are block-buffered into a pipe; coreutils' stdbuf makes them line-buffered.
  const stdbuf = peer('stdbuf', 'coreutils')
  const p = stdbuf.ok ? spawnPeer(stdbuf.path, ['-oL', binary, ...args]) : spawnPeer(binary, args)
  try {
    await p.waitForLine(/received SUBACK/, 5000)
  } catch (e) {
    await p.stop()
    throw e
  }
  return {
    ...p,
    messages: () => p.lines().filter((l) => l.startsWith('MSG|')).map((l) => {
      const [, r, topic, ...rest] = l.split('|')
      return { retain: r === '1', topic, payload: rest.join('|') }
    }),
  }
}

/** `mosquitto_pub`, resolved with its exit code (async: an in-process broker must keep running). */
export async function mosquittoPub(binary: string, port: number, args: string[]): Promise<{ code: number | null; output: string }> {
  const p = spawnPeer(binary, ['-h', '127.0.0.1', '-p', String(port), ...args])
  try {
    const code = await p.exited(10_000)
    return { code, output: p.output() }
  } catch (e) {
    await p.stop()
    throw e
  }
}

// ---- oscdump -------------------------------------------------------------------------------

export interface OscDump {
  port: number
  process: PeerProcess
  /** Message lines (`<timetag> /address types values…`) without the readiness probes. */
  messages(): string[]
  stop(): Promise<void>
}

/**
 * `oscdump -L <port>` (line-buffered). Ready once it has printed a probe we send it, because
 * oscdump prints nothing when it starts listening.
 */
export async function startOscdump(binary: string): Promise<OscDump> {
  const port = await freeUdpPort()
  const p = spawnPeer(binary, ['-L', String(port)])
  const probe = createSocket('udp4')
  // "/__probe" with no arguments: address padded to 12 bytes, then the type tag string ",".
  const packet = Buffer.concat([Buffer.from('/__probe\0\0\0\0'), Buffer.from(',\0\0\0')])
  const timer = setInterval(() => probe.send(packet, port, '127.0.0.1'), 50)
  try {
    await p.waitForLine(/\/__probe/, 5000)
  } catch (e) {
    await p.stop()
    throw e
  } finally {
    clearInterval(timer)
    probe.close()
  }
  return {
    port, process: p,
    messages: () => p.lines().filter((l) => !l.includes('/__probe')),
    stop: () => p.stop(),
  }
}

// ---- the CLASP side: a router in this process ----------------------------------------------

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error'
  msg: string
  fields?: Record<string, unknown>
}

/** A Logger that keeps every entry (bridges must log bad input; tests assert it). */
export function recordingLogger(): Logger & { entries: LogEntry[] } {
  const entries: LogEntry[] = []
  const at = (level: LogEntry['level']) => (msg: string, fields?: Record<string, unknown>) => void entries.push({ level, msg, fields })
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
}

export interface Seen {
  address: string
  value: ClaspValue
  meta: UpdateMeta
}

export interface BridgeRig {
  router: Router
  /** The bridge's own client (in-memory transport, as `clasp server` runs bridges). */
  clasp: ClaspClient
  /** A second client: writes what bridges should send out, records what they bring in. */
  observer: ClaspClient
  seen: Seen[]
  log: ReturnType<typeof recordingLogger>
  /** Start a bridge on the rig's client; stopped by `close`. */
  start<B extends Bridge>(bridge: B): Promise<B>
  close(): Promise<void>
}

/** A router with a bridge client and an observer recording everything under `watch`. */
export async function bridgeRig(watch = '/**'): Promise<BridgeRig> {
  const router = new Router()
  const clasp = await connect('memory://bridge', { name: 'bridge', transport: memoryTransport(router), reconnect: false })
  const observer = await connect('memory://observer', { name: 'observer', transport: memoryTransport(router), reconnect: false })
  const seen: Seen[] = []
  observer.on(watch, (value, address, meta) => void seen.push({ address, value, meta }))
  await observer.flush()
  const log = recordingLogger()
  const bridges: Bridge[] = []
  return {
    router, clasp, observer, seen, log,
    async start(bridge) {
      await bridge.start({ clasp, log })
      bridges.push(bridge)
      return bridge
    },
    async close() {
      for (const b of bridges.splice(0).reverse()) await b.stop().catch(() => undefined)
      await observer.close()
      await clasp.close()
      router.close()
    },
  }
}
