/**
 * WebSocket transport over anything with the browser WebSocket API: the browser's global, or
 * the `ws` package in Node (same on* properties and binaryType). Requests subprotocol `clasp`
 * and binary frames; text messages are ignored (router-behavior.md §1).
 */
import type { Transport, TransportHandlers } from './transport.ts'

/** The part of the WebSocket API used here (browser and `ws` both provide it). */
export interface WebSocketLike {
  binaryType: string
  readonly readyState: number
  send(data: Uint8Array): void
  close(code?: number, reason?: string): void
  onopen: ((ev: unknown) => void) | null
  onmessage: ((ev: { data: unknown }) => void) | null
  onclose: ((ev: { code: number; reason: string }) => void) | null
  onerror: ((ev: unknown) => void) | null
}

export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike

const OPEN = 1
const CLOSE_WAIT_MS = 1000

export function openWebSocket(WS: WebSocketConstructor, url: string, handlers: TransportHandlers): Promise<Transport> {
  const ws = new WS(url, 'clasp')
  ws.binaryType = 'arraybuffer'
  let closed = false
  let onClosed: (() => void) | undefined

  const transport: Transport = {
    send(frame) {
      if (ws.readyState === OPEN) ws.send(frame)
    },
    close() {
      if (closed) return Promise.resolve()
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          // Give up waiting for the closing handshake; `ws` can drop the socket outright.
          ;(ws as { terminate?: () => void }).terminate?.()
          resolve()
        }, CLOSE_WAIT_MS)
        onClosed = () => {
          clearTimeout(timer)
          resolve()
        }
        try {
          ws.close(1000, 'client closing')
        } catch {
          clearTimeout(timer)
          resolve()
        }
      })
    },
  }

  return new Promise<Transport>((resolve, reject) => {
    let opened = false
    ws.onopen = () => {
      opened = true
      resolve(transport)
    }
    ws.onerror = () => {
      if (!opened) reject(new Error(`WebSocket connection to ${url} failed`))
    }
    ws.onclose = (ev) => {
      closed = true
      onClosed?.()
      if (!opened) reject(new Error(`WebSocket connection to ${url} closed before opening (code ${ev.code})`))
      else handlers.close(ev.reason ? `${ev.reason} (code ${ev.code})` : `WebSocket closed (code ${ev.code})`)
    }
    ws.onmessage = (ev) => {
      const data = ev.data
      if (data instanceof ArrayBuffer) handlers.frame(new Uint8Array(data))
      else if (ArrayBuffer.isView(data)) handlers.frame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
      // Text frames carry no CLASP.
    }
  })
}
