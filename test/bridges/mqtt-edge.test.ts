/**
 * Edge cases of the MQTT bridges against real peers (mosquitto, mosquitto_pub, mosquitto_sub):
 * - the client bridge on MQTT 3.1.1 (no No Local) when CLASP writes faster than the broker
 *   returns them: no echo may be written back into CLASP;
 * - stop() of the client bridge while QoS 1 publishes wait for an acknowledgement that will not
 *   come (broker gone, or a broker that stopped answering);
 * - the embedded broker: CLASP output reaches devices that subscribed with QoS 1 or 2 at QoS 1
 *   (not always QoS 0), and a device's empty payload (Null in CLASP) does not leave a stale
 *   retained value behind.
 */
import { createServer, type Socket } from 'node:net'
import { afterEach, describe, expect, test } from 'vitest'
import { MqttBrokerBridge, type MqttBrokerOptions } from '../../bridges/mqtt-broker.ts'
import { MqttBridge } from '../../bridges/mqtt.ts'
import { bridgeRig, freeTcpPort, mosquittoPub, mosquittoSub, peer, startMosquitto } from '../support/peers.ts'
import { sleep, waitFor } from '../support/wait.ts'

const mosquitto = peer('mosquitto', 'mosquitto')
const pubBin = peer('mosquitto_pub', 'mosquitto-clients')
const subBin = peer('mosquitto_sub', 'mosquitto-clients')

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

/** Resolves with how long `p` took, or rejects after `ms`. */
async function within(ms: number, p: Promise<unknown>): Promise<number> {
  const t0 = Date.now()
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`still pending after ${ms} ms`)), ms) })
  try {
    await Promise.race([p, late])
    return Date.now() - t0
  } finally {
    clearTimeout(timer)
  }
}

