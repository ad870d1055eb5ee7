/**
 * The param store: current value, revision, writer, timestamp, lock and TTL per address
 * (router-behavior.md §5). Pure state: it decides whether a write is accepted and what the new
 * param is; broadcasting and replies are the SET handler's job.
 */
import type { ClaspValue, SetMessage, Ttl } from '../../generated/types.ts'
import type { ConflictStrategy } from './config.ts'

export interface Param {
  address: string
  value: ClaspValue
  revision: bigint
  /** Session id of the last writer. */
  writer: string
  /** Server time of the last accepted write, µs. */
  timestamp: bigint
  /** Session id holding the lock, if locked. */
  lockHolder: string | undefined
  ttl: Ttl | undefined
  /** Server time of the last write, ms (TTL and LRU). */
  lastWriteMs: number
}

/** A write as a SET carries it; `revision` is the expected current revision. */
export type WriteRequest = Omit<SetMessage, 'type'>

/** Stable reasons a write is refused; the text follows the reference's Debug rendering. */
export type WriteRefusal =
  | { kind: 'RevisionConflict'; expected: bigint; actual: bigint }
  | { kind: 'LockHeld'; holder: string }
  | { kind: 'ConflictRejected'; strategy: ConflictStrategy }

export type WriteResult = { ok: true; param: Param } | { ok: false; refusal: WriteRefusal }

export function refusalText(r: WriteRefusal): string {
  switch (r.kind) {
    case 'RevisionConflict': return `RevisionConflict { expected: ${r.expected}, actual: ${r.actual} }`
    case 'LockHeld': return `LockHeld { holder: "${r.holder}" }`
    case 'ConflictRejected': return `ConflictRejected { strategy: ${r.strategy} }`
  }
}

export class ParamStore {
  /** Insertion order = least recently written first (LRU eviction). */
  private readonly params = new Map<string, Param>()

  constructor(private readonly maxParams: number) {}

  get size(): number {
    return this.params.size
  }

  get(address: string): Param | undefined {
    return this.params.get(address)
  }

  values(): IterableIterator<Param> {
    return this.params.values()
  }

  /** Would this write be accepted? Checks revision, then lock, then strategy; changes nothing. */
  check(req: WriteRequest, writer: string, strategy: ConflictStrategy): WriteRefusal | undefined {
    const cur = this.params.get(req.address)
    if (!cur) return undefined
    // A missing param ignores the expected revision (the reference quirk CONF-72 keeps).
    if (req.revision !== undefined && BigInt(req.revision) !== cur.revision) {
      return { kind: 'RevisionConflict', expected: BigInt(req.revision), actual: cur.revision }
    }
    // Only the holder may write a locked param, with or without the unlock bit [CONF-86].
    if (cur.lockHolder !== undefined && cur.lockHolder !== writer) return { kind: 'LockHeld', holder: cur.lockHolder }
    if (!strategyAccepts(strategy, cur.value, req.value)) return { kind: 'ConflictRejected', strategy }
    return undefined
  }

  /** Apply a write that `check` accepted. */
  apply(req: WriteRequest, writer: string, nowMs: number): Param {
    const cur = this.params.get(req.address)
    let lockHolder = cur?.lockHolder
    if (req.unlock && lockHolder === writer) lockHolder = undefined
    if (req.lock) lockHolder = writer
    const param: Param = {
      address: req.address,
      value: req.value,
      revision: cur ? cur.revision + 1n : 1n,
      writer,
      timestamp: BigInt(Math.round(nowMs * 1000)),
      lockHolder,
      // A SET without ttl keeps the earlier one; a SET with ttl replaces it.
      ttl: req.ttl ?? cur?.ttl,
      lastWriteMs: nowMs,
    }
    if (cur) this.params.delete(req.address)
    else if (this.maxParams > 0 && this.params.size >= this.maxParams) this.evictOldest()
    this.params.set(req.address, param)
    return param
  }

  write(req: WriteRequest, writer: string, strategy: ConflictStrategy, nowMs: number): WriteResult {
    const refusal = this.check(req, writer, strategy)
    return refusal ? { ok: false, refusal } : { ok: true, param: this.apply(req, writer, nowMs) }
  }

  /** Release every lock a session holds (it disconnected) [CONF-87]. */
  releaseLocks(session: string): void {
    for (const p of this.params.values()) if (p.lockHolder === session) p.lockHolder = undefined
  }

  /** Remove expired params; returns how many. Sliding and absolute both count from the last write, as in the reference. */
  expire(nowMs: number, globalTtlSeconds: number): number {
    let removed = 0
    for (const [address, p] of this.params) {
      const ttl = p.ttl
      let limitS: number | undefined
      if (ttl) limitS = ttl.mode === 'never' ? undefined : ttl.seconds
      else if (globalTtlSeconds > 0) limitS = globalTtlSeconds
      if (limitS !== undefined && nowMs - p.lastWriteMs >= limitS * 1000) {
        this.params.delete(address)
        removed++
      }
    }
    return removed
  }

  private evictOldest(): void {
    const oldest = this.params.keys().next()
    if (!oldest.done) this.params.delete(oldest.value)
  }
}

function strategyAccepts(strategy: ConflictStrategy, old: ClaspValue, next: ClaspValue): boolean {
  if (strategy !== 'max' && strategy !== 'min') return true
  const comparable = (typeof old === 'number' && typeof next === 'number') || (typeof old === 'bigint' && typeof next === 'bigint')
  if (!comparable) return true
  return strategy === 'max' ? (next as number) > (old as number) : (next as number) < (old as number)
}
