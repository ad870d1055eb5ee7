/**
 * All 19 CLASP v1 messages, as the reference codec (`codec.rs`, clasp-core 4.5.0) lays them out.
 * Section numbers refer to ../shared/spec/wire-protocol.md (copied facts, not a dependency).
 *
 * Property order is the TypeScript field order; `layout` is the wire order.
 */
import { FeatureBit, FederationOp, GesturePhase, SignalType, TypeMaskBit, memberNames } from './enums.ts'
import { Limits as L } from './limits.ts'
import {
  bit, bitset8, bool8, enum8, f64, list, map, message, messages, opt, str, struct, ttl32, tuple, u16, u32, u64, u8, value,
} from './wire.ts'

const signalTypes = memberNames(SignalType)
const allFeatures = memberNames(FeatureBit)
const welcomeFeatures = allFeatures.filter((f) => f !== 'federation')
const typeMask = () => bitset8('TypeMaskBit', memberNames(TypeMaskBit), { emptyAs: 0xff })

// ---------------------------------------------------------------------------------------------
// Nested structs
// ---------------------------------------------------------------------------------------------

/** ANNOUNCE signal metadata (§5.3). */
export const SignalMeta = struct(
  'SignalMeta',
  {
    unit: opt(str(L.label)),
    range: opt(tuple([f64(), f64()])),
    default: opt(value()),
    description: opt(str(L.text)),
  },
  [
    { flags: [{ mask: 0x01, presence: 'unit' }, { mask: 0x02, presence: 'range' }, { mask: 0x04, presence: 'default' }, { mask: 0x08, presence: 'description' }] },
    { field: 'unit' }, { field: 'range' }, { field: 'default' }, { field: 'description' },
  ],
)

/** A signal described by ANNOUNCE (§5.3). */
export const SignalDefinition = struct(
  'SignalDefinition',
  {
    address: str(L.address),
    signalType: enum8('SignalType', signalTypes, { unknownAs: 'event' }),
    datatype: opt(str(L.label)),
    access: opt(str(L.label)),
    meta: opt(SignalMeta),
  },
  [
    { field: 'address' },
    { field: 'signalType' },
    { flags: [{ mask: 0x01, presence: 'datatype' }, { mask: 0x02, presence: 'access' }, { mask: 0x04, presence: 'meta' }] },
    { field: 'datatype' }, { field: 'access' }, { field: 'meta' },
  ],
)

/** A signal listed by RESULT (§5.16): like SignalDefinition, but RESULT never carries meta. */
export const SignalInfo = struct(
  'SignalInfo',
  {
    address: str(L.address),
    signalType: enum8('SignalType', signalTypes, { unknownAs: 'event' }),
    datatype: opt(str(L.label)),
    access: opt(str(L.label)),
  },
  [
    { field: 'address' },
    { field: 'signalType' },
    { flags: [{ mask: 0x01, presence: 'datatype' }, { mask: 0x02, presence: 'access' }] },
    { field: 'datatype' }, { field: 'access' },
  ],
)

/** SUBSCRIBE options (§5.5). Carried on the wire; an options byte of 0 means "no options". */
export const SubscribeOptions = struct(
  'SubscribeOptions',
  {
    maxRate: opt(u32({ description: 'updates per second' })),
    epsilon: opt(f64({ description: 'minimum change' })),
    history: opt(u32({ description: 'count' })),
    window: opt(u32({ description: 'milliseconds' })),
  },
  [
    { flags: [{ mask: 0x01, presence: 'maxRate' }, { mask: 0x02, presence: 'epsilon' }, { mask: 0x04, presence: 'history' }, { mask: 0x08, presence: 'window' }] },
    { field: 'maxRate' }, { field: 'epsilon' }, { field: 'history' }, { field: 'window' },
  ],
  { zeroFlagsIsAbsent: true },
)

