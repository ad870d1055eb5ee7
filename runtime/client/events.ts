/** A minimal typed listener list (no Node `events` import, so it bundles for browsers). */

export type Unsubscribe = () => void

export class Emitter<E extends Record<string, unknown[]>> {
  private readonly listeners: { [K in keyof E]?: Set<(...args: E[K]) => void> } = {}

  constructor(private readonly onListenerError: (error: unknown) => void = () => undefined) {}

  on<K extends keyof E>(event: K, fn: (...args: E[K]) => void): Unsubscribe {
    const set = (this.listeners[event] ??= new Set())
    set.add(fn)
    return () => void set.delete(fn)
  }

  emit<K extends keyof E>(event: K, ...args: E[K]): void {
    const set = this.listeners[event]
    if (!set) return
    for (const fn of [...set]) {
      try {
        fn(...args)
      } catch (e) {
        // A throwing listener must not break the client's own bookkeeping.
        if (event !== 'error') this.onListenerError(e)
      }
    }
  }

  clear(): void {
    for (const k of Object.keys(this.listeners)) delete this.listeners[k as keyof E]
  }
}
