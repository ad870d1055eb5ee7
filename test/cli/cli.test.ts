/**
 * The `clasp` command line as a user meets it: the bundled dist/clasp.js alone in an empty
 * directory, a router started with `clasp server`, and the one-shot commands against it.
 */
import { spawn } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { toBuffer } from 'osc-min'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { bridgeKinds, kebab } from '../../bridges/registry.ts'
import { type ServerProcess, bundledCli, root, run, startCliServer } from '../support/cli-process.ts'
import { type Mosquitto, freeTcpPort, freeUdpPort, peer, startMosquitto } from '../support/peers.ts'
import { type PtyPair, startPtyPair } from '../support/transport-clients.ts'
import { sleep, waitFor } from '../support/wait.ts'

let cli: Awaited<ReturnType<typeof bundledCli>>
let server: ServerProcess
let url: string

beforeAll(async () => {
  cli = await bundledCli()
  server = await startCliServer(cli.js, ['--log-level', 'warn'], cli.dir)
  url = `ws://127.0.0.1:${server.port}`
}, 60_000)

afterAll(async () => {
  await server?.stop()
  cli?.cleanup()
})

describe('clasp.js on its own', () => {
  test('is one file within its size budget (< 2 MiB, bridges included)', () => {
    expect(statSync(cli.js).size).toBeLessThan(2 * 1024 * 1024)
  })

  test('--version, --help and per-command help', async () => {
    expect((await run(cli.js, ['--version'])).stdout).toMatch(/^clasp \d+\.\d+\.\d+ \(wire schema [0-9a-f]{16}\)/)
    expect((await run(cli.js, ['--help'])).stdout).toContain('server')
    const help = await run(cli.js, ['server', '--help'])
    expect(help.stdout).toContain('--tcp-port')
    expect(help.code).toBe(0)
    const bad = await run(cli.js, ['frobnicate'])
    expect(bad.code).toBe(2)
    expect(bad.stderr.trim()).toBe("clasp: unknown command 'frobnicate'. Run 'clasp --help'.")
  })

  test('the server answers HTTP probes and /health', async () => {
    const health = await (await fetch(`http://127.0.0.1:${server.port}/health`)).json()
    expect(health).toMatchObject({ status: 'ok', name: 'CLASP Router' })
    expect(await (await fetch(`http://127.0.0.1:${server.port}/`)).text()).toBe('ok\n')
  })
})

