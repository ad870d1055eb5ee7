/**
 * An in-process transport: the client talks to a Router in the same process through an
 * in-memory port pair. Bridges declared in the router config use it, so a bridge behaves the
 * same whether it runs inside the router or as its own process connected over the network.
 */
import { memoryPortPair } from '../router/port.ts'
import type { Router } from '../router/router.ts'
import type { Transport, TransportFactory } from './transport.ts'

export function memoryTransport(router: Router): TransportFactory {
  return async (_url, handlers) => {
    const [clientSide, routerSide] = memoryPortPair('bridge', 'router')
    routerSide.trusted = true
    let open = true
    clientSide.start({
      // Deliver on a microtask so the client sees the same ordering as over a socket.
      frame: (bytes) => queueMicrotask(() => open && handlers.frame(bytes)),
      close: () => {
        if (!open) return
        open = false
        queueMicrotask(() => handlers.close('router closed the in-process connection'))
      },
    })
    router.attach(routerSide)
    const transport: Transport = {
      send: (frame) => clientSide.send(frame),
      close: async () => {
        open = false
        clientSide.close()
      },
    }
    return transport
  }
}
