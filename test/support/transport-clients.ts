/**
 * Client ends of every real transport, for tests: each speaks real frames over a real socket or
 * pty (WebSocket binary messages, u32-BE length prefix over TCP, one datagram per frame over UDP,
 * SLIP over a serial pty), so a behaviour test runs unchanged over all of them.
 */
import { spawnSync } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { connect as netConnect } from 'node:net'
import { WebSocket } from 'ws'
import { startPtyPair as socatPtyPair } from '../../firmware-sim/harness.ts'
import { decode, encode } from '../../generated/codec.ts'
import type { Message, MessageOf, MessageType, WelcomeMessage } from '../../generated/types.ts'
import { LengthPrefixDecoder, lengthPrefix } from '../../runtime/framing/length-prefix.ts'
import { SlipDecoder, slipEncode } from '../../runtime/framing/slip.ts'
import { waitFor } from './wait.ts'

export interface TransportClient {
  readonly kind: 'ws' | 'tcp' | 'udp' | 'serial'
  /** Decoded messages not yet taken by `next`. */
  readonly inbox: Message[]
  /** Received frames the codec rejected. */
  undecodable: number
  /** The transport reported the connection closed (never true for UDP). */
  closed: boolean
  send(msg: Message): void
  /** Send arbitrary bytes as one frame, with this transport's framing around them. */
  sendFrame(bytes: Uint8Array): void
  /** Write bytes to the stream as they are, without framing (TCP and serial only). */
  sendRaw(bytes: Uint8Array): void
  /** Take the first inbox message of `type` (matching `where`), waiting at most `ms`. */
  next<K extends MessageType>(type: K, ms?: number, where?: (m: MessageOf<K>) => boolean): Promise<MessageOf<K>>
  /** HELLO, then WELCOME and the connect SNAPSHOT, taken from the inbox. */
  hello(name?: string, ms?: number): Promise<WelcomeMessage>
  close(): Promise<void>
}

type Wire = Pick<TransportClient, 'sendFrame' | 'sendRaw' | 'close'>

/** Shared inbox/next/hello logic over a transport's `sendFrame`. */
function makeClient(kind: TransportClient['kind'], bind: (onFrame: (f: Uint8Array) => void, onClose: () => void) => Wire): TransportClient {
  const c: TransportClient = {
    kind,
    inbox: [],
    undecodable: 0,
    closed: false,
    send: (msg) => wire.sendFrame(encode(msg)),
    sendFrame: (b) => wire.sendFrame(b),
    sendRaw: (b) => wire.sendRaw(b),
    async next<K extends MessageType>(type: K, ms = 3000, where?: (m: MessageOf<K>) => boolean) {
      const i = await waitFor(() => {
        const at = c.inbox.findIndex((m) => m.type === type && (!where || where(m as MessageOf<K>)))
        return at >= 0 ? at + 1 : undefined // +1: index 0 is falsy for waitFor
      }, ms, `${kind} ${type}`)
      return c.inbox.splice(i - 1, 1)[0] as MessageOf<K>
    },
    async hello(name = `${kind}-client`, ms = 3000) {
      c.send({ type: 'HELLO', version: 1, features: ['param', 'event', 'stream', 'gesture', 'timeline'], name })
      const welcome = await c.next('WELCOME', ms)
      await c.next('SNAPSHOT', ms)
      return welcome
    },
    close: () => wire.close(),
  }
  const wire = bind(
    (f) => {
      try {
        c.inbox.push(decode(f).message)
      } catch {
        c.undecodable++
      }
    },
    () => (c.closed = true),
  )
  return c
}

const CONNECT_MS = 3000

/** WebSocket client (subprotocol `clasp`, one binary message per frame). */
export async function connectWs(url: string): Promise<TransportClient> {
  const ws = new WebSocket(url, 'clasp')
  const client = makeClient('ws', (onFrame, onClose) => {
    ws.on('message', (data, isBinary) => isBinary && onFrame(new Uint8Array(data as Buffer)))
    ws.on('close', onClose)
    ws.on('error', () => undefined) // 'close' follows
    return {
      sendFrame: (b) => ws.readyState === ws.OPEN && ws.send(b, { binary: true }),
      sendRaw: () => {
        throw new Error('WebSocket has no raw byte stream')
      },
      close: () =>
        new Promise<void>((resolve) => {
          if (ws.readyState === ws.CLOSED) return resolve()
          ws.once('close', () => resolve())
          ws.terminate()
        }),
    }
  })
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`ws connect to ${url} timed out`)), CONNECT_MS)
    ws.once('open', () => (clearTimeout(t), resolve()))
    ws.once('error', (e) => (clearTimeout(t), reject(e)))
  })
  return client
}

