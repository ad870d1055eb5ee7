/**
 * UDP transport (Node only): one frame per datagram, as the router's UDP listener expects
 * (wire-protocol.md §2). UDP has no connection, so "open" means the socket is bound and pointed
 * at the router; a router that is gone is noticed by the client's liveness check, not here.
 */
import { createSocket } from 'node:dgram'
import { type Transport, type TransportHandlers, parseHostPortUrl } from './transport.ts'

/** Largest UDP payload over IPv4. */
const MAX_DATAGRAM = 65507

export function openUdp(url: string, handlers: TransportHandlers): Promise<Transport> {
  const { host, port } = parseHostPortUrl(url, 'udp')
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4')
  let closed = false
  const transport: Transport = {
    send(frame) {
      if (closed || frame.length > MAX_DATAGRAM) return
      socket.send(frame)
    },
    close() {
      if (closed) return Promise.resolve()
      closed = true
      return new Promise<void>((resolve) => socket.close(() => resolve()))
    },
  }
  return new Promise<Transport>((resolve, reject) => {
    socket.on('message', (msg) => handlers.frame(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength)))
    socket.on('error', (e) => {
      if (!closed) {
        closed = true
        socket.close()
        handlers.close(`UDP error: ${e.message}`)
      }
      reject(new Error(`UDP socket for ${host}:${port} failed: ${e.message}`))
    })
    socket.connect(port, host, () => resolve(transport))
  })
}
