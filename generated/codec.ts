// generated from schema ad75c56f578385c6 by codegen 1.0.0 — do not edit
/* eslint-disable */
import { ClaspDecodeError, ClaspEncodeError } from '../runtime/codec/errors.ts'
import { WireReader } from '../runtime/codec/reader.ts'
import { WireWriter } from '../runtime/codec/writer.ts'
import type { AckMessage, AnnounceMessage, BundleMessage, ClaspValue, DecodedFrame, ErrorMessage, Feature, FederationOp, FederationSyncMessage, FrameOptions, GesturePhase, GetMessage, HelloMessage, Message, ParamValue, PingMessage, PongMessage, PublishMessage, QueryMessage, ReplayMessage, ResultMessage, SetMessage, SignalDefinition, SignalInfo, SignalMeta, SignalType, SnapshotMessage, SubscribeMessage, SubscribeOptions, SyncMessage, Ttl, UnsubscribeMessage, WelcomeMessage } from './types.ts'
import { MAX_NESTING_DEPTH } from './types.ts'

/** The type code the encoder writes for a value: Rust's choices (i64 for bigint, f64 for number). */
export function valueTypeCode(v: ClaspValue | undefined): number {
  if (v === null || v === undefined) return 0x00
  if (typeof v === 'boolean') return 0x01
  if (typeof v === 'bigint') return 0x05
  if (typeof v === 'number') return 0x07
  if (typeof v === 'string') return 0x08
  if (v instanceof Uint8Array) return 0x09
  if (Array.isArray(v)) return 0x0a
  if (typeof v === 'object' && !ArrayBuffer.isView(v)) return 0x0b
  throw new ClaspEncodeError('INVALID_VALUE', `${describe(v)} is not a CLASP value (use bigint for integers, number for floats)`)
}

/** Write a value's data (no type byte) for the given canonical type code. */
export function encodeValueData(w: WireWriter, v: ClaspValue | undefined, code: number, depth: number): void {
  switch (code) {
    case 0x00: {
      return
    }

    case 0x01: {
      w.u8(v ? 1 : 0)
      return
    }

    case 0x05: {
      w.i64(v as bigint)
      return
    }

    case 0x07: {
      w.f64(v as number)
      return
    }

    case 0x08: {
      w.str(v as string)
      return
    }

    case 0x09: {
      w.bytes(v as Uint8Array)
      return
    }

    case 0x0a: {
      if (depth >= MAX_NESTING_DEPTH) throw new ClaspEncodeError('TOO_DEEP', `values nest deeper than ${MAX_NESTING_DEPTH}`)
      const items = v as ClaspValue[]
      w.count(items.length)
      for (const item of items) encodeValue(w, item, depth + 1)
      return
    }

    case 0x0b: {
      if (depth >= MAX_NESTING_DEPTH) throw new ClaspEncodeError('TOO_DEEP', `values nest deeper than ${MAX_NESTING_DEPTH}`)
      if (v instanceof Map) {
        w.count(v.size)
        for (const [k, item] of v) {
          w.str(k)
          encodeValue(w, item, depth + 1)
        }

        return
      }

      const obj = v as { [key: string]: ClaspValue }

      const keys = Object.keys(obj)
      w.count(keys.length)
      for (const k of keys) {
        w.str(k)
        encodeValue(w, obj[k], depth + 1)
      }

      return
    }

  }
}

/** Write a type byte and the value data. */
export function encodeValue(w: WireWriter, v: ClaspValue | undefined, depth: number): void {
  const code = valueTypeCode(v)
  w.u8(code)
  encodeValueData(w, v, code, depth)
}

/** Read value data of the given type code; narrow integer and float codes are widened. */
export function decodeValueData(r: WireReader, code: number, depth: number): ClaspValue {
  switch (code) {
    case 0x00: {
      return null
    }

    case 0x01: {
      return r.u8() !== 0
    }

    case 0x02: {
      return BigInt(r.i8())
    }

    case 0x03: {
      return BigInt(r.i16())
    }

    case 0x04: {
      return BigInt(r.i32())
    }

    case 0x05: {
      return r.i64()
    }

    case 0x06: {
      return r.f32()
    }

    case 0x07: {
      return r.f64()
    }

    case 0x08: {
      return r.str()
    }

    case 0x09: {
      return r.bytes()
    }

    case 0x0a: {
      if (depth >= MAX_NESTING_DEPTH) throw new ClaspDecodeError('TOO_DEEP', `values nest deeper than ${MAX_NESTING_DEPTH}`)
      const items: ClaspValue[] = []
      for (let n = r.u16(); n > 0; n--) items.push(decodeValue(r, depth + 1))
      return items
    }

    case 0x0b: {
      if (depth >= MAX_NESTING_DEPTH) throw new ClaspDecodeError('TOO_DEEP', `values nest deeper than ${MAX_NESTING_DEPTH}`)
      // A null prototype makes "__proto__" an ordinary key instead of a prototype swap.
      const obj: { [key: string]: ClaspValue } = Object.create(null)
      for (let n = r.u16(); n > 0; n--) {
        const k = r.str()
        obj[k] = decodeValue(r, depth + 1)
      }

      return obj
    }

  }

  throw new ClaspDecodeError('UNKNOWN_VALUE_TYPE', `unknown value type 0x${code.toString(16).padStart(2, '0')}`)
}

/** Read a type byte and the value data. */
export function decodeValue(r: WireReader, depth: number): ClaspValue {
  return decodeValueData(r, r.u8(), depth)
}

