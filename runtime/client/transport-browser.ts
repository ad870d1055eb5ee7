/** Browser transport: the global WebSocket only; tcp:// cannot be opened from a page. */
import { ClaspError } from './errors.ts'
import type { TransportFactory } from './transport.ts'
import { schemeOf } from './transport.ts'
import { type WebSocketConstructor, openWebSocket } from './transport-ws.ts'

export const browserTransport: TransportFactory = async (url, handlers) => {
  const scheme = schemeOf(url)
  if (scheme === 'tcp' || scheme === 'udp') throw ClaspError.usage(`${scheme}:// is not available in browsers; use ws:// or wss://`)
  const WS = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket
  if (!WS) throw ClaspError.usage('no global WebSocket in this environment')
  return openWebSocket(WS, url, handlers)
}
