/**
 * An embedded MQTT broker (aedes) so MQTT devices connect straight to the router (bridges.md §3
 * "router adapter", deliberate difference 13: QoS 2, retained messages, wills, real UNSUBSCRIBE).
 *
 * In:  a device's PUBLISH on `sensors/temp` becomes a CLASP write at `{ns}/sensors/temp`
 *      (`inbound: 'param'`, the default; `event` or `auto` = retained → SET, else event).
 *      Payloads as in the MQTT bridge (`payloadToValue`).
 * Out: CLASP SETs under the namespace are published into the broker retained (so a device that
 *      subscribes later gets the current state from aedes), events not retained; both at QoS 1,
 *      so devices that subscribed with QoS 1 or 2 get them at least once (not QoS 2: aedes does
 *      not downgrade it for wildcard subscriptions granted QoS 1); streams at QoS 0, as CLASP
 *      sends them. Devices' subscriptions are aedes' own, with real wildcards, QoS and UNSUBSCRIBE.
 * MQTT-to-MQTT delivery is aedes' job; the CLASP echo of a device's publish is suppressed.
 */
import { type Server, createServer } from 'node:net'
import { Aedes, type AedesPublishPacket, type Client } from 'aedes'
import type { ClaspValue } from '../generated/types.ts'
import type { UpdateMeta } from '../runtime/client/index.ts'
import { boundPort, type Bridge, type BridgeContext, type BridgeOptions, type BridgeStats, countError, countMalformed, emitExternal, emptyStats, forwardable, guarded, listenOn, OwnWrites, subscribeOutbound } from './bridge.ts'
import { type PayloadFormat, payloadToValue, valueToPayload } from './json-value.ts'
import { addressToTopic, filterToPattern, topicToAddress } from './mqtt.ts'
import { Transforms } from './transform.ts'

/** Options of the embedded broker (registry kind `mqtt-broker`). */
export interface MqttBrokerOptions extends BridgeOptions {
  /** Address to listen on (default 0.0.0.0). */
  host?: string
  /** TCP port (default 1883; 0 = any free port). */
  port?: number
  /** What device publishes become: `param` (SET, default), `event`, or `auto` (retained → SET). */
  inbound?: 'auto' | 'param' | 'event'
  /** Payload format for output (default `json`, lossless). */
  format?: PayloadFormat
  /** Larger payloads are dropped as malformed (default 65536). */
  maxPayloadBytes?: number
  /** When both are set, devices must CONNECT with these credentials. */
  username?: string
  password?: string
  /** Publish the current values under the namespace into the broker at start (default true). */
  syncOnStart?: boolean
}

/** An aedes broker on a TCP port whose traffic under the namespace is CLASP state and events. */
export class MqttBrokerBridge implements Bridge {
  readonly kind = 'mqtt-broker'
  readonly namespace: string
  private readonly transforms: Transforms
  private readonly own = new OwnWrites()
  private readonly counters = emptyStats()
  private broker: Aedes | undefined
  private server: Server | undefined
  private ctx: BridgeContext | undefined
  private unsubscribe: (() => void) | undefined

  constructor(readonly options: MqttBrokerOptions) {
    this.namespace = options.namespace
    this.transforms = new Transforms(options.transforms)
  }

  /** The bound TCP port (useful when 0 was asked for). */
  get port(): number {
    return boundPort(this.server)
  }

  /** Connected MQTT clients. */
  get clients(): number {
    return this.broker?.connectedClients ?? 0
  }

  async start(ctx: BridgeContext): Promise<void> {
    this.ctx = ctx
    const o = this.options
    const broker = await Aedes.createBroker()
    this.broker = broker
    if (o.username !== undefined && o.password !== undefined) {
      broker.authenticate = (_client, username, password, done) => {
        const ok = username === o.username && password?.toString('utf8') === o.password
        if (ok) return done(null, true)
        const e = Object.assign(new Error('bad username or password'), { returnCode: 4 })
        done(e as Parameters<typeof done>[0], false)
      }
    }
    broker.on('publish', guarded(this.counters, ctx.log, 'MQTT device input', (packet: AedesPublishPacket, client: Client | null) => {
      if (client) this.onPublish(packet, client)
    }))
    broker.on('subscribe', (subs, client) => {
      ctx.log.debug('MQTT device subscribed', { client: client?.id, patterns: subs.map((s) => filterToPattern(this.namespace, s.topic)) })
    })
    broker.on('clientError', (client, e) => {
      countError(this.counters, ctx.log, 'MQTT client error', { client: client?.id, error: e.message })
    })
    broker.on('connectionError', (_client, e) => {
      countMalformed(this.counters, ctx.log, 'MQTT connection error (bad packet?)', { error: e.message })
    })
    const server = createServer(broker.handle)
    const host = o.host ?? '0.0.0.0'
    await listenOn(server, o.port ?? 1883, host).catch((e) => {
      broker.close()
      throw e
    })
    server.on('error', (e) => {
      this.counters.errors++
      ctx.log.error('MQTT broker socket error', { error: e.message })
    })
    this.server = server
    this.unsubscribe = subscribeOutbound(ctx.clasp, this.namespace, o.transforms, (v, a, m) => this.onClasp(v, a, m))
    ctx.log.info(`MQTT broker listening on tcp ${host}:${this.port}`, { namespace: this.namespace })
  }

