/**
 * Errors the client reports. A router ERROR becomes a `ClaspError` of kind `router` carrying the
 * wire code, text and address; failures detected locally (no reply in time, connection lost,
 * client closed) use the other kinds so callers can tell them apart without parsing text.
 */

export type ClaspErrorKind =
  /** An ERROR message from the router; `code` is its wire code. */
  | 'router'
  /** No reply within the deadline (code 502, clasp-core's Timeout). */
  | 'timeout'
  /** The connection was lost before the reply arrived, or there is no connection. */
  | 'disconnected'
  /** `close()` was called. */
  | 'closed'
  /** Bad input to a client method (pattern, URL scheme, ...). */
  | 'usage'

/** clasp-core `ErrorCode::Timeout`, used for local timeouts. */
export const TIMEOUT_CODE = 502

export class ClaspError extends Error {
  override readonly name = 'ClaspError'

  constructor(
    readonly kind: ClaspErrorKind,
    /** Router ERROR code for kind `router`; 502 for timeouts; 0 for the other local kinds. */
    readonly code: number,
    message: string,
    /** The address (or pattern) the error is about, when known. */
    readonly address?: string,
  ) {
    super(message)
  }

  static router(code: number, message: string, address?: string): ClaspError {
    return new ClaspError('router', code, message, address)
  }

  static timeout(message: string, address?: string): ClaspError {
    return new ClaspError('timeout', TIMEOUT_CODE, message, address)
  }

  static disconnected(message: string, address?: string): ClaspError {
    return new ClaspError('disconnected', 0, message, address)
  }

  static closed(address?: string): ClaspError {
    return new ClaspError('closed', 0, 'client closed', address)
  }

  static usage(message: string, address?: string): ClaspError {
    return new ClaspError('usage', 0, message, address)
  }
}
