/**
 * The top of the C header: usage notes, schema identity and version guard, includes, every
 * constant the schema defines (frame, flags, message and value codes, enums, layout bits,
 * ports, SLIP bytes) and the `#ifndef` configuration macros built from schema/limits.ts.
 */
import type { SchemaModel, StructModel } from '../model.ts'
import { enumMember, hex2, limitMacro, macroIdent, msgMacro, stemOf, valueMacro } from './names.ts'

export function preamble(model: SchemaModel, hash: string): string {
  const supported = model.messages.filter((m) => m.c.encode || m.c.decode).map((m) => m.wireName).join(', ')
  return `/*
 * clasp.h: CLASP v1 binary codec for microcontrollers and hosts. C99, header-only, no heap.
 * Generated from the TypeScript schema; edit schema/ and regenerate, never this file.
 *
 *   #define CLASP_IMPLEMENTATION   (in exactly one .c/.cpp file, before the include)
 *   #include "clasp.h"
 *
 * Messages: ${supported}.
 * Decoding is zero-copy: views point into the caller's buffer; strings are NOT NUL-terminated.
 * f64 travels as raw binary64 bits (clasp_f64_t), i64 as int64_t, so every frame re-encodes
 * bit-exactly even where double is 32 bits. Every read is bounds-checked; arrays, maps and
 * BUNDLEs are walked iteratively, never deeper than CLASP_MAX_NESTING_DEPTH.
 * Stream helpers: TCP u32 length prefix (clasp_tcp_*), SLIP for serial/BLE (clasp_slip_*).
 *
 * Pin the schema in your build: -DCLASP_EXPECT_SCHEMA_VERSION=<n> and/or
 * -DCLASP_EXPECT_SCHEMA_HASH=0x<hash>ULL make a mismatching header an #error.
 */
#ifndef CLASP_H
#define CLASP_H

#define CLASP_SCHEMA_HASH "${hash}"
#define CLASP_SCHEMA_HASH_U64 0x${hash}ULL
#define CLASP_SCHEMA_VERSION ${model.schemaVersion}

#if defined(CLASP_EXPECT_SCHEMA_VERSION)
#if CLASP_EXPECT_SCHEMA_VERSION != CLASP_SCHEMA_VERSION
#error "clasp.h was generated for another CLASP_SCHEMA_VERSION than CLASP_EXPECT_SCHEMA_VERSION"
#endif
#endif
#if defined(CLASP_EXPECT_SCHEMA_HASH)
#if CLASP_EXPECT_SCHEMA_HASH != CLASP_SCHEMA_HASH_U64
#error "clasp.h was generated from another schema than CLASP_EXPECT_SCHEMA_HASH"
#endif
#endif

#include <float.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif
`
}

/** Flag-bit and indicator macros of one layout, e.g. `CLASP_SET_FLAG_REVISION`. */
function layoutMacros(st: StructModel): string[] {
  const p = `CLASP_${stemOf(st).toUpperCase()}`
  const out: string[] = []
  for (const item of st.layout) {
    if ('flags' in item) {
      for (const b of item.flags) {
        if ('presence' in b) out.push(`#define ${p}_FLAG_${macroIdent(b.presence)} ${hex2(b.mask)}`)
        else if ('boolean' in b) out.push(`#define ${p}_FLAG_${macroIdent(b.boolean)} ${hex2(b.mask)}`)
        else {
          const name = 'enumField' in b ? macroIdent(b.enumField) : `${macroIdent(b.valueTypeOf)}_TYPE`
          out.push(`#define ${p}_${name}_MASK ${hex2(b.mask)}`, `#define ${p}_${name}_SHIFT ${b.shift}`)
        }
      }
    } else if ('indicator' in item) {
      out.push(`#define ${p}_IND_NONE ${item.noneCode}`, ...item.indicator.map((c) => `#define ${p}_IND_${macroIdent(c.field)} ${c.code}`))
    }
  }
  return out
}

export function constants(model: SchemaModel): string {
  const f = model.frame
  const t = model.transports
  const out: string[] = ['/* ---- Constants ------------------------------------------------------------------------- */', '']
  out.push(
    `#define CLASP_MAGIC ${hex2(f.magic)}`,
    `#define CLASP_HEADER_SIZE ${f.headerBytes}u`,
    `#define CLASP_TIMESTAMP_SIZE ${f.timestampBytes}u`,
    `#define CLASP_MAX_PAYLOAD ${f.maxPayloadBytes}UL`,
    `#define CLASP_ENCODING_VERSION ${f.encodingVersion}u /* frame flags bits 2-0 written by encoders */`,
    `#define CLASP_PROTOCOL_VERSION ${f.protocolVersion}u /* HELLO/WELCOME version byte */`,
    '',
  )
  for (const e of model.enums) {
    const decimal = e.name === 'ErrorCode'
    out.push(`/* ${e.name}: ${e.doc} */`)
    for (const [k, v] of Object.entries(e.members)) {
      const literal = decimal || /Shift$/.test(k) ? `${v}u` : hex2(v)
      out.push(`#define ${enumMember(e.name, k)} ${literal}`)
    }
    out.push('')
  }
  out.push('/* Message type codes (payload byte 0); CLASP_HAS_* say what this header encodes/decodes. */')
  for (const m of model.messages) {
    out.push(
      `#define ${msgMacro(m.wireName)} ${hex2(m.code)}`,
      `#define CLASP_HAS_${m.wireName}_ENCODE ${m.c.encode ? 1 : 0}`,
      `#define CLASP_HAS_${m.wireName}_DECODE ${m.c.decode ? 1 : 0}`,
    )
  }
  out.push('', '/* Value type codes. Decoders accept all; encoders write what clasp_value_t.type says. */')
  for (const v of model.valueTypes) out.push(`#define ${valueMacro(v.name)} ${hex2(v.code)}`)
  out.push('', '/* Layout bits of flags bytes and indicator codes. */')
  for (const st of [...model.messages, ...model.structs]) out.push(...layoutMacros(st))
  out.push(
    '',
    '/* SET time-to-live modes (clasp_ttl_t.mode). */',
    '#define CLASP_TTL_NEVER 0u',
    '#define CLASP_TTL_SLIDING 1u',
    '#define CLASP_TTL_ABSOLUTE 2u',
    '',
    '/* Transports. */',
    `#define CLASP_PORT_WS ${t.wsPort}u`,
    `#define CLASP_PORT_TCP ${t.tcpPort}u /* length-prefixed TCP listener */`,
    `#define CLASP_PORT_DISCOVERY ${t.discoveryPort}u /* UDP broadcast discovery */`,
    `#define CLASP_WS_SUBPROTOCOL "${t.wsSubprotocol}"`,
    `#define CLASP_TCP_PREFIX_SIZE 4u`,
    `#define CLASP_TCP_MAX_FRAME ${t.tcpMaxFrameBytes}UL /* the reference drops the connection above this */`,
    ...Object.entries(t.slip).map(([k, v]) => `#define CLASP_SLIP_${macroIdent(k)} ${hex2(v)}`),
    '/** Worst case SLIP bytes for a frame of n bytes (every byte escaped, END before and after). */',
    '#define CLASP_SLIP_MAX_SIZE(n) (2u * (n) + 2u)',
    '',
  )
  return out.join('\n')
}

