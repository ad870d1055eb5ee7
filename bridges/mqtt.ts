/**
 * MQTT client bridge to an external broker (bridges.md §3, deliberate differences 2, 3, 14),
 * with MQTT.js.
 *
 * In:  topic `sensors/temp` → `{ns}/sensors/temp`. A retained message becomes a SET (state), a
 *      non-retained one a PUBLISH event (`inbound: 'param' | 'event'` forces one kind). Payloads
 *      are read with `payloadToValue` (lossless JSON, else number words, else String, non-UTF-8
 *      Bytes). Topics with empty levels (`/a`, `a//b`) and oversized payloads are malformed.
 * Out: SETs under the namespace are published retained (late subscribers get the state), events
 *      and stream samples not retained, all with the configured QoS; the payload is lossless
 *      JSON (`format: 'raw'` sends Strings and Bytes bare).
 * Loops: MQTT 5 subscriptions use No Local, so the broker does not return our own publishes; on
 *      MQTT 3.1.1 the payloads sent per topic are remembered until they return, and dropped. CLASP
 *      echoes of what came from MQTT are suppressed with OwnWrites.
 * CLASP patterns ↔ MQTT filters: `*` ↔ `+`, `**` ↔ `#` (`patternToFilter`, `filterToPattern`).
 */
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt'
import type { ClaspValue } from '../generated/types.ts'
import type { UpdateMeta } from '../runtime/client/index.ts'
import { valueEquals } from '../runtime/client/values.ts'
import { parseAddress } from '../runtime/address/index.ts'
import { type Bridge, type BridgeContext, type BridgeOptions, type BridgeStats, countError, countMalformed, emitExternal, emptyStats, forwardable, guarded, OwnWrites, relativeToNamespace, subscribeOutbound } from './bridge.ts'
import { type PayloadFormat, payloadToValue, valueToPayload } from './json-value.ts'
import { Transforms } from './transform.ts'

/** Options of the MQTT client bridge (registry kind `mqtt`). */
export interface MqttBridgeOptions extends BridgeOptions {
  /** Broker URL: mqtt://, mqtts:// (TLS), ws://, wss:// (default mqtt://127.0.0.1:1883). */
  broker?: string
  /** Default `clasp-` + 8 hex digits. */
  clientId?: string
  username?: string
  password?: string
  /** TLS files (PEM paths) for mqtts:// and wss://. */
  tls?: { ca?: string; cert?: string; key?: string; rejectUnauthorized?: boolean }
  /** QoS for subscriptions and publishes (default 0). */
  qos?: 0 | 1 | 2
  /** Topic filters to subscribe to (default ['#']); a CLASP pattern (`/mqtt/sensors/**`) is translated. */
  subscribe?: string[]
  /** 5 (default; enables No Local) or 4 (MQTT 3.1.1). */
  protocolVersion?: 4 | 5
  /** What incoming messages become: `auto` (retained → SET, else event; default), `param` or `event`. */
  inbound?: 'auto' | 'param' | 'event'
  /** Publish SETs retained (default true). */
  retain?: boolean
  /** Payload format for output (default `json`, lossless). */
  format?: PayloadFormat
  /** Larger payloads are dropped as malformed (default 65536). */
  maxPayloadBytes?: number
  /** Keep-alive in seconds (default 60). */
  keepalive?: number
  /** How long `start` waits for the first CONNACK before going on retrying in the background, ms (default 5000). */
  connectTimeoutMs?: number
  /** Also publish the current values under the namespace when the bridge (re)connects (default false). */
  syncOnStart?: boolean
}

/** CLASP pattern → MQTT topic filter under a namespace: `/mqtt/sensors/**` → `sensors/#`. */
export function patternToFilter(namespace: string, pattern: string): string | undefined {
  const rel = relativeToNamespace(namespace, pattern)
  if (rel === undefined) return undefined
  return rel.slice(1).split('/').map((s) => (s === '**' ? '#' : s === '*' ? '+' : s)).join('/')
}

/** MQTT topic filter → CLASP pattern: `sensors/+/temp` → `{ns}/sensors/*\/temp`, `#` → `**`. */
export function filterToPattern(namespace: string, filter: string): string {
  const ns = namespace.endsWith('/') ? namespace.slice(0, -1) : namespace
  return `${ns}/${filter.split('/').map((s) => (s === '#' ? '**' : s === '+' ? '*' : s)).join('/')}`
}

/** Topic → CLASP address, or undefined for a topic with empty levels (`/a`, `a//b`). */
export function topicToAddress(namespace: string, topic: string): string | undefined {
  const ns = namespace.endsWith('/') ? namespace.slice(0, -1) : namespace
  const address = `${ns}/${topic}`
  return topic !== '' && parseAddress(address).ok ? address : undefined
}

