/**
 * What callbacks receive, and the timeline value form.
 *
 * TIMELINE ON THE WIRE. The reference binary codec carries no keyframes (wire-protocol.md §5.8;
 * router-behavior.md §7.1), so `timeline()` sends an ordinary PUBLISH with signal `timeline`
 * whose VALUE is a map that any reference client decodes as a plain CLASP map:
 *
 *     {
 *       keyframes: [ { time: i64 µs from start, value: <any CLASP value>, easing: string }, ... ],
 *       loop:      bool,
 *       startTime: i64 µs, server time (also copied into the PUBLISH timestamp field)
 *     }
 *
 * `easing` defaults to "linear"; other names ("ease-in", "ease-out", "ease-in-out", "step", ...)
 * are passed through uninterpreted. Receivers of this client get the parsed form in
 * `meta.timeline`; reference clients see the map as the event value.
 */
import type { ClaspValue, GesturePhase, SignalType, Ttl } from '../../generated/types.ts'
import { toMicros } from './values.ts'

export interface Keyframe {
  /** Offset from the timeline start, µs. */
  time: bigint | number
  value: ClaspValue
  easing?: string
}

export interface Timeline {
  keyframes: Array<{ time: bigint; value: ClaspValue; easing: string }>
  loop: boolean
  /** Server time, µs. */
  startTime: bigint
}

/** Extra information passed to `on()` callbacks. */
export interface UpdateMeta {
  signal: SignalType
  /** Params: revision after the write. */
  revision?: bigint
  /** Params delivered in a SNAPSHOT: session id of the last writer. */
  writer?: string
  /** Params from a SNAPSHOT: time of the last write; PUBLISH: the sender's timestamp (µs). */
  timestamp?: bigint
  /** The update came from a SNAPSHOT (connect, subscribe, or cached replay), not a live SET. */
  snapshot?: boolean
  /** Params: flags echoed from the SET that made this revision. */
  lock?: boolean
  unlock?: boolean
  ttl?: Ttl
  /** Gestures. */
  phase?: GesturePhase
  gestureId?: number
  /** Streams sent as samples (the value is then the same array). */
  samples?: number[]
  rate?: number
  /** Timelines in this client's map form (see above). */
  timeline?: Timeline
}

export function encodeTimeline(keyframes: readonly Keyframe[], loop: boolean, startTime: bigint): ClaspValue {
  return {
    keyframes: keyframes.map((k) => ({ time: toMicros(k.time), value: k.value, easing: k.easing ?? 'linear' })),
    loop,
    startTime,
  }
}

/** Parse the map form; undefined when `v` is not a timeline map. */
export function decodeTimeline(v: ClaspValue | undefined): Timeline | undefined {
  const m = asRecord(v)
  if (!m || !Array.isArray(m.keyframes)) return undefined
  const keyframes: Timeline['keyframes'] = []
  for (const k of m.keyframes) {
    const kr = asRecord(k)
    if (!kr) return undefined
    const time = typeof kr.time === 'bigint' ? kr.time : typeof kr.time === 'number' ? BigInt(Math.round(kr.time)) : undefined
    if (time === undefined) return undefined
    keyframes.push({ time, value: kr.value ?? null, easing: typeof kr.easing === 'string' ? kr.easing : 'linear' })
  }
  const start = m.startTime
  return {
    keyframes,
    loop: m.loop === true,
    startTime: typeof start === 'bigint' ? start : typeof start === 'number' ? BigInt(Math.round(start)) : 0n,
  }
}

function asRecord(v: ClaspValue | undefined): Record<string, ClaspValue> | undefined {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Uint8Array) return undefined
  if (v instanceof Map) return Object.fromEntries(v as ReadonlyMap<string, ClaspValue>)
  return v as Record<string, ClaspValue>
}
