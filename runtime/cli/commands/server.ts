/** `clasp server`: run a router until SIGINT/SIGTERM. */
import { type FlagSpec, type Parsed, intFlag } from '../args.ts'
import { type ServerSettings, loadConfigFile, mergeSettings, parseSerial } from '../config.ts'
import { startServer } from '../../server.ts'

export const serverFlags: FlagSpec[] = [
  { name: 'port', alias: '-p', value: true, help: 'WebSocket port (default 7330); --ws-port is the same' },
  { name: 'ws-port', value: true, help: 'alias of --port (clasp-relay compatible)' },
  { name: 'host', value: true, help: 'bind address for every listener (default 0.0.0.0)' },
  { name: 'name', alias: '-n', value: true, help: "router name sent in WELCOME (default 'CLASP Router')" },
  { name: 'tcp-port', value: true, help: 'length-prefixed TCP port for microcontrollers (default 7332, 0 = off)' },
  { name: 'udp-port', value: true, help: 'UDP port, one frame per datagram (default off)' },
  { name: 'serial', value: true, repeat: true, help: 'serial device with SLIP framing, PATH[:BAUD] (repeatable; baud default 115200)' },
  { name: 'config', alias: '-c', value: true, help: 'config file (JSON, or YAML by .yaml/.yml extension)' },
  { name: 'max-sessions', value: true, help: 'concurrent sessions, 0 = unlimited (default 1000)' },
  { name: 'session-timeout', value: true, help: 'close sessions silent for this many seconds, 0 = never (default 300)' },
  { name: 'param-ttl', value: true, help: 'expire params not written for this many seconds, 0 = never (default 0)' },
  { name: 'log-level', value: true, help: 'debug | info | warn | error | silent (default info)' },
  { name: 'log-format', value: true, help: 'pretty | json (default pretty)' },
  { name: 'help', alias: '-h', help: 'this help' },
]

export function settingsFromFlags(p: Parsed): ServerSettings {
  const file = p.flags.has('config') ? loadConfigFile(p.flags.get('config')![0]) : undefined
  const level = p.flags.get('log-level')?.[0]
  const format = p.flags.get('log-format')?.[0]
  if (level && !['debug', 'info', 'warn', 'error', 'silent'].includes(level)) throw new Error(`--log-level must be debug, info, warn, error or silent, got '${level}'`)
  if (format && format !== 'json' && format !== 'pretty') throw new Error(`--log-format must be json or pretty, got '${format}'`)
  const router: ServerSettings['router'] = {}
  const name = p.flags.get('name')?.[0]
  if (name !== undefined) router.name = name
  const maxSessions = intFlag(p, 'max-sessions', 0, 1_000_000)
  if (maxSessions !== undefined) router.maxSessions = maxSessions
  const timeout = intFlag(p, 'session-timeout', 0, 1_000_000)
  if (timeout !== undefined) router.sessionTimeoutMs = timeout * 1000
  const ttl = intFlag(p, 'param-ttl', 0, 1_000_000_000)
  if (ttl !== undefined) router.paramTtlSeconds = ttl
  return mergeSettings(file, {
    port: intFlag(p, 'port') ?? intFlag(p, 'ws-port'),
    host: p.flags.get('host')?.[0],
    tcpPort: intFlag(p, 'tcp-port'),
    udpPort: intFlag(p, 'udp-port'),
    serial: p.flags.get('serial')?.map(parseSerial),
    logLevel: level as ServerSettings['logLevel'] | undefined,
    logFormat: format as ServerSettings['logFormat'] | undefined,
    router,
  })
}

export async function runServer(p: Parsed): Promise<number> {
  const settings = settingsFromFlags(p)
  const announce = settings.logLevel === 'silent' ? () => undefined : (line: string) => process.stdout.write(`${line}\n`)
  // Signals are caught from the start: one arriving while listeners are still opening must
  // still shut down cleanly, not kill the process mid-start.
  const signalled = new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'))
    process.once('SIGTERM', () => resolve('SIGTERM'))
  })
  const server = await startServer(settings, undefined, announce)
  const signal = await signalled
  process.stderr.write(`clasp server: ${signal} received, shutting down\n`)
  await server.close().catch(() => undefined)
  return 0
}