/** One param in a SNAPSHOT (§5.9). */
export const ParamValue = struct(
  'ParamValue',
  {
    address: str(L.address),
    value: value(),
    revision: u64(),
    writer: opt(str(L.session)),
    timestamp: opt(u64({ description: 'microseconds since the Unix epoch' })),
  },
  [
    { field: 'address' }, { field: 'value' }, { field: 'revision' },
    { flags: [{ mask: 0x01, presence: 'writer' }, { mask: 0x02, presence: 'timestamp' }] },
    { field: 'writer' }, { field: 'timestamp' },
  ],
)

export const structs = [SignalMeta, SignalDefinition, SignalInfo, SubscribeOptions, ParamValue]

// ---------------------------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------------------------

const FIRE = 0
const CONFIRM = 1
const COMMIT = 2

export const Hello = message(
  {
    version: u8(),
    features: bitset8('FeatureBit', allFeatures),
    name: str(L.name),
    token: opt(str(L.token, { emptyIsAbsent: true })),
  },
  {
    name: 'HELLO', code: 0x01, defaultQos: FIRE, direction: 'client', c: { encode: true, decode: true },
    doc: 'First message of a session (§5.1). An empty token is the same bytes as no token.',
    layout: [{ field: 'version' }, { field: 'features' }, { field: 'name' }, { field: 'token' }],
  },
)

export const Welcome = message(
  {
    version: u8(),
    features: bitset8('FeatureBit', welcomeFeatures),
    time: u64({ description: 'router time, microseconds since the Unix epoch' }),
    session: str(L.session),
    name: str(L.name),
    token: opt(str(L.token, { emptyIsAbsent: true })),
  },
  {
    name: 'WELCOME', code: 0x02, defaultQos: FIRE, direction: 'router', c: { encode: true, decode: true },
    doc: 'Router reply to HELLO (§5.2). Feature bits never include federation.',
    layout: [{ field: 'version' }, { field: 'features' }, { field: 'time' }, { field: 'session' }, { field: 'name' }, { field: 'token' }],
  },
)

export const Announce = message(
  {
    namespace: str(L.address),
    signals: list(SignalDefinition, L.signals),
  },
  {
    name: 'ANNOUNCE', code: 0x03, defaultQos: FIRE, direction: 'client', c: { encode: false, decode: false },
    doc: 'Signals a client offers under a namespace (§5.3). Message-level meta is not on the wire.',
    layout: [{ field: 'namespace' }, { field: 'signals' }],
  },
)

export const FederationSync = message(
  {
    op: enum8('FederationOp', memberNames(FederationOp)),
    patterns: list(str(L.address), L.patterns),
    revisions: map(u64(), L.revisions, L.address),
    sinceRevision: opt(u64()),
    origin: opt(str(L.name)),
  },
  {
    name: 'FEDERATION_SYNC', code: 0x04, defaultQos: CONFIRM, direction: 'peer', c: { encode: false, decode: false },
    doc: 'Router-to-router federation (§5.4). Unknown op codes are a decode error.',
    layout: [
      { field: 'op' }, { field: 'patterns' }, { field: 'revisions' },
      { flags: [{ mask: 0x80, presence: 'sinceRevision' }, { mask: 0x40, presence: 'origin' }] },
      { field: 'sinceRevision' }, { field: 'origin' },
    ],
  },
)

export const Subscribe = message(
  {
    id: u32({ description: 'chosen by the client, unique per session' }),
    pattern: str(L.address),
    types: typeMask(),
    options: opt(SubscribeOptions),
  },
  {
    name: 'SUBSCRIBE', code: 0x10, defaultQos: CONFIRM, direction: 'client', c: { encode: true, decode: true },
    doc: 'Subscribe to a pattern (§5.5). An empty type list means all types.',
    layout: [{ field: 'id' }, { field: 'pattern' }, { field: 'types' }, { field: 'options' }],
  },
)

export const Unsubscribe = message(
  { id: u32() },
  {
    name: 'UNSUBSCRIBE', code: 0x11, defaultQos: CONFIRM, direction: 'client', c: { encode: true, decode: true },
    doc: 'Drop a subscription by id (§5.5).',
    layout: [{ field: 'id' }],
  },
)

