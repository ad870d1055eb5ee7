/**
 * Every bridge kind by name: its options schema (TypeBox, so config files are validated with
 * exact paths and the CLI derives its `--flags` from it) and a factory that loads the bridge
 * module on first use (the CLI starts without loading mqtt, aedes or socket.io).
 *
 * Adding a kind = adding one entry to `bridgeKinds`: `clasp <kind>` and `bridges: [{kind, ...}]`
 * in the server config pick it up. Option names become flags in kebab-case (`remotePort` →
 * `--remote-port`); the `description` is the help text; do not use the names the bridge command
 * reserves for itself (`url`, `routerToken`, `name`, `config`, `logLevel`, `logFormat`, `help`).
 */
import { type TObject, type TProperties, Type } from 'typebox'
import { Value } from 'typebox/value'
import type { Bridge } from './bridge.ts'
import type { HttpBridgeOptions } from './http.ts'
import type { MqttBrokerOptions } from './mqtt-broker.ts'
import type { MqttBridgeOptions } from './mqtt.ts'
import type { OscBridgeOptions } from './osc.ts'
import type { SocketIoBridgeOptions } from './socketio.ts'
import type { WsJsonBridgeOptions } from './wsjson.ts'
import type { ArtNetOptions } from './artnet.ts'
import type { DmxOptions } from './dmx.ts'
import type { MidiOptions } from './midi/bridge.ts'
import type { SacnOptions } from './sacn.ts'

/** Loaded on the first bridge start only (see implementations.ts). */
const implementations = () => import('./implementations.ts')

/** One entry of `bridgeKinds`. */
export interface BridgeKind {
  /** One line for `clasp --help`. */
  summary: string
  /** Namespace used when the options give none. */
  defaultNamespace: string
  /** Options without `kind`; `namespace` and `transforms` are added by `kindOptions`. */
  options: TObject
  /** Build the bridge (options already validated, namespace filled in). */
  create(options: Record<string, unknown>): Promise<Bridge>
}

// ---- schema pieces shared by the kinds ----------------------------------------------------------

const Port = (what: string, def: number) => Type.Optional(Type.Integer({ minimum: 0, maximum: 65535, default: def, description: `${what} (default ${def}; 0 = any free port)` }))
const Host = Type.Optional(Type.String({ minLength: 1, description: 'address to listen on (default 0.0.0.0)' }))
const Range = Type.Tuple([Type.Number(), Type.Number()])

/** One rule of the shared transform layer (bridges/transform.ts). */
export const TransformRuleSchema = Type.Object({
  match: Type.String({ minLength: 1 }),
  to: Type.Optional(Type.String({ minLength: 1 })),
  scale: Type.Optional(Type.Object({ from: Range, to: Range }, { additionalProperties: false })),
  clamp: Type.Optional(Range),
  invert: Type.Optional(Type.Boolean()),
  integerOut: Type.Optional(Type.Boolean()),
  direction: Type.Optional(Type.Union([Type.Literal('in'), Type.Literal('out'), Type.Literal('both')])),
}, { additionalProperties: false })

const literals = <T extends string | number>(values: T[], description: string) =>
  Type.Optional(Type.Union(values.map((v) => Type.Literal(v)), { description }))

/** The options schema of a kind with the common `namespace` and `transforms` added. */
export function kindOptions(kind: BridgeKind): TObject {
  return Type.Object({
    namespace: Type.Optional(Type.String({ pattern: '^/', description: `CLASP address prefix owned by the bridge (default ${kind.defaultNamespace})` })),
    transforms: Type.Optional(Type.Array(TransformRuleSchema, { description: 'address/value rewrite rules (see docs/bridges.md)' })),
    ...(kind.options.properties as TProperties),
  }, { additionalProperties: false })
}

