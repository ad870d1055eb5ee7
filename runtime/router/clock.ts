/**
 * Time as the router sees it, injected so that keepalive, TTL, bundle scheduling, gesture
 * throttling and rate windows can be driven by fake timers in tests.
 */
export interface Clock {
  /** Wall-clock milliseconds since the Unix epoch. */
  now(): number
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
  setInterval(fn: () => void, ms: number): unknown
  clearInterval(handle: unknown): void
}

/** The real clock. Looked up at call time so that vitest fake timers also drive it. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => unref(setTimeout(fn, ms)),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  setInterval: (fn, ms) => unref(setInterval(fn, ms)),
  clearInterval: (h) => clearInterval(h as ReturnType<typeof setInterval>),
}

function unref<T>(h: T): T {
  ;(h as { unref?: () => void }).unref?.()
  return h
}

/** Microseconds since the Unix epoch, as the wire carries them. */
export const micros = (clock: Clock): bigint => BigInt(Math.round(clock.now() * 1000))
