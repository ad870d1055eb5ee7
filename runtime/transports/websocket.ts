/**
 * WebSocket transport (router-behavior.md §1): one binary message = one frame, subprotocol
 * `clasp` echoed when offered, text messages ignored [CONF-1, CONF-3]. The same HTTP server
 * answers load-balancer probes with `ok` [CONF-2] and `/health` with JSON, and leaves room for
 * more routes (the web console) through `routes`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type WebSocket, WebSocketServer } from 'ws'
import type { FramePort, PortHandlers } from '../router/port.ts'
import type { Router } from '../router/router.ts'
import { TurnCork } from './turn-cork.ts'

export interface WebSocketListenerOptions {
  port: number
  host?: string
  /** Extra HTTP routes; return true when the request was answered. */
  routes?: (req: IncomingMessage, res: ServerResponse) => boolean
}

const BINARY = { binary: true }

class WebSocketPort implements FramePort {
  readonly label: string
  private readonly cork: TurnCork | undefined
  constructor(private readonly ws: WebSocket, remote: string) {
    this.label = `ws ${remote}`
    const socket = (ws as unknown as { _socket?: { cork(): void; uncork(): void } })._socket
    this.cork = socket && new TurnCork(socket)
  }

  send(frame: Uint8Array): void {
    if (this.ws.readyState !== 1) return
    this.cork?.hold()
    this.ws.send(frame, BINARY)
  }

  close(reason = ''): void {
    if (this.ws.readyState <= 1) this.ws.close(1000, reason.slice(0, 120))
  }

  bufferedBytes(): number {
    return this.ws.bufferedAmount
  }

  start(h: PortHandlers): void {
    this.ws.on('message', (data, isBinary) => {
      if (!isBinary) return // text frames carry no CLASP [CONF-3]
      h.frame(Array.isArray(data) ? Buffer.concat(data) : data instanceof ArrayBuffer ? new Uint8Array(data) : data)
    })
    this.ws.on('close', () => h.close())
    this.ws.on('error', () => h.close())
    const socket = (this.ws as unknown as { _socket?: NodeJS.EventEmitter })._socket
    socket?.on('drain', () => h.drain?.())
  }
}

export interface Listener {
  readonly port: number
  close(): Promise<void>
}

/** Serve the router over WebSocket (and HTTP probes) on one port. */
export async function listenWebSocket(router: Router, opts: WebSocketListenerOptions): Promise<Listener & { server: Server }> {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: router.config.maxFrameBytes,
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has('clasp') ? 'clasp' : false),
  })
  const server = createServer((req, res) => {
    if (opts.routes?.(req, res)) return
    if (req.url === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ status: 'ok', name: router.config.name, sessions: router.sessions.size, params: router.params.size }))
      return
    }
    res.writeHead(200, { 'content-type': 'text/plain' })
    res.end('ok\n')
  })
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy())
    wss.handleUpgrade(req, socket, head, (ws) => {
      const remote = `${req.socket.remoteAddress}:${req.socket.remotePort}`
      router.attach(new WebSocketPort(ws, remote))
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port, opts.host ?? '0.0.0.0', () => {
      server.off('error', reject)
      resolve()
    })
  })
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.terminate()
        wss.close()
        server.close(() => resolve())
        server.closeAllConnections?.()
      }),
  }
}