  async stop(): Promise<void> {
    this.own.clear()
    this.unsubscribe?.()
    this.unsubscribe = undefined
    const server = this.server
    const broker = this.broker
    this.server = undefined
    this.broker = undefined
    if (broker) await new Promise<void>((resolve) => broker.close(() => resolve()))
    if (server) {
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }

  stats(): BridgeStats {
    return { ...this.counters }
  }

  // ---- devices → CLASP -------------------------------------------------------------------

  private onPublish(packet: AedesPublishPacket, client: Client): void {
    const { clasp, log } = this.ctx!
    const topic = packet.topic
    if (topic.startsWith('$')) return // $SYS and friends are the broker's, not state
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload
    const max = this.options.maxPayloadBytes ?? 65536
    if (payload.length > max) {
      countMalformed(this.counters, log, 'MQTT payload too large, not written to CLASP', { client: client.id, topic, bytes: payload.length, max })
      return
    }
    const external = topicToAddress(this.namespace, topic)
    if (external === undefined) {
      countMalformed(this.counters, log, 'MQTT topic has empty levels, not written to CLASP', { client: client.id, topic })
      return
    }
    const { address, value } = this.transforms.inbound(external, payloadToValue(payload))
    const mode = this.options.inbound ?? 'param'
    const fail = (e: unknown) => {
      countError(this.counters, log, 'router refused MQTT input', { client: client.id, topic, error: (e as Error).message })
    }
    this.counters.inbound++
    if (mode === 'param' || (mode === 'auto' && packet.retain)) {
      this.own.set(clasp, address, value).catch(fail)
      // It is state now: serve it to devices that subscribe later, as the router would, without
      // delivering it a second time (its echo is suppressed, so we never publish it ourselves).
      // An empty payload (Null) clears the retained value, as a retained empty publish would.
      if (!packet.retain) this.retainQuietly({ ...packet, retain: true })
    } else {
      const error = emitExternal(clasp, address, value)
      if (error) fail(new Error(error))
    }
  }

  private retainQuietly(packet: AedesPublishPacket): void {
    const persistence = (this.broker as unknown as { persistence?: { storeRetained(p: AedesPublishPacket): Promise<void> } } | undefined)?.persistence
    persistence?.storeRetained(packet).catch((e: Error) => {
      countError(this.counters, this.ctx!.log, 'MQTT broker could not retain a value', { topic: packet.topic, error: e.message })
    })
  }

  // ---- CLASP → devices -------------------------------------------------------------------

  private onClasp(value: ClaspValue, address: string, meta: UpdateMeta): void {
    if (!forwardable(this.own, this.ctx!.clasp, this.counters, { value, address, meta }, this.options.syncOnStart !== false)) return
    const broker = this.broker
    if (!broker) return
    const out = this.transforms.outbound(address, value)
    const topic = addressToTopic(this.namespace, out.address)
    // `$` topics ($SYS) are the broker's, both ways (MQTT 4.7.2).
    if (topic === undefined || topic.startsWith('$')) return
    this.counters.outbound++
    const packet = {
      cmd: 'publish' as const, topic, qos: (meta.signal === 'stream' ? 0 : 1) as 0 | 1, dup: false,
      retain: meta.signal === 'param',
      payload: valueToPayload(out.value, this.options.format ?? 'json'),
    }
    broker.publish(packet, (e) => {
      if (!e) return
      countError(this.counters, this.ctx!.log, 'MQTT broker publish failed', { topic, error: e.message })
    })
  }
}
