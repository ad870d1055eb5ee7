/**
 * Transports for Node: ws:// and wss:// through the `ws` package, tcp:// through `node:net`.
 * Both are imported on first use, so importing the client costs nothing until a connection is
 * made and no Node module is reached from the browser entry.
 */
import { ClaspError } from './errors.ts'
import type { Transport, TransportFactory, TransportHandlers } from './transport.ts'
import { schemeOf } from './transport.ts'
import { type WebSocketConstructor, openWebSocket } from './transport-ws.ts'

let wsCtor: Promise<WebSocketConstructor> | undefined

function loadWebSocket(): Promise<WebSocketConstructor> {
  const isNode = typeof process !== 'undefined' && process.versions?.node !== undefined
  const global = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket
  if (!isNode && global) return Promise.resolve(global)
  wsCtor ??= import('ws').then((m) => (m.WebSocket ?? m.default) as unknown as WebSocketConstructor)
  return wsCtor
}

export const nodeTransport: TransportFactory = async (url: string, handlers: TransportHandlers): Promise<Transport> => {
  switch (schemeOf(url)) {
    case 'ws':
    case 'wss':
      return openWebSocket(await loadWebSocket(), url, handlers)
    case 'tcp': {
      const { openTcp } = await import('./transport-tcp.ts')
      return openTcp(url, handlers)
    }
    case 'udp': {
      const { openUdp } = await import('./transport-udp.ts')
      return openUdp(url, handlers)
    }
    default:
      throw ClaspError.usage(`unsupported URL ${url}`)
  }
}
