/**
 * End to end, every hop real (Debian `liblo-tools`, `mosquitto`, `mosquitto-clients`, `ola`):
 *
 *   oscsend ──udp──▶ OSC bridge ──▶ router ──▶ MQTT bridge ──tcp──▶ mosquitto ──▶ mosquitto_sub
 *                                      │ ▲ └──▶ Art-Net bridge ──udp──▶ olad (universe 1)
 *                     CLASP client ◀───┘ └── MQTT bridge ◀── mosquitto ◀── mosquitto_pub
 *   oscdump ◀──udp── OSC bridge ◀──────┘
 *
 * The router is `startServer` with the bridges declared in its config (in-process, memory
 * transport), the CLASP client connects over WebSocket. Mappings, all through the shared transform
 * layer: the MQTT bridge maps `mixer/*` on the broker (0..100) onto `/osc/mixer/*` in CLASP
 * (0..1); the Art-Net bridge (normalize: 0..1 ↔ 0..255) puts `/osc/mixer/fader1` and `fader2` on
 * DMX channels 1 and 2 of universe 1, which olad receives and we read back over its HTTP API.
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, test } from 'vitest'
import type { BridgeConfig } from '../../bridges/registry.ts'
import type { OscBridge } from '../../bridges/osc.ts'
import { type ClaspClient, type ClaspValue, type UpdateMeta, connect } from '../../runtime/client/index.ts'
import { ConfigError, mergeSettings, validateConfig } from '../../runtime/cli/config.ts'
import { type RunningServer, startServer } from '../../runtime/server.ts'
import { type Mosquitto, type OscDump, mosquittoPub, mosquittoSub, peer, recordingLogger, spawnPeer, startMosquitto, startOscdump } from '../support/peers.ts'
import { waitFor } from '../support/wait.ts'
import { olaPeer, startOlad } from './ola-peer.ts'

const oscsend = peer('oscsend', 'liblo-tools')
const oscdump = peer('oscdump', 'liblo-tools')
const mosquitto = peer('mosquitto', 'mosquitto')
const pubBin = peer('mosquitto_pub', 'mosquitto-clients')
const subBin = peer('mosquitto_sub', 'mosquitto-clients')
const ola = olaPeer()
const PEERS = oscsend.ok && oscdump.ok && mosquitto.ok && pubBin.ok && subBin.ok && ola.ok

const root = fileURLToPath(new URL('../..', import.meta.url))

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

export interface Scenario {
  server: RunningServer
  broker: Mosquitto
  dump: OscDump
  client: ClaspClient
  seen: Array<{ address: string; value: ClaspValue; meta: UpdateMeta }>
  oscPort: number
}

/** The router with the OSC and MQTT bridges from its config, plus any `extraBridges`. */
export async function startScenario(extraBridges: BridgeConfig[] = []): Promise<Scenario> {
  const broker = await startMosquitto(mosquitto.path)
  cleanups.push(() => broker.stop())
  const dump = await startOscdump(oscdump.path)
  cleanups.push(() => dump.stop())
  const bridges: BridgeConfig[] = [
    { kind: 'osc', host: '127.0.0.1', port: 0, remotePort: dump.port },
    {
      kind: 'mqtt', broker: broker.url,
      transforms: [{ match: '/mqtt/mixer/*', to: '/osc/mixer/*', scale: { from: [0, 100], to: [0, 1] } }, { match: '/mqtt/scene', to: '/osc/scene' }],
    },
    ...extraBridges,
  ]
  const settings = mergeSettings({ bridges }, { host: '127.0.0.1', port: 0, tcpPort: 0, logLevel: 'silent' })
  const server = await startServer(settings, recordingLogger(), () => undefined)
  cleanups.push(() => server.close())
  const client = await connect(`ws://127.0.0.1:${server.ports.ws}`, { name: 'e2e observer', reconnect: false })
  cleanups.push(() => client.close())
  const seen: Scenario['seen'] = []
  client.on('/**', (value, address, meta) => void seen.push({ address, value, meta }))
  await client.flush()
  return { server, broker, dump, client, seen, oscPort: (server.bridges[0] as OscBridge).port }
}