export const Publish = message(
  {
    address: str(L.address),
    signal: opt(enum8('SignalType', signalTypes, { unknownAs: 'event' })),
    value: opt(value()),
    samples: opt(list(f64(), L.samples)),
    timestamp: opt(u64({ description: 'microseconds since the Unix epoch' })),
    id: opt(u32({ description: 'gesture id' })),
    phase: opt(enum8('GesturePhase', memberNames(GesturePhase), { unknownAs: 'start' })),
    rate: opt(u32({ description: 'samples per second' })),
  },
  {
    name: 'PUBLISH', code: 0x20, direction: 'both', c: { encode: true, decode: true },
    defaultQos: { byField: 'signal', codes: { param: CONFIRM, event: CONFIRM, stream: FIRE, gesture: FIRE, timeline: COMMIT }, absent: FIRE },
    doc: 'An event, stream sample, gesture or timeline (§5.8). Absent signal is written as event, absent phase as start; rate has no presence bit.',
    layout: [
      {
        flags: [
          { mask: 0xe0, shift: 5, enumField: 'signal', absentCode: 1 },
          { mask: 0x10, presence: 'timestamp' },
          { mask: 0x08, presence: 'id' },
          { mask: 0x07, shift: 0, enumField: 'phase', absentCode: 0 },
        ],
      },
      { field: 'address' },
      { indicator: [{ code: 1, field: 'value' }, { code: 2, field: 'samples' }], noneCode: 0 },
      { field: 'timestamp' }, { field: 'id' }, { trailing: 'rate' },
    ],
  },
)

export const Set = message(
  {
    address: str(L.address),
    value: value(),
    revision: opt(u64({ description: 'client: expected revision; router: new revision' })),
    lock: opt(bit({ description: 'take the lock (only the holder may write)' })),
    unlock: opt(bit({ description: 'release the lock' })),
    ttl: opt(ttl32()),
  },
  {
    name: 'SET', code: 0x21, defaultQos: CONFIRM, direction: 'both', c: { encode: true, decode: true },
    doc: 'Write a param (§5.6). The value type code lives in the low nibble of the flags byte.',
    layout: [
      {
        flags: [
          { mask: 0x80, presence: 'revision' },
          { mask: 0x40, boolean: 'lock' },
          { mask: 0x20, boolean: 'unlock' },
          { mask: 0x10, presence: 'ttl' },
          { mask: 0x0f, shift: 0, valueTypeOf: 'value' },
        ],
      },
      { field: 'address' }, { valueData: 'value' }, { field: 'revision' }, { field: 'ttl' },
    ],
  },
)

export const Get = message(
  { address: str(L.address) },
  {
    name: 'GET', code: 0x22, defaultQos: FIRE, direction: 'client', c: { encode: true, decode: true },
    doc: 'Read one param (§5.7); answered by a one-entry SNAPSHOT.',
    layout: [{ field: 'address' }],
  },
)

export const Snapshot = message(
  { params: list(ParamValue, L.snapshotParams) },
  {
    name: 'SNAPSHOT', code: 0x23, defaultQos: FIRE, direction: 'router', c: { encode: true, decode: true },
    doc: 'Current values of params (§5.9).',
    layout: [{ field: 'params' }],
  },
)

export const Replay = message(
  {
    pattern: str(L.address),
    from: opt(u64({ description: 'microseconds since the Unix epoch' })),
    to: opt(u64({ description: 'microseconds since the Unix epoch' })),
    limit: opt(u32()),
    types: typeMask(),
  },
  {
    name: 'REPLAY', code: 0x24, defaultQos: CONFIRM, direction: 'client', c: { encode: false, decode: false },
    doc: 'Ask for journal entries (§5.10). Flags come before the pattern and the mask comes last.',
    layout: [
      { flags: [{ mask: 0x80, presence: 'from' }, { mask: 0x40, presence: 'to' }, { mask: 0x20, presence: 'limit' }] },
      { field: 'pattern' }, { field: 'from' }, { field: 'to' }, { field: 'limit' }, { field: 'types' },
    ],
  },
)

