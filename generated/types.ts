// generated from schema ad75c56f578385c6 by codegen 1.0.0 — do not edit
/* eslint-disable */
/** Hash of the schema this file was generated from. */
export const SCHEMA_HASH = 'ad75c56f578385c6'
export const SCHEMA_VERSION = 1

/** A CLASP value. `bigint` is an integer (i64 on the wire), `number` a float (f64). Maps decode to null-prototype objects; a `Map` is accepted on encode. */
export type ClaspValue = null | boolean | bigint | number | string | Uint8Array | ClaspValue[] | { [key: string]: ClaspValue } | ReadonlyMap<string, ClaspValue>
/** Time to live of a param. `never` is the u32 word 0; seconds are masked to 31 bits. */
export type Ttl = { mode: 'never' | 'sliding' | 'absolute'; seconds: number }
/** Kind of signal carried by a PUBLISH or described by ANNOUNCE/RESULT. */
export type SignalType = 'param' | 'event' | 'stream' | 'gesture' | 'timeline'

/** Kind of signal carried by a PUBLISH or described by ANNOUNCE/RESULT. Wire codes. */
export const SignalType = { param: 0, event: 1, stream: 2, gesture: 3, timeline: 4 } as const

/** Phase of a gesture PUBLISH. */
export type GesturePhase = 'start' | 'move' | 'end' | 'cancel'

/** Phase of a gesture PUBLISH. Wire codes. */
export const GesturePhase = { start: 0, move: 1, end: 2, cancel: 3 } as const
/** Signal types selected by a SUBSCRIBE or REPLAY type mask. Wire codes. */
export const TypeMaskBit = { param: 0x01, event: 0x02, stream: 0x04, gesture: 0x08, timeline: 0x10 } as const

/** Features a peer advertises in HELLO/WELCOME. */
export type Feature = 'param' | 'event' | 'stream' | 'gesture' | 'timeline' | 'federation'

/** Features a peer advertises in HELLO/WELCOME. Wire codes. */
export const FeatureBit = { param: 0x80, event: 0x40, stream: 0x20, gesture: 0x10, timeline: 0x08, federation: 0x04 } as const
/** Frame quality of service. Informational: the router keys no retransmission off it. Wire codes. */
export const QoS = { fire: 0, confirm: 1, commit: 2 } as const

/** Operation of a FEDERATION_SYNC message. */
export type FederationOp = 'declareNamespaces' | 'requestSync' | 'revisionVector' | 'syncComplete'

/** Operation of a FEDERATION_SYNC message. Wire codes. */
export const FederationOp = { declareNamespaces: 1, requestSync: 2, revisionVector: 3, syncComplete: 4 } as const
/** Codes carried by ERROR messages. Wire codes. */
export const ErrorCode = { invalidFrame: 100, invalidMessage: 101, unsupportedVersion: 102, invalidAddress: 200, addressNotFound: 201, patternError: 202, unauthorized: 300, forbidden: 301, tokenExpired: 302, revisionConflict: 400, lockHeld: 401, invalidValue: 402, forbiddenByPolicy: 403, notFound: 404, rateLimited: 429, internalError: 500, serviceUnavailable: 501, timeout: 502, bufferOverflow: 503 } as const
/** Bits of the frame header flags byte. Wire codes. */
export const FrameFlag = { qosMask: 0xc0, qosShift: 0x06, timestamp: 0x20, encrypted: 0x10, compressed: 0x08, versionMask: 0x07 } as const
/** Message type codes (payload byte 0). */
export const MessageCode = { HELLO: 0x01, WELCOME: 0x02, ANNOUNCE: 0x03, FEDERATION_SYNC: 0x04, SUBSCRIBE: 0x10, UNSUBSCRIBE: 0x11, PUBLISH: 0x20, SET: 0x21, GET: 0x22, SNAPSHOT: 0x23, REPLAY: 0x24, BUNDLE: 0x30, SYNC: 0x40, PING: 0x41, PONG: 0x42, ACK: 0x50, ERROR: 0x51, QUERY: 0x60, RESULT: 0x61 } as const
/** Size bounds of the C header (the TypeScript codec is bounded only by the wire). */
export const CLimits = { ADDRESS_BYTES: 128, NAME_BYTES: 64, TOKEN_BYTES: 256, SESSION_BYTES: 64, LABEL_BYTES: 32, TEXT_BYTES: 128, VALUE_BYTES: 192, VALUE_ITEMS: 32, VALUE_KEY_BYTES: 64, SNAPSHOT_PARAMS: 800, SIGNALS: 32, PATTERNS: 16, REVISIONS: 64, SAMPLES: 64, BUNDLE_MESSAGES: 32 } as const
export const MAX_NESTING_DEPTH = 64

export interface SignalMeta {
  /** C limit: CLASP_MAX_LABEL_BYTES (32) bytes. */
  unit?: string
  range?: [number, number]
  default?: ClaspValue
  /** C limit: CLASP_MAX_TEXT_BYTES (128) bytes. */
  description?: string
}

