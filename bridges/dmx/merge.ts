/**
 * E1.31 source merging for one universe (bridges.md §6 R, deliberate difference 12): the sources
 * with the highest priority win; when several share it, the result is their per-slot maximum
 * (HTP), or the latest frame among them (LTP). A source that goes silent for `timeoutMs`
 * (E1.31 "network data loss", 2.5 s) or sends Stream_Terminated drops out of the merge.
 *
 * This is the algorithm the spec asks receivers to document (user-asks.md §5): priority first,
 * then HTP (default) or LTP between equal priorities.
 */
export type MergeMode = 'htp' | 'ltp'

interface Source {
  priority: number
  data: Uint8Array
  at: number
}

/** The merge state of one universe: the live sources and their last frames. */
export class UniverseMerge {
  private readonly sources = new Map<string, Source>()

  constructor(
    private readonly mode: MergeMode = 'htp',
    private readonly timeoutMs = 2500,
  ) {}

  /** Record a frame from `source` and return the merged frame. */
  update(source: string, priority: number, data: Uint8Array, now: number): Uint8Array {
    this.sources.set(source, { priority, data, at: now })
    return this.merged(now)!
  }

  /** A source ended its stream; returns the merged frame of the rest (undefined when none is left). */
  terminate(source: string, now: number): Uint8Array | undefined {
    this.sources.delete(source)
    return this.merged(now)
  }

  /** Sources currently taking part (after expiry). */
  get size(): number {
    return this.sources.size
  }

  private merged(now: number): Uint8Array | undefined {
    for (const [id, s] of this.sources) if (now - s.at > this.timeoutMs) this.sources.delete(id)
    let top = -1
    for (const s of this.sources.values()) top = Math.max(top, s.priority)
    const winners = [...this.sources.values()].filter((s) => s.priority === top)
    if (winners.length === 0) return undefined
    if (winners.length === 1) return winners[0].data
    if (this.mode === 'ltp') return winners.reduce((a, b) => (b.at >= a.at ? b : a)).data
    const out = new Uint8Array(Math.max(...winners.map((w) => w.data.length)))
    for (const w of winners) for (let i = 0; i < w.data.length; i++) if (w.data[i] > out[i]) out[i] = w.data[i]
    return out
  }
}
