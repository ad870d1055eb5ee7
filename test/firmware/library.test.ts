/**
 * The generated Arduino library (generated/arduino/Clasp/) as a package: what `npm run gen`
 * puts there is what the generator makes now (nested paths included), every file carries the
 * schema stamp in a comment its type allows, library.properties is valid for the Arduino IDE,
 * src/clasp.h is generated/clasp.h byte for byte; and the two header features the library
 * relies on: CLASP_DECODE_<MSG> 0 leaves a decoder out cleanly (C99 -Werror, "unsupported"
 * answers), and ClaspClient.h links from two translation units.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, test } from 'vitest'
import { ARDUINO_LIBRARY_DIR, arduinoUnsupported } from '../../codegen/arduino/library.ts'
import { generate } from '../../codegen/emit.ts'
import { buildModel } from '../../codegen/model.ts'
import { schemaHash } from '../../codegen/stamp.ts'
import { encode } from '../../generated/codec.ts'
import { buildDir, hasTool, libraryDir, root, simDir } from '../../firmware-sim/harness.ts'
import { sampleSchema } from '../../codegen/test/sample-schema.ts'
import { unavailable } from './support.ts'

const model = buildModel()
const hash = schemaHash(model)
const files = generate(model)
const arduino = [...files.keys()].filter((k) => k.startsWith(`${ARDUINO_LIBRARY_DIR}/`))

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]))
}

describe('generated/arduino/Clasp', () => {
  test('holds exactly what the generator emits, in an Arduino 1.5 library layout', () => {
    const onDisk = walk(libraryDir).map((f) => relative(join(root, 'generated'), f).split('\\').join('/')).sort()
    expect(onDisk).toEqual([...arduino].sort())
    for (const name of arduino) expect(readFileSync(join(root, 'generated', name), 'utf8'), name).toBe(files.get(name))
    expect(arduino.map((n) => n.slice(ARDUINO_LIBRARY_DIR.length + 1)).sort()).toEqual([
      'examples/EthernetSubscriber/EthernetSubscriber.ino',
      'examples/SerialLedStrip/LedStrip.h',
      'examples/SerialLedStrip/SerialLedStrip.ino',
      'examples/TcpSensor/TcpSensor.ino',
      'library.properties',
      'src/ClaspClient.h',
      'src/clasp.h',
    ])
  })

  test('every file starts with the schema stamp in a comment of its own syntax', () => {
    for (const name of arduino) {
      const first = files.get(name)!.split('\n')[0]
      const text = `generated from schema ${hash} by codegen`
      if (name.endsWith('.properties')) expect(first, name).toMatch(new RegExp(`^# ${text} .* do not edit$`))
      else expect(first, name).toMatch(new RegExp(`^/\\* ${text} .* do not edit \\*/$`))
    }
  })

  test('library.properties has the fields the Arduino IDE requires, and src/clasp.h is generated/clasp.h', () => {
    const props = Object.fromEntries(
      files.get(`${ARDUINO_LIBRARY_DIR}/library.properties`)!.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    )
    for (const k of ['name', 'version', 'author', 'maintainer', 'sentence', 'paragraph', 'category', 'url', 'architectures']) expect(props[k], k).toBeTruthy()
    expect(props.name).toBe('Clasp')
    expect(props.version).toMatch(/^\d+\.\d+\.\d+$/)
    expect(props.includes).toBe('ClaspClient.h')
    expect(props.paragraph).toContain(hash)
    expect(files.get(`${ARDUINO_LIBRARY_DIR}/src/clasp.h`)).toBe(files.get('clasp.h'))
    expect(files.get(`${ARDUINO_LIBRARY_DIR}/src/ClaspClient.h`)).not.toMatch(/@[A-Z_]+@/) // every placeholder filled
  })

  test('a schema whose C header lacks what the client needs gets no Arduino library', () => {
    const sample = buildModel(sampleSchema)
    expect(arduinoUnsupported(sample)).toMatch(/does not encode HELLO/)
    expect([...generate(sample).keys()].some((k) => k.startsWith('arduino/'))).toBe(false)
    expect(arduinoUnsupported(model)).toBeUndefined()
  })
})

const cSkip = unavailable('library compile checks', ['host'])

/** Every overload a sketch is likely to call, so an ambiguity (int is 16 bits on AVR) shows. */
const API_USE = `
static void cb(const char* a, const clasp_value_t& v) { (void)a, (void)v; }
bool other(ClaspClient& c) {
  ClaspMap<48> m;
  m.add("f", 1.5f).add("d", 2.5).add("i", 3).add("l", 4L).add("u", 5UL).add("b", true).add("s", "x");
  unsigned long ms = millis();
  bool ok = c.set("/f", 1.5f) && c.set("/d", 0.1) && c.set("/i", 7) && c.set("/l", 70000L) && c.set("/u", ms) &&
            c.set("/u8", (uint8_t)1) && c.set("/b", false) && c.set("/s", "text") && c.set("/v", claspInt(-1));
  ok = ok && c.emit("/e") && c.emit("/e", 1.0f) && c.emit("/e", 0.5) && c.emit("/m", m.value()) && c.stream("/s", 2.0f);
  ok = ok && c.publish("/p", claspString("x"), CLASP_SIGNAL_TYPE_GESTURE) && c.subscribe("/a/**", cb, CLASP_TYPE_PARAM) && c.unsubscribe("/a/**");
  c.onConnect(0);
  return ok && c.connected() && c.framesDropped() == 0 && c.lastError() == 0 && c.framesReceived() == 0;
}
`

describe.skipIf(cSkip)('header features the library relies on', () => {
  const dir = join(buildDir, 'library-test')

  test('CLASP_DECODE_<MSG> 0 builds clean as C99 -Werror, and those frames answer "unsupported"', () => {
    mkdirSync(dir, { recursive: true })
    const off = ['HELLO', 'SUBSCRIBE', 'UNSUBSCRIBE', 'GET', 'BUNDLE', 'SYNC', 'ACK', 'PING']
    const exe = join(dir, 'driver-decoders-off')
    const cc = hasTool('gcc') ? 'gcc' : 'g++'
    const lang = cc === 'gcc' ? ['-std=c99', '-pedantic'] : ['-x', 'c++']
    const r = spawnSync(cc, [...lang, '-Wall', '-Wextra', '-Werror', ...off.map((m) => `-DCLASP_DECODE_${m}=0`), `-I${join(root, 'generated')}`, join(root, 'test', 'c', 'driver.c'), '-o', exe], { encoding: 'utf8' })
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    const frames = [
      encode({ type: 'ACK', address: '/a', revision: 3n }),
      encode({ type: 'BUNDLE', messages: [{ type: 'PING' }] }),
      encode({ type: 'PING' }),
      encode({ type: 'SET', address: '/a', value: 1.5 }),
      encode({ type: 'SNAPSHOT', params: [{ address: '/a', value: 1n, revision: 1n }] }),
    ].map((b) => Buffer.from(b).toString('hex'))
    const out = spawnSync(exe, [], { input: frames.join('\n') + '\n', encoding: 'utf8' }).stdout.trim().split('\n')
    expect(out.slice(0, 3)).toEqual(['unsupported 50', 'unsupported 30', 'unsupported 41'])
    expect(out[3]).toBe(`ok ${frames[3]} SET`)
    expect(out[4]).toBe(`ok ${frames[4]} SNAPSHOT`)
  })

  test('ClaspClient.h links from two translation units (one with CLASP_CLIENT_NO_IMPLEMENTATION)', () => {
    mkdirSync(dir, { recursive: true })
    const a = join(dir, 'tu-a.cpp')
    const b = join(dir, 'tu-b.cpp')
    writeFileSync(a, '#include <ClaspClient.h>\nbool other(ClaspClient& c);\nClaspClient clasp(Serial);\nvoid setup() { other(clasp); }\nvoid loop() { clasp.loop(); }\n')
    writeFileSync(b, ['#define CLASP_CLIENT_NO_IMPLEMENTATION', '#include <ClaspClient.h>', API_USE].join('\n'))
    const inc = [join(simDir, 'host-shim'), join(simDir, 'common'), join(libraryDir, 'src')].map((d) => `-I${d}`)
    const r = spawnSync('g++', ['-std=gnu++11', '-Wall', '-Wextra', '-Werror', ...inc, a, b, join(simDir, 'host-shim', 'host.cpp'), '-o', join(dir, 'two-tu')], { encoding: 'utf8' })
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
  })

  test('the whole client API compiles for the ATmega328P and a Cortex-M4 too (no overload ambiguity)', (ctx) => {
    const targets = [
      { cc: 'avr-g++', shim: 'avr-shim', flags: ['-mmcu=atmega328p', '-DF_CPU=16000000L', '-Os'] },
      { cc: 'arm-none-eabi-g++', shim: 'arm-shim', flags: ['-mcpu=cortex-m4', '-mthumb', '-Os', '-fno-rtti'] },
    ].filter((t) => hasTool(t.cc))
    if (!targets.length) ctx.skip('no cross compiler')
    mkdirSync(dir, { recursive: true })
    const src = join(dir, 'api-cross.cpp')
    writeFileSync(src, ['#include <ClaspClient.h>', API_USE].join('\n'))
    for (const t of targets) {
      const inc = [join(simDir, t.shim), join(simDir, 'common'), join(libraryDir, 'src')].map((d) => `-I${d}`)
      const r = spawnSync(t.cc, ['-std=gnu++11', '-fno-exceptions', '-Wall', '-Wextra', '-Werror', ...t.flags, ...inc, '-c', src, '-o', join(dir, `api-${t.shim}.o`)], { encoding: 'utf8' })
      expect(r.stderr, t.cc).toBe('')
      expect(r.status, t.cc).toBe(0)
    }
  })
})
