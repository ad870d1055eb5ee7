/**
 * The server's configuration: defaults, a JSON or YAML file, then command-line flags, in that
 * order of precedence. The file is validated against a TypeBox schema and errors name the exact
 * path (`router.maxSessions: expected integer`), never a stack trace.
 */
import { readFileSync } from 'node:fs'
import { Type, type Static } from 'typebox'
import { Value } from 'typebox/value'
import { parse as parseYaml } from 'yaml'
import { Transports } from '../../schema/frame.ts'
import { type BridgeConfig, bridgeKinds, kindOptions, optionErrors } from '../../bridges/registry.ts'
import type { RouterConfig } from '../router/config.ts'

const Strategy = Type.Union(['lww', 'max', 'min', 'lock', 'merge'].map((s) => Type.Literal(s)))
const Port = Type.Integer({ minimum: 0, maximum: 65535 })
const NonNegative = Type.Integer({ minimum: 0 })

const SerialSpec = Type.Union([
  Type.String({ description: 'PATH or PATH:BAUD' }),
  Type.Object({ path: Type.String({ minLength: 1 }), baudRate: Type.Optional(Type.Integer({ minimum: 50 })) }, { additionalProperties: false }),
])

export const ServerConfigSchema = Type.Object(
  {
    name: Type.Optional(Type.String()),
    host: Type.Optional(Type.String()),
    port: Type.Optional(Port),
    /** 0 disables the listener; absent means the default port. */
    tcpPort: Type.Optional(Port),
    udpPort: Type.Optional(Port),
    serial: Type.Optional(Type.Array(SerialSpec)),
    /** Bridges run inside the router process: `{kind: 'osc', port: 8000, ...}`; options per kind in bridges/registry.ts. */
    bridges: Type.Optional(Type.Array(Type.Object({ kind: Type.String({ minLength: 1 }) }, { additionalProperties: true }))),
    logLevel: Type.Optional(Type.Union(['debug', 'info', 'warn', 'error', 'silent'].map((s) => Type.Literal(s)))),
    logFormat: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('pretty')])),
    router: Type.Optional(Type.Object({
      maxSessions: Type.Optional(NonNegative),
      maxSubscriptionsPerSession: Type.Optional(NonNegative),
      maxFrameBytes: Type.Optional(Type.Integer({ minimum: 16, maximum: 65547 })),
      maxAddressBytes: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
      maxMessagesPerSecond: Type.Optional(NonNegative),
      sendQueueLimit: Type.Optional(Type.Integer({ minimum: 1 })),
      sendHighWaterBytes: Type.Optional(Type.Integer({ minimum: 1024 })),
      helloTimeoutMs: Type.Optional(Type.Integer({ minimum: 100 })),
      sessionTimeoutMs: Type.Optional(NonNegative),
      maxParams: Type.Optional(NonNegative),
      paramTtlSeconds: Type.Optional(NonNegative),
      ttlSweepMs: Type.Optional(Type.Integer({ minimum: 10 })),
      gestureIntervalMs: Type.Optional(NonNegative),
      snapshotChunkParams: Type.Optional(Type.Integer({ minimum: 1, maximum: 800 })),
      strategies: Type.Optional(Type.Array(Type.Object({ pattern: Type.String({ minLength: 1 }), strategy: Strategy }, { additionalProperties: false }))),
    }, { additionalProperties: false })),
  },
  { additionalProperties: false },
)

export type ServerConfigFile = Static<typeof ServerConfigSchema>

export interface SerialTarget {
  path: string
  baudRate: number
}

/** Everything the server needs, resolved. */
export interface ServerSettings {
  host: string
  port: number
  tcpPort: number
  udpPort: number
  serial: SerialTarget[]
  /** Bridges started in-process (validated against their kind's schema). */
  bridges?: BridgeConfig[]
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent'
  logFormat: 'json' | 'pretty'
  router: Partial<RouterConfig>
}