describe('client commands', () => {
  test('set then get, with typed values', async () => {
    const set = await run(cli.js, ['set', '/cli/level', '0.5', '--url', url])
    expect(set.stderr).toBe('')
    expect(set.stdout.trim()).toBe('/cli/level = 0.5 (revision 1)')
    expect((await run(cli.js, ['get', '/cli/level', '--url', url])).stdout.trim()).toBe('0.5')
    await run(cli.js, ['set', '/cli/count', '42', '--url', url])
    expect((await run(cli.js, ['get', '/cli/count', '--url', url, '--json'])).stdout.trim()).toBe('{"address":"/cli/count","value":42}')
    await run(cli.js, ['set', '/cli/name', 'front of house', '--url', url])
    expect((await run(cli.js, ['get', '/cli/name', '--url', url])).stdout.trim()).toBe('"front of house"')
  })

  test('sub prints live values, one per line; pub sends events', async () => {
    const sub = spawn(process.execPath, [cli.js, 'sub', '/live/**', '--json', '--url', url], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    sub.stdout.on('data', (d) => (out += d))
    try {
      await new Promise((r) => setTimeout(r, 500))
      await run(cli.js, ['set', '/live/a', '1.5', '--url', url])
      await run(cli.js, ['pub', '/live/go', 'now', '--url', url])
      const lines = await waitFor(() => {
        const ls = out.trim().split('\n').filter(Boolean)
        return ls.length >= 2 ? ls : undefined
      }, 5000, 'sub output')
      expect(JSON.parse(lines[0])).toMatchObject({ address: '/live/a', value: 1.5, revision: 1 })
      expect(JSON.parse(lines[1])).toMatchObject({ address: '/live/go', value: 'now', signal: 'event' })
    } finally {
      sub.kill('SIGINT')
    }
  })

  test('an unreachable router is one clear line', async () => {
    const r = await run(cli.js, ['get', '/x', '--url', 'ws://127.0.0.1:1', '--timeout', '2'])
    expect(r.code).toBe(1)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toMatch(/clasp get: .*(connect|refused)/i)
  })

  test('a bad value type is a usage error', async () => {
    const r = await run(cli.js, ['set', '/x', 'abc', '--type', 'int', '--url', url])
    expect(r.code).toBe(2)
    expect(r.stderr.trim()).toBe("clasp set: 'abc' is not an integer")
  })
})

describe('server errors and shutdown', () => {
  test('a port in use is one line naming the port', async () => {
    const r = await run(cli.js, ['server', '--host', '127.0.0.1', '--port', String(server.port), '--tcp-port', '0'])
    expect(r.code).toBe(1)
    expect(r.stderr.trim()).toMatch(new RegExp(`clasp server: WebSocket port ${server.port} on 127.0.0.1 is already in use`))
  })

  test('a bridge that cannot start (its port is taken) stops the server with one line naming it', async () => {
    const taken = createSocket('udp4')
    await new Promise<void>((resolve) => taken.bind(0, '127.0.0.1', () => resolve()))
    try {
      const cfg = join(cli.dir, 'busy.json')
      writeFileSync(cfg, JSON.stringify({ bridges: [{ kind: 'osc', host: '127.0.0.1', port: taken.address().port }] }))
      const r = await run(cli.js, ['server', '--host', '127.0.0.1', '--port', '0', '--tcp-port', '0', '--config', cfg])
      expect(r.code).toBe(1)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.stderr).toMatch(/clasp server: bridges\[0\] \(osc\) could not start: .*EADDRINUSE/)
    } finally {
      taken.close()
    }
  })

  test('a bad config file names the offending path', async () => {
    const bad = join(cli.dir, 'bad.json')
    writeFileSync(bad, JSON.stringify({ router: { maxSessions: 'many' }, colour: 'blue' }))
    const r = await run(cli.js, ['server', '--config', bad])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('invalid config in')
    expect(r.stderr).toMatch(/router\.maxSessions|colour/)
    const yaml = join(cli.dir, 'bad.yaml')
    writeFileSync(yaml, 'router: [unclosed')
    expect((await run(cli.js, ['server', '--config', yaml])).stderr).toContain('is not valid YAML')
  })

  test('a YAML config is applied', async () => {
    const cfg = join(cli.dir, 'ok.yaml')
    writeFileSync(cfg, 'name: Stage Left\nrouter:\n  maxSessions: 5\n')
    const s = await startCliServer(cli.js, ['--config', cfg, '--log-level', 'warn'], cli.dir)
    try {
      expect(await (await fetch(`http://127.0.0.1:${s.port}/health`)).json()).toMatchObject({ name: 'Stage Left' })
    } finally {
      await s.stop()
    }
  })

  test('SIGINT and SIGTERM shut down cleanly', async () => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const s = await startCliServer(cli.js, ['--log-level', 'warn'], cli.dir)
      expect(await s.stop(signal)).toBe(0)
      expect(s.output()).toContain(`${signal} received, shutting down`)
    }
  })
})

/**
 * Every bridge kind from the bundled clasp.js, as its own process and from the server config.
 * Each bridge's protocol is exercised against its peer in test/bridges; here the point is that the
 * single file carries all of them and that their flags and config entries start them.
 */
