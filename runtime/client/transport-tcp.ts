/**
 * TCP transport (Node only): each frame behind a u32 big-endian length (wire-protocol.md §2).
 * Imported lazily by the Node entry so browser bundles never see `node:net`.
 */
import { connect as netConnect } from 'node:net'
import { LengthPrefixDecoder, lengthPrefix } from '../framing/length-prefix.ts'
import { type Transport, type TransportHandlers, parseTcpUrl } from './transport.ts'

const CLOSE_WAIT_MS = 1000

export function openTcp(url: string, handlers: TransportHandlers): Promise<Transport> {
  const { host, port } = parseTcpUrl(url)
  const socket = netConnect({ host, port })
  socket.setNoDelay(true)
  let ended = false
  let endReason = 'TCP connection closed'
  const decoder = new LengthPrefixDecoder(
    (frame) => handlers.frame(frame),
    (reason) => {
      endReason = `bad framing from router: ${reason}`
      socket.destroy()
    },
  )

  const transport: Transport = {
    send(frame) {
      if (!ended && !socket.destroyed) socket.write(lengthPrefix(frame))
    },
    close() {
      if (ended) return Promise.resolve()
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          socket.destroy()
          resolve()
        }, CLOSE_WAIT_MS)
        socket.once('close', () => {
          clearTimeout(timer)
          resolve()
        })
        socket.end()
      })
    },
  }

  return new Promise<Transport>((resolve, reject) => {
    let opened = false
    socket.on('connect', () => {
      opened = true
      socket.setKeepAlive(true, 30_000)
      resolve(transport)
    })
    socket.on('data', (chunk: Uint8Array) => decoder.push(chunk))
    socket.on('error', (e) => {
      if (!opened) reject(new Error(`TCP connection to ${host}:${port} failed: ${e.message}`))
      else endReason = `TCP error: ${e.message}`
    })
    socket.on('close', () => {
      ended = true
      if (opened) handlers.close(endReason)
    })
  })
}
