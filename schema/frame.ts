/**
 * The frame header (wire-protocol.md §3): magic, flags, u16 payload length, optional u64
 * timestamp, payload. Frames carry no transport framing of their own; see `transports` below.
 */
export const Frame = {
  magic: 0x53,
  headerBytes: 4,
  timestampBytes: 8,
  maxPayloadBytes: 0xffff,
  /** The encoding version our encoder writes in flags bits 2-0 (1 = v1 binary). */
  encodingVersion: 1,
  /** HELLO/WELCOME protocol version. */
  protocolVersion: 1,
  /** First payload bytes that mark a legacy v0 MessagePack payload (fixmap, map16, map32). */
  legacyPayloadBytes: { fixmapFirst: 0x80, fixmapLast: 0x8f, map16: 0xde, map32: 0xdf },
} as const

/** Transport framing and ports (wire-protocol.md §2, embedded.md §1). */
export const Transports = {
  wsPort: 7330,
  /** Our length-prefixed TCP listener; distinct from WebSocket (embedded.md §2). */
  tcpPort: 7332,
  discoveryPort: 7331,
  wsSubprotocol: 'clasp',
  /** TCP: u32 big-endian length prefix; the Rust reader drops a connection above 65,536. */
  tcpMaxFrameBytes: 65536,
  slip: { end: 0xc0, esc: 0xdb, escEnd: 0xdc, escEsc: 0xdd },
} as const