export function encodeSignalMeta(w: WireWriter, m: SignalMeta, depth: number): void {
  let f0 = 0
  if (m.unit !== undefined) f0 |= 0x01
  if (m.range !== undefined) f0 |= 0x02
  if (m.default !== undefined) f0 |= 0x04
  if (m.description !== undefined) f0 |= 0x08
  w.u8(f0)
  if (m.unit !== undefined) {
    w.str(m.unit)
  }

  if (m.range !== undefined) {
    w.f64(m.range[0])
    w.f64(m.range[1])
  }

  if (m.default !== undefined) {
    encodeValue(w, m.default, depth)
  }

  if (m.description !== undefined) {
    w.str(m.description)
  }
}

export function decodeSignalMeta(r: WireReader, depth: number): SignalMeta {
  const f0 = r.u8()
  let v_unit: string | undefined
  if ((f0 & 0x01) !== 0) {
    const d_unit = r.str()
    v_unit = d_unit
  }

  let v_range: [number, number] | undefined
  if ((f0 & 0x02) !== 0) {
    const d_range_0 = r.f64()
    const d_range_1 = r.f64()
    const d_range: [number, number] = [d_range_0, d_range_1]
    v_range = d_range
  }

  let v_default: ClaspValue | undefined
  if ((f0 & 0x04) !== 0) {
    const d_default = decodeValue(r, depth)
    v_default = d_default
  }

  let v_description: string | undefined
  if ((f0 & 0x08) !== 0) {
    const d_description = r.str()
    v_description = d_description
  }

  return { unit: v_unit, range: v_range, default: v_default, description: v_description }
}

export function encodeSignalDefinition(w: WireWriter, m: SignalDefinition, depth: number): void {
  w.str(m.address)
  w.u8(signalTypeToCode(m.signalType))
  let f0 = 0
  if (m.datatype !== undefined) f0 |= 0x01
  if (m.access !== undefined) f0 |= 0x02
  if (m.meta !== undefined) f0 |= 0x04
  w.u8(f0)
  if (m.datatype !== undefined) {
    w.str(m.datatype)
  }

  if (m.access !== undefined) {
    w.str(m.access)
  }

  if (m.meta !== undefined) {
    encodeSignalMeta(w, m.meta, depth)
  }
}

export function decodeSignalDefinition(r: WireReader, depth: number): SignalDefinition {
  const v_address = r.str()
  const v_signalType = signalTypeFromCode(r.u8())
  const f0 = r.u8()
  let v_datatype: string | undefined
  if ((f0 & 0x01) !== 0) {
    const d_datatype = r.str()
    v_datatype = d_datatype
  }

  let v_access: string | undefined
  if ((f0 & 0x02) !== 0) {
    const d_access = r.str()
    v_access = d_access
  }

  let v_meta: SignalMeta | undefined
  if ((f0 & 0x04) !== 0) {
    const d_meta = decodeSignalMeta(r, depth)
    v_meta = d_meta
  }

  return { address: v_address, signalType: v_signalType, datatype: v_datatype, access: v_access, meta: v_meta }
}

export function encodeSignalInfo(w: WireWriter, m: SignalInfo, depth: number): void {
  w.str(m.address)
  w.u8(signalTypeToCode(m.signalType))
  let f0 = 0
  if (m.datatype !== undefined) f0 |= 0x01
  if (m.access !== undefined) f0 |= 0x02
  w.u8(f0)
  if (m.datatype !== undefined) {
    w.str(m.datatype)
  }

  if (m.access !== undefined) {
    w.str(m.access)
  }
}

export function decodeSignalInfo(r: WireReader, depth: number): SignalInfo {
  const v_address = r.str()
  const v_signalType = signalTypeFromCode(r.u8())
  const f0 = r.u8()
  let v_datatype: string | undefined
  if ((f0 & 0x01) !== 0) {
    const d_datatype = r.str()
    v_datatype = d_datatype
  }

  let v_access: string | undefined
  if ((f0 & 0x02) !== 0) {
    const d_access = r.str()
    v_access = d_access
  }

  return { address: v_address, signalType: v_signalType, datatype: v_datatype, access: v_access }
}

export function encodeSubscribeOptions(w: WireWriter, m: SubscribeOptions, depth: number): void {
  let f0 = 0
  if (m.maxRate !== undefined) f0 |= 0x01
  if (m.epsilon !== undefined) f0 |= 0x02
  if (m.history !== undefined) f0 |= 0x04
  if (m.window !== undefined) f0 |= 0x08
  w.u8(f0)
  if (m.maxRate !== undefined) {
    w.u32(m.maxRate)
  }

  if (m.epsilon !== undefined) {
    w.f64(m.epsilon)
  }

  if (m.history !== undefined) {
    w.u32(m.history)
  }

  if (m.window !== undefined) {
    w.u32(m.window)
  }
}

export function decodeSubscribeOptions(r: WireReader, depth: number): SubscribeOptions | undefined {
  const f0 = r.u8()
  if (f0 === 0) return undefined
  let v_maxRate: number | undefined
  if ((f0 & 0x01) !== 0) {
    const d_maxRate = r.u32()
    v_maxRate = d_maxRate
  }

  let v_epsilon: number | undefined
  if ((f0 & 0x02) !== 0) {
    const d_epsilon = r.f64()
    v_epsilon = d_epsilon
  }

  let v_history: number | undefined
  if ((f0 & 0x04) !== 0) {
    const d_history = r.u32()
    v_history = d_history
  }

  let v_window: number | undefined
  if ((f0 & 0x08) !== 0) {
    const d_window = r.u32()
    v_window = d_window
  }

  return { maxRate: v_maxRate, epsilon: v_epsilon, history: v_history, window: v_window }
}

