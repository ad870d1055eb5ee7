/**
 * Outbound DMX frames per universe, paced the way receivers expect (bridges.md §4 R, §6 R):
 *
 * - coalesced: writes in the same turn of the event loop, and every write while a universe is
 *   waiting for its next slot, go out as one frame;
 * - rate-limited: at most `maxRateHz` frames per second per universe (default 44, the DMX-512
 *   maximum for 512 slots), so a fader storm cannot flood the network;
 * - refreshed: a universe that has been sent once is re-sent after `refreshMs` of silence
 *   (default 1000), since Art-Net nodes and E1.31 receivers drop a source after 2.5-4 s.
 *
 * The clock is injectable so tests can drive pacing without waiting.
 */
import { type Clock, systemClock } from '../../runtime/router/clock.ts'
import { type OutWrite, SLOTS } from './mapping.ts'

/** Pacing options (shared by the Art-Net and sACN options). */
export interface OutputTiming {
  /** Frames per second per universe, at most (default 44). */
  maxRateHz?: number
  /** Keep-alive: re-send an unchanged universe after this many ms (default 1000; 0 = never). */
  refreshMs?: number
}

interface UniverseState {
  data: Uint8Array
  lastSentAt: number
  timer: unknown
  dueAt: number
}

/** Current output frames and their send timers, per universe. */
export class UniverseOutput {
  private readonly states = new Map<number, UniverseState>()
  private readonly minGapMs: number
  private readonly refreshMs: number
  private closed = false
  /** Frames handed to `send`. */
  frames = 0

  constructor(
    timing: OutputTiming,
    /** Called with the live frame buffer: copy it if it must outlive the call. */
    private readonly send: (universe: number, data: Uint8Array) => void,
    private readonly clock: Clock = systemClock,
  ) {
    const hz = timing.maxRateHz ?? 44
    if (!(hz > 0 && hz <= 1000)) throw new RangeError(`maxRateHz ${hz} outside (0, 1000]`)
    this.minGapMs = 1000 / hz
    this.refreshMs = timing.refreshMs ?? 1000
  }

  /** Set one slot (channel 1-based); a change schedules a frame. */
  setSlot(universe: number, channel: number, value: number): void {
    const s = this.state(universe)
    if (s.data[channel - 1] === value && s.lastSentAt > -Infinity) return
    s.data[channel - 1] = value
    this.touch(s, universe)
  }

  /** Apply one decoded CLASP write. */
  write(w: OutWrite): void {
    if ('frame' in w) this.setFrame(w.universe, w.frame)
    else this.setSlot(w.universe, w.channel, w.slot)
  }

  /** Replace a universe's frame (shorter data leaves the remaining slots unchanged). */
  setFrame(universe: number, data: Uint8Array): void {
    const s = this.state(universe)
    s.data.set(data.subarray(0, SLOTS))
    this.touch(s, universe)
  }

  /** The current frame of a universe (a copy), or undefined if nothing was written to it. */
  frame(universe: number): Uint8Array | undefined {
    return this.states.get(universe)?.data.slice()
  }

  /** Universes written so far. */
  universes(): number[] {
    return [...this.states.keys()]
  }

  /** Stop every timer; nothing is sent afterwards. */
  close(): void {
    this.closed = true
    for (const s of this.states.values()) this.clock.clearTimeout(s.timer)
  }

  private state(universe: number): UniverseState {
    let s = this.states.get(universe)
    if (!s) this.states.set(universe, (s = { data: new Uint8Array(SLOTS), lastSentAt: -Infinity, timer: undefined, dueAt: Infinity }))
    return s
  }

  private touch(s: UniverseState, universe: number): void {
    if (this.closed) return
    const at = Math.max(this.clock.now(), s.lastSentAt + this.minGapMs)
    if (at < s.dueAt) this.schedule(s, universe, at)
  }

  private schedule(s: UniverseState, universe: number, at: number): void {
    this.clock.clearTimeout(s.timer)
    s.dueAt = at
    // Rounded up: timers run on whole milliseconds, and 22.7 → 22 would exceed the rate limit.
    s.timer = this.clock.setTimeout(() => this.fire(s, universe), Math.max(0, Math.ceil(at - this.clock.now())))
  }

  private fire(s: UniverseState, universe: number): void {
    if (this.closed) return
    s.timer = undefined
    s.dueAt = Infinity
    s.lastSentAt = this.clock.now()
    this.frames++
    try {
      this.send(universe, s.data)
    } finally {
      if (this.refreshMs > 0) this.schedule(s, universe, s.lastSentAt + this.refreshMs)
    }
  }
}