/** Options shared by artnet, sacn (and dmx's `normalize`): see bridges/dmx/mapping.ts. */
const universeOptions = {
  mode: literals(['channel', 'universe'], 'inbound: SET per changed channel (default) or the whole frame as a stream'),
  normalize: Type.Optional(Type.Boolean({ description: 'slots as 0..1 floats instead of 0..255 ints (default false)' })),
  universes: Type.Optional(Type.Array(Type.Integer({ minimum: 0, maximum: 32767 }), { description: 'universes to receive and send (repeatable; default all)' })),
  maxRateHz: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1000, description: 'frames per second per universe, at most (default 44)' })),
  refreshMs: Type.Optional(Type.Integer({ minimum: 0, description: 'keep-alive: re-send an unchanged universe after this long (default 1000; 0 = never)' })),
}

const entry = (summary: string, defaultNamespace: string, properties: TProperties, create: BridgeKind['create']): BridgeKind => ({
  summary, defaultNamespace, options: Type.Object(properties, { additionalProperties: false }), create,
})

// Options arrive validated against the schema beside them, hence the casts to each bridge's type.
/** Every bridge kind by name: `clasp <name>` and `bridges: [{kind: name}]` come from here. */
export const bridgeKinds: Record<string, BridgeKind> = {
  osc: entry('OSC over UDP ↔ CLASP (listen 8000)', '/osc', {
    host: Host,
    port: Port('UDP port to listen on', 8000),
    remoteHost: Type.Optional(Type.String({ minLength: 1, description: 'where outbound OSC goes (default 127.0.0.1)' })),
    remotePort: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, description: 'UDP port outbound OSC goes to (default: no output)' })),
    bits: literals([32, 64], 'numeric width: 32 = i/f (default), 64 = h/d'),
    signal: literals(['param', 'event'], 'incoming messages become param SETs (default) or events'),
    nestedArrays: Type.Optional(Type.Boolean({ description: 'send nested arrays as OSC [..] (default: flatten)' })),
    recvBufferBytes: Type.Optional(Type.Integer({ minimum: 1024, description: 'UDP receive buffer size in bytes' })),
    syncOnStart: Type.Optional(Type.Boolean({ description: 'send current values out when connecting' })),
  }, async (o) => new (await implementations()).OscBridge(o as unknown as OscBridgeOptions)),

  mqtt: entry('MQTT client bridge to an external broker', '/mqtt', {
    broker: Type.Optional(Type.String({ pattern: '^(mqtts?|wss?)://', description: 'broker URL (default mqtt://127.0.0.1:1883)' })),
    clientId: Type.Optional(Type.String({ minLength: 1, description: 'MQTT client id (default clasp-<random>)' })),
    username: Type.Optional(Type.String({ description: 'broker user name' })),
    password: Type.Optional(Type.String({ description: 'broker password' })),
    tls: Type.Optional(Type.Object({
      ca: Type.Optional(Type.String()), cert: Type.Optional(Type.String()), key: Type.Optional(Type.String()), rejectUnauthorized: Type.Optional(Type.Boolean()),
    }, { additionalProperties: false, description: 'TLS PEM file paths, JSON: {"ca":"…","cert":"…","key":"…"}' })),
    qos: literals([0, 1, 2], 'QoS for subscribe and publish (default 0)'),
    subscribe: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: "topic filters (repeatable; default '#'); CLASP patterns are translated" })),
    protocolVersion: literals([4, 5], 'MQTT 5 (default) or 4 (3.1.1)'),
    inbound: literals(['auto', 'param', 'event'], 'auto (default): retained → param, other → event'),
    retain: Type.Optional(Type.Boolean({ default: true, description: 'publish params retained (default true)' })),
    format: literals(['json', 'raw'], 'payloads: lossless json (default) or raw strings/bytes'),
    maxPayloadBytes: Type.Optional(Type.Integer({ minimum: 1, description: 'larger payloads are dropped (default 65536)' })),
    keepalive: Type.Optional(Type.Integer({ minimum: 0, description: 'keep-alive seconds (default 60)' })),
    connectTimeoutMs: Type.Optional(Type.Integer({ minimum: 0, description: 'wait this long for the broker at start (default 5000)' })),
    syncOnStart: Type.Optional(Type.Boolean({ description: 'publish current values when connecting' })),
  }, async (o) => new (await implementations()).MqttBridge(o as unknown as MqttBridgeOptions)),

  'mqtt-broker': entry('embedded MQTT broker (aedes): devices connect straight to CLASP', '/mqtt', {
    host: Host,
    port: Port('MQTT TCP port', 1883),
    inbound: literals(['auto', 'param', 'event'], 'device publishes become params (default), events, or auto (retained → param)'),
    format: literals(['json', 'raw'], 'payloads: lossless json (default) or raw strings/bytes'),
    maxPayloadBytes: Type.Optional(Type.Integer({ minimum: 1, description: 'larger payloads are not written (default 65536)' })),
    username: Type.Optional(Type.String({ description: 'required CONNECT user name (with password)' })),
    password: Type.Optional(Type.String({ description: 'required CONNECT password (with username)' })),
    syncOnStart: Type.Optional(Type.Boolean({ default: true, description: 'retain current values in the broker at start (default true)' })),
  }, async (o) => new (await implementations()).MqttBrokerBridge(o as unknown as MqttBrokerOptions)),

  http: entry('HTTP REST /v1 API with SSE (port 8080)', '/', {
    host: Host,
    port: Port('HTTP port', 8080),
    token: Type.Optional(Type.String({ minLength: 1, description: 'require Authorization: Bearer <token>' })),
    cors: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: "allowed CORS origins (repeatable; '*' = any)" })),
    maxBodyBytes: Type.Optional(Type.Integer({ minimum: 1, description: 'larger bodies get 413 (default 65536)' })),
    keepAliveMs: Type.Optional(Type.Integer({ minimum: 100, description: 'SSE keep-alive interval (default 15000)' })),
    maxBufferedBytes: Type.Optional(Type.Integer({ minimum: 1024, description: 'close SSE streams with more queued (default 4 MiB)' })),
  }, async (o) => new (await implementations()).HttpBridge(o as unknown as HttpBridgeOptions)),

  wsjson: entry('WebSocket JSON, typed protocol: a server (port 9000), or a client of one with --server-url', '/', {
    host: Host,
    port: Port('WebSocket port', 9000),
    token: Type.Optional(Type.String({ minLength: 1, description: 'require ?token=<token> on the URL' })),
    maxPayloadBytes: Type.Optional(Type.Integer({ minimum: 64, description: 'larger frames close the connection (default 65536)' })),
    maxBufferedBytes: Type.Optional(Type.Integer({ minimum: 1024, description: 'disconnect clients with more queued (default 4 MiB)' })),
    pingIntervalMs: Type.Optional(Type.Integer({ minimum: 0, description: 'ping every connection this often; drop one that missed a pong (default 30000; 0 = off)' })),
    serverUrl: Type.Optional(Type.String({ pattern: '^wss?://', description: 'client mode: connect to this WebSocket server instead of listening' })),
    connectTimeoutMs: Type.Optional(Type.Integer({ minimum: 0, description: 'client mode: wait this long for the server at start (default 5000)' })),
  }, async (o) => new (await implementations()).WsJsonBridge(o as unknown as WsJsonBridgeOptions)),

  socketio: entry('Socket.IO server (port 3000), or a client of one with --server-url: {ns}/{event} ↔ event', '/socketio', {
    host: Host,
    port: Port('Socket.IO port', 3000),
    events: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'only these event names (repeatable; default all)' })),
    signal: literals(['param', 'event'], 'incoming events become param SETs (default) or events'),
    numbers: literals(['auto', 'float'], 'auto (default): integral numbers are ints; float: all floats'),
    cors: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: "allowed CORS origins (repeatable; '*' = any)" })),
    maxPayloadBytes: Type.Optional(Type.Integer({ minimum: 64, description: 'larger messages close the connection (default 65536)' })),
    serverUrl: Type.Optional(Type.String({ pattern: '^(https?|wss?)://', description: 'client mode: connect to this Socket.IO server instead of listening' })),
    sioNamespace: Type.Optional(Type.String({ pattern: '^/', description: "client mode: Socket.IO namespace on that server (default '/')" })),
    auth: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'client mode: handshake auth payload, JSON: {"token":"…"}' })),
    reconnect: Type.Optional(Type.Boolean({ default: true, description: 'client mode: reconnect when the link drops (default true)' })),
    connectTimeoutMs: Type.Optional(Type.Integer({ minimum: 0, description: 'client mode: wait this long for the server at start (default 5000)' })),
  }, async (o) => new (await implementations()).SocketIoBridge(o as unknown as SocketIoBridgeOptions)),

  // ---- DMX-universe and MIDI bridges (docs/bridges.md) ----------------------------------

  artnet: entry('Art-Net ↔ CLASP: ArtDmx in/out, ArtPoll replies (UDP 6454)', '/artnet', {
    ...universeOptions,
    port: Port('UDP port to bind', 6454),
    bind: Type.Optional(Type.String({ minLength: 1, description: 'local address to bind (default 0.0.0.0)' })),
    reuseAddr: Type.Optional(Type.Boolean({ description: 'share the port with other Art-Net software on this host' })),
    nodes: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'unicast output destinations, host[:port] (repeatable)' })),
    broadcast: Type.Optional(Type.Union([Type.Boolean(), Type.String({ minLength: 1 })], { description: 'also broadcast output: true or address[:port] (default off)' })),
    answerPoll: Type.Optional(Type.Boolean({ description: 'answer ArtPoll with ArtPollReply (default true)' })),
    shortName: Type.Optional(Type.String({ maxLength: 17, description: 'ArtPollReply short name' })),
    longName: Type.Optional(Type.String({ maxLength: 63, description: 'ArtPollReply long name' })),
    replyIp: Type.Optional(Type.String({ minLength: 7, description: 'IP announced in ArtPollReply (default: ours on the poller\'s subnet)' })),
  }, async (o) => new (await implementations()).ArtNetBridge(o as unknown as ArtNetOptions)),

  sacn: entry('sACN / E1.31 ↔ CLASP, multicast or unicast (UDP 5568)', '/sacn', {
    ...universeOptions,
    universes: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: 63999 }), { description: 'universes to receive and send (repeatable; default 1)' })),
    port: Port('UDP port', 5568),
    iface: Type.Optional(Type.String({ minLength: 7, description: 'local interface address for multicast, e.g. 127.0.0.1' })),
    reuseAddr: Type.Optional(Type.Boolean({ description: 'share the port with other sACN software (default true)' })),
    receive: Type.Optional(Type.Boolean({ description: 'receive the universes (default true)' })),
    unicast: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'send to these host[:port] instead of multicast (repeatable)' })),
    multicast: Type.Optional(Type.Boolean({ description: 'multicast output (default: on unless --unicast is given)' })),
    priority: Type.Optional(Type.Integer({ minimum: 0, maximum: 200, description: 'our source priority (default 100)' })),
    merge: literals(['htp', 'ltp'], 'between equal-priority sources: htp (default) or ltp'),
    sourceName: Type.Optional(Type.String({ maxLength: 63, description: "source name (default 'CLASP sACN bridge')" })),
    cid: Type.Optional(Type.String({ pattern: '^[0-9a-fA-F-]{32,36}$', description: 'component id, a UUID (default: random)' })),
  }, async (o) => new (await implementations()).SacnBridge(o as unknown as SacnOptions)),

  dmx: entry('DMX-512 out through an ENTTEC DMX USB Pro (serial)', '/dmx', {
    port: Type.String({ minLength: 1, description: 'device path, e.g. /dev/ttyUSB0' }),
    interface: literals(['enttec-pro'], 'widget protocol (only enttec-pro)'),
    universe: Type.Optional(Type.Integer({ minimum: 0, maximum: 32767, description: 'universe number in addresses (default 0)' })),
    normalize: universeOptions.normalize,
    refreshHz: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 44, description: 'frames per second (default 44)' })),
    reconnectMs: Type.Optional(Type.Integer({ minimum: 10, description: 'retry interval when the device is missing (default 1000)' })),
    baudRate: Type.Optional(Type.Integer({ minimum: 1, description: 'serial speed; USB widgets ignore it (default 115200)' })),
  }, async (o) => new (await implementations()).DmxBridge(o as unknown as DmxOptions)),

  midi: entry('MIDI ↔ CLASP through RtMidi (optional native package)', '/midi', {
    device: Type.Optional(Type.String({ pattern: '^[^/*#\\s]+$', description: "address segment for the device (default 'default')" })),
    input: Type.Optional(Type.Union([Type.String({ minLength: 1 }), Type.Integer({ minimum: 0 }), Type.Literal(false)], { description: 'input port name (substring) or index; false = none (default: first)' })),
    output: Type.Optional(Type.Union([Type.String({ minLength: 1 }), Type.Integer({ minimum: 0 }), Type.Literal(false)], { description: 'output port name (substring) or index; false = none (default: first)' })),
    virtual: Type.Optional(Type.String({ minLength: 1, description: 'create virtual ports with this name instead' })),
    normalize: Type.Optional(Type.Boolean({ description: 'CC/pressure/velocity as 0..1, bend as -1..1 (default: raw ints)' })),
    channelBase: literals([0, 1], 'channels in addresses as 0-15 (default) or 1-16'),
    syncOnStart: Type.Optional(Type.Boolean({ description: 'send the current values to the device when connecting (default off)' })),
  }, async (o) => new (await implementations()).MidiBridge(o as unknown as MidiOptions)),
}