export function encodeParamValue(w: WireWriter, m: ParamValue, depth: number): void {
  w.str(m.address)
  encodeValue(w, m.value, depth)
  w.u64(m.revision)
  let f0 = 0
  if (m.writer !== undefined) f0 |= 0x01
  if (m.timestamp !== undefined) f0 |= 0x02
  w.u8(f0)
  if (m.writer !== undefined) {
    w.str(m.writer)
  }

  if (m.timestamp !== undefined) {
    w.u64(m.timestamp)
  }
}

export function decodeParamValue(r: WireReader, depth: number): ParamValue {
  const v_address = r.str()
  const v_value = decodeValue(r, depth)
  const v_revision = r.u64()
  const f0 = r.u8()
  let v_writer: string | undefined
  if ((f0 & 0x01) !== 0) {
    const d_writer = r.str()
    v_writer = d_writer
  }

  let v_timestamp: bigint | undefined
  if ((f0 & 0x02) !== 0) {
    const d_timestamp = r.u64()
    v_timestamp = d_timestamp
  }

  return { address: v_address, value: v_value, revision: v_revision, writer: v_writer, timestamp: v_timestamp }
}

export function encodeHelloMessage(w: WireWriter, m: HelloMessage, depth: number): void {
  w.u8(0x01)
  w.u8(m.version)
  w.u8(encodeHelloFeaturesBits(m.features))
  w.str(m.name)
  w.str(m.token ?? '')
}

/** Decode a HELLO payload after its type byte. */
export function decodeHelloMessage(r: WireReader, depth: number): HelloMessage {
  const v_version = r.u8()
  const v_features = decodeHelloFeaturesBits(r.u8())
  const v_name = r.str()
  const s_token = r.str()
  const v_token = s_token === '' ? undefined : s_token
  return { type: 'HELLO', version: v_version, features: v_features, name: v_name, token: v_token }
}

export function encodeWelcomeMessage(w: WireWriter, m: WelcomeMessage, depth: number): void {
  w.u8(0x02)
  w.u8(m.version)
  w.u8(encodeWelcomeFeaturesBits(m.features))
  w.u64(m.time)
  w.str(m.session)
  w.str(m.name)
  w.str(m.token ?? '')
}

/** Decode a WELCOME payload after its type byte. */
export function decodeWelcomeMessage(r: WireReader, depth: number): WelcomeMessage {
  const v_version = r.u8()
  const v_features = decodeWelcomeFeaturesBits(r.u8())
  const v_time = r.u64()
  const v_session = r.str()
  const v_name = r.str()
  const s_token = r.str()
  const v_token = s_token === '' ? undefined : s_token
  return { type: 'WELCOME', version: v_version, features: v_features, time: v_time, session: v_session, name: v_name, token: v_token }
}

export function encodeAnnounceMessage(w: WireWriter, m: AnnounceMessage, depth: number): void {
  w.u8(0x03)
  w.str(m.namespace)
  w.count(m.signals.length)
  for (const x_signals of m.signals) {
    encodeSignalDefinition(w, x_signals, depth)
  }
}

/** Decode a ANNOUNCE payload after its type byte. */
export function decodeAnnounceMessage(r: WireReader, depth: number): AnnounceMessage {
  const v_namespace = r.str()
  const v_signals: SignalDefinition[] = []
  for (let n_v_signals = r.u16(); n_v_signals > 0; n_v_signals--) {
    const v_signals_i = decodeSignalDefinition(r, depth)
    v_signals.push(v_signals_i)
  }

  return { type: 'ANNOUNCE', namespace: v_namespace, signals: v_signals }
}

export function encodeFederationSyncMessage(w: WireWriter, m: FederationSyncMessage, depth: number): void {
  w.u8(0x04)
  w.u8(federationOpToCode(m.op))
  w.count(m.patterns.length)
  for (const x_patterns of m.patterns) {
    w.str(x_patterns)
  }

  const keys_revisions = Object.keys(m.revisions)
  w.count(keys_revisions.length)
  for (const k_revisions of keys_revisions) {
    w.str(k_revisions)
    w.u64(m.revisions[k_revisions])
  }

  let f0 = 0
  if (m.sinceRevision !== undefined) f0 |= 0x80
  if (m.origin !== undefined) f0 |= 0x40
  w.u8(f0)
  if (m.sinceRevision !== undefined) {
    w.u64(m.sinceRevision)
  }

  if (m.origin !== undefined) {
    w.str(m.origin)
  }
}

/** Decode a FEDERATION_SYNC payload after its type byte. */
export function decodeFederationSyncMessage(r: WireReader, depth: number): FederationSyncMessage {
  const v_op = federationOpFromCode(r.u8())
  const v_patterns: string[] = []
  for (let n_v_patterns = r.u16(); n_v_patterns > 0; n_v_patterns--) {
    const v_patterns_i = r.str()
    v_patterns.push(v_patterns_i)
  }

  const v_revisions: Record<string, bigint> = Object.create(null)
  for (let n_v_revisions = r.u16(); n_v_revisions > 0; n_v_revisions--) {
    const k_v_revisions = r.str()
    const v_revisions_v = r.u64()
    v_revisions[k_v_revisions] = v_revisions_v
  }

  const f0 = r.u8()
  let v_sinceRevision: bigint | undefined
  if ((f0 & 0x80) !== 0) {
    const d_sinceRevision = r.u64()
    v_sinceRevision = d_sinceRevision
  }

  let v_origin: string | undefined
  if ((f0 & 0x40) !== 0) {
    const d_origin = r.str()
    v_origin = d_origin
  }

  return { type: 'FEDERATION_SYNC', op: v_op, patterns: v_patterns, revisions: v_revisions, sinceRevision: v_sinceRevision, origin: v_origin }
}

export function encodeSubscribeMessage(w: WireWriter, m: SubscribeMessage, depth: number): void {
  w.u8(0x10)
  w.u32(m.id)
  w.str(m.pattern)
  w.u8(encodeSubscribeTypesBits(m.types))
  if (m.options === undefined) w.u8(0)
  else encodeSubscribeOptions(w, m.options, depth)
}