describe.skipIf(!PEERS)('e2e: OSC ↔ CLASP ↔ MQTT', () => {
  test('oscsend → CLASP client, mosquitto_sub and OLA (mapped values, types kept); mosquitto_pub → oscdump and OLA', async () => {
    // olad: Art-Net input port 0 of device 2-1 feeds OLA universe 1 (Port-Address 1).
    const olad = await startOlad({ plugin: 'artnet', patches: { '2-1-I-0': 1 } }, ola.path)
    cleanups.push(() => olad.stop())
    const s = await startScenario([
      {
        kind: 'artnet', port: 0, bind: '127.0.0.1', nodes: ['127.0.0.1:6454'], normalize: true,
        transforms: [{ match: '/artnet/1/1', to: '/osc/mixer/fader1' }, { match: '/artnet/1/2', to: '/osc/mixer/fader2' }],
      },
    ])
    const sub = await mosquittoSub(subBin.path, s.broker.port, ['#'], ['-V', 'mqttv5', '--retain-as-published'])
    cleanups.push(() => sub.stop())

    // Hop 1: OSC float → CLASP Float at the OSC bridge's namespace.
    expect(await spawnPeer(oscsend.path, ['127.0.0.1', String(s.oscPort), '/mixer/fader1', 'f', '0.5']).exited()).toBe(0)
    expect(await spawnPeer(oscsend.path, ['127.0.0.1', String(s.oscPort), '/scene', 'i', '3']).exited()).toBe(0)
    await waitFor(() => s.seen.some((x) => x.address === '/osc/scene'), 5000, 'both SETs at the CLASP client')
    const fader = s.seen.find((x) => x.address === '/osc/mixer/fader1')!
    expect(fader.value).toBe(0.5)
    expect(typeof fader.value).toBe('number') // Float
    expect(fader.meta.signal).toBe('param')
    expect(s.seen.find((x) => x.address === '/osc/scene')!.value).toBe(3n) // Int

    // Hop 2: CLASP → MQTT, scaled to 0..100 by the MQTT bridge's transform, retained, lossless.
    await waitFor(() => sub.messages().length >= 2, 5000, 'two MQTT messages')
    expect(sub.messages()).toEqual([
      { retain: true, topic: 'mixer/fader1', payload: '50.0' }, // a Float: 50.0, not 50
      { retain: true, topic: 'scene', payload: '3' }, // an Int
    ])

    // Hop 2b: CLASP → Art-Net → OLA: 0.5 on a 0..1 fader is DMX 128 (rounded, not truncated).
    expect((await olad.dmxWhen(1, (d) => d[0] === 128)).slice(0, 2)).toEqual([128, 0])

    // Hop 3: MQTT → CLASP → OSC: 25.0 on the broker is 0.25 in CLASP and an OSC float.
    expect((await mosquittoPub(pubBin.path, s.broker.port, ['-t', 'mixer/fader2', '-m', '25.0', '-r'])).code).toBe(0)
    await waitFor(() => s.seen.some((x) => x.address === '/osc/mixer/fader2'), 5000, 'the MQTT write at the CLASP client')
    const fader2 = s.seen.find((x) => x.address === '/osc/mixer/fader2')!
    expect(fader2.value).toBe(0.25)
    expect(typeof fader2.value).toBe('number')
    await waitFor(() => s.dump.messages().length >= 1, 5000, 'the OSC message at oscdump')
    expect(s.dump.messages().map((l) => l.split(' ').slice(1).join(' '))).toEqual(['/mixer/fader2 f 0.250000'])

    // Hop 3b: the same MQTT write reaches OLA on channel 2: 0.25 × 255 = 63.75 → 64.
    expect((await olad.dmxWhen(1, (d) => d[1] === 64)).slice(0, 3)).toEqual([128, 64, 0])

    // No loops: OSC input never went back to OSC, MQTT input never went back to MQTT.
    expect(sub.messages().filter((m) => m.topic === 'mixer/fader2')).toHaveLength(1)
    expect(s.server.router.params.get('/osc/mixer/fader2')?.revision).toBe(1n)
    const [osc, mqtt, artnet] = s.server.bridges.map((b) => b.stats())
    expect(osc).toMatchObject({ inbound: 2, outbound: 1, malformed: 0, errors: 0 })
    expect(mqtt).toMatchObject({ inbound: 1, outbound: 2, malformed: 0, errors: 0 })
    expect(osc.suppressed).toBeGreaterThanOrEqual(2)
    expect(mqtt.suppressed).toBeGreaterThanOrEqual(1)
    expect(artnet).toMatchObject({ inbound: 0, malformed: 0, errors: 0 })
    expect(artnet.outbound).toBeGreaterThanOrEqual(2)
  })
})

