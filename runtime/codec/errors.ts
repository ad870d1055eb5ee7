/**
 * The codec's one error family. Every decode failure is a `ClaspDecodeError` and every encode
 * failure a `ClaspEncodeError`, each with a stable `code`; callers switch on the code, never on
 * the message text. Nothing else (RangeError, TypeError) escapes the codec.
 */

export type DecodeErrorCode =
  /** Fewer bytes than a field, a length or the frame header announced. */
  | 'TRUNCATED'
  /** Byte 0 of the frame is not 0x53. */
  | 'BAD_MAGIC'
  /** The frame's payload is empty (a valid frame, but no message). */
  | 'EMPTY_PAYLOAD'
  /** Payload byte 0 is not one of the 19 message codes. */
  | 'UNKNOWN_MESSAGE_TYPE'
  /** A value type code outside 0x00-0x0B. */
  | 'UNKNOWN_VALUE_TYPE'
  /** A string that is not valid UTF-8 (the reference rejects the whole message). */
  | 'INVALID_UTF8'
  /** An enum code with no meaning and no fallback (e.g. FEDERATION_SYNC op). */
  | 'UNKNOWN_ENUM'
  /** Arrays, maps or bundles nested deeper than the codec follows. */
  | 'TOO_DEEP'
  /** A legacy v0 (MessagePack) payload; this codec does not decode them (docs/compat.md). */
  | 'LEGACY_ENCODING'

export type EncodeErrorCode =
  /** The payload would exceed 65,535 bytes. */
  | 'PAYLOAD_TOO_LARGE'
  /** A number outside its field's width, or not an integer where one is needed. */
  | 'OUT_OF_RANGE'
  /** A JS value with no CLASP value type (function, symbol, typed array other than Uint8Array). */
  | 'INVALID_VALUE'
  /** A field with the wrong shape: missing, unknown enum name, unknown message type. */
  | 'INVALID_FIELD'
  /** Arrays, maps or bundles nested deeper than the codec follows. */
  | 'TOO_DEEP'

/** Base class: `instanceof ClaspCodecError` catches both directions. */
export class ClaspCodecError extends Error {
  readonly code: DecodeErrorCode | EncodeErrorCode
  constructor(code: DecodeErrorCode | EncodeErrorCode, message: string) {
    super(`${code}: ${message}`)
    this.code = code
  }
}

export class ClaspDecodeError extends ClaspCodecError {
  declare readonly code: DecodeErrorCode
  constructor(code: DecodeErrorCode, message: string) {
    super(code, message)
    this.name = 'ClaspDecodeError'
  }
}

export class ClaspEncodeError extends ClaspCodecError {
  declare readonly code: EncodeErrorCode
  constructor(code: EncodeErrorCode, message: string) {
    super(code, message)
    this.name = 'ClaspEncodeError'
  }
}
