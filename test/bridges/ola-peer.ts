/**
 * OLA's olad as a real Art-Net / E1.31 peer for the bridge tests (test-peers.md, "Art-Net / sACN").
 *
 * - olad refuses to run as root: as root we create (once) the system user `clasp-ola` with
 *   `useradd` and spawn olad with that uid/gid; as any other user it runs as that user.
 * - Every instance gets a fresh config dir (patches persist in ola-port.conf) with only the
 *   plugin under test enabled and bound to 127.0.0.1, its patches written before start, and
 *   random RPC and HTTP ports. The protocol ports themselves are fixed by OLA (Art-Net 6454,
 *   E1.31 5568; 0.0.0.0, SO_REUSEADDR), so olads of one plugin take turns across test files.
 * - It is driven through its HTTP API (`POST /set_dmx`, `GET /get_dmx?u=N`,
 *   `GET /json/universe_info?id=N`), because the CLI tools (ola_set_dmx, ola_recorder, ...) can
 *   only reach the default RPC port 9010, which would make concurrent test files collide.
 *
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest'
import { hostLock } from '../support/host-lock.ts'
import { type BridgeRig, REQUIRE_PEERS, bridgeRig, freeTcpPort, peer } from '../support/peers.ts'

export const OLA_USER = 'clasp-ola'

/**
 * Can olad run here? Missing olad follows the peer policy of test/support/peers.ts (skip with the
 * Debian package named, or throw under CLASP_REQUIRE_PEERS=1). As root this also creates the
 * unprivileged user olad needs.
 */
export function olaPeer(): { ok: boolean; path: string; reason: string } {
  const bin = peer('olad', 'ola')
  if (!bin.ok || process.getuid?.() !== 0) return bin
  if (spawnSync('id', ['-u', OLA_USER], { stdio: 'ignore' }).status === 0) return bin
  const u = spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', OLA_USER], { encoding: 'utf8' })
  if (u.status === 0) return bin
  const reason = `olad refuses to run as root and 'useradd ${OLA_USER}' failed: ${(u.stderr || String(u.error)).trim()} (Debian package 'passwd')`
  if (REQUIRE_PEERS) throw new Error(`CLASP_REQUIRE_PEERS=1 but ${reason}`)
  console.warn(`OLA tests skipped: ${reason}`)
  return { ok: false, path: bin.path, reason }
}

export interface OlaOptions {
  plugin: 'artnet' | 'e131'
  /** ola-port.conf patches, e.g. { '2-1-I-0': 1 } (Art-Net device 2-1, input port 0 → universe 1). */
  patches: Record<string, number>
  /** Extra plugin settings (key = value lines). */
  settings?: Record<string, string | number | boolean>
  /**
   * Force IP_MULTICAST_LOOP on in olad (ola-multicast-loop.c through LD_PRELOAD, built with gcc),
   * so that its multicast sACN output reaches a receiver on this host.
   */
  multicastLoop?: boolean
}

export interface Olad {
  readonly pid: number
  readonly httpPort: number
  readonly dir: string
  /** olad's stderr so far (for failure messages). */
  log(): string
  setDmx(universe: number, values: number[]): Promise<void>
  getDmx(universe: number): Promise<number[]>
  /** The universe once `until` holds (olad applies received DMX asynchronously), or after 5 s its last state. */
  dmxWhen(universe: number, until: (dmx: number[]) => boolean): Promise<number[]>
  /** Create universe `id` with ports patched (HTTP port ids such as `1-O-1`); patching an Art-Net output makes OLA poll. */
  newUniverse(id: number, ports: string[]): Promise<void>
  universeInfo(universe: number): Promise<{ input_ports: Array<{ device: string }>; output_ports: Array<{ device: string }> }>
  stop(): Promise<void>
}

const PLUGINS = ['artnet', 'dummy', 'e131', 'espnet', 'ftdidmx', 'gpio', 'karate', 'kinet', 'milinst', 'opendmx', 'openpixelcontrol', 'osc', 'pathport', 'renard', 'sandnet', 'shownet', 'spi', 'stageprofi', 'uartdmx', 'usbdmx', 'usbserial']

const DEFAULTS: Record<OlaOptions['plugin'], Record<string, string | number | boolean>> = {
  artnet: { ip: '127.0.0.1', use_loopback: true, always_broadcast: false, use_limited_broadcast: false, net: 0, subnet: 0, output_ports: 4, short_name: 'ola-test', long_name: 'ola-test' },
  e131: { ip: '127.0.0.1', input_ports: 2, output_ports: 2, ignore_preview: true, prepend_hostname: false, draft_discovery: false, dscp: 0, revision: '0.46', cid: 'ad58fb83-7aba-458f-9f80-9c77b7f037b5' },
}

/** Compile ola-multicast-loop.c into `dir` (readable by the olad user); its path. */
function multicastLoopShim(dir: string): string {
  const out = join(dir, 'multicast-loop.so')
  const source = fileURLToPath(new URL('./ola-multicast-loop.c', import.meta.url))
  const cc = spawnSync('gcc', ['-shared', '-fPIC', '-O2', '-Wall', '-Wextra', '-Werror', '-o', out, source, '-ldl'], { encoding: 'utf8' })
  if (cc.status !== 0) {
    throw new Error(`cannot build the multicast-loop shim for olad (Debian package 'gcc'): ${(cc.stderr || String(cc.error)).trim()}`)
  }
  chmodSync(out, 0o755)
  return out
}

