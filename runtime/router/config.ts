/**
 * Router configuration. Limits are on by default (ws style); 0 disables a limit where noted.
 * Defaults follow the reference where it is sane (router-behavior.md §17) and say why where not.
 */
import type { Feature } from '../../generated/types.ts'

export type ConflictStrategy = 'lww' | 'max' | 'min' | 'lock' | 'merge'

export interface StrategyRule {
  /** Address pattern (`*`, `**`), matched like subscriptions. */
  pattern: string
  strategy: ConflictStrategy
}

export interface RouterConfig {
  /** Name sent in WELCOME. */
  name: string
  features: Feature[]
  /** Concurrent sessions; 0 = unlimited (the reference rejects everyone at 0). */
  maxSessions: number
  maxSubscriptionsPerSession: number
  /** Largest inbound frame, header included. */
  maxFrameBytes: number
  /** Longest address or pattern in UTF-8 bytes. */
  maxAddressBytes: number
  /** Inbound frames per second per session after the handshake; 0 = unlimited. */
  maxMessagesPerSecond: number
  /** Messages waiting for a slow consumer before it is told (ERROR 503) and disconnected. */
  sendQueueLimit: number
  /** Transport bytes in flight above which a session counts as congested. */
  sendHighWaterBytes: number
  helloTimeoutMs: number
  /** Close a session that sent nothing for this long; 0 = never. */
  sessionTimeoutMs: number
  /** Params kept; the least recently written is evicted beyond this. */
  maxParams: number
  /** Expire params not written for this long; 0 = never (the reference defaults to 3600 s). */
  paramTtlSeconds: number
  /** How often TTLs are checked (the reference: 60 s). */
  ttlSweepMs: number
  /** At most one gesture move per id per interval is forwarded during continuous motion. */
  gestureIntervalMs: number
  /** Params per SNAPSHOT chunk; chunks are also cut to fit the 65,535-byte payload. */
  snapshotChunkParams: number
  /** Conflict strategy per address pattern; first match wins, default LWW. */
  strategies: StrategyRule[]
}

export const defaultRouterConfig: RouterConfig = {
  name: 'CLASP Router',
  features: ['param', 'event', 'stream', 'gesture', 'timeline'],
  maxSessions: 1000,
  maxSubscriptionsPerSession: 1000,
  maxFrameBytes: 12 + 0xffff,
  maxAddressBytes: 1024,
  maxMessagesPerSecond: 1000,
  sendQueueLimit: 1000,
  sendHighWaterBytes: 1 << 20,
  helloTimeoutMs: 10_000,
  sessionTimeoutMs: 300_000,
  maxParams: 100_000,
  paramTtlSeconds: 0,
  ttlSweepMs: 1000,
  gestureIntervalMs: 16,
  snapshotChunkParams: 800,
  strategies: [],
}

export function resolveConfig(partial: Partial<RouterConfig> = {}): RouterConfig {
  return { ...defaultRouterConfig, ...partial }
}
