/**
 * The generator's own tests (protobuf-es style): emitted lines for a small sample schema are
 * compared exactly, the emitted sample codec is loaded and run, and layout mistakes in a
 * schema are refused with a message naming the field.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { describe, expect, test } from 'vitest'
import * as S from '../../schema/index.ts'
import { message, opt, str, u32 } from '../../schema/wire.ts'
import { generate } from '../emit.ts'
import { buildModel } from '../model.ts'
import { schemaHash } from '../stamp.ts'
import { sampleSchema } from './sample-schema.ts'

const root = fileURLToPath(new URL('../..', import.meta.url))
const sample = generate(buildModel(sampleSchema))
const codec = sample.get('codec.ts')!

/** The body of one emitted function, without indentation. */
function body(text: string, name: string): string[] {
  const start = text.indexOf(`function ${name}(`)
  expect(start, `${name} is emitted`).toBeGreaterThanOrEqual(0)
  const lines = text.slice(start).split('\n')
  const end = lines.findIndex((l) => l === '}')
  return lines.slice(1, end).map((l) => l.trim()).filter((l) => l !== '')
}

describe('emitted TypeScript for the sample schema', () => {
  test('every file starts with the stamp and the schema hash', () => {
    const hash = schemaHash(buildModel(sampleSchema))
    for (const [name, text] of sample) expect(text.split('\n')[0], name).toMatch(new RegExp(`generated from schema ${hash} by codegen .* do not edit`))
  })

  test('encoder writes the code, the flags byte, then fields in layout order', () => {
    expect(body(codec, 'encodeNoteMessage')).toEqual([
      'w.u8(0x70)',
      'let f0 = 0',
      'if (m.level !== undefined) f0 |= 0x80',
      'if (m.stamp !== undefined) f0 |= 0x40',
      'w.u8(f0)',
      'w.str(m.address)',
      'w.u8(signalTypeToCode(m.kind))',
      'if (m.level !== undefined) {',
      'w.u32(m.level)',
      '}',
      'if (m.stamp !== undefined) {',
      'w.u64(m.stamp)',
      '}',
      'w.count(m.samples.length)',
      'for (const x_samples of m.samples) {',
      'w.f64(x_samples)',
      '}',
    ])
  })

  test('decoder reads presence from the flags byte and returns the fields in property order', () => {
    const lines = body(codec, 'decodeNoteMessage')
    expect(lines[0]).toBe('const f0 = r.u8()')
    expect(lines).toContain('if ((f0 & 0x80) !== 0) {')
    expect(lines).toContain('const v_kind = signalTypeFromCode(r.u8())')
    expect(lines.at(-1)).toBe("return { type: 'NOTE', address: v_address, level: v_level, stamp: v_stamp, kind: v_kind, samples: v_samples }")
  })

  test('default QoS and dispatch come from the message annotations', () => {
    expect(body(codec, 'defaultQos')).toContain("case 'NOTE': return 1")
    expect(body(codec, 'decodePayload')).toContain('case 0x70: return decodeNoteMessage(r, depth)')
  })

  test('client stubs exist only for messages a client sends', () => {
    expect(sample.get('client.ts')).toContain('note(fields: Omit<NoteMessage, \'type\'>')
    expect(sample.get('client.ts')).toContain('tick(fields: Omit<TickMessage, \'type\'> = {}')
  })

  test('the emitted sample codec runs', async () => {
    const dir = join(root, 'test/.build/sample-gen')
    mkdirSync(dir, { recursive: true })
    for (const [name, text] of sample) {
      writeFileSync(join(dir, name), text.replaceAll("'../runtime/", `'${pathToFileURL(join(root, 'runtime')).href}/`))
    }
    const mod = await import(pathToFileURL(join(dir, 'codec.ts')).href)
    const note = { type: 'NOTE', address: '/n', level: 7, stamp: undefined, kind: 'stream', samples: [0.5] }
    const bytes: Uint8Array = mod.encode(note)
    expect(Buffer.from(bytes).toString('hex')).toBe('53410015' + '70' + '80' + '00022f6e' + '02' + '00000007' + '0001' + '3fe0000000000000')
    expect(mod.decode(bytes).message).toEqual(note)
  })
})

describe('schema mistakes are refused', () => {
  const withMessage = (m: ReturnType<typeof message>) => ({ ...S, messagesByCode: [m], structs: [] }) as unknown as typeof S

  test('a field missing from the layout', () => {
    const bad = message({ a: str(S.Limits.address), b: u32() }, {
      name: 'BAD', code: 0x7f, defaultQos: 0, direction: 'client', c: { encode: false, decode: false }, doc: '', layout: [{ field: 'a' }],
    })
    expect(() => buildModel(withMessage(bad))).toThrow(/field b is not in the layout/)
  })

  test('an optional field with no presence on the wire', () => {
    const bad = message({ a: opt(u32()) }, {
      name: 'BAD', code: 0x7f, defaultQos: 0, direction: 'client', c: { encode: false, decode: false }, doc: '', layout: [{ field: 'a' }],
    })
    expect(() => buildModel(withMessage(bad))).toThrow(/a is optional but nothing on the wire says whether it is present/)
  })
})
