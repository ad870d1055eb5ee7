/**
 * Firmware simulator harness: build an example sketch for the host (build.ts), start it as a
 * child process, and wire it to a router the way real hardware is wired:
 *
 *   serial  a socat pty pair; the router's serial transport (attachSerial, SLIP) opens one end,
 *           the device's Serial the other (a USB cable, with `inject` for line noise)
 *   tcp     the device's WiFiClient/EthernetClient connects to the router's TCP listener
 *           (listenTcp); --tcp HOST:PORT redirects whatever address the sketch names
 *
 * The device reports what it does as "SIM ..." lines on stderr (LED strip shows, pin changes,
 * serial and TCP link events); `SimDevice` parses them. Used by test/firmware/*.test.ts and,
 * by hand:  npx tsx firmware-sim/harness.ts help
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeSync, constants as fsc } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SKETCHES, type Sketch, buildSketch, hasTool, sanitizerEnv } from './build.ts'

export * from './build.ts'

export interface LedState {
  brightness: number
  /** Pixels as set by the sketch (before brightness), "rrggbb" each. */
  pixels: string[]
}

export interface SimEvent {
  /** ms since the harness started the process. */
  at: number
  kind: string
  text: string
}

export interface DeviceOptions {
  /** Serial pty path; without it Serial is the process's stdin/stdout. */
  serial?: string
  /** "host:port" every TCP connect of the sketch goes to. */
  tcp?: string
  /** Extra environment. */
  env?: NodeJS.ProcessEnv
  /** Mirror the device's output on this process's stderr (debugging). */
  echo?: boolean
}

export class SimDevice {
  readonly events: SimEvent[] = []
  /** Serial console output (sketches without a serial link print here). */
  readonly console: string[] = []
  readonly exited: Promise<number | null>
  private readonly started = Date.now()
  private errTail = ''
  private outTail = ''

  constructor(readonly name: string, readonly proc: ChildProcess, echo = false) {
    proc.stderr!.setEncoding('utf8')
    proc.stdout!.setEncoding('utf8')
    proc.stderr!.on('data', (d: string) => {
      if (echo) process.stderr.write(`[${name}] ${d}`)
      const lines = (this.errTail + d).split('\n')
      this.errTail = lines.pop()!
      for (const l of lines) {
        const m = /^SIM (\S+) ?(.*)$/.exec(l)
        this.events.push(m ? { at: Date.now() - this.started, kind: m[1], text: m[2] } : { at: Date.now() - this.started, kind: 'stderr', text: l })
      }
    })
    proc.stdout!.on('data', (d: string) => {
      if (echo) process.stderr.write(`[${name} serial] ${d}`)
      const lines = (this.outTail + d).split('\n')
      this.outTail = lines.pop()!
      this.console.push(...lines.map((l) => l.replace(/\r$/, '')))
    })
    this.exited = new Promise((resolve) => proc.once('exit', (code) => resolve(code)))
  }

  get pid(): number {
    return this.proc.pid!
  }

  get running(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null
  }

  /** The LED strip as last shown, if the sketch has shown it. */
  led(): LedState | undefined {
    for (let i = this.events.length - 1; i >= 0; i--) {
      const e = this.events[i]
      if (e.kind !== 'led') continue
      const m = /^brightness=(\d+) pixels=(\S*)$/.exec(e.text)
      if (m) return { brightness: Number(m[1]), pixels: m[2] ? m[2].split(',') : [] }
    }
    return undefined
  }

  /** The last level written to a pin. */
  pin(n: number): number | undefined {
    for (let i = this.events.length - 1; i >= 0; i--) {
      const m = /^(\d+) (\d)$/.exec(this.events[i].text)
      if (this.events[i].kind === 'pin' && m && Number(m[1]) === n) return Number(m[2])
    }
    return undefined
  }

