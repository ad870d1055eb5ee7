/**
 * Size bounds for everything that reaches the C header (nanopb's `max_size`). Each becomes
 * `#define CLASP_MAX_<NAME>` under `#ifndef`, so a sketch can raise or lower it with -D.
 * The TypeScript codec does not apply them: it accepts anything the wire can carry.
 */
import type { Limit } from './wire.ts'

const limit = (name: string, max: number, doc: string): Limit => ({ name, max, doc })

export const Limits = {
  address: limit('ADDRESS_BYTES', 128, 'address or pattern, UTF-8 bytes'),
  name: limit('NAME_BYTES', 64, 'client or server name, UTF-8 bytes'),
  token: limit('TOKEN_BYTES', 256, 'auth token, UTF-8 bytes'),
  session: limit('SESSION_BYTES', 64, 'session id (router: 36-byte UUID), UTF-8 bytes'),
  label: limit('LABEL_BYTES', 32, 'short descriptive strings: datatype, access, unit'),
  text: limit('TEXT_BYTES', 128, 'free text: error message, description'),
  valueBytes: limit('VALUE_BYTES', 192, 'string or bytes value, bytes'),
  items: limit('VALUE_ITEMS', 32, 'array items or map entries in a value'),
  valueKey: limit('VALUE_KEY_BYTES', 64, 'map key inside a value, UTF-8 bytes'),
  snapshotParams: limit('SNAPSHOT_PARAMS', 800, 'params in one SNAPSHOT (the router chunks by 800)'),
  signals: limit('SIGNALS', 32, 'signal definitions in ANNOUNCE/RESULT'),
  patterns: limit('PATTERNS', 16, 'patterns in FEDERATION_SYNC'),
  revisions: limit('REVISIONS', 64, 'revision entries in FEDERATION_SYNC'),
  samples: limit('SAMPLES', 64, 'f64 samples in a stream PUBLISH'),
  bundleMessages: limit('BUNDLE_MESSAGES', 32, 'messages in one BUNDLE'),
} as const

export const allLimits: Limit[] = Object.values(Limits)
