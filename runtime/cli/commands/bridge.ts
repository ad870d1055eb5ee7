/**
 * `clasp <kind>` for every bridge kind in bridges/registry.ts: run one bridge as its own
 * process, connected to a router (`--url`, default ws://127.0.0.1:7330). The kind's options
 * become flags (`remotePort` → `--remote-port`), derived from its TypeBox schema, so a new
 * registry entry needs no CLI code. Structured options (`--transforms`, `--tls`) take JSON;
 * `--config FILE` (JSON/YAML) supplies any option, flags win.
 */
import { readFileSync } from 'node:fs'
import type { TObject } from 'typebox'
import { parse as parseYaml } from 'yaml'
import { type BridgeKind, bridgeKinds, kebab, kindOptions, optionErrors } from '../../../bridges/registry.ts'
import { type ClaspClient, connect } from '../../client/index.ts'
import { type LogLevel, streamLogger } from '../../router/log.ts'
import { type FlagSpec, type Parsed, UsageError } from '../args.ts'

interface JsonSchema {
  type?: string
  anyOf?: JsonSchema[]
  const?: unknown
  items?: JsonSchema
  description?: string
  default?: unknown
}

const common: FlagSpec[] = [
  { name: 'url', alias: '-u', value: true, help: 'router URL, ws://HOST:PORT or tcp://HOST:PORT (default ws://127.0.0.1:7330, or $CLASP_URL)' },
  { name: 'router-token', value: true, help: 'token for the router HELLO' },
  { name: 'name', value: true, help: "client name shown by the router (default 'clasp <kind> bridge')" },
  { name: 'config', alias: '-c', value: true, help: 'bridge options file (JSON, or YAML by .yaml/.yml); flags override it' },
  { name: 'log-level', value: true, help: 'debug | info | warn | error | silent (default info)' },
  { name: 'log-format', value: true, help: 'pretty | json (default pretty)' },
  { name: 'help', alias: '-h', help: 'this help' },
]

type Reader = (values: string[]) => unknown

/** A flag (or two, for booleans that default to true) per option, and how to read its value. */
export function flagsFor(schema: TObject): { specs: FlagSpec[]; readers: Map<string, { key: string; read: Reader }> } {
  const specs: FlagSpec[] = []
  const readers = new Map<string, { key: string; read: Reader }>()
  const reserved = new Set(common.map((f) => f.name))
  for (const [key, raw] of Object.entries(schema.properties)) {
    const prop = raw as JsonSchema
    const name = kebab(key)
    if (reserved.has(name)) throw new Error(`bridge option '${key}' clashes with the --${name} flag of every bridge command`)
    const help = prop.description ?? key
    if (prop.type === 'boolean') {
      // Every switch can be turned off explicitly, whatever its default: a flag overrides --config.
      specs.push({ name, help })
      readers.set(name, { key, read: () => true })
      specs.push({ name: `no-${name}`, help: `turn --${name} off` })
      readers.set(`no-${name}`, { key, read: () => false })
    } else if (prop.type === 'integer' || prop.type === 'number') {
      specs.push({ name, value: true, help })
      readers.set(name, { key, read: ([v]) => (v.trim() !== '' && !Number.isNaN(Number(v)) ? Number(v) : v) })
    } else if (prop.type === 'string') {
      specs.push({ name, value: true, help })
      readers.set(name, { key, read: ([v]) => v })
    } else if (prop.anyOf?.every((s) => s.const !== undefined)) {
      const numeric = prop.anyOf.every((s) => typeof s.const === 'number')
      specs.push({ name, value: true, help: `${prop.anyOf.map((s) => s.const).join(' | ')}: ${help}` })
      readers.set(name, { key, read: ([v]) => (numeric && v.trim() !== '' && !Number.isNaN(Number(v)) ? Number(v) : v) })
    } else if (prop.anyOf?.length && prop.anyOf.every(isScalar)) {
      // e.g. a MIDI port: a name, an index, or false; quoting JSON on a shell line is a trap.
      specs.push({ name, value: true, help })
      readers.set(name, { key, read: ([v]) => readScalarUnion(name, v, prop.anyOf!) })
    } else if (prop.type === 'array' && prop.items?.type === 'string') {
      specs.push({ name, value: true, repeat: true, help })
      readers.set(name, { key, read: (vs) => vs })
    } else if (prop.type === 'array' && (prop.items?.type === 'integer' || prop.items?.type === 'number')) {
      // `--universes 1 --universes 2`, or `--universes 1,2`
      specs.push({ name, value: true, repeat: true, help })
      readers.set(name, { key, read: (vs) => vs.flatMap((v) => v.split(',')).map((v) => (v.trim() !== '' && !Number.isNaN(Number(v)) ? Number(v) : v)) })
    } else {
      specs.push({ name, value: true, help: `${help} (JSON)` })
      readers.set(name, {
        key,
        read: ([v]) => {
          try {
            return JSON.parse(v)
          } catch {
            throw new UsageError(`--${name} must be JSON, got '${v}'`)
          }
        },
      })
    }
  }
  return { specs, readers }
}

function isScalar(s: JsonSchema): boolean {
  return s.const !== undefined || s.type === 'string' || s.type === 'number' || s.type === 'integer' || s.type === 'boolean'
}