  /** Poll until `check` gives a value (not undefined/false), or fail after `ms` with the output. */
  async until<T>(check: () => T | undefined | false, ms: number, what: string): Promise<T> {
    const deadline = Date.now() + ms
    for (;;) {
      const v = check()
      if (v !== undefined && v !== false) return v
      if (!this.running && this.proc.exitCode !== null) throw new Error(`${this.name} exited (${this.proc.exitCode}) while waiting for ${what}\n${this.tail()}`)
      if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what} on ${this.name}\n${this.tail()}`)
      await new Promise((r) => setTimeout(r, 5))
    }
  }

  /** The last lines of output, for failure messages. */
  tail(n = 25): string {
    return this.events.slice(-n).map((e) => `  ${e.at}ms ${e.kind} ${e.text}`).join('\n')
  }

  /** Send a signal (SIGKILL: the board loses power) and wait for the process to end. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.running) this.proc.kill(signal)
    await Promise.race([this.exited, new Promise((r) => setTimeout(r, 3000))])
    if (this.running) this.proc.kill('SIGKILL')
    await this.exited
  }
}

/** Start a built sketch; resolves once the device has run setup() far enough to report. */
export async function startDevice(exe: string, opts: DeviceOptions = {}, name = exe.split('/').pop()!): Promise<SimDevice> {
  const args = [...(opts.serial ? ['--serial', opts.serial] : []), ...(opts.tcp ? ['--tcp', opts.tcp] : [])]
  const proc = spawn(exe, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...sanitizerEnv, ...opts.env } })
  const dev = new SimDevice(name, proc, opts.echo)
  await dev.until(() => dev.events.some((e) => e.kind === 'start'), 10_000, 'the device to start')
  return dev
}

export interface PtyPair {
  /** The end the router (or `clasp server --serial`) opens. */
  routerPath: string
  /** The end the device's Serial opens. */
  devicePath: string
  pid: number
  /** Remove both ends (the cable is unplugged). */
  stop(): Promise<void>
}

/** A socat pty pair with stable symlink names (raw, no echo: a serial line, not a terminal). */
export async function startPtyPair(routerPath: string, devicePath: string): Promise<PtyPair> {
  const child = spawn('socat', [`pty,raw,echo=0,link=${routerPath}`, `pty,raw,echo=0,link=${devicePath}`], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr!.on('data', (d) => (stderr += String(d)))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const alive = () => child.exitCode === null && child.signalCode === null
  const stop = async () => {
    if (alive()) child.kill('SIGTERM')
    await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))])
    if (alive()) child.kill('SIGKILL')
    await exited
  }
  const deadline = Date.now() + 5000
  while (!(alive() && existsSync(routerPath) && existsSync(devicePath))) {
    if (Date.now() > deadline || !alive()) {
      await stop()
      throw new Error(`socat did not create ${routerPath} and ${devicePath}: ${stderr.trim()}`)
    }
    await new Promise((r) => setTimeout(r, 10))
  }
  return { routerPath, devicePath, pid: child.pid!, stop }
}

/**
 * Write raw bytes onto the line by opening a pty end a second time: bytes written at the
 * router's end reach the device, bytes written at the device's end reach the router.
 */
export function inject(ptyPath: string, bytes: Uint8Array): void {
  const fd = openSync(ptyPath, fsc.O_RDWR | fsc.O_NOCTTY | fsc.O_NONBLOCK)
  try {
    let at = 0
    while (at < bytes.length) at += writeSync(fd, bytes, at, bytes.length - at)
  } finally {
    closeSync(fd)
  }
}

/** A SLIP-framed frame as the router's serial transport sends it (END, escaped bytes, END). */
export function slipFrame(frame: Uint8Array): Uint8Array {
  const out = [0xc0]
  for (const b of frame) {
    if (b === 0xc0) out.push(0xdb, 0xdc)
    else if (b === 0xdb) out.push(0xdb, 0xdd)
    else out.push(b)
  }
  out.push(0xc0)
  return Uint8Array.from(out)
}

export const hasSocat = (): boolean => hasTool('socat')

// -------------------------------------------------------------------------------------------
// By hand: npx tsx firmware-sim/harness.ts <command>
// -------------------------------------------------------------------------------------------

const usage = `firmware simulator

  npx tsx firmware-sim/harness.ts build [SKETCH]     build for the host, print the program path
  npx tsx firmware-sim/harness.ts serial [WS_PORT]   router + socat pair + SerialLedStrip
  npx tsx firmware-sim/harness.ts tcp [WS_PORT]      router + TcpSensor + EthernetSubscriber

SKETCH: ${SKETCHES.join(', ')}. The router listens for WebSocket clients on WS_PORT (default
7330), so in another terminal:  npx tsx runtime/cli/main.ts set /lights/strip1/brightness 0.25
Ctrl-C stops everything.`

async function main(argv: string[]): Promise<void> {
  const [cmd, arg] = argv
  if (cmd === 'build') {
    for (const s of arg ? [arg as Sketch] : SKETCHES) {
      if (!SKETCHES.includes(s)) throw new Error(`unknown sketch ${s}; one of ${SKETCHES.join(', ')}`)
      const b = buildSketch(s)
      console.log(`${s}: ${b.path}\n  (${b.command})`)
    }
    return
  }
  if (cmd !== 'serial' && cmd !== 'tcp') {
    console.log(usage)
    return
  }
  // Loaded here so that `build` works without the router's dependencies.
  const { Router } = await import('../runtime/router/router.ts')
  const { listenWebSocket } = await import('../runtime/transports/websocket.ts')
  const { listenTcp } = await import('../runtime/transports/tcp.ts')
  const { attachSerial } = await import('../runtime/transports/serial.ts')
  const { streamLogger } = await import('../runtime/router/log.ts')
  const router = new Router({ log: streamLogger('info', 'pretty') })
  const ws = await listenWebSocket(router, { port: Number(arg ?? 7330), host: '127.0.0.1' })
  const tcp = await listenTcp(router, { port: 0, host: '127.0.0.1' })
  console.log(`router: ws://127.0.0.1:${ws.port}, TCP 127.0.0.1:${tcp.port}`)
  const cleanup: Array<() => Promise<void> | void> = [() => ws.close(), () => tcp.close(), () => router.close()]
  const devices: SimDevice[] = []
  if (cmd === 'serial') {
    const dir = mkdtempSync(join(tmpdir(), 'clasp-sim-'))
    cleanup.unshift(() => rmSync(dir, { recursive: true, force: true }))
    const pair = await startPtyPair(join(dir, 'router-tty'), join(dir, 'device-tty'))
    cleanup.unshift(() => pair.stop())
    const att = await attachSerial(router, { path: pair.routerPath, reconnectMs: 200 })
    cleanup.unshift(() => att.close())
    console.log(`serial: router end ${pair.routerPath}, device end ${pair.devicePath}`)
    devices.push(await startDevice(buildSketch('SerialLedStrip').path, { serial: pair.devicePath, echo: true }, 'SerialLedStrip'))
  } else {
    for (const s of ['TcpSensor', 'EthernetSubscriber'] as const) devices.push(await startDevice(buildSketch(s).path, { tcp: `127.0.0.1:${tcp.port}`, echo: true }, s))
  }
  for (const d of devices) cleanup.unshift(() => d.kill('SIGTERM'))
  await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()))
  for (const c of cleanup) await c()
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  main(process.argv.slice(2)).catch((e) => {
    console.error(e instanceof Error ? e.message : e)
    process.exit(1)
  })
}