/** Decode a SUBSCRIBE payload after its type byte. */
export function decodeSubscribeMessage(r: WireReader, depth: number): SubscribeMessage {
  const v_id = r.u32()
  const v_pattern = r.str()
  const v_types = decodeSubscribeTypesBits(r.u8())
  const v_options = decodeSubscribeOptions(r, depth)
  return { type: 'SUBSCRIBE', id: v_id, pattern: v_pattern, types: v_types, options: v_options }
}

export function encodeUnsubscribeMessage(w: WireWriter, m: UnsubscribeMessage, depth: number): void {
  w.u8(0x11)
  w.u32(m.id)
}

/** Decode a UNSUBSCRIBE payload after its type byte. */
export function decodeUnsubscribeMessage(r: WireReader, depth: number): UnsubscribeMessage {
  const v_id = r.u32()
  return { type: 'UNSUBSCRIBE', id: v_id }
}

export function encodePublishMessage(w: WireWriter, m: PublishMessage, depth: number): void {
  w.u8(0x20)
  let f0 = 0
  f0 |= ((m.signal === undefined ? 1 : signalTypeToCode(m.signal)) << 5) & 0xe0
  if (m.timestamp !== undefined) f0 |= 0x10
  if (m.id !== undefined) f0 |= 0x08
  f0 |= ((m.phase === undefined ? 0 : gesturePhaseToCode(m.phase)) << 0) & 0x07
  w.u8(f0)
  w.str(m.address)
  if (m.value !== undefined) {
    w.u8(1)
    encodeValue(w, m.value, depth)
  } else if (m.samples !== undefined) {
    w.u8(2)
    w.count(m.samples.length)
    for (const x_samples of m.samples) {
      w.f64(x_samples)
    }

  } else {
    w.u8(0)
  }

  if (m.timestamp !== undefined) {
    w.u64(m.timestamp)
  }

  if (m.id !== undefined) {
    w.u32(m.id)
  }

  if (m.rate !== undefined) {
    w.u32(m.rate)
  }
}

/** Decode a PUBLISH payload after its type byte. */
export function decodePublishMessage(r: WireReader, depth: number): PublishMessage {
  const f0 = r.u8()
  const v_address = r.str()
  let v_value: ClaspValue | undefined
  let v_samples: number[] | undefined
  switch (r.u8()) {
    case 1: {
      const d_value = decodeValue(r, depth)
      v_value = d_value
      break
    }

    case 2: {
      const d_samples: number[] = []
      for (let n_d_samples = r.u16(); n_d_samples > 0; n_d_samples--) {
        const d_samples_i = r.f64()
        d_samples.push(d_samples_i)
      }

      v_samples = d_samples
      break
    }

    // Other indicator values mean "no value", as in the reference decoders.
  }

  let v_timestamp: bigint | undefined
  if ((f0 & 0x10) !== 0) {
    const d_timestamp = r.u64()
    v_timestamp = d_timestamp
  }

  let v_id: number | undefined
  if ((f0 & 0x08) !== 0) {
    const d_id = r.u32()
    v_id = d_id
  }

  let v_rate: number | undefined
  if (r.remaining() >= 4) {
    const d_rate = r.u32()
    v_rate = d_rate
  }

  return { type: 'PUBLISH', address: v_address, signal: signalTypeFromCode((f0 & 0xe0) >> 5), value: v_value, samples: v_samples, timestamp: v_timestamp, id: v_id, phase: gesturePhaseFromCode((f0 & 0x07) >> 0), rate: v_rate }
}

export function encodeSetMessage(w: WireWriter, m: SetMessage, depth: number): void {
  w.u8(0x21)
  const type_value = valueTypeCode(m.value)
  let f0 = 0
  if (m.revision !== undefined) f0 |= 0x80
  if (m.lock) f0 |= 0x40
  if (m.unlock) f0 |= 0x20
  if (m.ttl !== undefined) f0 |= 0x10
  f0 |= (type_value << 0) & 0x0f
  w.u8(f0)
  w.str(m.address)
  encodeValueData(w, m.value, type_value, depth)
  if (m.revision !== undefined) {
    w.u64(m.revision)
  }

  if (m.ttl !== undefined) {
    w.u32(ttlToWord(m.ttl))
  }
}

/** Decode a SET payload after its type byte. */
export function decodeSetMessage(r: WireReader, depth: number): SetMessage {
  const f0 = r.u8()
  const v_address = r.str()
  const v_value = decodeValueData(r, (f0 & 0x0f) >> 0, depth)
  let v_revision: bigint | undefined
  if ((f0 & 0x80) !== 0) {
    const d_revision = r.u64()
    v_revision = d_revision
  }

  let v_ttl: Ttl | undefined
  if ((f0 & 0x10) !== 0) {
    const d_ttl = ttlFromWord(r.u32())
    v_ttl = d_ttl
  }

  return { type: 'SET', address: v_address, value: v_value, revision: v_revision, lock: (f0 & 0x40) !== 0, unlock: (f0 & 0x20) !== 0, ttl: v_ttl }
}

export function encodeGetMessage(w: WireWriter, m: GetMessage, depth: number): void {
  w.u8(0x22)
  w.str(m.address)
}

/** Decode a GET payload after its type byte. */
export function decodeGetMessage(r: WireReader, depth: number): GetMessage {
  const v_address = r.str()
  return { type: 'GET', address: v_address }
}

export function encodeSnapshotMessage(w: WireWriter, m: SnapshotMessage, depth: number): void {
  w.u8(0x23)
  w.count(m.params.length)
  for (const x_params of m.params) {
    encodeParamValue(w, x_params, depth)
  }
}

