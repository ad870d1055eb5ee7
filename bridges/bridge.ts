/**
 * One interface for every protocol bridge (bridges.md §0). A bridge talks to the router only
 * through a CLASP client, so the same bridge runs inside the router process (connected through
 * an in-memory transport) or as its own process (`clasp osc`, connected over ws:// or tcp://).
 *
 * Rules every bridge keeps (bridges.md "deliberate differences"):
 * - addresses are mapped relative to the bridge's namespace, never by fixed split index;
 * - loop suppression: what came in from the external protocol is never sent back out to it
 *   (the router echoes a writer's own SETs; `isOwnEcho` recognises them);
 * - bad input is counted and logged, never thrown out of the bridge, never written to state;
 * - value conversion goes through the shared transform layer (transform.ts).
 */
import type { ClaspClient } from '../runtime/client/index.ts'
import type { Logger } from '../runtime/router/log.ts'
import type { TransformRule } from './transform.ts'

export interface BridgeStats {
  /** Messages from the external protocol turned into CLASP. */
  inbound: number
  /** CLASP messages sent out to the external protocol. */
  outbound: number
  /** External input rejected as malformed (counted, logged, dropped). */
  malformed: number
  /** CLASP messages not forwarded because they came from this bridge (loop suppression). */
  suppressed: number
  /** Transport or peer errors. */
  errors: number
}

export interface BridgeContext {
  /** Connected client; its session id tells the bridge's own echoes apart. */
  clasp: ClaspClient
  log: Logger
}

/** Options every bridge accepts (per-bridge options extend this). */
export interface BridgeOptions {
  /** CLASP address prefix owned by this bridge, e.g. `/osc`. */
  namespace: string
  /** Address/value rewrite rules applied in both directions. */
  transforms?: TransformRule[]
}

export interface Bridge {
  /** Protocol id, e.g. `osc`. */
  readonly kind: string
  readonly namespace: string
  start(ctx: BridgeContext): Promise<void>
  stop(): Promise<void>
  stats(): BridgeStats
}

export const emptyStats = (): BridgeStats => ({ inbound: 0, outbound: 0, malformed: 0, suppressed: 0, errors: 0 })

/** Join a namespace and a relative path: `/osc` + `/mixer/1` → `/osc/mixer/1`. */
export function withinNamespace(namespace: string, path: string): string {
  const ns = namespace.endsWith('/') ? namespace.slice(0, -1) : namespace
  return `${ns}${path.startsWith('/') ? path : `/${path}`}`
}

/** The path below the namespace, or undefined when the address is outside it. */
export function relativeToNamespace(namespace: string, address: string): string | undefined {
  const ns = namespace.endsWith('/') ? namespace.slice(0, -1) : namespace
  if (ns === '') return address
  if (address === ns) return '/'
  return address.startsWith(`${ns}/`) ? address.slice(ns.length) : undefined
}
