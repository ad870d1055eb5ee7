/**
 * Real routers on 127.0.0.1 for client tests (WebSocket, TCP and UDP listeners), and clients that are
 * closed by `cleanup()` whatever the test did. Every wait is bounded.
 */
import { connect } from '../../runtime/client/index.ts'
import type { ClaspClient, ClientOptions } from '../../runtime/client/index.ts'
import { Router, type RouterOptions } from '../../runtime/router/router.ts'
import { listenTcp } from '../../runtime/transports/tcp.ts'
import { listenUdp } from '../../runtime/transports/udp.ts'
import { type Listener, listenWebSocket } from '../../runtime/transports/websocket.ts'

export interface RunningRouter {
  router: Router
  listener: Listener
  url: string
  port: number
  /** Stop listening and close every session (idempotent). */
  stop(): Promise<void>
}

export type Scheme = 'ws' | 'tcp' | 'udp'

export class ClientHarness {
  private readonly cleanups: Array<() => Promise<void> | void> = []

  /** A router listening on 127.0.0.1 (`port` 0 = any free port). */
  async router(scheme: Scheme = 'ws', port = 0, options: RouterOptions = {}): Promise<RunningRouter> {
    const router = new Router(options)
    const listen = { ws: listenWebSocket, tcp: listenTcp, udp: listenUdp }[scheme]
    const listener = await listen(router, { port, host: '127.0.0.1' })
    let stopped = false
    const running: RunningRouter = {
      router, listener, port: listener.port,
      url: `${scheme}://127.0.0.1:${listener.port}`,
      async stop() {
        if (stopped) return
        stopped = true
        router.close()
        await listener.close()
      },
    }
    this.cleanups.push(() => running.stop())
    return running
  }

  async client(url: string, options: ClientOptions = {}): Promise<ClaspClient> {
    const c = await connect(url, { connectTimeoutMs: 3000, requestTimeoutMs: 2000, ...options })
    this.cleanups.push(() => c.close())
    return c
  }

  /** Register extra cleanup (run in reverse order). */
  defer(fn: () => Promise<void> | void): void {
    this.cleanups.push(fn)
  }

  async cleanup(): Promise<void> {
    for (const c of this.cleanups.splice(0).reverse()) {
      try {
        await c()
      } catch {
        // keep cleaning up
      }
    }
  }
}