describe.skipIf(!oscsend.ok)('a bridge as its own process (`clasp osc`)', () => {
  test('connects to the router URL, bridges, and stops on SIGTERM with its counters', async () => {
    const settings = mergeSettings(undefined, { host: '127.0.0.1', port: 0, tcpPort: 0, logLevel: 'silent' })
    const server = await startServer(settings, recordingLogger(), () => undefined)
    cleanups.push(() => server.close())
    const client = await connect(`ws://127.0.0.1:${server.ports.ws}`, { reconnect: false })
    cleanups.push(() => client.close())
    const proc = spawn(process.execPath, ['--import', 'tsx', 'runtime/cli/main.ts', 'osc', '--url', `ws://127.0.0.1:${server.ports.ws}`, '--host', '127.0.0.1', '--port', '0', '--namespace', '/cli'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    proc.stdout.on('data', (d) => (out += d))
    proc.stderr.on('data', (d) => (err += d))
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)))
    cleanups.push(() => void (proc.exitCode === null && proc.kill('SIGKILL')))
    const port = await waitFor(() => /osc bridge running: namespace \/cli, port (\d+)/.exec(out)?.[1], 20_000, `the bridge process (stderr: ${err})`)
    expect(await spawnPeer(oscsend.path, ['127.0.0.1', port, '/x', 'f', '1.5']).exited()).toBe(0)
    await waitFor(() => server.router.params.get('/cli/x')?.value === 1.5, 5000, 'the SET through the process')
    proc.kill('SIGTERM')
    expect(await exited).toBe(0)
    expect(err).toMatch(/clasp osc: stopped \(inbound 1, outbound 0, malformed 0/)
  })
})

describe('bridges in the server config', () => {
  test('each entry is validated against its kind, with paths', () => {
    expect(() => validateConfig({ bridges: [{ kind: 'osc', port: 'x' }, { kind: 'nope' }, { kind: 'http', colour: 1 }] }, 'test.json')).toThrow(ConfigError)
    try {
      validateConfig({ bridges: [{ kind: 'osc', port: 'x', bits: 16 }, { kind: 'nope' }, { kind: 'http', colour: 1 }] }, 'test.json')
    } catch (e) {
      expect((e as Error).message.split('\n').slice(1).map((l) => l.trim())).toEqual([
        'bridges.0.port: must be integer',
        'bridges.0.bits: must be one of 32, 64',
        "bridges.1.kind: unknown bridge kind 'nope' (known: " + (e as Error).message.split('known: ')[1].split(')')[0] + ')',
        'bridges.2.colour: unknown option',
      ])
    }
    expect(validateConfig({ bridges: [{ kind: 'mqtt', broker: 'mqtt://h:1883', qos: 1, transforms: [{ match: '/mqtt/*', to: '/x/*' }] }] }, 't').bridges).toHaveLength(1)
  })
})
