/**
 * A clock that moves only when told: deterministic timers for keepalive, TTL, bundle scheduling
 * and gesture throttling tests.
 */
import type { Clock } from '../../runtime/router/clock.ts'

interface Timer {
  id: number
  at: number
  fn: () => void
  every: number | undefined
}

export class ManualClock implements Clock {
  private t: number
  private nextId = 1
  private timers: Timer[] = []

  constructor(startMs = 1_700_000_000_000) {
    this.t = startMs
  }

  now(): number {
    return this.t
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const timer = { id: this.nextId++, at: this.t + Math.max(0, ms), fn, every: undefined }
    this.timers.push(timer)
    return timer.id
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((x) => x.id !== handle)
  }

  setInterval(fn: () => void, ms: number): unknown {
    const timer = { id: this.nextId++, at: this.t + ms, fn, every: ms }
    this.timers.push(timer)
    return timer.id
  }

  clearInterval(handle: unknown): void {
    this.clearTimeout(handle)
  }

  /** Move time forward, firing due timers in order. */
  advance(ms: number): void {
    const end = this.t + ms
    for (;;) {
      const due = this.timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0]
      if (!due) break
      this.t = Math.max(this.t, due.at)
      if (due.every !== undefined) due.at += due.every
      else this.timers = this.timers.filter((x) => x !== due)
      due.fn()
    }
    this.t = end
  }
}