/** The first reading of a flag's text that one member of a scalar union accepts, most specific first. */
function readScalarUnion(name: string, v: string, members: readonly JsonSchema[]): unknown {
  const allows = (type: string, value: unknown) => members.some((m) => (m.const !== undefined ? m.const === value : m.type === type))
  if ((v === 'true' || v === 'false') && allows('boolean', v === 'true')) return v === 'true'
  const n = v.trim() !== '' ? Number(v) : Number.NaN
  if (!Number.isNaN(n) && (allows('number', n) || (Number.isInteger(n) && allows('integer', n)))) return n
  if (allows('string', v)) return v
  throw new UsageError(`--${name}: '${v}' is not one of ${members.map((m) => (m.const !== undefined ? JSON.stringify(m.const) : m.type)).join(' | ')}`)
}

function readOptionsFile(path: string): Record<string, unknown> {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
  }
  try {
    const data = /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text)
    if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new Error('expected an object of options')
    return data as Record<string, unknown>
  } catch (e) {
    throw new UsageError(`${path}: ${(e as Error).message.split('\n')[0]}`)
  }
}

/** The bridge options a command line (and its --config file) gives; a UsageError when invalid. */
export function optionsFromFlags(schema: TObject, readers: ReturnType<typeof flagsFor>['readers'], p: Parsed): Record<string, unknown> {
  const options: Record<string, unknown> = p.flags.has('config') ? readOptionsFile(p.flags.get('config')![0]) : {}
  for (const [flag, values] of p.flags) {
    const r = readers.get(flag)
    if (r) options[r.key] = r.read(values)
  }
  const problems = optionErrors(schema, options)
  if (problems.length) throw new UsageError(`invalid options:\n  ${problems.slice(0, 5).join('\n  ')}`)
  return options
}

async function runBridge(kindName: string, kind: BridgeKind, schema: TObject, readers: ReturnType<typeof flagsFor>['readers'], p: Parsed): Promise<number> {
  if (p.positionals.length > 0) throw new UsageError(`unexpected argument '${p.positionals[0]}'`)
  const level = (p.flags.get('log-level')?.[0] ?? 'info') as LogLevel
  const format = p.flags.get('log-format')?.[0] ?? 'pretty'
  if (!['debug', 'info', 'warn', 'error', 'silent'].includes(level)) throw new UsageError(`--log-level must be debug, info, warn, error or silent, got '${level}'`)
  if (format !== 'json' && format !== 'pretty') throw new UsageError(`--log-format must be json or pretty, got '${format}'`)
  const options = optionsFromFlags(schema, readers, p)

  // Signals are caught from the start, as in `clasp server`: one that arrives while the bridge is
  // still connecting or opening its port stops it cleanly once started, instead of killing it.
  const signalled = new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve())
    process.once('SIGTERM', () => resolve())
  })
  const log = streamLogger(level, format)
  const url = p.flags.get('url')?.[0] ?? process.env.CLASP_URL ?? 'ws://127.0.0.1:7330'
  let clasp: ClaspClient
  try {
    clasp = await connect(url, { name: p.flags.get('name')?.[0] ?? `clasp ${kindName} bridge`, token: p.flags.get('router-token')?.[0], reconnect: true })
  } catch (e) {
    const err = new Error(`cannot connect to ${url}: ${(e as Error).message}`)
    err.name = 'ConnectError'
    throw err
  }
  clasp.onDisconnect((reason) => log.warn('router connection lost; reconnecting', { reason }))
  clasp.onConnect((info) => info.reconnect && log.info('router connection restored', { session: info.session }))
  const bridge = await kind.create({ namespace: kind.defaultNamespace, ...options })
  try {
    await bridge.start({ clasp, log })
  } catch (e) {
    await clasp.close()
    const err = new Error(`${kindName} bridge could not start: ${(e as Error).message}`)
    err.name = 'ListenError'
    throw err
  }
  const port = (bridge as { port?: number }).port
  if (level !== 'silent') process.stdout.write(`${kindName} bridge running: namespace ${bridge.namespace}${port ? `, port ${port}` : ''}, router ${url}\n`)
  await signalled
  await bridge.stop()
  await clasp.close()
  const s = bridge.stats()
  if (level !== 'silent') process.stderr.write(`clasp ${kindName}: stopped (inbound ${s.inbound}, outbound ${s.outbound}, malformed ${s.malformed}, suppressed ${s.suppressed}, errors ${s.errors})\n`)
  return 0
}

/** One command per registry entry, in the shape of main.ts's command table. */
export function bridgeCommands(): Record<string, { usage: string; summary: string; flags: FlagSpec[]; run: (p: Parsed) => Promise<number> }> {
  const out: ReturnType<typeof bridgeCommands> = {}
  for (const [name, kind] of Object.entries(bridgeKinds)) {
    const schema = kindOptions(kind)
    const { specs, readers } = flagsFor(schema)
    out[name] = {
      usage: `clasp ${name} [options]`,
      summary: `${kind.summary}. Runs the bridge as its own process connected to a router until SIGINT or SIGTERM.`,
      flags: [...specs, ...common],
      run: (p) => runBridge(name, kind, schema, readers, p),
    }
  }
  return out
}

/** Lines for `clasp --help`. */
export function bridgeHelp(): string {
  return Object.entries(bridgeKinds).map(([name, k]) => `  ${name.padEnd(22)} ${k.summary}`).join('\n')
}
