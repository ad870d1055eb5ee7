/**
 * Art-Net 4 codec for the three packets the bridge speaks: ArtDmx (0x5000), ArtPoll (0x2000) and
 * ArtPollReply (0x2100). Our own, because the `artnet` npm package is send-only (npm-deps.md).
 *
 * Decoding validates everything a receiver relies on and throws `ArtNetError` (with a stable
 * `code`) on anything else, so the bridge can count and drop bad datagrams without guessing.
 * Well-formed Art-Net packets with other OpCodes (ArtSync, ArtAddress, ...) decode as `other`:
 * they are legitimate traffic we do not act on, not malformed input.
 *
 * Layouts (Art-Net 4 specification): every packet starts with "Art-Net\0" and a little-endian
 * OpCode. ArtDmx and ArtPoll then carry ProtVer (big-endian, ≥ 14); ArtPollReply does not.
 */

/** The Art-Net UDP port (0x1936). */
export const ARTNET_PORT = 6454
/** Protocol revision we send; older revisions are refused on input. */
export const PROTOCOL_VERSION = 14

/** The OpCodes we encode and decode (little-endian on the wire). */
export const OpCode = { Poll: 0x2000, PollReply: 0x2100, Dmx: 0x5000 } as const

const ID = Uint8Array.from([0x41, 0x72, 0x74, 0x2d, 0x4e, 0x65, 0x74, 0x00]) // "Art-Net\0"
const DMX_HEADER = 18
const POLL_MIN = 14
const POLL_FULL = 22
/** Art-Net 4: receivers accept an ArtPollReply of 207 bytes (through the MAC) or more. */
const REPLY_MIN = 207
const REPLY_FULL = 239

/** Stable codes of ArtNetError, one per validation rule. */
export type ArtNetErrorCode =
  | 'SHORT' // shorter than the fixed part of its packet type
  | 'BAD_ID' // not "Art-Net\0"
  | 'BAD_VERSION' // ProtVer below 14
  | 'BAD_LENGTH' // ArtDmx Length outside 1..512
  | 'TRUNCATED' // ArtDmx Length says more data than the datagram holds
  | 'BAD_PORT_ADDRESS' // Net above 0x7F (Port-Address is 15 bits)
  | 'BAD_FIELD' // an encoder argument out of range

/** A datagram that is not a valid Art-Net packet (or an encoder argument out of range). */
export class ArtNetError extends Error {
  override readonly name = 'ArtNetError'
  constructor(readonly code: ArtNetErrorCode, message: string) {
    super(message)
  }
}

/** OpDmx: one universe of DMX data. */
export interface ArtDmx {
  /** 1..255 in order, 0 = the sender does not sequence. */
  sequence: number
  /** The sender's physical input port (informational). */
  physical: number
  /** 15-bit Port-Address: Net (7 bits) · Sub-Net (4) · Universe (4). */
  universe: number
  /** 1..512 slots (start code excluded). */
  data: Uint8Array
}

/** OpPoll: a controller looking for nodes. */
export interface ArtPoll {
  protocolVersion: number
  /** Bit 1: send ArtPollReply on change; bit 5: targeted mode (only reply inside target range). */
  flags: number
  diagPriority: number
  /** Art-Net 4 targeted mode range (present when the packet carries it). */
  target?: { top: number; bottom: number }
  estaMan?: number
  oem?: number
}

/** OpPollReply: a node describing itself and up to four ports (Art-Net 4 field names). */
export interface ArtPollReply {
  ip: [number, number, number, number]
  port: number
  firmware: number
  netSwitch: number
  subSwitch: number
  oem: number
  ubea: number
  status1: number
  estaMan: number
  shortName: string
  longName: string
  nodeReport: string
  numPorts: number
  portTypes: number[]
  goodInput: number[]
  goodOutput: number[]
  swIn: number[]
  swOut: number[]
  acnPriority: number
  swMacro: number
  swRemote: number
  style: number
  mac: number[]
  bindIp: [number, number, number, number]
  bindIndex: number
  status2: number
  goodOutputB: number[]
  status3: number
  defaultRespUid: number[]
  user: number
  refreshRate: number
}

/** A decoded datagram. */
export type ArtPacket =
  | ({ op: 'dmx' } & ArtDmx)
  | ({ op: 'poll' } & ArtPoll)
  | ({ op: 'pollReply' } & ArtPollReply)
  | { op: 'other'; opcode: number }