export const Bundle = message(
  {
    timestamp: opt(u64({ description: 'scheduled time, microseconds since the Unix epoch' })),
    messages: messages(L.bundleMessages),
  },
  {
    name: 'BUNDLE', code: 0x30, defaultQos: COMMIT, direction: 'client', c: { encode: true, decode: true },
    doc: 'Messages applied together (§5.11). The count comes before the optional timestamp.',
    layout: [
      { flags: [{ mask: 0x80, presence: 'timestamp' }] },
      { countOf: 'messages' }, { field: 'timestamp' }, { itemsOf: 'messages' },
    ],
  },
)

export const Sync = message(
  {
    t1: u64({ description: 'client send time, µs' }),
    t2: opt(u64({ description: 'router receive time, µs' })),
    t3: opt(u64({ description: 'router send time, µs' })),
  },
  {
    name: 'SYNC', code: 0x40, defaultQos: FIRE, direction: 'both', c: { encode: true, decode: true },
    doc: 'Clock synchronisation (§5.12).',
    layout: [{ flags: [{ mask: 0x01, presence: 't2' }, { mask: 0x02, presence: 't3' }] }, { field: 't1' }, { field: 't2' }, { field: 't3' }],
  },
)

export const Ping = message({}, {
  name: 'PING', code: 0x41, defaultQos: FIRE, direction: 'both', c: { encode: true, decode: true },
  doc: 'Liveness probe (§5.13); answered with PONG.', layout: [],
})

export const Pong = message({}, {
  name: 'PONG', code: 0x42, defaultQos: FIRE, direction: 'both', c: { encode: true, decode: true },
  doc: 'Reply to PING, also an unsolicited keepalive (§5.13).', layout: [],
})

export const Ack = message(
  {
    address: opt(str(L.address)),
    revision: opt(u64()),
    locked: opt(bool8()),
    holder: opt(str(L.session)),
    correlationId: opt(u32()),
  },
  {
    name: 'ACK', code: 0x50, defaultQos: FIRE, direction: 'router', c: { encode: true, decode: true },
    doc: 'Acknowledgement (§5.14).',
    layout: [
      {
        flags: [
          { mask: 0x01, presence: 'address' }, { mask: 0x02, presence: 'revision' }, { mask: 0x04, presence: 'locked' },
          { mask: 0x08, presence: 'holder' }, { mask: 0x10, presence: 'correlationId' },
        ],
      },
      { field: 'address' }, { field: 'revision' }, { field: 'locked' }, { field: 'holder' }, { field: 'correlationId' },
    ],
  },
)

export const Error = message(
  {
    code: u16(),
    message: str(L.text),
    address: opt(str(L.address)),
    correlationId: opt(u32()),
  },
  {
    name: 'ERROR', code: 0x51, defaultQos: FIRE, direction: 'router', c: { encode: true, decode: true },
    doc: 'Error report (§5.15).',
    layout: [
      { field: 'code' }, { field: 'message' },
      { flags: [{ mask: 0x01, presence: 'address' }, { mask: 0x02, presence: 'correlationId' }] },
      { field: 'address' }, { field: 'correlationId' },
    ],
  },
)

export const Query = message(
  { pattern: str(L.address) },
  {
    name: 'QUERY', code: 0x60, defaultQos: FIRE, direction: 'client', c: { encode: false, decode: false },
    doc: 'Ask which signals match a pattern (§5.16).',
    layout: [{ field: 'pattern' }],
  },
)

export const Result = message(
  { signals: list(SignalInfo, L.signals) },
  {
    name: 'RESULT', code: 0x61, defaultQos: FIRE, direction: 'router', c: { encode: false, decode: false },
    doc: 'Answer to QUERY (§5.16). Never carries meta.',
    layout: [{ field: 'signals' }],
  },
)

/** Every message, in code order. */
export const messagesByCode = [
  Hello, Welcome, Announce, FederationSync, Subscribe, Unsubscribe, Publish, Set, Get, Snapshot, Replay,
  Bundle, Sync, Ping, Pong, Ack, Error, Query, Result,
]
