/**
 * SNAPSHOT chunking by count and by encoded size (router-behavior.md §4.6, improved): at most
 * `maxParams` entries per chunk, as the reference, and never more than fits a 65,535-byte
 * payload, where the reference silently skipped the whole chunk [CONF-62, CONF-63].
 */
import { WireWriter } from '../codec/writer.ts'
import { encodeParamValue } from '../../generated/codec.ts'
import type { ParamValue } from '../../generated/types.ts'

/** Payload bytes available for entries: the type byte and u16 count come first. */
const ENTRY_BUDGET = 0xffff - 3
const sizer = new WireWriter()

/** The encoded size of one entry. */
function entrySize(p: ParamValue): number {
  sizer.reset()
  encodeParamValue(sizer, p, 0)
  return sizer.pos
}

export function* snapshotChunks(entries: ParamValue[], maxParams: number): Generator<ParamValue[]> {
  let chunk: ParamValue[] = []
  let bytes = 0
  for (const e of entries) {
    const size = entrySize(e)
    // A param written near the 64 KB limit cannot fit a SNAPSHOT once writer and timestamp are
    // added; it is left out rather than failing the whole snapshot.
    if (size > ENTRY_BUDGET) continue
    if (chunk.length > 0 && (chunk.length >= maxParams || bytes + size > ENTRY_BUDGET)) {
      yield chunk
      chunk = []
      bytes = 0
    }
    chunk.push(e)
    bytes += size
  }
  if (chunk.length > 0 || entries.length === 0) yield chunk
}
