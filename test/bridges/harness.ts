/**
 * Helpers on 127.0.0.1 for the bridge tests: UDP sockets and E1.31 packets for Art-Net and sACN,
 * and a first start that fails on a taken TCP port for the listening bridges (the router rig,
 * logger and peer policy come from test/support/peers.ts).
 */
import { type Socket, createSocket } from 'node:dgram'
import { type AddressInfo, createServer } from 'node:net'
import { expect } from 'vitest'
import type { Bridge } from '../../bridges/bridge.ts'
import type { BridgeRig } from '../support/peers.ts'

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

export const ACN_PID = [0x41, 0x53, 0x43, 0x2d, 0x45, 0x31, 0x2e, 0x31, 0x37, 0x00, 0x00, 0x00]

/** An E1.31 data packet built from the standard's layout (not with the package under test). */
export function e131(universe: number, data: number[], o: { cid?: number; priority?: number; seq?: number; options?: number; name?: string } = {}): Uint8Array {
  const n = data.length
  const b = new Uint8Array(126 + n)
  const dv = new DataView(b.buffer)
  dv.setUint16(0, 0x0010)
  b.set(ACN_PID, 4)
  dv.setUint16(16, 0x7000 | (b.length - 16))
  dv.setUint32(18, 0x00000004)
  b.fill(o.cid ?? 0xab, 22, 38)
  dv.setUint16(38, 0x7000 | (b.length - 38))
  dv.setUint32(40, 0x00000002)
  b.set(new TextEncoder().encode(o.name ?? 'test source'), 44)
  b[108] = o.priority ?? 100
  b[111] = o.seq ?? 0
  b[112] = o.options ?? 0
  dv.setUint16(113, universe)
  dv.setUint16(115, 0x7000 | (b.length - 115))
  b[117] = 0x02
  b[118] = 0xa1
  dv.setUint16(121, 1)
  dv.setUint16(123, n + 1)
  b.set(data, 126)
  return b
}

/**
 * Starts a listening bridge on the rig after a first start that fails with EADDRINUSE (another
 * socket holds the TCP port it is told to use), then on a free port: for tests that a failed
 * start leaves nothing behind.
 */
export async function startAfterFailedListen<B extends Bridge & { options: { port?: number } }>(rig: BridgeRig, bridge: B): Promise<B> {
  const blocker = createServer()
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()))
  bridge.options.port = (blocker.address() as AddressInfo).port
  try {
    await expect(bridge.start({ clasp: rig.clasp, log: rig.log })).rejects.toThrow(/EADDRINUSE/)
  } finally {
    await new Promise<void>((resolve) => blocker.close(() => resolve()))
  }
  bridge.options.port = 0
  return rig.start(bridge)
}
