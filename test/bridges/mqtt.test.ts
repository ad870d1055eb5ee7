/**
 * MQTT against real peers on 127.0.0.1 (Debian `mosquitto`, `mosquitto-clients`):
 * - the client bridge (bridges/mqtt.ts) against a mosquitto broker, driven by mosquitto_pub and
 *   watched with mosquitto_sub: retained ↔ params, non-retained ↔ events, lossless payloads,
 *   no loops (MQTT 5 No Local, and the 3.1.1 fallback), bad input, a broker that comes up late;
 * - the embedded aedes broker (bridges/mqtt-broker.ts) with mosquitto_pub / mosquitto_sub as
 *   devices: their publishes become CLASP writes, CLASP writes reach their subscriptions,
 *   retained state is served to late subscribers, QoS 2 works, garbage and bad logins are handled.
 */
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs'
import { type Socket, connect as tcpConnect, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import { MqttBrokerBridge, type MqttBrokerOptions } from '../../bridges/mqtt-broker.ts'
import { MqttBridge, type MqttBridgeOptions, addressToTopic, filterToPattern, patternToFilter, topicToAddress } from '../../bridges/mqtt.ts'
import { type BridgeRig, bridgeRig, freeTcpPort, mosquittoPub, mosquittoSub, peer, startMosquitto } from '../support/peers.ts'
import { sleep, waitFor } from '../support/wait.ts'

const mosquitto = peer('mosquitto', 'mosquitto')
const pubBin = peer('mosquitto_pub', 'mosquitto-clients')
const subBin = peer('mosquitto_sub', 'mosquitto-clients')

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

const seenAt = (rig: BridgeRig, address: string) => rig.seen.filter((s) => s.address === address)

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

describe('topic ↔ address, filter ↔ pattern', () => {
  test('topics map under the namespace; empty levels are refused', () => {
    expect(topicToAddress('/mqtt', 'sensors/temp')).toBe('/mqtt/sensors/temp')
    expect(topicToAddress('/mqtt', '/a')).toBeUndefined()
    expect(topicToAddress('/mqtt', 'a//b')).toBeUndefined()
    expect(topicToAddress('/', 'a/b')).toBe('/a/b')
    expect(addressToTopic('/mqtt', '/mqtt/sensors/temp')).toBe('sensors/temp')
    expect(addressToTopic('/mqtt', '/other/x')).toBeUndefined()
    expect(addressToTopic('/mqtt', '/mqtt')).toBeUndefined()
  })

  test('+ ↔ *, # ↔ **', () => {
    expect(filterToPattern('/mqtt', 'sensors/+/temp')).toBe('/mqtt/sensors/*/temp')
    expect(filterToPattern('/mqtt', 'sensors/#')).toBe('/mqtt/sensors/**')
    expect(patternToFilter('/mqtt', '/mqtt/sensors/**')).toBe('sensors/#')
    expect(patternToFilter('/mqtt', '/mqtt/*/temp')).toBe('+/temp')
    expect(patternToFilter('/mqtt', '/elsewhere/**')).toBeUndefined()
  })
})

describe.skipIf(!mosquitto.ok || !pubBin.ok || !subBin.ok)('MQTT client bridge against mosquitto', () => {
  async function setup(options: Partial<MqttBridgeOptions> = {}) {
    const broker = await startMosquitto(mosquitto.path)
    cleanups.push(() => broker.stop())
    const rig = await bridgeRig('/**')
    cleanups.push(() => rig.close())
    const pub = (...args: string[]) => mosquittoPub(pubBin.path, broker.port, args)
    const sub = async (topics: string[], extra: string[] = []) => {
      const s = await mosquittoSub(subBin.path, broker.port, topics, extra)
      cleanups.push(() => s.stop())
      return s
    }
    const start = () => rig.start(new MqttBridge({ namespace: '/mqtt', broker: broker.url, ...options }))
    return { broker, rig, pub, sub, start }
  }

  test('retained → SET (also replayed at subscribe), non-retained → event; floats stay floats', async () => {
    const { rig, pub, start } = await setup()
    expect((await pub('-t', 'before/state', '-m', '1.0', '-r')).code).toBe(0)
    const bridge = await start()
    await waitFor(() => seenAt(rig, '/mqtt/before/state').length > 0, 3000, 'the retained replay')
    expect((await pub('-t', 'sensors/temp', '-m', '21.0', '-r')).code).toBe(0)
    expect((await pub('-t', 'sensors/count', '-m', '21', '-r')).code).toBe(0)
    expect((await pub('-t', 'buttons/go', '-m', '{"pressed":true}')).code).toBe(0)
    await waitFor(() => seenAt(rig, '/mqtt/buttons/go').length > 0, 3000, 'three more messages')
    const state = seenAt(rig, '/mqtt/before/state')[0]
    expect(state.value).toBe(1)
    expect(typeof state.value).toBe('number') // Float 1.0, not Int 1
    expect(state.meta.signal).toBe('param')
    expect(seenAt(rig, '/mqtt/sensors/temp')[0]).toMatchObject({ value: 21, meta: { signal: 'param' } })
    expect(seenAt(rig, '/mqtt/sensors/count')[0].value).toBe(21n)
    const go = seenAt(rig, '/mqtt/buttons/go')[0]
    expect(go.meta.signal).toBe('event')
    expect(go.value).toEqual(Object.assign(Object.create(null), { pressed: true }))
    expect(rig.router.params.get('/mqtt/buttons/go')).toBeUndefined()
    expect(rig.router.params.get('/mqtt/sensors/temp')?.value).toBe(21)
    expect(bridge.stats()).toMatchObject({ inbound: 4, malformed: 0, errors: 0 })
  })

  test('CLASP → MQTT: params retained, events not, lossless payloads; late subscribers get the state', async () => {
    const { rig, sub, start } = await setup()
    const bridge = await start()
    // MQTT 5 "retain as published", so the live delivery shows the retain flag we published with.
    const live = await sub(['#'], ['-V', 'mqttv5', '--retain-as-published'])
    await rig.observer.set('/mqtt/mixer/fader1', 1.0)
    await rig.observer.set('/mqtt/mixer/count', 3n)
    await rig.observer.set('/mqtt/mixer/name', 'main')
    await rig.observer.set('/mqtt/mixer/raw', new Uint8Array([0, 255]))
    rig.observer.emit('/mqtt/cue/go', null)
    await rig.observer.set('/outside/x', 1) // not under the namespace
    await waitFor(() => live.messages().length >= 5, 3000, 'five messages')
    await sleep(100)
    expect(live.messages()).toEqual([
      { retain: true, topic: 'mixer/fader1', payload: '1.0' },
      { retain: true, topic: 'mixer/count', payload: '3' },
      { retain: true, topic: 'mixer/name', payload: '"main"' },
      { retain: true, topic: 'mixer/raw', payload: '{"$bytes":"AP8="}' },
      { retain: false, topic: 'cue/go', payload: 'null' },
    ])
    const late = await sub(['mixer/#'], ['-C', '4', '-W', '5'])
    expect(await late.exited()).toBe(0)
    expect(late.messages().map((m) => [m.topic, m.payload, m.retain])).toEqual([
      ['mixer/fader1', '1.0', true], ['mixer/count', '3', true], ['mixer/name', '"main"', true], ['mixer/raw', '{"$bytes":"AP8="}', true],
    ])
    expect(bridge.stats()).toMatchObject({ outbound: 5, inbound: 0 })
  })

  test.each([5, 4] as const)('no loops with MQTT %i: our publishes do not come back in, MQTT input does not go back out', async (protocolVersion) => {
    const { rig, pub, sub, start } = await setup({ protocolVersion })
    const bridge = await start()
    const live = await sub(['#'])
    await rig.observer.set('/mqtt/a', 0.5)
    await waitFor(() => live.messages().length >= 1, 3000, 'the outbound publish')
    expect((await pub('-t', 'b', '-m', '2.5', '-r')).code).toBe(0)
    await waitFor(() => seenAt(rig, '/mqtt/b').length > 0, 3000, 'the inbound SET')
    await sleep(200)
    expect(live.messages().map((m) => m.topic)).toEqual(['a', 'b']) // b once: from mosquitto_pub only
    expect(seenAt(rig, '/mqtt/a')).toHaveLength(1) // our own publish did not come back as a second SET
    expect(rig.router.params.get('/mqtt/a')?.revision).toBe(1n)
    expect(bridge.stats()).toMatchObject({ inbound: 1, outbound: 1 })
    expect(bridge.stats().suppressed).toBeGreaterThanOrEqual(1)
  })

  test('a shared subscription ($share/...) goes without No Local, as MQTT 5 requires, and our publishes that come back through it are still dropped', async () => {
    const { rig, pub, start } = await setup({ subscribe: ['$share/desk/house/#'] })
    const bridge = await start()
    await rig.observer.set('/mqtt/house/lamp', 0.5)
    await waitFor(() => bridge.stats().suppressed >= 1, 3000, 'our publish back through the shared subscription, dropped')
    expect((await pub('-t', 'house/door', '-m', '1', '-r')).code).toBe(0)
    await waitFor(() => seenAt(rig, '/mqtt/house/door').length > 0, 3000, 'input through the shared subscription')
    await sleep(200)
    expect(seenAt(rig, '/mqtt/house/lamp')).toHaveLength(1)
    expect(rig.router.params.get('/mqtt/house/lamp')?.revision).toBe(1n)
    expect(bridge.stats()).toMatchObject({ inbound: 1, outbound: 1, errors: 0 })
  })

  test('bad input: non-JSON is a String, non-UTF-8 is Bytes, empty levels and oversized payloads are malformed', async () => {
    const { rig, pub, start } = await setup({ maxPayloadBytes: 64 })
    const bridge = await start()
    const dir = mkdtempSync(join(tmpdir(), 'clasp-mqtt-'))
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
    writeFileSync(join(dir, 'bin'), Buffer.from([0xff, 0xfe, 0x00, 0x01]))
    await pub('-t', 'text', '-m', '{broken', '-r')
    await pub('-t', 'bin', '-f', join(dir, 'bin'), '-r')
    await pub('-t', 'a//b', '-m', '1', '-r')
    await pub('-t', '/lead', '-m', '1', '-r')
    await pub('-t', 'big', '-m', 'x'.repeat(100), '-r')
    await pub('-t', 'ok', '-m', '1', '-r')
    await waitFor(() => seenAt(rig, '/mqtt/ok').length > 0 && bridge.stats().malformed >= 3, 3000, 'the last message')
    expect(seenAt(rig, '/mqtt/text')[0].value).toBe('{broken')
    expect(seenAt(rig, '/mqtt/bin')[0].value).toEqual(new Uint8Array([0xff, 0xfe, 0x00, 0x01]))
    expect(bridge.stats()).toMatchObject({ malformed: 3, inbound: 3, errors: 0 })
    expect([...rig.router.params.values()].map((p) => p.address).sort()).toEqual(['/mqtt/bin', '/mqtt/ok', '/mqtt/text'])
    expect(rig.log.entries.filter((e) => e.level === 'warn').map((e) => e.fields?.topic)).toEqual(['a//b', '/lead', 'big'])
  })

  test('a payload within maxPayloadBytes but too large for one CLASP frame is a counted error, for events and params alike', async () => {
    const { rig, pub, start } = await setup()
    const bridge = await start()
    const dir = mkdtempSync(join(tmpdir(), 'clasp-mqtt-'))
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
    writeFileSync(join(dir, 'huge'), 'x'.repeat(65_530)) // with its address, more than one frame's 65,535 bytes
    await pub('-t', 'huge/event', '-f', join(dir, 'huge')) // not retained: an event
    await pub('-t', 'huge/param', '-f', join(dir, 'huge'), '-r')
    await pub('-t', 'after', '-m', '1', '-r')
    await waitFor(() => seenAt(rig, '/mqtt/after').length > 0 && bridge.stats().errors >= 2, 3000, 'the message after the huge ones')
    expect(bridge.stats()).toMatchObject({ errors: 2, malformed: 0 })
    expect(rig.router.params.get('/mqtt/huge/param')).toBeUndefined()
  })

  test('subscribe filters may be CLASP patterns; only matching topics come in', async () => {
    const { rig, pub, start } = await setup({ subscribe: ['/mqtt/sensors/*/temp'] })
    await start()
    await pub('-t', 'sensors/room1/temp', '-m', '20.5', '-r')
    await pub('-t', 'sensors/room1/humidity', '-m', '40', '-r')
    await waitFor(() => seenAt(rig, '/mqtt/sensors/room1/temp').length > 0, 3000, 'the matching topic')
    await sleep(150)
    expect(seenAt(rig, '/mqtt/sensors/room1/humidity')).toHaveLength(0)
  })

  test('a broker that comes up after the bridge: start() goes on, the bridge connects when it can', async () => {
    const port = await freeTcpPort()
    const rig = await bridgeRig('/**')
    cleanups.push(() => rig.close())
    const bridge = await rig.start(new MqttBridge({ namespace: '/mqtt', broker: `mqtt://127.0.0.1:${port}`, connectTimeoutMs: 200 }))
    expect(bridge.connected).toBe(false)
    expect(rig.log.entries.some((e) => e.level === 'warn' && /not reachable/.test(e.msg))).toBe(true)
    const broker = await startMosquitto(mosquitto.path, port)
    cleanups.push(() => broker.stop())
    await waitFor(() => bridge.connected, 8000, 'the reconnect')
    await mosquittoPub(pubBin.path, port, ['-t', 'late', '-m', '1', '-r'])
    await waitFor(() => seenAt(rig, '/mqtt/late').length > 0, 3000, 'a message after the late connect')
  })
})

/**
 * The client bridge when acknowledgements lag: on MQTT 3.1.1 (no No Local) a burst of CLASP
 * writes is not written back from its echoes, and stop() returns while QoS 1 publishes wait for
 * an acknowledgement that will not come (broker gone, or a broker that stopped answering).
 */
describe.skipIf(!mosquitto.ok || !subBin.ok)('MQTT client bridge: echoes of a burst, stop() with unacknowledged publishes', () => {
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

  test('a broker that only speaks MQTT 3.1.1 ends start() with a hint to set protocolVersion 4, not endless retries', async () => {
    // What a 3.1.1-only broker answers an MQTT 5 CONNECT: CONNACK "unacceptable protocol version".
    const server = createServer((s) => {
      s.once('data', () => s.end(Buffer.from([0x20, 0x02, 0x00, 0x01])))
      s.on('error', () => undefined)
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())))
    const port = (server.address() as { port: number }).port
    const rig = await bridgeRig('/**')
    cleanups.push(() => rig.close())
    await expect(rig.start(new MqttBridge({ namespace: '/mqtt', broker: `mqtt://127.0.0.1:${port}` }))).rejects.toThrow(/Unacceptable protocol version \(an MQTT 3\.1\.1 broker: set protocolVersion 4\)/)
  })
})