/** Decode a SNAPSHOT payload after its type byte. */
export function decodeSnapshotMessage(r: WireReader, depth: number): SnapshotMessage {
  const v_params: ParamValue[] = []
  for (let n_v_params = r.u16(); n_v_params > 0; n_v_params--) {
    const v_params_i = decodeParamValue(r, depth)
    v_params.push(v_params_i)
  }

  return { type: 'SNAPSHOT', params: v_params }
}

export function encodeReplayMessage(w: WireWriter, m: ReplayMessage, depth: number): void {
  w.u8(0x24)
  let f0 = 0
  if (m.from !== undefined) f0 |= 0x80
  if (m.to !== undefined) f0 |= 0x40
  if (m.limit !== undefined) f0 |= 0x20
  w.u8(f0)
  w.str(m.pattern)
  if (m.from !== undefined) {
    w.u64(m.from)
  }

  if (m.to !== undefined) {
    w.u64(m.to)
  }

  if (m.limit !== undefined) {
    w.u32(m.limit)
  }

  w.u8(encodeSubscribeTypesBits(m.types))
}

/** Decode a REPLAY payload after its type byte. */
export function decodeReplayMessage(r: WireReader, depth: number): ReplayMessage {
  const f0 = r.u8()
  const v_pattern = r.str()
  let v_from: bigint | undefined
  if ((f0 & 0x80) !== 0) {
    const d_from = r.u64()
    v_from = d_from
  }

  let v_to: bigint | undefined
  if ((f0 & 0x40) !== 0) {
    const d_to = r.u64()
    v_to = d_to
  }

  let v_limit: number | undefined
  if ((f0 & 0x20) !== 0) {
    const d_limit = r.u32()
    v_limit = d_limit
  }

  const v_types = decodeSubscribeTypesBits(r.u8())
  return { type: 'REPLAY', pattern: v_pattern, from: v_from, to: v_to, limit: v_limit, types: v_types }
}

export function encodeBundleMessage(w: WireWriter, m: BundleMessage, depth: number): void {
  w.u8(0x30)
  let f0 = 0
  if (m.timestamp !== undefined) f0 |= 0x80
  w.u8(f0)
  w.count(m.messages.length)
  if (m.timestamp !== undefined) {
    w.u64(m.timestamp)
  }

  for (const x_messages of m.messages) {
    const at_messages = w.reserveU16()
    encodePayload(w, x_messages, depth + 1)
    w.patchU16(at_messages, w.pos - at_messages - 2)
  }
}

/** Decode a BUNDLE payload after its type byte. */
export function decodeBundleMessage(r: WireReader, depth: number): BundleMessage {
  const f0 = r.u8()
  const n_messages = r.u16()
  let v_timestamp: bigint | undefined
  if ((f0 & 0x80) !== 0) {
    const d_timestamp = r.u64()
    v_timestamp = d_timestamp
  }

  const v_messages = decodeMessageItems(r, n_messages, depth)
  return { type: 'BUNDLE', timestamp: v_timestamp, messages: v_messages }
}

export function encodeSyncMessage(w: WireWriter, m: SyncMessage, depth: number): void {
  w.u8(0x40)
  let f0 = 0
  if (m.t2 !== undefined) f0 |= 0x01
  if (m.t3 !== undefined) f0 |= 0x02
  w.u8(f0)
  w.u64(m.t1)
  if (m.t2 !== undefined) {
    w.u64(m.t2)
  }

  if (m.t3 !== undefined) {
    w.u64(m.t3)
  }
}

/** Decode a SYNC payload after its type byte. */
export function decodeSyncMessage(r: WireReader, depth: number): SyncMessage {
  const f0 = r.u8()
  const v_t1 = r.u64()
  let v_t2: bigint | undefined
  if ((f0 & 0x01) !== 0) {
    const d_t2 = r.u64()
    v_t2 = d_t2
  }

  let v_t3: bigint | undefined
  if ((f0 & 0x02) !== 0) {
    const d_t3 = r.u64()
    v_t3 = d_t3
  }

  return { type: 'SYNC', t1: v_t1, t2: v_t2, t3: v_t3 }
}

export function encodePingMessage(w: WireWriter, m: PingMessage, depth: number): void {
  w.u8(0x41)
}

/** Decode a PING payload after its type byte. */
export function decodePingMessage(r: WireReader, depth: number): PingMessage {
  return { type: 'PING' }
}

export function encodePongMessage(w: WireWriter, m: PongMessage, depth: number): void {
  w.u8(0x42)
}

/** Decode a PONG payload after its type byte. */
export function decodePongMessage(r: WireReader, depth: number): PongMessage {
  return { type: 'PONG' }
}

export function encodeAckMessage(w: WireWriter, m: AckMessage, depth: number): void {
  w.u8(0x50)
  let f0 = 0
  if (m.address !== undefined) f0 |= 0x01
  if (m.revision !== undefined) f0 |= 0x02
  if (m.locked !== undefined) f0 |= 0x04
  if (m.holder !== undefined) f0 |= 0x08
  if (m.correlationId !== undefined) f0 |= 0x10
  w.u8(f0)
  if (m.address !== undefined) {
    w.str(m.address)
  }

  if (m.revision !== undefined) {
    w.u64(m.revision)
  }

  if (m.locked !== undefined) {
    w.u8(m.locked ? 1 : 0)
  }

  if (m.holder !== undefined) {
    w.str(m.holder)
  }

  if (m.correlationId !== undefined) {
    w.u32(m.correlationId)
  }
}