describe.skipIf(!mosquitto.ok || !subBin.ok)('MQTT client bridge edges against mosquitto', () => {
  test('MQTT 3.1.1, inbound param: a burst of CLASP writes is not written back from its echoes', async () => {
    const broker = await startMosquitto(mosquitto.path)
    cleanups.push(() => broker.stop())
    const rig = await bridgeRig('/**')
    cleanups.push(() => rig.close())
    const bridge = await rig.start(new MqttBridge({ namespace: '/mqtt', broker: broker.url, protocolVersion: 4, inbound: 'param' }))
    const writes = Array.from({ length: 30 }, (_, i) => rig.observer.set('/mqtt/fader', (i + 1) / 100))
    await Promise.all(writes)
    await waitFor(() => bridge.stats().suppressed >= 30, 5000, 'all 30 publishes back from the broker')
    await sleep(200)
    expect(bridge.stats()).toMatchObject({ outbound: 30, inbound: 0, suppressed: 30, errors: 0 })
    expect(rig.router.params.get('/mqtt/fader')).toMatchObject({ value: 0.3, revision: 30n }) // the last write, never an older echo
    const late = await mosquittoSub(subBin.path, broker.port, ['fader'], ['-C', '1', '-W', '5'])
    cleanups.push(() => late.stop())
    expect(await late.exited()).toBe(0)
    expect(late.messages()).toEqual([{ retain: true, topic: 'fader', payload: '0.3' }])
  })

  test('stop() with a QoS 1 publish queued for a broker that is not there returns promptly', async () => {
    const port = await freeTcpPort()
    const rig = await bridgeRig('/**')
    cleanups.push(() => rig.close())
    const bridge = await rig.start(new MqttBridge({ namespace: '/mqtt', broker: `mqtt://127.0.0.1:${port}`, qos: 1, connectTimeoutMs: 100 }))
    await rig.observer.set('/mqtt/x', 1.5)
    await waitFor(() => bridge.stats().outbound === 1, 2000, 'the publish')
    expect(await within(3000, bridge.stop())).toBeLessThan(3000)
  })

  test('stop() with a QoS 1 publish that a connected broker never acknowledges returns, and closes the socket', async () => {
    // A "broker" that accepts the connection (MQTT 5 CONNACK) and then answers nothing.
    const sockets: Socket[] = []
    let closed = 0
    const server = createServer((s) => {
      sockets.push(s)
      s.once('data', () => s.write(Buffer.from([0x20, 0x03, 0x00, 0x00, 0x00])))
      s.on('error', () => undefined)
      s.on('close', () => closed++)
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    cleanups.push(() => new Promise<void>((r) => {
      for (const s of sockets) s.destroy()
      server.close(() => r())
    }))
    const port = (server.address() as { port: number }).port
    const rig = await bridgeRig('/**')
    cleanups.push(() => rig.close())
    const bridge = await rig.start(new MqttBridge({ namespace: '/mqtt', broker: `mqtt://127.0.0.1:${port}`, qos: 1, connectTimeoutMs: 300 }))
    expect(bridge.connected).toBe(true)
    await rig.observer.set('/mqtt/x', 1.5)
    await waitFor(() => bridge.stats().outbound === 1, 2000, 'the publish')
    expect(await within(5000, bridge.stop())).toBeLessThan(5000)
    await waitFor(() => closed === sockets.length, 2000, 'the socket closed')
  })
})

describe.skipIf(!pubBin.ok || !subBin.ok)('embedded MQTT broker edges with mosquitto clients', () => {
  async function setup(options: Partial<MqttBrokerOptions> = {}) {
    const rig = await bridgeRig('/**')
    cleanups.push(() => rig.close())
    const broker = await rig.start(new MqttBrokerBridge({ namespace: '/mqtt', host: '127.0.0.1', port: 0, ...options }))
    return { rig, broker }
  }

  test('CLASP params and events reach devices that subscribed with QoS 1 or 2 at QoS 1 (not always 0)', async () => {
    const { rig, broker } = await setup()
    const subs = await Promise.all([0, 1, 2].map(async (q) => {
      const s = await mosquittoSub(subBin.path, broker.port, ['q/#'], ['-q', String(q), '-F', 'Q|%q|%t|%p'])
      cleanups.push(() => s.stop())
      return s
    }))
    await rig.observer.set('/mqtt/q/param', 0.5)
    rig.observer.emit('/mqtt/q/event', true)
    const lines = (s: (typeof subs)[number]) => s.lines().filter((l) => l.startsWith('Q|'))
    await waitFor(() => subs.every((s) => lines(s).length >= 2), 3000, 'both messages at every subscriber')
    expect(subs.map(lines)).toEqual([0, 1, 1].map((q) => [`Q|${q}|q/param|0.5`, `Q|${q}|q/event|true`]))
    // Late subscribers get the retained state at that QoS too.
    const late = await mosquittoSub(subBin.path, broker.port, ['q/#'], ['-q', '2', '-C', '1', '-W', '5', '-F', 'Q|%q|%r|%t|%p'])
    cleanups.push(() => late.stop())
    expect(await late.exited()).toBe(0)
    expect(late.lines().filter((l) => l.startsWith('Q|'))).toEqual(['Q|1|1|q/param|0.5'])
  })

  test('CLASP output never goes into the broker\'s own $ topics ($SYS), as device input from them is ignored', async () => {
    const { rig, broker } = await setup()
    const sys = await mosquittoSub(subBin.path, broker.port, ['$SYS/fake/#', 'ok'])
    cleanups.push(() => sys.stop())
    await rig.observer.set('/mqtt/$SYS/fake/uptime', 1n)
    rig.observer.emit('/mqtt/$SYS/fake/event', true)
    await rig.observer.set('/mqtt/ok', 1n) // a message that must arrive, after the others
    await waitFor(() => sys.messages().length > 0, 3000, 'the ordinary message')
    await sleep(100)
    expect(sys.messages()).toEqual([{ retain: false, topic: 'ok', payload: '1' }])
    expect(broker.stats().outbound).toBe(1)
  })

  test('a device value then an empty payload: CLASP holds Null and no stale retained value is served', async () => {
    const { rig, broker } = await setup()
    expect((await mosquittoPub(pubBin.path, broker.port, ['-t', 'dev/x', '-m', '5'])).code).toBe(0)
    await waitFor(() => rig.router.params.get('/mqtt/dev/x')?.value === 5n, 3000, 'the device value')
    expect((await mosquittoPub(pubBin.path, broker.port, ['-t', 'dev/x', '-n'])).code).toBe(0) // empty, not retained
    await waitFor(() => rig.router.params.get('/mqtt/dev/x')?.value === null, 3000, 'the empty payload as Null')
    await rig.observer.set('/mqtt/dev/y', 1n) // a retained message that must arrive, to know the replay is complete
    await sleep(100)
    const late = await mosquittoSub(subBin.path, broker.port, ['dev/#'], ['-W', '1'])
    cleanups.push(() => late.stop())
    await late.exited().catch(() => undefined)
    expect(late.messages()).toEqual([{ retain: true, topic: 'dev/y', payload: '1' }])
  })
})