export interface SignalDefinition {
  /** C limit: CLASP_MAX_ADDRESS_BYTES (128) bytes. */
  address: string
  signalType: SignalType
  /** C limit: CLASP_MAX_LABEL_BYTES (32) bytes. */
  datatype?: string
  /** C limit: CLASP_MAX_LABEL_BYTES (32) bytes. */
  access?: string
  meta?: SignalMeta
}

export interface SignalInfo {
  /** C limit: CLASP_MAX_ADDRESS_BYTES (128) bytes. */
  address: string
  signalType: SignalType
  /** C limit: CLASP_MAX_LABEL_BYTES (32) bytes. */
  datatype?: string
  /** C limit: CLASP_MAX_LABEL_BYTES (32) bytes. */
  access?: string
}

export interface SubscribeOptions {
  /** updates per second. Wire: u32. */
  maxRate?: number
  /** minimum change. Wire: f64. */
  epsilon?: number
  /** count. Wire: u32. */
  history?: number
  /** milliseconds. Wire: u32. */
  window?: number
}

export interface ParamValue {
  /** C limit: CLASP_MAX_ADDRESS_BYTES (128) bytes. */
  address: string
  value: ClaspValue
  /** Wire: u64. */
  revision: bigint
  /** C limit: CLASP_MAX_SESSION_BYTES (64) bytes. */
  writer?: string
  /** microseconds since the Unix epoch. Wire: u64. */
  timestamp?: bigint
}

/** First message of a session (§5.1). An empty token is the same bytes as no token. */
export interface HelloMessage {
  type: 'HELLO'
  /** Wire: u8. */
  version: number
  features: Feature[]
  /** C limit: CLASP_MAX_NAME_BYTES (64) bytes. */
  name: string
  /** C limit: CLASP_MAX_TOKEN_BYTES (256) bytes. */
  token?: string
}

/** Router reply to HELLO (§5.2). Feature bits never include federation. */
export interface WelcomeMessage {
  type: 'WELCOME'
  /** Wire: u8. */
  version: number
  features: Feature[]
  /** router time, microseconds since the Unix epoch. Wire: u64. */
  time: bigint
  /** C limit: CLASP_MAX_SESSION_BYTES (64) bytes. */
  session: string
  /** C limit: CLASP_MAX_NAME_BYTES (64) bytes. */
  name: string
  /** C limit: CLASP_MAX_TOKEN_BYTES (256) bytes. */
  token?: string
}

/** Signals a client offers under a namespace (§5.3). Message-level meta is not on the wire. */
export interface AnnounceMessage {
  type: 'ANNOUNCE'
  /** C limit: CLASP_MAX_ADDRESS_BYTES (128) bytes. */
  namespace: string
  /** C limit: CLASP_MAX_SIGNALS (32) items. */
  signals: SignalDefinition[]
}

/** Router-to-router federation (§5.4). Unknown op codes are a decode error. */
export interface FederationSyncMessage {
  type: 'FEDERATION_SYNC'
  op: FederationOp
  /** C limit: CLASP_MAX_PATTERNS (16) items. */
  patterns: string[]
  /** C limit: CLASP_MAX_ADDRESS_BYTES (128) bytes. C limit: CLASP_MAX_REVISIONS (64) items. */
  revisions: Record<string, bigint>
  /** Wire: u64. */
  sinceRevision?: bigint
  /** C limit: CLASP_MAX_NAME_BYTES (64) bytes. */
  origin?: string
}

/** Subscribe to a pattern (§5.5). An empty type list means all types. */
export interface SubscribeMessage {
  type: 'SUBSCRIBE'
  /** chosen by the client, unique per session. Wire: u32. */
  id: number
  /** C limit: CLASP_MAX_ADDRESS_BYTES (128) bytes. */
  pattern: string
  types: SignalType[]
  options?: SubscribeOptions
}

/** Drop a subscription by id (§5.5). */
export interface UnsubscribeMessage {
  type: 'UNSUBSCRIBE'
  /** Wire: u32. */
  id: number
}

/** An event, stream sample, gesture or timeline (§5.8). Absent signal is written as event, absent phase as start; rate has no presence bit. */
export interface PublishMessage {
  type: 'PUBLISH'
  /** C limit: CLASP_MAX_ADDRESS_BYTES (128) bytes. */
  address: string
  signal?: SignalType
  value?: ClaspValue
  /** C limit: CLASP_MAX_SAMPLES (64) items. */
  samples?: number[]
  /** microseconds since the Unix epoch. Wire: u64. */
  timestamp?: bigint
  /** gesture id. Wire: u32. */
  id?: number
  phase?: GesturePhase
  /** samples per second. Wire: u32. */
  rate?: number
}