/** Decode a ACK payload after its type byte. */
export function decodeAckMessage(r: WireReader, depth: number): AckMessage {
  const f0 = r.u8()
  let v_address: string | undefined
  if ((f0 & 0x01) !== 0) {
    const d_address = r.str()
    v_address = d_address
  }

  let v_revision: bigint | undefined
  if ((f0 & 0x02) !== 0) {
    const d_revision = r.u64()
    v_revision = d_revision
  }

  let v_locked: boolean | undefined
  if ((f0 & 0x04) !== 0) {
    const d_locked = r.u8() !== 0
    v_locked = d_locked
  }

  let v_holder: string | undefined
  if ((f0 & 0x08) !== 0) {
    const d_holder = r.str()
    v_holder = d_holder
  }

  let v_correlationId: number | undefined
  if ((f0 & 0x10) !== 0) {
    const d_correlationId = r.u32()
    v_correlationId = d_correlationId
  }

  return { type: 'ACK', address: v_address, revision: v_revision, locked: v_locked, holder: v_holder, correlationId: v_correlationId }
}

export function encodeErrorMessage(w: WireWriter, m: ErrorMessage, depth: number): void {
  w.u8(0x51)
  w.u16(m.code)
  w.str(m.message)
  let f0 = 0
  if (m.address !== undefined) f0 |= 0x01
  if (m.correlationId !== undefined) f0 |= 0x02
  w.u8(f0)
  if (m.address !== undefined) {
    w.str(m.address)
  }

  if (m.correlationId !== undefined) {
    w.u32(m.correlationId)
  }
}

/** Decode a ERROR payload after its type byte. */
export function decodeErrorMessage(r: WireReader, depth: number): ErrorMessage {
  const v_code = r.u16()
  const v_message = r.str()
  const f0 = r.u8()
  let v_address: string | undefined
  if ((f0 & 0x01) !== 0) {
    const d_address = r.str()
    v_address = d_address
  }

  let v_correlationId: number | undefined
  if ((f0 & 0x02) !== 0) {
    const d_correlationId = r.u32()
    v_correlationId = d_correlationId
  }

  return { type: 'ERROR', code: v_code, message: v_message, address: v_address, correlationId: v_correlationId }
}

export function encodeQueryMessage(w: WireWriter, m: QueryMessage, depth: number): void {
  w.u8(0x60)
  w.str(m.pattern)
}

/** Decode a QUERY payload after its type byte. */
export function decodeQueryMessage(r: WireReader, depth: number): QueryMessage {
  const v_pattern = r.str()
  return { type: 'QUERY', pattern: v_pattern }
}

export function encodeResultMessage(w: WireWriter, m: ResultMessage, depth: number): void {
  w.u8(0x61)
  w.count(m.signals.length)
  for (const x_signals of m.signals) {
    encodeSignalInfo(w, x_signals, depth)
  }
}

/** Decode a RESULT payload after its type byte. */
export function decodeResultMessage(r: WireReader, depth: number): ResultMessage {
  const v_signals: SignalInfo[] = []
  for (let n_v_signals = r.u16(); n_v_signals > 0; n_v_signals--) {
    const v_signals_i = decodeSignalInfo(r, depth)
    v_signals.push(v_signals_i)
  }

  return { type: 'RESULT', signals: v_signals }
}

function signalTypeToCode(v: SignalType): number {
  switch (v) {
    case 'param': return 0
    case 'event': return 1
    case 'stream': return 2
    case 'gesture': return 3
    case 'timeline': return 4
  }

  throw new ClaspEncodeError('INVALID_FIELD', `${String(v)} is not a SignalType`)
}

function signalTypeFromCode(c: number): SignalType {
  switch (c) {
    case 0: return 'param'
    case 1: return 'event'
    case 2: return 'stream'
    case 3: return 'gesture'
    case 4: return 'timeline'
  }

  return 'event'
}

function federationOpToCode(v: FederationOp): number {
  switch (v) {
    case 'declareNamespaces': return 1
    case 'requestSync': return 2
    case 'revisionVector': return 3
    case 'syncComplete': return 4
  }

  throw new ClaspEncodeError('INVALID_FIELD', `${String(v)} is not a FederationOp`)
}

function federationOpFromCode(c: number): FederationOp {
  switch (c) {
    case 1: return 'declareNamespaces'
    case 2: return 'requestSync'
    case 3: return 'revisionVector'
    case 4: return 'syncComplete'
  }

  throw new ClaspDecodeError('UNKNOWN_ENUM', `unknown FederationOp code ${c}`)
}

function gesturePhaseToCode(v: GesturePhase): number {
  switch (v) {
    case 'start': return 0
    case 'move': return 1
    case 'end': return 2
    case 'cancel': return 3
  }

  throw new ClaspEncodeError('INVALID_FIELD', `${String(v)} is not a GesturePhase`)
}

function gesturePhaseFromCode(c: number): GesturePhase {
  switch (c) {
    case 0: return 'start'
    case 1: return 'move'
    case 2: return 'end'
    case 3: return 'cancel'
  }

  return 'start'
}

/** Members this field cannot carry are dropped, as in the reference encoder. */
function encodeHelloFeaturesBits(names: readonly Feature[]): number {
  let bits = 0
  for (const n of names) {
    switch (n) {
      case 'param': bits |= 0x80; break
      case 'event': bits |= 0x40; break
      case 'stream': bits |= 0x20; break
      case 'gesture': bits |= 0x10; break
      case 'timeline': bits |= 0x08; break
      case 'federation': bits |= 0x04; break
    }

  }

  return bits
}

function decodeHelloFeaturesBits(bits: number): Feature[] {
  const names: Feature[] = []
  if (bits & 0x80) names.push('param')
  if (bits & 0x40) names.push('event')
  if (bits & 0x20) names.push('stream')
  if (bits & 0x10) names.push('gesture')
  if (bits & 0x08) names.push('timeline')
  if (bits & 0x04) names.push('federation')
  return names
}

