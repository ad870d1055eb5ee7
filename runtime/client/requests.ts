/**
 * Requests awaiting a reply. The router puts no correlation id in ACK or ERROR
 * (router-behavior.md §10), so replies are matched the way the reference clients do it, by
 * address, in order:
 *   - SET    → ACK {address, revision} or ERROR {address}: the oldest pending SET for that address;
 *   - BUNDLE → ACK without address, or ERROR "Bundle rejected: ...": the oldest pending bundle
 *              that is due (a scheduled bundle is answered when it runs, after later ones);
 *   - GET    → a SNAPSHOT entry for the address (the router sends nothing for an unknown
 *              address, so a GET can only time out).
 *   - a rate-limit ERROR 429 carries no address at all: it answers the oldest pending SET of any
 *     address. The router answers frames in order and rejects every frame past its per-second
 *     limit, so that SET is the first refused one unless a PUBLISH or SUBSCRIBE was refused
 *     just before it (then a SET that will still be ACKed is failed early; a caller that re-sends
 *     it writes the same value twice, which a param tolerates). Without this the SET would wait
 *     for its timeout and its caller could not tell it was dropped.
 * Every request has a deadline; losing the connection fails all of them. Limitation (no
 * correlation ids on the wire): a reply that arrives after its request's deadline is taken by
 * the next pending request for the same address.
 */
import type { AckMessage, ClaspValue, ErrorMessage, ParamValue } from '../../generated/types.ts'
import type { Clock } from '../router/clock.ts'
import { ClaspError } from './errors.ts'

interface Pending<T> {
  resolve(v: T): void
  reject(e: Error): void
  timer: unknown
  /** Send order, to find the oldest pending SET across addresses. */
  seq?: number
}

interface PendingBundle extends Pending<bigint | undefined> {
  /** Local ms at which the bundle is due to run (0 = immediately). */
  dueMs: number
}

export class Requests {
  private readonly sets = new Map<string, Pending<bigint>[]>()
  private readonly gets = new Map<string, Pending<ClaspValue>[]>()
  private bundles: PendingBundle[] = []
  private pings: Pending<void>[] = []
  private nextSeq = 0

  constructor(private readonly clock: Clock) {}

  get size(): number {
    let n = this.bundles.length + this.pings.length
    for (const q of this.sets.values()) n += q.length
    for (const q of this.gets.values()) n += q.length
    return n
  }

  set(address: string, timeoutMs: number): Promise<bigint> {
    return this.enqueue(this.sets, address, timeoutMs, () => `SET ${address}: no ACK within ${timeoutMs} ms`)
  }

  get(address: string, timeoutMs: number): Promise<ClaspValue> {
    return this.enqueue(this.gets, address, timeoutMs, () =>
      `GET ${address}: no reply within ${timeoutMs} ms (the router does not answer GET for an address it does not hold)`)
  }

  bundle(timeoutMs: number, dueInMs: number): Promise<bigint | undefined> {
    return new Promise((resolve, reject) => {
      const p: PendingBundle = {
        resolve, reject, dueMs: dueInMs > 0 ? this.clock.now() + dueInMs : 0,
        timer: this.clock.setTimeout(() => {
          this.bundles = this.bundles.filter((b) => b !== p)
          reject(ClaspError.timeout(`BUNDLE: no ACK within ${timeoutMs} ms of its scheduled time`))
        // setTimeout fires at once past 2^31-1 ms (24.8 days); the router refuses bundles that far ahead anyway.
        }, Math.min(timeoutMs + Math.max(0, dueInMs), 0x7fffffff)),
      }
      this.bundles.push(p)
    })
  }

