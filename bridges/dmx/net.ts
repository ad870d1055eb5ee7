/** Small UDP helpers shared by the Art-Net and sACN bridges. */
import { networkInterfaces } from 'node:os'

/** Where a datagram goes. */
export interface Destination {
  host: string
  port: number
}

/** Parse `host` or `host:port` (IPv4 or a name; IPv6 in brackets) with a default port. */
export function parseDestination(spec: string, defaultPort: number): Destination {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d{1,5}))?$/.exec(spec.trim())
  const port = m?.[2] === undefined ? defaultPort : Number(m[2])
  if (!m || !(port >= 1 && port <= 65535)) throw new Error(`bad destination ${JSON.stringify(spec)}: expected host or host:port`)
  return { host: m[1].replace(/^\[|\]$/g, ''), port }
}

const ipv4 = (s: string): number | undefined => {
  const p = s.split('.').map(Number)
  return p.length === 4 && p.every((n) => Number.isInteger(n) && n >= 0 && n <= 255) ? ((p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3]) >>> 0 : undefined
}

/** Every local IPv4 address (loopback included). */
export function localAddresses(): Set<string> {
  const out = new Set<string>()
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) if (a.family === 'IPv4') out.add(a.address)
  return out
}

/** Is this one of our own IPv4 addresses (any 127.x counts: Linux routes the whole /8 to lo)? */
export function isLocalAddress(address: string, locals: Set<string>): boolean {
  return address.startsWith('127.') || locals.has(address)
}

/**
 * The local IPv4 address a peer at `remote` reaches us on: the interface whose subnet contains it,
 * else the first non-internal address, else 0.0.0.0. Used for the IP field of ArtPollReply.
 */
export function localAddressFor(remote: string): string {
  const r = ipv4(remote)
  let fallback: string | undefined
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.family !== 'IPv4') continue
      const addr = ipv4(a.address)
      const mask = ipv4(a.netmask)
      if (r !== undefined && addr !== undefined && mask !== undefined && ((addr & mask) >>> 0) === ((r & mask) >>> 0)) return a.address
      if (!a.internal) fallback ??= a.address
    }
  }
  return fallback ?? '0.0.0.0'
}

/** Dotted quad → four bytes (0.0.0.0 for anything else). */
export function quadOf(address: string): [number, number, number, number] {
  const n = ipv4(address) ?? 0
  return [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]
}