/** Members this field cannot carry are dropped, as in the reference encoder. */
function encodeWelcomeFeaturesBits(names: readonly Feature[]): number {
  let bits = 0
  for (const n of names) {
    switch (n) {
      case 'param': bits |= 0x80; break
      case 'event': bits |= 0x40; break
      case 'stream': bits |= 0x20; break
      case 'gesture': bits |= 0x10; break
      case 'timeline': bits |= 0x08; break
    }

  }

  return bits
}

function decodeWelcomeFeaturesBits(bits: number): Feature[] {
  const names: Feature[] = []
  if (bits & 0x80) names.push('param')
  if (bits & 0x40) names.push('event')
  if (bits & 0x20) names.push('stream')
  if (bits & 0x10) names.push('gesture')
  if (bits & 0x08) names.push('timeline')
  return names
}

/** Members this field cannot carry are dropped, as in the reference encoder. */
function encodeSubscribeTypesBits(names: readonly SignalType[]): number {
  if (names.length === 0) return 0xff
  let bits = 0
  for (const n of names) {
    switch (n) {
      case 'param': bits |= 0x01; break
      case 'event': bits |= 0x02; break
      case 'stream': bits |= 0x04; break
      case 'gesture': bits |= 0x08; break
      case 'timeline': bits |= 0x10; break
    }

  }

  return bits
}

function decodeSubscribeTypesBits(bits: number): SignalType[] {
  if (bits === 0xff) return []
  const names: SignalType[] = []
  if (bits & 0x01) names.push('param')
  if (bits & 0x02) names.push('event')
  if (bits & 0x04) names.push('stream')
  if (bits & 0x08) names.push('gesture')
  if (bits & 0x10) names.push('timeline')
  return names
}

/** 0 = never; bit 31 = absolute; bits 30-0 = seconds (masked, as Rust does). */
function ttlToWord(t: Ttl): number {
  if (t.mode === 'never') return 0
  const s = t.seconds % 0x80000000
  if (!(s >= 0) || !Number.isInteger(s)) throw new ClaspEncodeError('OUT_OF_RANGE', `ttl seconds ${t.seconds}`)
  if (t.mode === 'absolute') return (s + 0x80000000) >>> 0
  if (t.mode === 'sliding') return s
  throw new ClaspEncodeError('INVALID_FIELD', `${String(t.mode)} is not a ttl mode`)
}

function ttlFromWord(word: number): Ttl {
  if (word === 0) return { mode: 'never', seconds: 0 }

  if (word >= 0x80000000) return { mode: 'absolute', seconds: word - 0x80000000 }

  return { mode: 'sliding', seconds: word }
}

/** Write a message payload (no frame header). */
export function encodePayload(w: WireWriter, m: Message, depth: number): void {
  if (depth > MAX_NESTING_DEPTH) throw new ClaspEncodeError('TOO_DEEP', 'bundles nest too deep')
  switch (m.type) {
    case 'HELLO': return encodeHelloMessage(w, m, depth)
    case 'WELCOME': return encodeWelcomeMessage(w, m, depth)
    case 'ANNOUNCE': return encodeAnnounceMessage(w, m, depth)
    case 'FEDERATION_SYNC': return encodeFederationSyncMessage(w, m, depth)
    case 'SUBSCRIBE': return encodeSubscribeMessage(w, m, depth)
    case 'UNSUBSCRIBE': return encodeUnsubscribeMessage(w, m, depth)
    case 'PUBLISH': return encodePublishMessage(w, m, depth)
    case 'SET': return encodeSetMessage(w, m, depth)
    case 'GET': return encodeGetMessage(w, m, depth)
    case 'SNAPSHOT': return encodeSnapshotMessage(w, m, depth)
    case 'REPLAY': return encodeReplayMessage(w, m, depth)
    case 'BUNDLE': return encodeBundleMessage(w, m, depth)
    case 'SYNC': return encodeSyncMessage(w, m, depth)
    case 'PING': return encodePingMessage(w, m, depth)
    case 'PONG': return encodePongMessage(w, m, depth)
    case 'ACK': return encodeAckMessage(w, m, depth)
    case 'ERROR': return encodeErrorMessage(w, m, depth)
    case 'QUERY': return encodeQueryMessage(w, m, depth)
    case 'RESULT': return encodeResultMessage(w, m, depth)
  }

  throw new ClaspEncodeError('INVALID_FIELD', `unknown message type ${String((m as { type?: unknown }).type)}`)
}

/** Read a message payload; the reader must be positioned on the type byte. */
export function decodePayload(r: WireReader, depth: number): Message {
  if (depth > MAX_NESTING_DEPTH) throw new ClaspDecodeError('TOO_DEEP', 'bundles nest too deep')
  const code = r.u8()
  switch (code) {
    case 0x01: return decodeHelloMessage(r, depth)
    case 0x02: return decodeWelcomeMessage(r, depth)
    case 0x03: return decodeAnnounceMessage(r, depth)
    case 0x04: return decodeFederationSyncMessage(r, depth)
    case 0x10: return decodeSubscribeMessage(r, depth)
    case 0x11: return decodeUnsubscribeMessage(r, depth)
    case 0x20: return decodePublishMessage(r, depth)
    case 0x21: return decodeSetMessage(r, depth)
    case 0x22: return decodeGetMessage(r, depth)
    case 0x23: return decodeSnapshotMessage(r, depth)
    case 0x24: return decodeReplayMessage(r, depth)
    case 0x30: return decodeBundleMessage(r, depth)
    case 0x40: return decodeSyncMessage(r, depth)
    case 0x41: return decodePingMessage(r, depth)
    case 0x42: return decodePongMessage(r, depth)
    case 0x50: return decodeAckMessage(r, depth)
    case 0x51: return decodeErrorMessage(r, depth)
    case 0x60: return decodeQueryMessage(r, depth)
    case 0x61: return decodeResultMessage(r, depth)
  }

  throw new ClaspDecodeError('UNKNOWN_MESSAGE_TYPE', `unknown message type 0x${code.toString(16).padStart(2, '0')}`)
}