/** A bridge declared in a config file: its kind plus that kind's options. */
export interface BridgeConfig {
  kind: string
  [option: string]: unknown
}

/** Build a bridge (options checked against its kind's schema), filling in the default namespace. */
export async function createBridge(config: BridgeConfig): Promise<Bridge> {
  const kind = bridgeKinds[config.kind]
  if (!kind) throw new Error(`unknown bridge kind '${config.kind}' (known: ${Object.keys(bridgeKinds).join(', ')})`)
  const { kind: _kind, ...options } = config
  const problems = optionErrors(kindOptions(kind), options, (key) => key)
  if (problems.length) throw new Error(`invalid ${config.kind} options: ${problems.join('; ')}`)
  return kind.create({ namespace: kind.defaultNamespace, ...options })
}

/** Option name → flag name: `remotePort` → `remote-port`. */
export const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)

/**
 * Validation errors named the way the user wrote the option: by flag (`--remote-port: must be
 * <= 65535`, the default) or by config path (`bridges.0.remotePort: ...`).
 */
export function optionErrors(schema: TObject, options: Record<string, unknown>, name: (key: string) => string = (k) => `--${kebab(k)}`): string[] {
  if (Value.Check(schema, options)) return []
  const seen = new Set<string>()
  for (const e of Value.Errors(schema, options)) {
    if (e.keyword === 'anyOf' || e.keyword === 'boolean') continue // reported by its branches / by additionalProperties
    const [first, ...rest] = e.instancePath.split('/').slice(1)
    let where = first === undefined ? '(options)' : `${name(first)}${rest.map((r) => (/^\d+$/.test(r) ? `[${r}]` : `.${r}`)).join('')}`
    let message = e.message
    const prop = first === undefined ? undefined : (schema.properties[first] as { anyOf?: Array<{ const?: unknown }> } | undefined)
    if (e.keyword === 'const' && rest.length === 0 && prop?.anyOf) message = `must be one of ${prop.anyOf.map((s) => JSON.stringify(s.const)).join(', ')}`
    if (e.keyword === 'additionalProperties') {
      const extra = Object.keys(options).filter((k) => !(k in schema.properties))
      where = extra.map(name).join(', ')
      message = 'unknown option'
    }
    seen.add(`${where}: ${message}`)
  }
  return [...seen]
}