/** Decode one datagram; throws ArtNetError when it is not valid Art-Net. */
export function decodeArtNet(buf: Uint8Array): ArtPacket {
  if (buf.length < 10) throw new ArtNetError('SHORT', `${buf.length} bytes is shorter than an Art-Net header`)
  for (let i = 0; i < ID.length; i++) if (buf[i] !== ID[i]) throw new ArtNetError('BAD_ID', 'missing "Art-Net\\0" identifier')
  const opcode = buf[8] | (buf[9] << 8)
  switch (opcode) {
    case OpCode.Dmx:
      return { op: 'dmx', ...decodeDmx(buf) }
    case OpCode.Poll:
      return { op: 'poll', ...decodePoll(buf) }
    case OpCode.PollReply:
      return { op: 'pollReply', ...decodePollReply(buf) }
    default:
      return { op: 'other', opcode }
  }
}

function protocolVersion(buf: Uint8Array, min: number, what: string): number {
  if (buf.length < min) throw new ArtNetError('SHORT', `${what} of ${buf.length} bytes; at least ${min} needed`)
  const v = (buf[10] << 8) | buf[11]
  if (v < PROTOCOL_VERSION) throw new ArtNetError('BAD_VERSION', `${what} protocol version ${v}; ${PROTOCOL_VERSION} or later required`)
  return v
}

function decodeDmx(buf: Uint8Array): ArtDmx {
  protocolVersion(buf, DMX_HEADER, 'ArtDmx')
  const net = buf[15]
  if (net > 0x7f) throw new ArtNetError('BAD_PORT_ADDRESS', `ArtDmx Net ${net} exceeds 127`)
  const length = (buf[16] << 8) | buf[17]
  // The spec asks for an even length; odd ones (some consoles send them) are unambiguous, so kept.
  if (length < 1 || length > 512) throw new ArtNetError('BAD_LENGTH', `ArtDmx length ${length} outside 1..512`)
  if (buf.length < DMX_HEADER + length) throw new ArtNetError('TRUNCATED', `ArtDmx says ${length} slots but carries ${buf.length - DMX_HEADER}`)
  return { sequence: buf[12], physical: buf[13], universe: (net << 8) | buf[14], data: buf.slice(DMX_HEADER, DMX_HEADER + length) }
}

function decodePoll(buf: Uint8Array): ArtPoll {
  const poll: ArtPoll = { protocolVersion: protocolVersion(buf, POLL_MIN, 'ArtPoll'), flags: buf[12], diagPriority: buf[13] }
  if (buf.length >= POLL_FULL) {
    poll.target = { top: be16(buf, 14), bottom: be16(buf, 16) }
    poll.estaMan = be16(buf, 18)
    poll.oem = be16(buf, 20)
  }
  return poll
}

function decodePollReply(buf: Uint8Array): ArtPollReply {
  if (buf.length < REPLY_MIN) throw new ArtNetError('SHORT', `ArtPollReply of ${buf.length} bytes; at least ${REPLY_MIN} needed`)
  // Fields after the MAC are Art-Net 3/4 additions: read as 0 from shorter (older) replies.
  const b = buf.length >= REPLY_FULL ? buf : Uint8Array.from({ length: REPLY_FULL }, (_, i) => buf[i] ?? 0)
  return {
    ip: quad(b, 10),
    port: b[14] | (b[15] << 8),
    firmware: be16(b, 16),
    netSwitch: b[18],
    subSwitch: b[19],
    oem: be16(b, 20),
    ubea: b[22],
    status1: b[23],
    estaMan: b[24] | (b[25] << 8),
    shortName: cString(b, 26, 18),
    longName: cString(b, 44, 64),
    nodeReport: cString(b, 108, 64),
    numPorts: be16(b, 172),
    portTypes: [...b.subarray(174, 178)],
    goodInput: [...b.subarray(178, 182)],
    goodOutput: [...b.subarray(182, 186)],
    swIn: [...b.subarray(186, 190)],
    swOut: [...b.subarray(190, 194)],
    acnPriority: b[194],
    swMacro: b[195],
    swRemote: b[196],
    style: b[200],
    mac: [...b.subarray(201, 207)],
    bindIp: quad(b, 207),
    bindIndex: b[211],
    status2: b[212],
    goodOutputB: [...b.subarray(213, 217)],
    status3: b[217],
    defaultRespUid: [...b.subarray(218, 224)],
    user: be16(b, 224),
    refreshRate: be16(b, 226),
  }
}