/** BUNDLE items: a u16 length each; bytes after an inner message are ignored. */
function decodeMessageItems(r: WireReader, count: number, depth: number): Message[] {
  const out: Message[] = []
  for (let n = count; n > 0; n--) out.push(decodePayload(r.sub(r.u16()), depth + 1))
  return out
}

/** The frame QoS the Rust reference writes for a message. */
export function defaultQos(m: Message): number {
  switch (m.type) {
    case 'HELLO': return 0
    case 'WELCOME': return 0
    case 'ANNOUNCE': return 0
    case 'FEDERATION_SYNC': return 1
    case 'SUBSCRIBE': return 1
    case 'UNSUBSCRIBE': return 1
    case 'PUBLISH': return m.signal === undefined ? 0 : m.signal === 'param' ? 1 : m.signal === 'event' ? 1 : m.signal === 'stream' ? 0 : m.signal === 'gesture' ? 0 : m.signal === 'timeline' ? 2 : 0
    case 'SET': return 1
    case 'GET': return 0
    case 'SNAPSHOT': return 0
    case 'REPLAY': return 1
    case 'BUNDLE': return 2
    case 'SYNC': return 0
    case 'PING': return 0
    case 'PONG': return 0
    case 'ACK': return 0
    case 'ERROR': return 0
    case 'QUERY': return 0
    case 'RESULT': return 0
  }

  return 0
}

/** Shared output buffer for the hot path; `encode` copies out of it. */
const shared = new WireWriter()

/** Write a whole frame at the writer's position. Any failure is a ClaspEncodeError. */
export function encodeFrameInto(w: WireWriter, m: Message, options: FrameOptions = {}): void {
  const start = w.pos
  try {
    const qos = options.qos ?? defaultQos(m)
    if (!(qos >= 0 && qos <= 3 && Number.isInteger(qos))) throw new ClaspEncodeError('OUT_OF_RANGE', `qos ${qos}`)
    const version = options.version ?? 1
    let flags = (qos << 6) | (version & 0x07)
    if (options.timestamp !== undefined) flags |= 0x20
    if (options.encrypted) flags |= 0x10
    if (options.compressed) flags |= 0x08
    w.u8(0x53)
    w.u8(flags)
    const lengthAt = w.reserveU16()
    if (options.timestamp !== undefined) w.u64(options.timestamp)
    const payloadStart = w.pos
    encodePayload(w, m, 0)
    const length = w.pos - payloadStart
    if (length > 65535) throw new ClaspEncodeError('PAYLOAD_TOO_LARGE', `payload of ${length} bytes exceeds 65535`)
    w.patchU16(lengthAt, length)
  } catch (e) {
    w.pos = start
    if (e instanceof ClaspEncodeError) throw e
    throw new ClaspEncodeError('INVALID_FIELD', `cannot encode ${String((m as { type?: unknown })?.type)}: ${(e as Error).message}`)
  }
}

/** Encode a message as a complete frame, in a new buffer. */
export function encode(m: Message, options?: FrameOptions): Uint8Array {
  shared.reset()
  encodeFrameInto(shared, m, options)
  return shared.buf.slice(0, shared.pos)
}

/** Encode into the shared buffer and return a view of it, valid only until the next encode call. For hot paths that copy or send at once. */
export function encodeShared(m: Message, options?: FrameOptions): Uint8Array {
  shared.reset()
  encodeFrameInto(shared, m, options)
  return shared.buf.subarray(0, shared.pos)
}

/** Decode one frame from the start of `bytes`. Bytes after the frame are ignored (see `length`). Any failure is a ClaspDecodeError. */
export function decode(bytes: Uint8Array): DecodedFrame {
  if (bytes.length < 4) throw new ClaspDecodeError('TRUNCATED', `frame needs 4 header bytes, got ${bytes.length}`)
  if (bytes[0] !== 0x53) throw new ClaspDecodeError('BAD_MAGIC', `bad magic byte 0x${bytes[0].toString(16).padStart(2, '0')}`)
  const flags = bytes[1]
  const length = (bytes[2] << 8) | bytes[3]
  let offset = 4
  let timestamp: bigint | undefined
  const r = new WireReader(bytes, offset)
  if (flags & 0x20) {
    timestamp = r.u64()
    offset += 8
  }

  if (bytes.length < offset + length) throw new ClaspDecodeError('TRUNCATED', `frame announces ${length} payload bytes, ${bytes.length - offset} present`)
  if (length === 0) throw new ClaspDecodeError('EMPTY_PAYLOAD', 'frame has no payload')
  const first = bytes[offset]
  if ((first >= 0x80 && first <= 0x8f) || first === 0xde || first === 0xdf) {
    throw new ClaspDecodeError('LEGACY_ENCODING', 'legacy v0 MessagePack payloads are not supported')
  }

  r.end = offset + length
  const message = decodePayload(r, 0)
  // QoS 3 is reserved; Rust reads it as fire, and so do we.
  const qos = flags >> 6
  return { message, qos: qos === 3 ? 0 : qos, timestamp, encrypted: (flags & 0x10) !== 0, compressed: (flags & 0x08) !== 0, version: flags & 0x07, length: offset + length }
}

function describe(v: unknown): string {
  if (typeof v === 'object' && v !== null) return v.constructor?.name ?? 'object'
  return typeof v
}
