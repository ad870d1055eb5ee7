/**
 * One connected client: its port, handshake state, subscriptions, output queue and inbound
 * rate window. The router owns sessions; handlers read and update them.
 */
import { encode } from '../../generated/codec.ts'
import type { Feature, Message, SignalType, SubscribeOptions } from '../../generated/types.ts'
import { type Delivery, KEEP, Outbox } from './outbox.ts'
import type { FramePort } from './port.ts'

export interface Subscription {
  session: Session
  id: number
  pattern: string
  /** Empty = all types. */
  types: readonly SignalType[]
  options: SubscribeOptions | undefined
  /** maxRate/epsilon bookkeeping per address: last forwarded time (ms) and value. */
  lastSent?: Map<string, { atMs: number; value: unknown }>
}

export type SessionState = 'handshake' | 'open' | 'closed'

export class Session {
  state: SessionState = 'handshake'
  /** Empty until WELCOME; then a UUID v4. */
  id = ''
  name = ''
  features: Feature[] = []
  readonly subscriptions = new Map<number, Subscription>()
  readonly outbox: Outbox
  /** Last inbound frame, ms (idle timeout). */
  lastInboundMs: number
  /** Inbound frames in the current one-second window. */
  windowStartMs = 0
  windowCount = 0
  /** Broadcast epoch of the last delivery, so overlapping subscriptions deliver once. */
  deliveredEpoch = -1
  timers: unknown[] = []

  constructor(
    readonly port: FramePort,
    nowMs: number,
    highWaterBytes: number,
    queueLimit: number,
    onOverflow: (s: Session) => void,
  ) {
    this.lastInboundMs = nowMs
    this.outbox = new Outbox(port, highWaterBytes, queueLimit, () => onOverflow(this))
  }

  /** Encode and send a reply or direct message (never thinned). */
  send(message: Message): void {
    if (this.state === 'closed') return
    this.outbox.deliver(encode(message), KEEP)
  }

  /** Send an already encoded broadcast frame, thinned as `how` allows under congestion. */
  deliver(frame: Uint8Array, how: Delivery): void {
    if (this.state === 'closed') return
    this.outbox.deliver(frame, how)
  }

  get label(): string {
    return `${this.id || '(handshake)'} ${this.port.label}`
  }
}
