/**
 * UDP helpers on 127.0.0.1 for the Art-Net and sACN tests (the router rig, logger and peer
 * policy come from test/support/peers.ts).
 */
import { type Socket, createSocket } from 'node:dgram'

/** A UDP socket that records every datagram (with its arrival time, for pacing checks). */
export interface Udp {
  socket: Socket
  port: number
  received: Array<{ data: Buffer; from: string; port: number; at: number }>
  send(bytes: Uint8Array, port: number, host?: string): Promise<void>
  close(): Promise<void>
}

export async function udp(port = 0, address = '127.0.0.1', reuseAddr = false): Promise<Udp> {
  const socket = createSocket({ type: 'udp4', reuseAddr })
  const received: Udp['received'] = []
  socket.on('message', (data, r) => void received.push({ data, from: r.address, port: r.port, at: performance.now() }))
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject)
    socket.bind(port, address, () => resolve())
  })
  return {
    socket, received,
    port: socket.address().port,
    send: (bytes, p, host = '127.0.0.1') => new Promise<void>((resolve, reject) => socket.send(bytes, p, host, (e) => (e ? reject(e) : resolve()))),
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  }
}
