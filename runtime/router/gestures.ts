/**
 * Gesture move throttling (router-behavior.md §7.4, deliberately different): during continuous
 * motion at most one move per gesture per interval is forwarded, the latest one, on a steady
 * beat; the reference debounced instead and sent nothing until the motion paused.
 * Start, end and cancel are never delayed; a pending move always goes out before its end.
 */
import type { PublishMessage } from '../../generated/types.ts'
import type { Router } from './router.ts'
import type { Session } from './session.ts'

interface GestureRecord {
  lastForwardMs: number
  pending: { message: PublishMessage; sender: Session } | undefined
  timer: unknown
  startedMs: number
}

/** Records older than this since their start are dropped (a lost END must not leak). */
const GESTURE_MAX_AGE_MS = 5 * 60_000

export class Gestures {
  private readonly records = new Map<string, GestureRecord>()

  constructor(private readonly router: Router, private readonly intervalMs: number) {}

  /** Route one gesture PUBLISH; returns after forwarding or holding it. */
  handle(message: PublishMessage, sender: Session): void {
    if (this.intervalMs <= 0) {
      this.router.broadcastPublish(message, sender)
      return
    }
    const key = `${message.id ?? 0}\u0000${message.address}`
    const now = this.router.clock.now()
    const rec = this.records.get(key)
    switch (message.phase ?? 'start') {
      case 'start':
        if (rec) this.clear(key, rec)
        this.records.set(key, { lastForwardMs: now, pending: undefined, timer: undefined, startedMs: now })
        this.router.broadcastPublish(message, sender)
        return
      case 'move':
        if (!rec || now - rec.lastForwardMs >= this.intervalMs) {
          if (rec) {
            rec.lastForwardMs = now
            rec.pending = undefined
          }
          this.router.broadcastPublish(message, sender)
          return
        }
        rec.pending = { message, sender }
        rec.timer ??= this.router.clock.setTimeout(() => this.flush(key), rec.lastForwardMs + this.intervalMs - now)
        return
      default: // end, cancel
        if (rec) {
          if (rec.pending) this.router.broadcastPublish(rec.pending.message, rec.pending.sender)
          this.clear(key, rec)
        }
        this.router.broadcastPublish(message, sender)
    }
  }

  private flush(key: string): void {
    const rec = this.records.get(key)
    if (!rec) return
    rec.timer = undefined
    if (rec.pending) {
      const { message, sender } = rec.pending
      rec.pending = undefined
      rec.lastForwardMs = this.router.clock.now()
      this.router.broadcastPublish(message, sender)
    }
    if (this.router.clock.now() - rec.startedMs > GESTURE_MAX_AGE_MS) this.clear(key, rec)
  }

  private clear(key: string, rec: GestureRecord): void {
    if (rec.timer !== undefined) this.router.clock.clearTimeout(rec.timer)
    this.records.delete(key)
  }

  stop(): void {
    for (const [key, rec] of this.records) this.clear(key, rec)
  }

  get active(): number {
    return this.records.size
  }
}