/** CLASP address → topic, or undefined outside the namespace (or for the namespace itself). */
export function addressToTopic(namespace: string, address: string): string | undefined {
  const rel = relativeToNamespace(namespace, address)
  if (rel === undefined || rel === '/') return undefined
  const topic = rel.slice(1)
  return /[+#]/.test(topic) ? undefined : topic
}

const SENT_MEMORY = 10_000

const isShared = (filter: string) => filter.startsWith('$share/')
/** How long `stop` lets QoS 1/2 publishes in flight be acknowledged before closing anyway, ms. */
const STOP_GRACE_MS = 1000

/** An MQTT.js client of an external broker, both directions; see the file comment. */
export class MqttBridge implements Bridge {
  readonly kind = 'mqtt'
  readonly namespace: string
  private readonly transforms: Transforms
  private readonly own = new OwnWrites()
  private readonly counters = emptyStats()
  /**
   * MQTT 3.1.1 has no No Local: the payloads we published per topic, oldest first, to drop their
   * returns (which come in the order sent, possibly after newer publishes went out).
   */
  private readonly sent = new Map<string, Buffer[]>()
  private sentCount = 0
  /** Without No Local on every subscription (MQTT 3.1.1, or shared subscriptions) our publishes can come back. */
  private rememberSent = false
  private client: MqttClient | undefined
  private ctx: BridgeContext | undefined
  private unsubscribe: (() => void) | undefined

  constructor(readonly options: MqttBridgeOptions) {
    this.namespace = options.namespace
    this.transforms = new Transforms(options.transforms)
  }

  /** Connected to the broker right now. */
  get connected(): boolean {
    return this.client?.connected ?? false
  }

  async start(ctx: BridgeContext): Promise<void> {
    this.ctx = ctx
    const o = this.options
    const url = o.broker ?? 'mqtt://127.0.0.1:1883'
    const tls = o.tls ?? {}
    const opts: IClientOptions = {
      clientId: o.clientId ?? `clasp-${randomBytes(4).toString('hex')}`,
      protocolVersion: o.protocolVersion ?? 5,
      keepalive: o.keepalive ?? 60,
      reconnectPeriod: 2000,
      connectTimeout: 10_000,
      // QoS 0 messages published while offline are dropped instead of piling up without bound.
      queueQoSZero: false,
      ...(o.username !== undefined ? { username: o.username, password: o.password } : {}),
      ...(tls.ca ? { ca: readFileSync(tls.ca) } : {}),
      ...(tls.cert ? { cert: readFileSync(tls.cert) } : {}),
      ...(tls.key ? { key: readFileSync(tls.key) } : {}),
      ...(tls.rejectUnauthorized !== undefined ? { rejectUnauthorized: tls.rejectUnauthorized } : {}),
    }
    const filters = (o.subscribe ?? ['#']).map((f) => {
      if (!f.startsWith('/')) return f
      const filter = patternToFilter(this.namespace, f)
      if (filter === undefined) throw new Error(`MQTT subscribe pattern ${f} is outside the namespace ${this.namespace}`)
      return filter
    })
    this.rememberSent = (o.protocolVersion ?? 5) === 4 || filters.some(isShared)
    const client = mqtt.connect(url, opts)
    this.client = client
    client.on('message', guarded(this.counters, ctx.log, 'MQTT input', (topic: string, payload: Buffer, packet: { retain: boolean }) => this.onMessage(topic, payload, packet.retain)))
    client.on('offline', () => ctx.log.info('MQTT broker offline; reconnecting', { broker: url }))
    let subscribed = false
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        ctx.log.warn('MQTT broker not reachable yet; retrying in the background', { broker: url })
        resolve()
      }, o.connectTimeoutMs ?? 5000)
      client.on('connect', () => {
        ctx.log.info('MQTT bridge connected', { broker: url, namespace: this.namespace })
        if (subscribed) return // MQTT.js re-subscribes by itself after a reconnect
        subscribed = true
        // MQTT 5: No Local (our publishes do not come back) and Retain As Published (a live
        // retained message keeps its flag, so it still counts as state). No Local on a shared
        // subscription ($share/...) is a protocol error (MQTT 5 3.8.3.1): those go without it,
        // and their returns are recognised the 3.1.1 way (rememberSent).
        const v5 = (o.protocolVersion ?? 5) === 5
        const subs = Object.fromEntries(filters.map((f) => [f, { qos: o.qos ?? 0, ...(v5 ? { nl: !isShared(f), rap: true } : {}) }]))
        client.subscribe(subs, (e) => {
          clearTimeout(timer)
          if (e) {
            this.counters.errors++
            ctx.log.error('MQTT subscribe failed', { filters, error: e.message })
          }
          resolve()
        })
      })
      client.on('error', (e) => {
        countError(this.counters, ctx.log, 'MQTT error', { broker: url, error: e.message })
        // Refused credentials, or a protocol version the broker does not speak, will not get
        // better by retrying.
        const code = (e as { code?: number }).code
        const badVersion = code === 1 || code === 132
        if (!subscribed && (badVersion || code === 4 || code === 5 || code === 134 || code === 135)) {
          clearTimeout(timer)
          client.end(true)
          const hint = badVersion && (o.protocolVersion ?? 5) === 5 ? ' (an MQTT 3.1.1 broker: set protocolVersion 4)' : ''
          reject(new Error(`MQTT broker ${url} refused the connection: ${e.message}${hint}`))
        }
      })
    })
    await ready
    this.unsubscribe = subscribeOutbound(ctx.clasp, this.namespace, o.transforms, (v, a, m) => this.onClasp(v, a, m))
  }

  async stop(): Promise<void> {
    this.own.clear()
    this.unsubscribe?.()
    this.unsubscribe = undefined
    const c = this.client
    this.client = undefined
    if (!c) return
    // A graceful end waits until every QoS 1/2 publish in flight is acknowledged: never, with
    // the broker gone or no longer answering. Offline there is nothing to wait for; connected,
    // the wait is bounded, and then the socket is closed anyway.
    let timer: ReturnType<typeof setTimeout> | undefined
    const graceful = c.endAsync(!c.connected).then(() => true, () => true)
    const late = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), STOP_GRACE_MS) })
    if (!(await Promise.race([graceful, late]))) c.stream?.destroy()
    clearTimeout(timer)
  }

  stats(): BridgeStats {
    return { ...this.counters }
  }

  // ---- MQTT → CLASP ----------------------------------------------------------------------

  private onMessage(topic: string, payload: Buffer, retained: boolean): void {
    const { clasp, log } = this.ctx!
    const mine = this.sent.get(topic)
    const i = mine ? mine.findIndex((p) => p.equals(payload)) : -1
    if (i >= 0) {
      // Ours; older ones still listed were lost on the way (the broker keeps the order).
      mine!.splice(0, i + 1)
      this.sentCount -= i + 1
      if (mine!.length === 0) this.sent.delete(topic)
      this.counters.suppressed++
      return
    }
    const max = this.options.maxPayloadBytes ?? 65536
    if (payload.length > max) {
      countMalformed(this.counters, log, 'MQTT payload too large, dropped', { topic, bytes: payload.length, max })
      return
    }
    const external = topicToAddress(this.namespace, topic)
    if (external === undefined) {
      countMalformed(this.counters, log, 'MQTT topic has empty levels, dropped', { topic })
      return
    }
    const { address, value } = this.transforms.inbound(external, payloadToValue(payload))
    const mode = this.options.inbound ?? 'auto'
    const asParam = mode === 'param' || (mode === 'auto' && retained)
    const fail = (e: unknown) => {
      countError(this.counters, log, 'router refused MQTT input', { topic, address, error: (e as Error).message })
    }
    if (asParam && retained && valueEquals(clasp.cached(address), value)) {
      // A retained message replayed on (re)subscribe that the router already holds: no news.
      this.counters.suppressed++
      return
    }
    this.counters.inbound++
    if (asParam) this.own.set(clasp, address, value).catch(fail)
    else {
      const error = emitExternal(clasp, address, value)
      if (error) fail(new Error(error))
    }
  }

  // ---- CLASP → MQTT ----------------------------------------------------------------------

  private onClasp(value: ClaspValue, address: string, meta: UpdateMeta): void {
    if (!forwardable(this.own, this.ctx!.clasp, this.counters, { value, address, meta }, !!this.options.syncOnStart)) return
    const client = this.client
    if (!client) return
    const out = this.transforms.outbound(address, value)
    const topic = addressToTopic(this.namespace, out.address)
    if (topic === undefined) return
    const payload = valueToPayload(out.value, this.options.format ?? 'json')
    const retain = meta.signal === 'param' && (this.options.retain ?? true)
    if (this.rememberSent) {
      if (this.sentCount >= SENT_MEMORY) {
        this.sent.clear()
        this.sentCount = 0
      }
      const list = this.sent.get(topic)
      if (list) list.push(payload)
      else this.sent.set(topic, [payload])
      this.sentCount++
    }
    this.counters.outbound++
    client.publish(topic, payload, { qos: this.options.qos ?? 0, retain }, (e) => {
      if (!e) return
      countError(this.counters, this.ctx!.log, 'MQTT publish failed', { topic, error: e.message })
    })
  }
}
