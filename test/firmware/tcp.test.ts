/**
 * The TCP sketches, compiled for the host, against a real router's length-prefixed TCP listener
 * (the device's WiFiClient/EthernetClient is a socket): TcpSensor's readings reach a WebSocket
 * subscriber as a stream and a param, and it follows a param; killed, the router ends its
 * session and a restarted sensor rejoins with the param from its snapshot; the router going
 * away and coming back is survived. EthernetSubscriber drives a pin from /control/led.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import type { ClaspValue } from '../../generated/types.ts'
import { type ClaspClient, connect } from '../../runtime/client/index.ts'
import { listenTcp } from '../../runtime/transports/tcp.ts'
import { type SimDevice, buildSketch, startDevice } from '../../firmware-sim/harness.ts'
import { sleep, waitFor } from '../support/wait.ts'
import { Cleanup, type Rig, sessionsNamed, startRig, unavailable } from './support.ts'

const skip = unavailable('TCP firmware tests', ['host'])
const SENSOR = '/sensors/esp32-1'

describe.skipIf(skip)('TCP sketches against the router TCP listener [embedded §2, §5.1]', () => {
  const suite = new Cleanup()
  const each = new Cleanup()
  let rig: Rig
  let client: ClaspClient
  const readings: Array<{ address: string; value: number; signal: string; at: number }> = []

  beforeAll(async () => {
    buildSketch('TcpSensor')
    buildSketch('EthernetSubscriber')
    rig = await startRig(suite)
    client = await connect(rig.url, { name: 'firmware-test' })
    suite.add(() => client.close())
    client.on(`${SENSOR}/**`, (v: ClaspValue, address, meta) => {
      if (typeof v === 'number') readings.push({ address, value: v, signal: meta.signal ?? '', at: Date.now() })
    })
  }, 120_000)
  afterEach(() => each.run())
  afterAll(() => suite.run())

  async function device(sketch: 'TcpSensor' | 'EthernetSubscriber', port = rig.tcp.port): Promise<SimDevice> {
    const dev = await startDevice(buildSketch(sketch).path, { tcp: `127.0.0.1:${port}` }, sketch)
    each.add(() => dev.kill())
    return dev
  }

  const streamCount = (sinceMs: number) => readings.filter((r) => r.signal === 'stream' && r.at >= sinceMs).length

  test('TcpSensor readings reach a WebSocket subscriber as a stream and a param; it follows its interval param', async () => {
    const from = readings.length
    await device('TcpSensor')
    await waitFor(() => readings.slice(from).filter((r) => r.signal === 'stream').length >= 5, 5000, 'five stream readings')
    await waitFor(() => readings.slice(from).some((r) => r.signal === 'param' && r.address === `${SENSOR}/temperature`), 5000, 'the param')
    for (const r of readings.slice(from)) {
      expect(r.value, r.address).toBeGreaterThan(19.5) // the simulated TMP36 reads 22 +/- 2 deg C
      expect(r.value, r.address).toBeLessThan(24.5)
    }
    expect(rig.router.params.get(`${SENSOR}/temperature`)).toBeDefined()

    // Default 100 ms between readings; ask for 20 ms and count again over the same window.
    let t = Date.now()
    await sleep(1000)
    const slow = streamCount(t)
    await client.set(`${SENSOR}/interval`, 20)
    await sleep(200)
    t = Date.now()
    await sleep(1000)
    const fast = streamCount(t)
    console.info(`[firmware] TcpSensor stream readings per second: ${slow} at 100 ms, ${fast} at 20 ms`)
    expect(fast).toBeGreaterThanOrEqual(2 * slow)
  })

  test('TcpSensor killed: the router ends its session; restarted, it applies the interval from its snapshot', async () => {
    await client.set(`${SENSOR}/interval`, 25)
    let dev = await device('TcpSensor')
    const first = await waitFor(() => sessionsNamed(rig.router, 'esp32-sensor')[0], 5000, 'the sensor session')
    await dev.kill('SIGKILL')
    await waitFor(() => sessionsNamed(rig.router, 'esp32-sensor').length === 0, 5000, 'the router to end the session')
    dev = await device('TcpSensor')
    const second = await waitFor(() => sessionsNamed(rig.router, 'esp32-sensor')[0], 5000, 'a new sensor session')
    expect(second.id).not.toBe(first.id)
    await sleep(300)
    const t = Date.now()
    await sleep(1000)
    expect(streamCount(t)).toBeGreaterThan(20) // 25 ms from the snapshot, not the 100 ms default
  })

  test('the router going away and coming back: the sensor reconnects and resubscribes by itself', async () => {
    const port = rig.tcp.port
    const dev = await device('TcpSensor')
    await waitFor(() => sessionsNamed(rig.router, 'esp32-sensor').length === 1, 5000, 'the sensor session')
    await rig.tcp.close()
    await waitFor(() => dev.events.some((e) => e.kind === 'tcp' && e.text === 'closed'), 5000, 'the device to notice')
    const listener = await listenTcp(rig.router, { port, host: '127.0.0.1' })
    rig.tcp = listener
    suite.add(() => listener.close())
    await waitFor(() => sessionsNamed(rig.router, 'esp32-sensor').some((s) => s.subscriptions.size === 1), 10_000, 'the sensor back and subscribed')
    const from = readings.length
    await waitFor(() => readings.slice(from).some((r) => r.signal === 'stream'), 5000, 'readings again')
  })

  test('EthernetSubscriber prints /control/** updates and drives its LED pin from /control/led', async () => {
    const dev = await device('EthernetSubscriber')
    await waitFor(() => sessionsNamed(rig.router, 'ethernet-subscriber').some((s) => s.subscriptions.size === 1), 5000, 'the subscriber')
    await client.set('/control/led', true)
    await dev.until(() => dev.pin(7) === 1, 5000, 'pin 7 high')
    await client.set('/control/speed', 0.75)
    await client.set('/control/led', 'off')
    await dev.until(() => dev.pin(7) === 0, 5000, 'pin 7 low')
    await dev.until(() => dev.console.includes('/control/speed = 0.750'), 5000, 'the printed update')
    expect(dev.console).toContain('/control/led = true')
  })
})
