/**
 * Clock synchronisation against the router (wire-protocol.md §5.12, router-behavior.md §9).
 * The client sends SYNC {t1 = local µs}; the router answers {t1, t2, t3} in its time; on receipt
 * at local t4:
 *
 *     offset = ((t2 − t1) + (t3 − t4)) / 2        rtt = (t4 − t1) − (t3 − t2)
 *
 * The estimate is the offset of the lowest-RTT sample among the last few (the NTP clock filter:
 * the fastest exchange has the least asymmetric queueing); `rtt` is smoothed with the Rust
 * client's EMA (α = 0.3). Before any reply, WELCOME.time gives a coarse offset (as the npm
 * client does).
 */

export interface ClockSample {
  /** Server minus local time, µs. */
  offsetUs: number
  /** Round trip, µs. */
  rttUs: number
}

const WINDOW = 8
const ALPHA = 0.3

export class ClockSync {
  private samples: ClockSample[] = []
  private offset = 0
  private smoothedRtt: number | undefined
  private readonly outstanding = new Set<bigint>()
  private waiters: Array<(s: ClockSample) => void> = []

  /** Server minus local time, µs. */
  get offsetUs(): number {
    return this.offset
  }

  /** Smoothed round-trip time, µs; undefined before the first SYNC reply. */
  get rttUs(): number | undefined {
    return this.smoothedRtt
  }

  get synced(): boolean {
    return this.samples.length > 0
  }

  /** A WELCOME arrived at local time `localUs`: use its time until SYNC replies come in. */
  welcome(serverUs: bigint, localUs: bigint): void {
    if (!this.synced) this.offset = Number(serverUs - localUs)
  }

  /** Record an outgoing SYNC's t1. */
  sent(t1: bigint): void {
    this.outstanding.add(t1)
  }

  /** SYNC replies not yet answered (the connection is suspect when this keeps growing). */
  get pending(): number {
    return this.outstanding.size
  }

  /** A new connection: requests in flight on the old one will never be answered. */
  reset(): void {
    this.outstanding.clear()
  }

  /** Process a SYNC reply received at local time t4. Returns the sample, or undefined if not ours. */
  reply(t1: bigint, t2: bigint | undefined, t3: bigint | undefined, t4: bigint): ClockSample | undefined {
    if (!this.outstanding.delete(t1)) return undefined
    const tt2 = t2 ?? t3
    const tt3 = t3 ?? t2
    if (tt2 === undefined || tt3 === undefined) return undefined
    const sample: ClockSample = {
      offsetUs: Number((tt2 - t1) + (tt3 - t4)) / 2,
      rttUs: Math.max(0, Number((t4 - t1) - (tt3 - tt2))),
    }
    this.samples.push(sample)
    if (this.samples.length > WINDOW) this.samples.shift()
    let best = this.samples[0]
    for (const s of this.samples) if (s.rttUs < best.rttUs) best = s
    this.offset = best.offsetUs
    this.smoothedRtt = this.smoothedRtt === undefined ? sample.rttUs : this.smoothedRtt + ALPHA * (sample.rttUs - this.smoothedRtt)
    for (const w of this.waiters.splice(0)) w(sample)
    return sample
  }

  /** Resolve at the next accepted reply. */
  next(): Promise<ClockSample> {
    return new Promise((resolve) => this.waiters.push(resolve))
  }

  /** Local µs → server µs. */
  toServer(localUs: bigint): bigint {
    return localUs + BigInt(Math.round(this.offset))
  }
}
