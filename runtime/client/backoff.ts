/** Reconnect delays: exponential backoff with jitter. */

export interface ReconnectOptions {
  /** Delay before the first attempt, ms (default 250). */
  initialDelayMs?: number
  /** Cap on the delay, ms (default 10 000). */
  maxDelayMs?: number
  /** Growth per attempt (default 2). */
  factor?: number
  /** Fraction of each delay that is randomised away, 0..1 (default 0.5: delay in [d/2, d]). */
  jitter?: number
  /** Give up after this many failed attempts in a row (default: never). */
  maxAttempts?: number
}

export type ResolvedReconnect = Required<ReconnectOptions>

export function resolveReconnect(o: boolean | ReconnectOptions | undefined): ResolvedReconnect | undefined {
  if (o === false) return undefined
  const r = o === true || o === undefined ? {} : o
  return {
    initialDelayMs: r.initialDelayMs ?? 250,
    maxDelayMs: r.maxDelayMs ?? 10_000,
    factor: r.factor ?? 2,
    jitter: Math.min(1, Math.max(0, r.jitter ?? 0.5)),
    maxAttempts: r.maxAttempts ?? Infinity,
  }
}

/** Delay before attempt number `attempt` (1-based), given `random()` in [0, 1). */
export function backoffDelay(attempt: number, o: ResolvedReconnect, random: () => number): number {
  const base = Math.min(o.maxDelayMs, o.initialDelayMs * o.factor ** Math.max(0, attempt - 1))
  return Math.max(0, Math.round(base * (1 - o.jitter * random())))
}