export class ConfigError extends Error {
  override name = 'ConfigError'
}

export const defaultSettings: ServerSettings = {
  host: '0.0.0.0',
  port: Transports.wsPort,
  tcpPort: Transports.tcpPort,
  udpPort: 0,
  serial: [],
  bridges: [],
  logLevel: 'info',
  logFormat: 'pretty',
  router: {},
}

/** `/dev/ttyUSB0:115200` → path and baud (default 115200, as the reference serial transport). */
export function parseSerial(spec: string | { path: string; baudRate?: number }): SerialTarget {
  if (typeof spec !== 'string') return { path: spec.path, baudRate: spec.baudRate ?? 115200 }
  const m = /^(.*):(\d+)$/.exec(spec)
  if (m && m[1]) return { path: m[1], baudRate: Number(m[2]) }
  return { path: spec, baudRate: 115200 }
}

/** Read and validate a config file (JSON, or YAML by extension `.yaml`/`.yml`). */
export function loadConfigFile(path: string): ServerConfigFile {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    throw new ConfigError(`cannot read config file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
  }
  let data: unknown
  try {
    data = /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text)
  } catch (e) {
    throw new ConfigError(`config file ${path} is not valid ${/\.ya?ml$/i.test(path) ? 'YAML' : 'JSON'}: ${(e as Error).message.split('\n')[0]}`)
  }
  return validateConfig(data ?? {}, path)
}

export function validateConfig(data: unknown, source: string): ServerConfigFile {
  if (Value.Check(ServerConfigSchema, data)) {
    const problems = bridgeProblems(data.bridges ?? [])
    if (problems.length) throw new ConfigError(`invalid config in ${source}:\n  ${problems.slice(0, 5).join('\n  ')}`)
    return data
  }
  const problems = [...Value.Errors(ServerConfigSchema, data)].slice(0, 5).map((e) => {
    const where = e.instancePath ? e.instancePath.slice(1).replaceAll('/', '.') : '(top level)'
    return `${where}: ${e.message}`
  })
  throw new ConfigError(`invalid config in ${source}:\n  ${problems.join('\n  ')}`)
}

/** Each bridge entry against its kind's options schema, with paths like `bridges.0.port`. */
function bridgeProblems(entries: Array<{ kind: string }>): string[] {
  const problems: string[] = []
  entries.forEach((entry, i) => {
    const kind = bridgeKinds[entry.kind]
    if (!kind) {
      problems.push(`bridges.${i}.kind: unknown bridge kind '${entry.kind}' (known: ${Object.keys(bridgeKinds).join(', ')})`)
      return
    }
    const { kind: _kind, ...options } = entry as BridgeConfig
    for (const p of optionErrors(kindOptions(kind), options, (key) => `bridges.${i}.${key}`)) problems.push(p)
  })
  return problems
}

/** Defaults ← file ← flags. */
export function mergeSettings(file: ServerConfigFile | undefined, flags: Partial<ServerSettings>): ServerSettings {
  const s: ServerSettings = { ...defaultSettings, router: {} }
  if (file) {
    if (file.host !== undefined) s.host = file.host
    if (file.port !== undefined) s.port = file.port
    if (file.tcpPort !== undefined) s.tcpPort = file.tcpPort
    if (file.udpPort !== undefined) s.udpPort = file.udpPort
    if (file.serial) s.serial = file.serial.map(parseSerial)
    if (file.bridges) s.bridges = file.bridges as BridgeConfig[]
    if (file.logLevel) s.logLevel = file.logLevel
    if (file.logFormat) s.logFormat = file.logFormat
    s.router = { ...(file.router as Partial<RouterConfig>) }
    if (file.name !== undefined) s.router.name = file.name
  }
  for (const [k, v] of Object.entries(flags)) {
    if (v === undefined) continue
    if (k === 'router') s.router = { ...s.router, ...(v as Partial<RouterConfig>) }
    else (s as unknown as Record<string, unknown>)[k] = v
  }
  return s
}