/** Encode an ArtDmx; the data is padded to an even length as the spec requires. */
export function encodeArtDmx(p: ArtDmx): Uint8Array {
  check(p.universe, 0, 0x7fff, 'universe')
  check(p.sequence, 0, 255, 'sequence')
  check(p.physical, 0, 255, 'physical')
  if (p.data.length < 1 || p.data.length > 512) throw new ArtNetError('BAD_FIELD', `ArtDmx data length ${p.data.length} outside 1..512`)
  const length = p.data.length + (p.data.length & 1)
  const out = header(OpCode.Dmx, DMX_HEADER + length)
  out[10] = 0
  out[11] = PROTOCOL_VERSION
  out[12] = p.sequence
  out[13] = p.physical
  out[14] = p.universe & 0xff
  out[15] = p.universe >> 8
  out[16] = length >> 8
  out[17] = length & 0xff
  out.set(p.data, DMX_HEADER)
  return out
}

/** Encode an Art-Net 4 ArtPoll (22 bytes). */
export function encodeArtPoll(p: Partial<ArtPoll> = {}): Uint8Array {
  const out = header(OpCode.Poll, POLL_FULL)
  out[11] = PROTOCOL_VERSION
  out[12] = p.flags ?? 0
  out[13] = p.diagPriority ?? 0
  const t = p.target ?? { top: 0x7fff, bottom: 0 }
  putBe16(out, 14, t.top)
  putBe16(out, 16, t.bottom)
  putBe16(out, 18, p.estaMan ?? 0)
  putBe16(out, 20, p.oem ?? 0)
  return out
}

/** Encode a full (239-byte) ArtPollReply; omitted fields are 0 or empty. */
export function encodeArtPollReply(p: Partial<ArtPollReply> & Pick<ArtPollReply, 'ip'>): Uint8Array {
  const out = header(OpCode.PollReply, REPLY_FULL)
  out.set(p.ip, 10)
  const port = p.port ?? ARTNET_PORT
  out[14] = port & 0xff
  out[15] = port >> 8
  putBe16(out, 16, p.firmware ?? 0)
  out[18] = p.netSwitch ?? 0
  out[19] = p.subSwitch ?? 0
  putBe16(out, 20, p.oem ?? 0)
  out[22] = p.ubea ?? 0
  out[23] = p.status1 ?? 0
  const esta = p.estaMan ?? 0
  out[24] = esta & 0xff
  out[25] = esta >> 8
  putString(out, 26, 18, p.shortName ?? '')
  putString(out, 44, 64, p.longName ?? '')
  putString(out, 108, 64, p.nodeReport ?? '')
  const ports = p.numPorts ?? 0
  check(ports, 0, 4, 'numPorts')
  putBe16(out, 172, ports)
  out.set(four(p.portTypes), 174)
  out.set(four(p.goodInput), 178)
  out.set(four(p.goodOutput), 182)
  out.set(four(p.swIn), 186)
  out.set(four(p.swOut), 190)
  out[194] = p.acnPriority ?? 0
  out[195] = p.swMacro ?? 0
  out[196] = p.swRemote ?? 0
  out[200] = p.style ?? 0
  out.set((p.mac ?? []).slice(0, 6), 201)
  out.set(p.bindIp ?? p.ip, 207)
  out[211] = p.bindIndex ?? 1
  out[212] = p.status2 ?? 0
  out.set(four(p.goodOutputB), 213)
  out[217] = p.status3 ?? 0
  out.set((p.defaultRespUid ?? []).slice(0, 6), 218)
  putBe16(out, 224, p.user ?? 0)
  putBe16(out, 226, p.refreshRate ?? 0)
  return out
}

function header(opcode: number, size: number): Uint8Array {
  const out = new Uint8Array(size)
  out.set(ID, 0)
  out[8] = opcode & 0xff
  out[9] = opcode >> 8
  return out
}

function check(v: number, min: number, max: number, what: string): void {
  if (!Number.isInteger(v) || v < min || v > max) throw new ArtNetError('BAD_FIELD', `${what} ${v} outside ${min}..${max}`)
}

const be16 = (b: Uint8Array, at: number) => (b[at] << 8) | b[at + 1]
const quad = (b: Uint8Array, at: number): [number, number, number, number] => [b[at], b[at + 1], b[at + 2], b[at + 3]]
const four = (a: number[] | undefined) => Uint8Array.from({ length: 4 }, (_, i) => a?.[i] ?? 0)

function putBe16(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >> 8) & 0xff
  b[at + 1] = v & 0xff
}

/** NUL-terminated ASCII in a fixed field: at most size-1 characters, non-ASCII replaced by '?'. */
function putString(b: Uint8Array, at: number, size: number, s: string): void {
  for (let i = 0; i < Math.min(s.length, size - 1); i++) {
    const c = s.charCodeAt(i)
    b[at + i] = c >= 0x20 && c < 0x7f ? c : 0x3f
  }
}

function cString(b: Uint8Array, at: number, size: number): string {
  let s = ''
  for (let i = at; i < at + size && b[i] !== 0; i++) s += String.fromCharCode(b[i])
  return s
}
