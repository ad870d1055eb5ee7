/**
 * Enumerations shared by the wire format, the router and the C header.
 * Codes are those of the reference codec (clasp-core 4.5.0, `codec.rs`), see wire-protocol.md §5.0.
 */

/** An enum: member name → wire code, in the order decoders report them. */
export interface EnumDef {
  name: string
  doc: string
  members: Record<string, number>
}

const defineEnum = (name: string, doc: string, members: Record<string, number>): EnumDef => ({ name, doc, members })

/** Signal types: PUBLISH flags bits 7-5, ANNOUNCE/RESULT signal type byte. Codes 5-7 decode as event. */
export const SignalType = defineEnum('SignalType', 'Kind of signal carried by a PUBLISH or described by ANNOUNCE/RESULT.', {
  param: 0, event: 1, stream: 2, gesture: 3, timeline: 4,
})

/** Gesture phases: PUBLISH flags bits 2-0. Codes 4-7 decode as start. */
export const GesturePhase = defineEnum('GesturePhase', 'Phase of a gesture PUBLISH.', {
  start: 0, move: 1, end: 2, cancel: 3,
})

/** Bits of the SUBSCRIBE/REPLAY type mask. 0xFF (and 0x00) mean all types. */
export const TypeMaskBit = defineEnum('TypeMaskBit', 'Signal types selected by a SUBSCRIBE or REPLAY type mask.', {
  param: 0x01, event: 0x02, stream: 0x04, gesture: 0x08, timeline: 0x10,
})

/** HELLO/WELCOME feature bits. Federation is only ever written in HELLO. */
export const FeatureBit = defineEnum('FeatureBit', 'Features a peer advertises in HELLO/WELCOME.', {
  param: 0x80, event: 0x40, stream: 0x20, gesture: 0x10, timeline: 0x08, federation: 0x04,
})

/** Frame QoS (flags bits 7-6). 3 is reserved; the reference treats it as fire. */
export const QoS = defineEnum('QoS', 'Frame quality of service. Informational: the router keys no retransmission off it.', {
  fire: 0, confirm: 1, commit: 2,
})

/** FEDERATION_SYNC operations. Any other code is a decode error. */
export const FederationOp = defineEnum('FederationOp', 'Operation of a FEDERATION_SYNC message.', {
  declareNamespaces: 1, requestSync: 2, revisionVector: 3, syncComplete: 4,
})

/** Error codes of `clasp_core::ErrorCode` plus those the router really sends (wire-protocol.md §6). */
export const ErrorCode = defineEnum('ErrorCode', 'Codes carried by ERROR messages.', {
  invalidFrame: 100,
  invalidMessage: 101,
  unsupportedVersion: 102,
  invalidAddress: 200,
  addressNotFound: 201,
  patternError: 202,
  unauthorized: 300,
  forbidden: 301,
  tokenExpired: 302,
  revisionConflict: 400,
  lockHeld: 401,
  invalidValue: 402,
  forbiddenByPolicy: 403,
  notFound: 404,
  rateLimited: 429,
  internalError: 500,
  serviceUnavailable: 501,
  timeout: 502,
  bufferOverflow: 503,
})

/** Frame flag bits (header byte 1). */
export const FrameFlag = defineEnum('FrameFlag', 'Bits of the frame header flags byte.', {
  qosMask: 0xc0,
  qosShift: 6,
  timestamp: 0x20,
  encrypted: 0x10,
  compressed: 0x08,
  versionMask: 0x07,
})

export const enums = [SignalType, GesturePhase, TypeMaskBit, FeatureBit, QoS, FederationOp, ErrorCode, FrameFlag]

/** Names in code order, for the TypeBox literal unions. */
export const memberNames = (e: EnumDef): string[] => Object.keys(e.members)
