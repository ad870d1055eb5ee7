/**
 * A two-message schema for the generator's own tests: small enough that the expected output
 * can be written down line by line, and it exercises flags, presence, enums and lists.
 */
import * as S from '../../schema/index.ts'
import { Limits as L } from '../../schema/limits.ts'
import { enum8, f64, list, message, opt, str, u32, u64 } from '../../schema/wire.ts'

const Note = message(
  {
    address: str(L.address),
    level: opt(u32()),
    stamp: opt(u64()),
    kind: enum8('SignalType', ['param', 'event', 'stream', 'gesture', 'timeline'], { unknownAs: 'event' }),
    samples: list(f64(), L.samples),
  },
  {
    name: 'NOTE', code: 0x70, defaultQos: 1, direction: 'client', c: { encode: true, decode: true },
    doc: 'A test message.',
    layout: [
      { flags: [{ mask: 0x80, presence: 'level' }, { mask: 0x40, presence: 'stamp' }] },
      { field: 'address' }, { field: 'kind' }, { field: 'level' }, { field: 'stamp' }, { field: 'samples' },
    ],
  },
)

const Tick = message({}, {
  name: 'TICK', code: 0x71, defaultQos: 0, direction: 'both', c: { encode: true, decode: true },
  doc: 'An empty test message.', layout: [],
})

export const sampleSchema = { ...S, messagesByCode: [Note, Tick], structs: [] } as unknown as typeof S
