/**
 * Emits the Arduino library `generated/arduino/Clasp/` (Arduino library format 1.5: a
 * library.properties, sources in src/, sketches in examples/). The C++ glue and the sketches
 * are real files under templates/, so they can be read and edited as C++; this emitter stamps
 * them, fills the few values that come from the schema (@NAME@ placeholders) and ships the
 * generated clasp.h next to them, byte for byte the same as generated/clasp.h.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { decodeSwitch } from '../c/constants.ts'
import type { SchemaModel } from '../model.ts'
import { GENERATOR_NAME, GENERATOR_VERSION, stampLine } from '../stamp.ts'

/** Where the library lands under generated/. */
export const ARDUINO_LIBRARY_DIR = 'arduino/Clasp'
/** library.properties `version` (semver, as the Arduino Library Manager requires). */
export const ARDUINO_LIBRARY_VERSION = '0.1.0'

const templates = join(dirname(fileURLToPath(import.meta.url)), 'templates')

/** What ClaspClient.h calls: it needs these encoders and decoders in the generated header. */
const NEEDS = {
  encode: ['HELLO', 'SUBSCRIBE', 'UNSUBSCRIBE', 'SET', 'PUBLISH', 'PING', 'PONG'],
  decode: ['WELCOME', 'SET', 'PUBLISH', 'SNAPSHOT', 'PING', 'ERROR'],
}

/** Why a schema cannot carry the Arduino client, or undefined when it can. */
export function arduinoUnsupported(model: SchemaModel): string | undefined {
  const c = new Map(model.messages.map((m) => [m.wireName, m.c]))
  const missing = [
    ...NEEDS.encode.filter((n) => !c.get(n)?.encode).map((n) => `encode ${n}`),
    ...NEEDS.decode.filter((n) => !c.get(n)?.decode).map((n) => `decode ${n}`),
  ]
  return missing.length ? `the C header does not ${missing.join(', ')}` : undefined
}

/** `#define CLASP_DECODE_<MSG> 0` for every decodable message with fields the client ignores. */
function decodersLeftOut(model: SchemaModel): string {
  return model.messages
    .filter((m) => m.c.decode && m.fields.length > 0 && !NEEDS.decode.includes(m.wireName))
    .map((m) => `#ifndef ${decodeSwitch(m.wireName)}\n#define ${decodeSwitch(m.wireName)} 0\n#endif`)
    .join('\n')
}

function listFiles(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const full = join(dir, name)
    return statSync(full).isDirectory() ? listFiles(full) : [full]
  })
}

/** A comment holding the stamp, in a syntax the file type allows. */
function stamped(file: string, text: string, hash: string): string {
  if (file.endsWith('.properties')) return `# ${stampLine(hash, 'ts').replace(/^\/\/ /, '')}\n${text}`
  return `${stampLine(hash, 'c')}\n${text}`
}

function fill(file: string, text: string, values: Record<string, string>): string {
  const out = text.replace(/@([A-Z_]+)@/g, (whole, key: string) => {
    if (!(key in values)) throw new Error(`Arduino template ${file}: unknown placeholder ${whole}`)
    return values[key]
  })
  return out
}

function libraryProperties(model: SchemaModel, hash: string): string {
  return [
    'name=Clasp',
    `version=${ARDUINO_LIBRARY_VERSION}`,
    'author=CLASP TypeScript project',
    'maintainer=CLASP TypeScript project',
    'sentence=CLASP (Creative Low-Latency Application Streaming Protocol) peer for microcontrollers, over serial (SLIP) or TCP.',
    `paragraph=Subscribe with a callback per address pattern, set params, publish events and streams; reconnects by itself. No heap, fixed buffers. The codec (clasp.h, C99, header-only) is generated from CLASP schema ${hash} (protocol version ${model.frame.protocolVersion}) by ${GENERATOR_NAME} ${GENERATOR_VERSION}.`,
    'category=Communication',
    'url=https://github.com/lumencanvas/clasp',
    'architectures=*',
    'includes=ClaspClient.h',
    '',
  ].join('\n')
}

/**
 * The library's files keyed by path under generated/, or an empty map when the schema's C
 * header lacks a message the client needs (e.g. a test schema).
 */
export function emitArduinoLibrary(model: SchemaModel, hash: string, claspH: string): Map<string, string> {
  const out = new Map<string, string>()
  if (arduinoUnsupported(model)) return out
  const values: Record<string, string> = {
    TCP_PORT: String(model.transports.tcpPort),
    SERIAL_BAUD: '115200',
    DECODE_OFF: decodersLeftOut(model),
  }
  out.set(`${ARDUINO_LIBRARY_DIR}/library.properties`, stamped('library.properties', libraryProperties(model, hash), hash))
  out.set(`${ARDUINO_LIBRARY_DIR}/src/clasp.h`, claspH)
  for (const full of listFiles(templates)) {
    const rel = relative(templates, full).split('\\').join('/')
    const target = rel.startsWith('examples/') ? rel : `src/${rel}`
    out.set(`${ARDUINO_LIBRARY_DIR}/${target}`, stamped(rel, fill(rel, readFileSync(full, 'utf8'), values), hash))
  }
  return out
}