describe.skipIf(!pubBin.ok || !subBin.ok)('embedded MQTT broker (aedes) with mosquitto clients', () => {
  async function setup(options: Partial<MqttBrokerOptions> = {}) {
    const rig = await bridgeRig('/**')
    cleanups.push(() => rig.close())
    const broker = await rig.start(new MqttBrokerBridge({ namespace: '/mqtt', host: '127.0.0.1', port: 0, ...options }))
    const pub = (...args: string[]) => mosquittoPub(pubBin.path, broker.port, args)
    const sub = async (topics: string[], extra: string[] = []) => {
      const s = await mosquittoSub(subBin.path, broker.port, topics, extra)
      cleanups.push(() => s.stop())
      return s
    }
    return { rig, broker, pub, sub }
  }

  test('device publishes (QoS 0, 1, 2) become CLASP params with their types', async () => {
    const { rig, broker, pub } = await setup()
    expect((await pub('-t', 'dev/temp', '-m', '21.5', '-q', '0')).code).toBe(0)
    expect((await pub('-t', 'dev/count', '-m', '7', '-q', '1')).code).toBe(0)
    expect((await pub('-t', 'dev/on', '-m', '1.0', '-q', '2')).code).toBe(0) // QoS 2 completes (PUBREC/PUBREL/PUBCOMP)
    await waitFor(() => seenAt(rig, '/mqtt/dev/on').length > 0, 3000, 'three SETs')
    expect(rig.router.params.get('/mqtt/dev/temp')?.value).toBe(21.5)
    expect(rig.router.params.get('/mqtt/dev/count')?.value).toBe(7n)
    const on = rig.router.params.get('/mqtt/dev/on')?.value
    expect(on).toBe(1)
    expect(typeof on).toBe('number')
    expect(broker.stats()).toMatchObject({ inbound: 3, malformed: 0, errors: 0 })
  })

  test('CLASP writes reach device subscriptions; retained state (CLASP and device values) is served to late subscribers', async () => {
    const { rig, broker, pub, sub } = await setup()
    await rig.observer.set('/mqtt/before', 'early') // exists before any device subscribes
    const live = await sub(['lights/#'])
    await rig.observer.set('/mqtt/lights/1', 0.75)
    rig.observer.emit('/mqtt/lights/flash', true)
    await waitFor(() => live.messages().length >= 2, 3000, 'two messages')
    expect(live.messages()).toEqual([
      { retain: false, topic: 'lights/1', payload: '0.75' }, // MQTT clears retain on live delivery
      { retain: false, topic: 'lights/flash', payload: 'true' },
    ])
    await pub('-t', 'lights/2', '-m', '0.5') // a device value, not retained by the device
    await waitFor(() => rig.router.params.get('/mqtt/lights/2') !== undefined, 3000, 'the device SET')
    await sleep(50)
    expect(live.messages().filter((m) => m.topic === 'lights/2')).toHaveLength(1) // delivered once, not echoed back
    const late = await sub(['#'], ['-C', '3', '-W', '5'])
    expect(await late.exited()).toBe(0)
    expect(late.messages().map((m) => [m.topic, m.payload, m.retain]).sort()).toEqual([
      ['before', '"early"', true], ['lights/1', '0.75', true], ['lights/2', '0.5', true],
    ])
    expect(broker.stats().suppressed).toBeGreaterThanOrEqual(1)
  })

  test('garbage on the TCP port and bad payload topics are counted; the broker keeps working', async () => {
    const { rig, broker, pub } = await setup({ maxPayloadBytes: 16 })
    await new Promise<void>((resolve) => {
      const s = tcpConnect(broker.port, '127.0.0.1', () => s.end(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x01])))
      s.on('close', () => resolve())
      s.on('error', () => resolve())
    })
    await pub('-t', 'a//b', '-m', '1')
    await pub('-t', 'big', '-m', 'x'.repeat(40))
    await pub('-t', 'fine', '-m', '1')
    await waitFor(() => rig.router.params.get('/mqtt/fine') !== undefined, 3000, 'a good publish afterwards')
    await waitFor(() => broker.stats().malformed >= 3, 3000, 'three malformed')
    expect(broker.stats()).toMatchObject({ malformed: 3, inbound: 1 })
    expect([...rig.router.params.values()].map((p) => p.address)).toEqual(['/mqtt/fine'])
  })

  test('credentials: a wrong password is refused, the right one accepted', async () => {
    const { rig, pub } = await setup({ username: 'dev', password: 'secret' })
    const bad = await pub('-u', 'dev', '-P', 'nope', '-t', 'x', '-m', '1')
    expect(bad.code).not.toBe(0)
    expect(bad.output).toMatch(/not authori[sz]ed|bad user name or password|refused/i)
    expect((await pub('-u', 'dev', '-P', 'secret', '-t', 'x', '-m', '1')).code).toBe(0)
    await waitFor(() => rig.router.params.get('/mqtt/x')?.value === 1n, 3000, 'the authorised publish')
  })

  /**
   * CLASP output reaches devices that subscribed with QoS 1 or 2 at QoS 1 (not always QoS 0) and
   * never goes under $ topics; a device's empty payload (Null) leaves no stale retained value.
   */
  describe('QoS of CLASP output, $ topics, empty payloads', () => {
    test('CLASP params and events reach devices that subscribed with QoS 1 or 2 at QoS 1 (not always 0)', async () => {
      const { rig, sub } = await setup()
      const subs = await Promise.all([0, 1, 2].map((q) => sub(['q/#'], ['-q', String(q), '-F', 'Q|%q|%t|%p'])))
      await rig.observer.set('/mqtt/q/param', 0.5)
      rig.observer.emit('/mqtt/q/event', true)
      const lines = (s: (typeof subs)[number]) => s.lines().filter((l) => l.startsWith('Q|'))
      await waitFor(() => subs.every((s) => lines(s).length >= 2), 3000, 'both messages at every subscriber')
      expect(subs.map(lines)).toEqual([0, 1, 1].map((q) => [`Q|${q}|q/param|0.5`, `Q|${q}|q/event|true`]))
      // Late subscribers get the retained state at that QoS too.
      const late = await sub(['q/#'], ['-q', '2', '-C', '1', '-W', '5', '-F', 'Q|%q|%r|%t|%p'])
      expect(await late.exited()).toBe(0)
      expect(late.lines().filter((l) => l.startsWith('Q|'))).toEqual(['Q|1|1|q/param|0.5'])
    })

    test('CLASP output never goes into the broker\'s own $ topics ($SYS), as device input from them is ignored', async () => {
      const { rig, broker, sub } = await setup()
      const sys = await sub(['$SYS/fake/#', 'ok'])
      await rig.observer.set('/mqtt/$SYS/fake/uptime', 1n)
      rig.observer.emit('/mqtt/$SYS/fake/event', true)
      await rig.observer.set('/mqtt/ok', 1n) // a message that must arrive, after the others
      await waitFor(() => sys.messages().length > 0, 3000, 'the ordinary message')
      await sleep(100)
      expect(sys.messages()).toEqual([{ retain: false, topic: 'ok', payload: '1' }])
      expect(broker.stats().outbound).toBe(1)
    })

    test('a device value then an empty payload: CLASP holds Null and no stale retained value is served', async () => {
      const { rig, pub, sub } = await setup()
      expect((await pub('-t', 'dev/x', '-m', '5')).code).toBe(0)
      await waitFor(() => rig.router.params.get('/mqtt/dev/x')?.value === 5n, 3000, 'the device value')
      expect((await pub('-t', 'dev/x', '-n')).code).toBe(0) // empty, not retained
      await waitFor(() => rig.router.params.get('/mqtt/dev/x')?.value === null, 3000, 'the empty payload as Null')
      await rig.observer.set('/mqtt/dev/y', 1n) // a retained message that must arrive, to know the replay is complete
      await sleep(100)
      const late = await sub(['dev/#'], ['-W', '1'])
      await late.exited().catch(() => undefined)
      expect(late.messages()).toEqual([{ retain: true, topic: 'dev/y', payload: '1' }])
    })
  })
})