/** Start olad with one plugin and the given patches; resolves once every patched port is up. */
export async function startOlad(o: OlaOptions, binary = 'olad'): Promise<Olad> {
  // One olad per protocol port on this host at a time (see host-lock.ts).
  const release = await hostLock(`olad-${o.plugin}`)
  try {
    return await launchOlad(o, binary, release)
  } catch (e) {
    release()
    throw e
  }
}

async function launchOlad(o: OlaOptions, binary: string, release: () => void): Promise<Olad> {
  const dir = mkdtempSync(join(tmpdir(), 'clasp-ola-'))
  for (const p of PLUGINS) writeFileSync(join(dir, `ola-${p}.conf`), 'enabled = false\n')
  const settings = { enabled: true, ...DEFAULTS[o.plugin], ...o.settings }
  writeFileSync(join(dir, `ola-${o.plugin}.conf`), Object.entries(settings).map(([k, v]) => `${k} = ${v}\n`).join(''))
  writeFileSync(join(dir, 'ola-port.conf'), Object.entries(o.patches).map(([k, v]) => `${k} = ${v}\n`).join(''))
  const [httpPort, rpcPort] = [await freeTcpPort(), await freeTcpPort()]
  const args = ['-c', dir, '-l', '3', '-p', String(httpPort), '-r', String(rpcPort), '--no-register-with-dns-sd']
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: dir }
  if (o.multicastLoop) env.LD_PRELOAD = multicastLoopShim(dir)
  let child: ChildProcess
  if (process.getuid?.() === 0) {
    const uid = Number(spawnSync('id', ['-u', OLA_USER], { encoding: 'utf8' }).stdout)
    const gid = Number(spawnSync('id', ['-g', OLA_USER], { encoding: 'utf8' }).stdout)
    chownSync(dir, uid, gid)
    for (const f of [...PLUGINS.map((p) => `ola-${p}.conf`), 'ola-port.conf']) chownSync(join(dir, f), uid, gid)
    // Node drops to the user itself (setgid/setuid before exec), so the PID we hold is olad's.
    child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'], uid, gid, env })
  } else {
    child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'], env })
  }
  let stderr = ''
  child.stderr!.on('data', (d) => (stderr = (stderr + String(d)).slice(-20_000)))
  const exited = new Promise<void>((r) => child.once('exit', () => r()))
  const base = `http://127.0.0.1:${httpPort}`
  const http = async (path: string, body?: string) => {
    const res = await fetch(base + path, body === undefined ? {} : { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } })
    const text = await res.text()
    if (!res.ok) throw new Error(`olad ${path}: HTTP ${res.status} ${text}`)
    // /set_dmx answers a plain "ok"; the rest is JSON.
    return (text.trim().startsWith('{') ? JSON.parse(text) : { text }) as Record<string, unknown>
  }
  const olad: Olad = {
    pid: child.pid!,
    httpPort,
    dir,
    log: () => stderr,
    async setDmx(u, values) {
      await http('/set_dmx', `u=${u}&d=${values.join(',')}`)
    },
    async getDmx(u) {
      return (await http(`/get_dmx?u=${u}`)).dmx as number[]
    },
    async dmxWhen(u, until) {
      let dmx: number[] = []
      for (const t0 = Date.now(); Date.now() - t0 < 5000; await new Promise((r) => setTimeout(r, 100))) {
        dmx = await olad.getDmx(u)
        if (until(dmx)) break
      }
      return dmx
    },
    async newUniverse(id, ports) {
      const r = await http('/new_universe', `id=${id}&name=u${id}&add_ports=${ports.join(',')}`)
      if (r.ok !== true) throw new Error(`olad new_universe ${id}: ${JSON.stringify(r)}`)
    },
    async universeInfo(u) {
      return (await http(`/json/universe_info?id=${u}`)) as never
    },
    async stop() {
      // olad exits within about 2 s of SIGTERM (test-peers.md).
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))])
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      rmSync(dir, { recursive: true, force: true })
      release()
    },
  }
  // Ready when every patched port shows up on its universe.
  const wanted = Object.entries(o.patches)
  try {
    const deadline = Date.now() + 20_000
    for (;;) {
      if (child.exitCode !== null) throw new Error(`olad exited with ${child.exitCode}`)
      const ok = await Promise.all(
        wanted.map(async ([port, u]) => {
          const info = await olad.universeInfo(u).catch(() => undefined)
          return !!info && (port.includes('-I-') ? info.input_ports : info.output_ports)?.length > 0
        }),
      )
      if (ok.every(Boolean)) break
      if (Date.now() > deadline) throw new Error('patched ports did not appear within 20 s')
      await new Promise((r) => setTimeout(r, 200))
    }
  } catch (e) {
    await olad.stop()
    throw new Error(`olad did not start: ${(e as Error).message}\n${stderr.split('\n').filter((l) => !/Avahi/.test(l)).slice(-15).join('\n')}`)
  }
  return olad
}

/**
 * The fixture of an OLA describe block: one olad for the block (started in beforeAll), a fresh
 * bridge rig per test. Call inside `describe`; read `olad` and `rig` inside tests.
 */
export function olaFixture(o: OlaOptions, binary: string): { readonly olad: Olad; readonly rig: BridgeRig } {
  let olad: Olad | undefined
  let rig: BridgeRig | undefined
  beforeAll(async () => {
    olad = await startOlad(o, binary)
  }, 40_000)
  afterAll(async () => {
    await olad?.stop()
  })
  beforeEach(async () => {
    rig = await bridgeRig('/**')
  })
  afterEach(async () => {
    await rig?.close()
  })
  return {
    get olad() {
      return olad!
    },
    get rig() {
      return rig!
    },
  }
}
