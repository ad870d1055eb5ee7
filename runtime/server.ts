/**
 * A whole router process: the core plus its listeners (WebSocket with HTTP probes, length-prefixed
 * TCP for microcontrollers, UDP, serial devices), as `clasp server` runs it. Listener failures
 * become one clear error; a missing serial device is retried, not fatal.
 */
import type { Bridge } from '../bridges/bridge.ts'
import { createBridge } from '../bridges/registry.ts'
import type { ServerSettings } from './cli/config.ts'
import { connect } from './client/index.ts'
import { memoryTransport } from './client/transport-memory.ts'
import { type Logger, streamLogger } from './router/log.ts'
import { Router } from './router/router.ts'
import { attachSerial } from './transports/serial.ts'
import { listenTcp } from './transports/tcp.ts'
import { listenUdp } from './transports/udp.ts'
import { type Listener, listenWebSocket } from './transports/websocket.ts'

export interface RunningServer {
  router: Router
  /** Bound ports (useful when 0 was asked for). */
  ports: { ws: number; tcp?: number; udp?: number }
  /** Bridges from the config, running in-process over an in-memory transport, in config order. */
  bridges: Bridge[]
  close(): Promise<void>
}

export class ListenError extends Error {
  override name = 'ListenError'
}

function describeListenError(what: string, host: string, port: number, e: unknown): ListenError {
  const code = (e as NodeJS.ErrnoException).code
  if (code === 'EADDRINUSE') return new ListenError(`${what} port ${port} on ${host} is already in use (another clasp server?); choose another with the matching --*port flag`)
  if (code === 'EACCES') return new ListenError(`${what} port ${port} on ${host} needs privileges; use a port above 1023`)
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return new ListenError(`cannot listen on ${host}: no such local address`)
  return new ListenError(`${what} listener on ${host}:${port} failed: ${(e as Error).message}`)
}

/**
 * Start everything. `announce` receives the "listening on" lines, which the Rust relay's tooling
 * scrapes for the port; the CLI prints them on stdout whatever the log level.
 */
export async function startServer(
  settings: ServerSettings,
  log: Logger = streamLogger(settings.logLevel, settings.logFormat),
  announce: (line: string) => void = (line) => log.info(line),
): Promise<RunningServer> {
  const router = new Router({ config: settings.router, log })
  const closers: Array<() => Promise<void>> = []
  const close = async () => {
    router.close()
    for (const c of closers.splice(0).reverse()) await c().catch(() => undefined)
  }
  const listen = async (what: string, port: number, start: () => Promise<Listener>): Promise<number> => {
    try {
      const l = await start()
      closers.push(() => l.close())
      return l.port
    } catch (e) {
      await close()
      throw describeListenError(what, settings.host, port, e)
    }
  }
  const { host } = settings
  const ports: RunningServer['ports'] = { ws: await listen('WebSocket', settings.port, () => listenWebSocket(router, { port: settings.port, host })) }
  // The Rust relay's tooling scrapes this line to learn the port.
  announce(`WebSocket server listening on ${host}:${ports.ws}`)
  if (settings.tcpPort > 0) {
    ports.tcp = await listen('TCP', settings.tcpPort, () => listenTcp(router, { port: settings.tcpPort, host }))
    announce(`TCP (length-prefixed) server listening on ${host}:${ports.tcp}`)
  }
  if (settings.udpPort > 0) {
    ports.udp = await listen('UDP', settings.udpPort, () => listenUdp(router, { port: settings.udpPort, host }))
    announce(`UDP server listening on ${host}:${ports.udp}`)
  }
  for (const s of settings.serial) {
    try {
      const dev = await attachSerial(router, { path: s.path, baudRate: s.baudRate, log })
      closers.push(() => dev.close())
      announce(`serial device ${s.path} at ${s.baudRate} baud attached (SLIP framing)`)
    } catch (e) {
      await close()
      throw new ListenError((e as Error).message)
    }
  }
  const bridges: Bridge[] = []
  for (const [i, config] of (settings.bridges ?? []).entries()) {
    try {
      const bridge = await createBridge(config)
      // Same client code as `clasp <kind>` over the network, so a bridge behaves the same in both places.
      const clasp = await connect(`memory://bridge/${i}`, { name: `${config.kind} bridge`, transport: memoryTransport(router), reconnect: false })
      closers.push(() => clasp.close())
      await bridge.start({ clasp, log })
      closers.push(() => bridge.stop())
      bridges.push(bridge)
      const port = (bridge as { port?: number }).port
      announce(`${config.kind} bridge started: namespace ${bridge.namespace}${port ? `, port ${port}` : ''}`)
    } catch (e) {
      await close()
      throw new ListenError(`bridges[${i}] (${config.kind}) could not start: ${(e as Error).message}`)
    }
  }
  return { router, ports, bridges, close }
}