  /** A PING in flight; PONGs come back in order. */
  ping(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const p: Pending<void> = {
        resolve, reject,
        timer: this.clock.setTimeout(() => {
          this.pings = this.pings.filter((x) => x !== p)
          reject(ClaspError.timeout(`PING: no PONG within ${timeoutMs} ms`))
        }, timeoutMs),
      }
      this.pings.push(p)
    })
  }

  pong(): void {
    const p = this.pings.shift()
    if (!p) return
    this.clock.clearTimeout(p.timer)
    p.resolve()
  }

  /** Returns whether the ACK answered a pending request. */
  ack(m: AckMessage): boolean {
    if (m.address !== undefined) {
      const p = this.take(this.sets, m.address)
      if (!p) return false
      if (m.revision === undefined) p.reject(ClaspError.router(0, 'ACK without revision', m.address))
      else p.resolve(m.revision)
      return true
    }
    const b = this.takeBundle()
    b?.resolve(m.revision)
    return b !== undefined
  }

  /** Returns whether the ERROR answered (and rejected) a pending request. */
  error(m: ErrorMessage): boolean {
    const err = ClaspError.router(m.code, m.message, m.address)
    if (m.message.startsWith('Bundle rejected')) {
      const b = this.takeBundle()
      b?.reject(err)
      return b !== undefined
    }
    if (m.address === undefined) {
      if (m.code !== 429) return false
      const oldest = this.oldestSet()
      if (oldest === undefined) return false
      this.take(this.sets, oldest)!.reject(err)
      return true
    }
    let p = this.take(this.sets, m.address)
    // An over-long address comes back truncated.
    if (!p && m.code === 200) {
      const prefix = m.address
      const full = [...this.sets.keys()].find((a) => a.startsWith(prefix))
      if (full !== undefined) p = this.take(this.sets, full)
    }
    p?.reject(err)
    return p !== undefined
  }

  /** A param arrived in a SNAPSHOT: answer every GET waiting for it. */
  snapshot(param: ParamValue): void {
    const q = this.gets.get(param.address)
    if (!q) return
    this.gets.delete(param.address)
    for (const p of q) {
      this.clock.clearTimeout(p.timer)
      p.resolve(param.value)
    }
  }

  /** Fail everything (connection lost or client closed). */
  failAll(make: (address?: string) => Error): void {
    for (const [address, q] of [...this.sets, ...this.gets] as [string, Pending<unknown>[]][]) {
      for (const p of q) {
        this.clock.clearTimeout(p.timer)
        p.reject(make(address))
      }
    }
    this.sets.clear()
    this.gets.clear()
    for (const b of [...this.bundles.splice(0), ...this.pings.splice(0)]) {
      this.clock.clearTimeout(b.timer)
      b.reject(make())
    }
  }

  /** The address whose first pending SET was sent before every other pending SET. */
  private oldestSet(): string | undefined {
    let best: string | undefined
    let bestSeq = Infinity
    for (const [address, q] of this.sets) {
      const seq = q[0]?.seq ?? Infinity
      if (seq < bestSeq) [best, bestSeq] = [address, seq]
    }
    return best
  }

  private enqueue<T>(map: Map<string, Pending<T>[]>, address: string, timeoutMs: number, what: () => string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const p: Pending<T> = {
        resolve, reject, seq: this.nextSeq++,
        timer: this.clock.setTimeout(() => {
          const q = map.get(address)
          const i = q?.indexOf(p) ?? -1
          if (q && i >= 0) {
            q.splice(i, 1)
            if (q.length === 0) map.delete(address)
          }
          reject(ClaspError.timeout(what(), address))
        }, timeoutMs),
      }
      const q = map.get(address)
      if (q) q.push(p)
      else map.set(address, [p])
    })
  }

  private take<T>(map: Map<string, Pending<T>[]>, address: string): Pending<T> | undefined {
    const q = map.get(address)
    const p = q?.shift()
    if (q && q.length === 0) map.delete(address)
    if (p) this.clock.clearTimeout(p.timer)
    return p
  }

  private takeBundle(): PendingBundle | undefined {
    if (this.bundles.length === 0) return undefined
    const now = this.clock.now()
    // Prefer the oldest bundle that should have run by now; a scheduled one answers later.
    let i = this.bundles.findIndex((b) => b.dueMs <= now + 50)
    if (i < 0) i = 0
    const [b] = this.bundles.splice(i, 1)
    this.clock.clearTimeout(b.timer)
    return b
  }
}
