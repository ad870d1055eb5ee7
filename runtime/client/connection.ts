/**
 * One logical connection to a router across transport reconnects: opens the transport, sends
 * HELLO, waits for WELCOME (router-behavior.md §3), decodes inbound frames, and after a drop
 * reconnects with exponential backoff and jitter until `close()`. What to do on (re)open —
 * re-subscribing, clock sync — is the client's business, through `ConnectionHooks`.
 */
import { decode } from '../../generated/codec.ts'
import type { HelloMessage, Message, WelcomeMessage } from '../../generated/types.ts'
import type { Clock } from '../router/clock.ts'
import { type ResolvedReconnect, backoffDelay } from './backoff.ts'
import { ClaspError } from './errors.ts'
import type { Transport, TransportFactory } from './transport.ts'
import { WireClient } from './wire.ts'

export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed'

export interface ConnectionHooks {
  /** WELCOME arrived; runs before any later frame of the connection is handled. */
  opened(welcome: WelcomeMessage, reconnect: boolean): void
  /** Any message after WELCOME. */
  message(m: Message): void
  /** An open connection ended (`byClient`: through `close()`). */
  lost(reason: string, byClient: boolean): void
  reconnecting(attempt: number, delayMs: number): void
  error(e: Error): void
}

export interface ConnectionSettings {
  url: string
  factory: TransportFactory
  clock: Clock
  hello: Omit<HelloMessage, 'type'>
  connectTimeoutMs: number
  reconnect: ResolvedReconnect | undefined
  random: () => number
}

interface Handshake {
  resolve(): void
  reject(e: Error): void
}

export class Connection {
  readonly wire: WireClient
  private _state: ConnectionState = 'idle'
  /** Local ms of the last inbound frame (liveness). */
  lastInboundMs = 0
  private transport: Transport | undefined
  /** Bumped whenever a transport is abandoned, so its late events are ignored. */
  private generation = 0
  private attempt = 0
  private everOpened = false
  private reconnectTimer: unknown
  private handshake: Handshake | undefined

  constructor(
    private readonly s: ConnectionSettings,
    private readonly hooks: ConnectionHooks,
  ) {
    this.wire = new WireClient((frame) => this.transport?.send(frame))
  }

  get state(): ConnectionState {
    return this._state
  }

  get isOpen(): boolean {
    return this._state === 'open'
  }

  /** First connection; rejects if it cannot be established (no retry for the first one). */
  async start(): Promise<void> {
    this._state = 'connecting'
    try {
      await this.establish()
    } catch (e) {
      if (this.state !== 'open') this._state = 'closed'
      throw e
    }
  }

  /** Drop the current transport as dead (liveness) and reconnect as after any loss. */
  drop(reason: string): void {
    if (this._state !== 'open') return
    const t = this.transport
    this.onClose(reason)
    void t?.close()
  }

  async close(): Promise<void> {
    if (this._state === 'closed' && this.transport === undefined) return
    const wasOpen = this._state === 'open'
    this._state = 'closed'
    this.generation++
    if (this.reconnectTimer !== undefined) this.s.clock.clearTimeout(this.reconnectTimer)
    this.reconnectTimer = undefined
    this.handshake?.reject(ClaspError.closed())
    const t = this.transport
    this.transport = undefined
    if (wasOpen) this.hooks.lost('closed by client', true)
    await t?.close()
  }

  private establish(): Promise<void> {
    const gen = ++this.generation
    const { clock, connectTimeoutMs, url } = this.s
    return new Promise<void>((resolve, reject) => {
      let settled = false
      const finish = (e?: Error) => {
        if (settled) return
        settled = true
        clock.clearTimeout(timer)
        this.handshake = undefined
        if (!e) return resolve()
        if (this.generation === gen) {
          this.generation++
          const t = this.transport
          this.transport = undefined
          void t?.close()
        }
        reject(e)
      }
      const timer = clock.setTimeout(() => finish(ClaspError.timeout(`no WELCOME from ${url} within ${connectTimeoutMs} ms`)), connectTimeoutMs)
      this.handshake = { resolve: () => finish(), reject: finish }
      // Through a promise, so a factory that throws synchronously is a failed attempt too.
      Promise.resolve().then(() => this.s.factory(url, {
        frame: (bytes) => {
          if (gen === this.generation) this.onBytes(bytes)
        },
        close: (reason) => {
          if (gen === this.generation) this.onClose(reason)
        },
      })).then(
        (transport) => {
          if (settled || gen !== this.generation) return void transport.close()
          this.transport = transport
          this.wire.hello(this.s.hello)
        },
        (e: unknown) => finish(e instanceof Error ? e : new Error(String(e))),
      )
    })
  }

  private onBytes(bytes: Uint8Array): void {
    this.lastInboundMs = this.s.clock.now()
    let m: Message
    try {
      m = decode(bytes).message
    } catch (e) {
      this.hooks.error(new Error(`undecodable frame from the router ignored: ${(e as Error).message}`))
      return
    }
    if (this.handshake) {
      if (m.type === 'WELCOME') {
        const reconnect = this.everOpened
        this.everOpened = true
        this.attempt = 0
        this._state = 'open'
        this.hooks.opened(m, reconnect)
        this.handshake?.resolve()
      } else if (m.type === 'ERROR') {
        // E.g. an authentication failure: fail fast instead of waiting for the timeout.
        this.handshake.reject(ClaspError.router(m.code, m.message, m.address))
      }
      return
    }
    if (this._state === 'open') this.hooks.message(m)
  }

  private onClose(reason: string): void {
    this.generation++
    this.transport = undefined
    if (this.handshake) {
      this.handshake.reject(ClaspError.disconnected(`connection closed before WELCOME: ${reason}`))
      return
    }
    if (this._state !== 'open') return
    this._state = this.s.reconnect ? 'reconnecting' : 'closed'
    this.hooks.lost(reason, false)
    this.scheduleReconnect()
  }

  private scheduleReconnect(): void {
    const r = this.s.reconnect
    if (!r || this._state === 'closed') {
      this._state = 'closed'
      return
    }
    if (this.attempt >= r.maxAttempts) {
      this._state = 'closed'
      this.hooks.error(ClaspError.disconnected(`gave up reconnecting to ${this.s.url} after ${this.attempt} attempts`))
      return
    }
    this.attempt++
    const delay = backoffDelay(this.attempt, r, this.s.random)
    this._state = 'reconnecting'
    this.hooks.reconnecting(this.attempt, delay)
    this.reconnectTimer = this.s.clock.setTimeout(() => {
      this.reconnectTimer = undefined
      if (this._state !== 'reconnecting') return
      this.establish().catch(() => {
        if (this._state === 'reconnecting') this.scheduleReconnect()
      })
    }, delay)
  }
}