export function config(model: SchemaModel): string {
  const out: string[] = [
    '/* ---- Configuration: define any of these before the include to change it ------------------ */',
    '/* Decoders reject, and encoders refuse, anything above these bounds (CLASP_ERR_LIMIT), so a',
    ' * decoded string always fits a buffer of CLASP_MAX_<X>_BYTES + 1. */',
    '',
  ]
  const def = (name: string, value: string, doc: string) => out.push(`#ifndef ${name}`, `#define ${name} ${value} /* ${doc} */`, '#endif')
  for (const l of model.limits) def(limitMacro(l.name), `${l.max}u`, l.doc)
  out.push('', '/* Derived from the limits above; override to bound one encoded value differently. */')
  def('CLASP_MAX_VALUE_SIZE', '(3UL + CLASP_MAX_VALUE_ITEMS * (5UL + CLASP_MAX_VALUE_KEY_BYTES + CLASP_MAX_VALUE_BYTES))',
    'one encoded value; default: a flat map of CLASP_MAX_VALUE_ITEMS strings')
  out.push(
    '',
    '/* Arrays, maps and bundles nest at most this deep (the schema allows ' + model.maxNestingDepth + '). The walkers keep',
    ' * ~2 bytes (values) and one cursor (bundles) per level on the stack, so AVR defaults to 8. */',
    '#ifndef CLASP_MAX_NESTING_DEPTH',
    '#if defined(__AVR__)',
    '#define CLASP_MAX_NESTING_DEPTH 8',
    '#else',
    `#define CLASP_MAX_NESTING_DEPTH ${model.maxNestingDepth}`,
    '#endif',
    '#endif',
    '#if CLASP_MAX_NESTING_DEPTH < 1 || CLASP_MAX_NESTING_DEPTH > 250',
    '#error "CLASP_MAX_NESTING_DEPTH must be 1..250"',
    '#endif',
    '',
    '/* Suggested size of receive/transmit buffers (Arduino used 256); frames larger than the buffer',
    ' * given to a stream reader are skipped. Not enforced by the codec itself. */',
    '#ifndef CLASP_MAX_FRAME_SIZE',
    '#define CLASP_MAX_FRAME_SIZE 256u',
    '#endif',
    '',
    '/* clasp_err_name() strings cost ~230 bytes of RAM on AVR (string literals live in .data). */',
    '#ifndef CLASP_ERR_NAMES',
    '#if defined(__AVR__)',
    '#define CLASP_ERR_NAMES 0',
    '#else',
    '#define CLASP_ERR_NAMES 1',
    '#endif',
    '#endif',
    '',
    '/* Whether double can hold binary64 exactly (not on AVR, where double is float). */',
    '#ifndef CLASP_DOUBLE_IS_BINARY64',
    '#if DBL_MANT_DIG == 53 && DBL_MAX_EXP == 1024',
    '#define CLASP_DOUBLE_IS_BINARY64 1',
    '#else',
    '#define CLASP_DOUBLE_IS_BINARY64 0',
    '#endif',
    '#endif',
    '',
    '/* Decoders compiled in. Define CLASP_DECODE_<MSG> 0 to leave one out of a small build: that',
    ' * message then decodes as CLASP_ERR_UNSUPPORTED_MESSAGE, and its decoder (100-500 bytes of',
    ' * AVR flash each) is not compiled. The Arduino ClaspClient leaves out those it never reads. */',
  )
  for (const m of model.messages.filter((x) => x.c.decode)) {
    out.push(`#ifndef ${decodeSwitch(m.wireName)}`, `#define ${decodeSwitch(m.wireName)} 1`, '#endif')
  }
  out.push(
    '',
    '/* Static helpers that such a build leaves unreferenced: no warning, and no code. */',
    '#if defined(__GNUC__) || defined(__clang__)',
    '#define CLASP_MAYBE_UNUSED __attribute__((unused))',
    '#else',
    '#define CLASP_MAYBE_UNUSED',
    '#endif',
    '',
  )
  return out.join('\n')
}

/** The macro that compiles a message's decoder in (1, the default) or out (0). */
export const decodeSwitch = (wireName: string): string => `CLASP_DECODE_${wireName}`