/** Write a param (§5.6). The value type code lives in the low nibble of the flags byte. */
export interface SetMessage {
  type: 'SET'
  /** C limit: CLASP_MAX_ADDRESS_BYTES (128) bytes. */
  address: string
  value: ClaspValue
  /** client: expected revision; router: new revision. Wire: u64. */
  revision?: bigint
  /** take the lock (only the holder may write). */
  lock?: boolean
  /** release the lock. */
  unlock?: boolean
  ttl?: Ttl
}

/** Read one param (§5.7); answered by a one-entry SNAPSHOT. */
export interface GetMessage {
  type: 'GET'
  /** C limit: CLASP_MAX_ADDRESS_BYTES (128) bytes. */
  address: string
}

/** Current values of params (§5.9). */
export interface SnapshotMessage {
  type: 'SNAPSHOT'
  /** C limit: CLASP_MAX_SNAPSHOT_PARAMS (800) items. */
  params: ParamValue[]
}

/** Ask for journal entries (§5.10). Flags come before the pattern and the mask comes last. */
export interface ReplayMessage {
  type: 'REPLAY'
  /** C limit: CLASP_MAX_ADDRESS_BYTES (128) bytes. */
  pattern: string
  /** microseconds since the Unix epoch. Wire: u64. */
  from?: bigint
  /** microseconds since the Unix epoch. Wire: u64. */
  to?: bigint
  /** Wire: u32. */
  limit?: number
  types: SignalType[]
}

/** Messages applied together (§5.11). The count comes before the optional timestamp. */
export interface BundleMessage {
  type: 'BUNDLE'
  /** scheduled time, microseconds since the Unix epoch. Wire: u64. */
  timestamp?: bigint
  /** C limit: CLASP_MAX_BUNDLE_MESSAGES (32) items. */
  messages: Message[]
}

/** Clock synchronisation (§5.12). */
export interface SyncMessage {
  type: 'SYNC'
  /** client send time, µs. Wire: u64. */
  t1: bigint
  /** router receive time, µs. Wire: u64. */
  t2?: bigint
  /** router send time, µs. Wire: u64. */
  t3?: bigint
}

/** Liveness probe (§5.13); answered with PONG. */
export interface PingMessage {
  type: 'PING'
}

/** Reply to PING, also an unsolicited keepalive (§5.13). */
export interface PongMessage {
  type: 'PONG'
}

/** Acknowledgement (§5.14). */
export interface AckMessage {
  type: 'ACK'
  /** C limit: CLASP_MAX_ADDRESS_BYTES (128) bytes. */
  address?: string
  /** Wire: u64. */
  revision?: bigint
  locked?: boolean
  /** C limit: CLASP_MAX_SESSION_BYTES (64) bytes. */
  holder?: string
  /** Wire: u32. */
  correlationId?: number
}

/** Error report (§5.15). */
export interface ErrorMessage {
  type: 'ERROR'
  /** Wire: u16. */
  code: number
  /** C limit: CLASP_MAX_TEXT_BYTES (128) bytes. */
  message: string
  /** C limit: CLASP_MAX_ADDRESS_BYTES (128) bytes. */
  address?: string
  /** Wire: u32. */
  correlationId?: number
}

/** Ask which signals match a pattern (§5.16). */
export interface QueryMessage {
  type: 'QUERY'
  /** C limit: CLASP_MAX_ADDRESS_BYTES (128) bytes. */
  pattern: string
}

/** Answer to QUERY (§5.16). Never carries meta. */
export interface ResultMessage {
  type: 'RESULT'
  /** C limit: CLASP_MAX_SIGNALS (32) items. */
  signals: SignalInfo[]
}

/** Any CLASP message. */
export type Message = HelloMessage | WelcomeMessage | AnnounceMessage | FederationSyncMessage | SubscribeMessage | UnsubscribeMessage | PublishMessage | SetMessage | GetMessage | SnapshotMessage | ReplayMessage | BundleMessage | SyncMessage | PingMessage | PongMessage | AckMessage | ErrorMessage | QueryMessage | ResultMessage
export type MessageType = Message['type']
export type MessageOf<K extends MessageType> = Extract<Message, { type: K }>

/** Frame header options for encoding. Defaults: the Rust default QoS, no timestamp, version 1. */
export interface FrameOptions {
  /** 0 fire, 1 confirm, 2 commit. */
  qos?: number
  /** Header timestamp, µs. */
  timestamp?: bigint
  encrypted?: boolean
  compressed?: boolean
  /** Encoding version bits; 1 = binary. */
  version?: number
}

/** A decoded frame: the message and its header. */
export interface DecodedFrame {
  message: Message
  /** 0 fire, 1 confirm, 2 commit; the reserved 3 reads as fire, as in Rust. */
  qos: number
  timestamp: bigint | undefined
  encrypted: boolean
  compressed: boolean
  version: number
  /** Bytes of the frame consumed; bytes after it are not part of it. */
  length: number
}
