/**
 * What the client needs from a connection: whole CLASP frames in both directions. One frame per
 * binary WebSocket message, or u32 length-prefixed frames over TCP (wire-protocol.md §2).
 * Factories resolve once the connection is open and reject if it cannot be opened.
 */
import { ClaspError } from './errors.ts'

export interface TransportHandlers {
  /** One complete frame from the router. */
  frame(bytes: Uint8Array): void
  /** The connection ended after it had opened (not called for a failed open). */
  close(reason: string): void
}

export interface Transport {
  send(frame: Uint8Array): void
  /** Close; resolves once the connection is down (bounded wait). Idempotent. */
  close(): Promise<void>
}

export type TransportFactory = (url: string, handlers: TransportHandlers) => Promise<Transport>

export type Scheme = 'ws' | 'wss' | 'tcp' | 'udp'

export function schemeOf(url: string): Scheme {
  const m = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)
  const scheme = m?.[1].toLowerCase()
  if (scheme === 'ws' || scheme === 'wss' || scheme === 'tcp' || scheme === 'udp') return scheme
  throw ClaspError.usage(`unsupported URL ${JSON.stringify(url)}: expected ws://, wss://, tcp://host:port or udp://host:port`)
}

/** `tcp://host:port` or `udp://host:port` (IPv6 hosts in brackets). The port is required. */
export function parseHostPortUrl(url: string, scheme: 'tcp' | 'udp'): { host: string; port: number } {
  const m = new RegExp(`^${scheme}://(\\[[^\\]]+\\]|[^:/?#]+):(\\d{1,5})/?$`, 'i').exec(url)
  const port = m ? Number(m[2]) : NaN
  if (!m || port < 1 || port > 65535) throw ClaspError.usage(`bad ${scheme.toUpperCase()} URL ${JSON.stringify(url)}: expected ${scheme}://host:port`)
  const host = m[1].startsWith('[') ? m[1].slice(1, -1) : m[1]
  return { host, port }
}

export const parseTcpUrl = (url: string) => parseHostPortUrl(url, 'tcp')