describe('every bridge kind from clasp.js', () => {
  const mosquittoBin = peer('mosquitto', 'mosquitto')
  const socatOk = peer('socat', 'socat').ok
  const hasSequencer = existsSync('/dev/snd/seq')
  let broker: Mosquitto | undefined
  let pty: PtyPair | undefined
  let ptyDir = ''

  beforeAll(async () => {
    if (mosquittoBin.ok) broker = await startMosquitto(mosquittoBin.path)
    if (socatOk) {
      ptyDir = mkdtempSync(join(tmpdir(), 'clasp-cli-dmx-'))
      pty = await startPtyPair(join(ptyDir, 'widget'), join(ptyDir, 'host'))
    }
  }, 30_000)
  afterAll(async () => {
    await broker?.stop()
    await pty?.stop()
    if (ptyDir) rmSync(ptyDir, { recursive: true, force: true })
  })

  /** Options per kind that keep it on 127.0.0.1 and free ports; undefined when its peer is missing. */
  const optionsFor = (kind: string): Record<string, unknown> | undefined => {
    const local = { host: '127.0.0.1', port: 0 }
    switch (kind) {
      case 'mqtt':
        return broker && { broker: broker.url }
      case 'artnet':
        return { bind: '127.0.0.1', port: 0 }
      case 'sacn':
        return { iface: '127.0.0.1', port: 0, universes: [7] }
      case 'dmx':
        return pty && { port: pty.b }
      case 'midi':
        return {}
      default:
        return local
    }
  }
  const flags = (o: Record<string, unknown>) =>
    Object.entries(o).flatMap(([k, v]) => (Array.isArray(v) ? v.flatMap((x) => [`--${kebab(k)}`, String(x)]) : [`--${kebab(k)}`, String(v)]))

  /** Run `clasp <kind>` from `js` until it reports running (or exits), then SIGTERM it. */
  const runBridgeProcess = async (js: string, kind: string, args: string[]) => {
    const proc = spawn(process.execPath, [js, kind, '--url', url, ...args], { cwd: dirname(js), stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    proc.stdout.on('data', (d) => (out += d))
    proc.stderr.on('data', (d) => (out += d))
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })))
    const running = () => proc.exitCode === null && proc.signalCode === null
    try {
      await waitFor(() => !running() || out.includes(`${kind} bridge running`), 15_000, `clasp ${kind} (output: ${out})`)
      if (running()) proc.kill('SIGTERM')
      return { ...(await exited), out }
    } finally {
      if (running()) proc.kill('SIGKILL')
    }
  }

  for (const kind of Object.keys(bridgeKinds)) {
    test(`clasp ${kind}: starts, bridges, stops on SIGTERM with its counters`, async (ctx) => {
      const o = optionsFor(kind)
      if (!o) return ctx.skip(`peer for ${kind} missing (mosquitto / socat)`)
      // Native modules (serialport, midi) are not inside clasp.js; next to node_modules they load.
      const js = kind === 'dmx' || kind === 'midi' ? join(root, 'dist/clasp.js') : cli.js
      const r = await runBridgeProcess(js, kind, flags(o))
      if (kind === 'midi' && !hasSequencer) {
        expect(r.code).toBe(1)
        expect(r.out).toMatch(/clasp midi: midi bridge could not start: no MIDI subsystem on this machine: \/dev\/snd\/seq does not exist/)
        return
      }
      expect(r.out).toMatch(new RegExp(`${kind} bridge running: namespace /`))
      expect(r.code, `exit ${r.code} ${r.signal ?? ''}; output:\n${r.out}`).toBe(0)
      expect(r.out).toMatch(new RegExp(`clasp ${kind}: stopped \\(inbound 0, outbound \\d+, malformed 0`))
    })
  }

  test('clasp dmx from a lone clasp.js names the missing serialport package', async () => {
    const r = await run(cli.js, ['dmx', '--url', url, '--port', '/dev/ttyUSB9'])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/serialport/)
  })

  test('bridges from the embedded chunk work end to end: OSC in, HTTP out, from a lone clasp.js', async () => {
    const oscPort = await freeUdpPort()
    const httpPort = await freeTcpPort()
    const cfg = join(cli.dir, 'two-bridges.json')
    writeFileSync(cfg, JSON.stringify({ bridges: [{ kind: 'osc', host: '127.0.0.1', port: oscPort }, { kind: 'http', host: '127.0.0.1', port: httpPort }] }))
    const s = await startCliServer(cli.js, ['--config', cfg], cli.dir)
    try {
      await waitFor(() => s.output().includes('http bridge started'), 10_000, `both bridges (output: ${s.output()})`)
      const packet = toBuffer({ address: '/mixer/fader1', args: [{ type: 'float', value: 0.5 }] })
      const udp = createSocket('udp4')
      await new Promise<void>((resolve, reject) => udp.send(new Uint8Array(packet.buffer, packet.byteOffset, packet.byteLength), oscPort, '127.0.0.1', (e) => (e ? reject(e) : resolve())))
      udp.close()
      let state: unknown
      for (const t0 = Date.now(); Date.now() - t0 < 5000; await sleep(50)) {
        const res = await fetch(`http://127.0.0.1:${httpPort}/v1/state/osc/mixer/fader1`)
        if (res.ok && (state = await res.json())) break
      }
      expect(state).toMatchObject({ address: '/osc/mixer/fader1', value: 0.5, revision: 1 })
    } finally {
      expect(await s.stop()).toBe(0)
    }
  })

  test('one server config with every kind starts them all, and SIGTERM stops them', async (ctx) => {
    const kinds = Object.keys(bridgeKinds).filter((k) => k !== 'midi' || hasSequencer)
    const bridges = kinds.map((kind) => (optionsFor(kind) ? { kind, ...optionsFor(kind) } : undefined))
    if (bridges.includes(undefined)) return ctx.skip('a bridge peer is missing (mosquitto / socat)')
    const cfg = join(cli.dir, 'bridges.json')
    writeFileSync(cfg, JSON.stringify({ bridges }))
    // The in-repo bundle, so that the dmx bridge finds serialport.
    const s = await startCliServer(join(root, 'dist/clasp.js'), ['--config', cfg], cli.dir)
    try {
      await waitFor(() => kinds.every((k) => s.output().includes(`${k} bridge started: namespace /`)), 10_000, `every bridge started (output: ${s.output()})`)
    } finally {
      expect(await s.stop()).toBe(0)
    }
  })
})