/** Length-prefixed TCP client on 127.0.0.1. */
export async function connectTcp(port: number, host = '127.0.0.1'): Promise<TransportClient> {
  const socket = netConnect({ port, host })
  socket.setNoDelay(true)
  const client = makeClient('tcp', (onFrame, onClose) => {
    const decoder = new LengthPrefixDecoder(onFrame, () => socket.destroy())
    socket.on('data', (chunk) => decoder.push(chunk))
    socket.on('close', onClose)
    socket.on('error', () => undefined) // 'close' follows
    return {
      sendFrame: (b) => socket.writable && socket.write(lengthPrefix(b)),
      sendRaw: (b) => socket.writable && socket.write(b),
      close: () =>
        new Promise<void>((resolve) => {
          if (socket.destroyed) return resolve()
          socket.once('close', () => resolve())
          socket.destroy()
        }),
    }
  })
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`tcp connect to ${host}:${port} timed out`)), CONNECT_MS)
    socket.once('connect', () => (clearTimeout(t), resolve()))
    socket.once('error', (e) => (clearTimeout(t), reject(e)))
  })
  return client
}

/** UDP client: a socket bound to an ephemeral port and connected to the router, one frame per datagram. */
export async function connectUdp(port: number, host = '127.0.0.1'): Promise<TransportClient> {
  const socket = createSocket('udp4')
  let open = true
  const client = makeClient('udp', (onFrame) => {
    socket.on('message', (msg) => onFrame(new Uint8Array(msg)))
    // ICMP port-unreachable surfaces as ECONNREFUSED on a connected socket; a test would see
    // the missing reply, so it is not an error here.
    socket.on('error', () => undefined)
    return {
      sendFrame: (b) => open && socket.send(Buffer.from(b)),
      sendRaw: () => {
        throw new Error('UDP has no raw byte stream')
      },
      close: () =>
        new Promise<void>((resolve) => {
          if (!open) return resolve()
          open = false
          socket.close(() => resolve())
        }),
    }
  })
  await new Promise<void>((resolve) => socket.connect(port, host, () => resolve()))
  return client
}

/**
 * The device end of a serial link: opens a pty (e.g. one end of a socat pair) with serialport
 * and speaks SLIP-framed CLASP frames, END before and after each.
 */
export async function connectSerialPty(path: string): Promise<TransportClient> {
  const { SerialPort } = await import('serialport')
  const port = new SerialPort({ path, baudRate: 115200, autoOpen: false })
  const client = makeClient('serial', (onFrame, onClose) => {
    const decoder = new SlipDecoder(onFrame)
    port.on('data', (chunk: Buffer) => decoder.push(chunk))
    port.on('close', onClose)
    port.on('error', () => undefined)
    return {
      sendFrame: (b) => port.isOpen && port.write(slipEncode(b)),
      sendRaw: (b) => port.isOpen && port.write(Buffer.from(b)),
      close: () =>
        new Promise<void>((resolve) => {
          if (!port.isOpen) return resolve()
          port.close(() => resolve())
        }),
    }
  })
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())))
  return client
}

/** True when the `socat` binary (Debian package `socat`) can be run. */
export function hasSocat(): boolean {
  const r = spawnSync('socat', ['-V'], { stdio: 'ignore', timeout: 5000 })
  return !r.error && r.status === 0
}

/** A socat pty pair: `a` and `b` are symlinks to two connected ptys in a caller-owned directory. */
export interface PtyPair {
  readonly a: string
  readonly b: string
  readonly pid: number
  /** SIGTERM the socat we spawned (by PID) and wait for it to exit; socat removes its links. */
  stop(): Promise<void>
}

/** A socat pty pair (firmware-sim's, which the firmware tests use too), named `a` and `b`. */
export async function startPtyPair(a: string, b: string): Promise<PtyPair> {
  const pair = await socatPtyPair(a, b)
  return { a, b, pid: pair.pid, stop: pair.stop }
}
