/**
 * Signal definitions registered by ANNOUNCE and listed by QUERY (router-behavior.md §11).
 * Definitions expire an hour after registration, as in the reference.
 */
import type { SignalDefinition } from '../../generated/types.ts'
import { globMatch } from '../address/index.ts'

const SIGNAL_TTL_MS = 3600_000

export class Signals {
  private readonly defs = new Map<string, { def: SignalDefinition; atMs: number }>()

  register(defs: SignalDefinition[], nowMs: number): void {
    for (const def of defs) this.defs.set(def.address, { def, atMs: nowMs })
  }

  /** Definitions whose address glob-matches the pattern (QUERY uses glob semantics). */
  query(pattern: string): SignalDefinition[] {
    const out: SignalDefinition[] = []
    for (const { def } of this.defs.values()) if (globMatch(pattern, def.address)) out.push(def)
    return out
  }

  expire(nowMs: number): void {
    for (const [k, v] of this.defs) if (nowMs - v.atMs > SIGNAL_TTL_MS) this.defs.delete(k)
  }
}
