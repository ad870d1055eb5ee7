/**
 * The MQTT client bridge against a mosquitto that demands what production brokers demand: TLS
 * with a private CA and a password file (Debian `mosquitto`, `mosquitto-clients`, `openssl`).
 * QoS 2 both ways, checked on the wire by mosquitto_sub's `%q`. Refused credentials and an
 * untrusted certificate end `start()` with a clear error instead of retrying for ever.
 */
import { spawnSync } from 'node:child_process'
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { MqttBridge } from '../../bridges/mqtt.ts'
import { type BridgeRig, type Mosquitto, bridgeRig, mosquittoPub, mosquittoSub, peer, startMosquitto } from '../support/peers.ts'
import { waitFor } from '../support/wait.ts'

const mosquitto = peer('mosquitto', 'mosquitto')
const passwd = peer('mosquitto_passwd', 'mosquitto')
const pubBin = peer('mosquitto_pub', 'mosquitto-clients')
const subBin = peer('mosquitto_sub', 'mosquitto-clients')
const openssl = peer('openssl', 'openssl')
const PEERS = mosquitto.ok && passwd.ok && pubBin.ok && subBin.ok && openssl.ok

/** A private CA and a server certificate for 127.0.0.1 (P-256, valid one day). */
function makeCertificates(dir: string): { ca: string; cert: string; key: string } {
  const f = (name: string) => join(dir, name)
  const ssl = (...args: string[]) => {
    const r = spawnSync(openssl.path, args, { cwd: dir, encoding: 'utf8' })
    if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`)
  }
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
  ssl('req', '-x509', ...ec, '-keyout', f('ca.key'), '-out', f('ca.crt'), '-days', '1', '-subj', '/CN=CLASP test CA')
  ssl('req', ...ec, '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=127.0.0.1')
  writeFileSync(f('san.ext'), 'subjectAltName=IP:127.0.0.1\n')
  ssl('x509', '-req', '-in', f('server.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('server.crt'), '-days', '1', '-extfile', f('san.ext'))
  return { ca: f('ca.crt'), cert: f('server.crt'), key: f('server.key') }
}

describe.skipIf(!PEERS)('MQTT client bridge against mosquitto with TLS and a password file', () => {
  let dir: string
  let files: { ca: string; cert: string; key: string }
  let broker: Mosquitto
  const bridges: BridgeRig[] = []

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'clasp-mqtt-tls-'))
    files = makeCertificates(dir)
    const pw = join(dir, 'passwd')
    const r = spawnSync(passwd.path, ['-c', '-b', pw, 'stage', 's3cret'], { encoding: 'utf8' })
    if (r.status !== 0) throw new Error(`mosquitto_passwd failed: ${r.stderr}`)
    // mosquitto started as root drops to its own user before reading these.
    chmodSync(dir, 0o755)
    for (const p of [files.ca, files.cert, files.key, pw]) chmodSync(p, 0o644)
    broker = await startMosquitto(mosquitto.path, undefined, [
      `cafile ${files.ca}`, `certfile ${files.cert}`, `keyfile ${files.key}`, 'allow_anonymous false', `password_file ${pw}`,
    ].join('\n'))
  }, 30_000)
  afterAll(async () => {
    for (const r of bridges) await r.close()
    await broker?.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  const clientTls = () => ['--cafile', files.ca, '-u', 'stage', '-P', 's3cret']
  const rig = async () => {
    const r = await bridgeRig('/**')
    bridges.push(r)
    return r
  }

  test('mqtts with the CA and credentials; QoS 2 publish and subscribe, on the wire', async () => {
    const r = await rig()
    const bridge = await r.start(new MqttBridge({
      namespace: '/mqtt', broker: `mqtts://127.0.0.1:${broker.port}`, tls: { ca: files.ca }, username: 'stage', password: 's3cret', qos: 2,
    }))
    expect(bridge.connected).toBe(true)

    // CLASP → broker at QoS 2: mosquitto_sub (QoS 2) prints the QoS each message arrived with.
    // (a second -F replaces the helper's format: the line carries the QoS)
    const sub = await mosquittoSub(subBin.path, broker.port, ['house/#'], [...clientTls(), '-q', '2', '-F', 'Q|%q|%t|%p'])
    try {
      await r.observer.set('/mqtt/house/lamp', 0.75)
      const line = await sub.waitForLine(/^Q\|/, 5000)
      expect(line).toBe('Q|2|house/lamp|0.75')
    } finally {
      await sub.stop()
    }

    // broker → CLASP: a QoS 2 retained publish through TLS becomes a Float param.
    const pub = await mosquittoPub(pubBin.path, broker.port, [...clientTls(), '-q', '2', '-r', '-t', 'house/temp', '-m', '21.5'])
    expect(pub.code).toBe(0)
    await waitFor(() => r.router.params.get('/mqtt/house/temp')?.value === 21.5, 5000, 'the QoS 2 publish as a SET')
    expect(bridge.stats()).toMatchObject({ errors: 0, malformed: 0 })
  })

  test('a wrong password ends start() with the broker refusal, not endless retries', async () => {
    const r = await rig()
    const start = r.start(new MqttBridge({ namespace: '/mqtt', broker: `mqtts://127.0.0.1:${broker.port}`, tls: { ca: files.ca }, username: 'stage', password: 'wrong' }))
    await expect(start).rejects.toThrow(/refused the connection: .*(Not authorized|Bad username or password)/i)
  })

  test('a broker certificate from an unknown CA is reported (and not trusted)', async () => {
    const r = await rig()
    const bridge = await r.start(new MqttBridge({
      namespace: '/mqtt', broker: `mqtts://127.0.0.1:${broker.port}`, username: 'stage', password: 's3cret', connectTimeoutMs: 1500,
    }))
    expect(bridge.connected).toBe(false)
    await waitFor(() => r.log.entries.some((e) => e.msg === 'MQTT error' && /self[- ]signed|unable to verify|certificate/i.test(String(e.fields?.error))), 5000, 'the TLS error in the log')
    await bridge.stop()
  })
})
