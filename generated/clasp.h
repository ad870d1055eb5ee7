/* generated from schema ad75c56f578385c6 by codegen 1.0.0 — do not edit */
/*
 * clasp.h: CLASP v1 binary codec for microcontrollers and hosts. C99, header-only, no heap.
 * Generated from the TypeScript schema; edit schema/ and regenerate, never this file.
 *
 *   #define CLASP_IMPLEMENTATION   (in exactly one .c/.cpp file, before the include)
 *   #include "clasp.h"
 *
 * Messages: HELLO, WELCOME, SUBSCRIBE, UNSUBSCRIBE, PUBLISH, SET, GET, SNAPSHOT, BUNDLE, SYNC, PING, PONG, ACK, ERROR.
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

#define CLASP_SCHEMA_HASH "ad75c56f578385c6"
#define CLASP_SCHEMA_HASH_U64 0xad75c56f578385c6ULL
#define CLASP_SCHEMA_VERSION 1

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

/* ---- Constants ------------------------------------------------------------------------- */

#define CLASP_MAGIC 0x53
#define CLASP_HEADER_SIZE 4u
#define CLASP_TIMESTAMP_SIZE 8u
#define CLASP_MAX_PAYLOAD 65535UL
#define CLASP_ENCODING_VERSION 1u /* frame flags bits 2-0 written by encoders */
#define CLASP_PROTOCOL_VERSION 1u /* HELLO/WELCOME version byte */

/* SignalType: Kind of signal carried by a PUBLISH or described by ANNOUNCE/RESULT. */
#define CLASP_SIGNAL_TYPE_PARAM 0x00
#define CLASP_SIGNAL_TYPE_EVENT 0x01
#define CLASP_SIGNAL_TYPE_STREAM 0x02
#define CLASP_SIGNAL_TYPE_GESTURE 0x03
#define CLASP_SIGNAL_TYPE_TIMELINE 0x04

/* GesturePhase: Phase of a gesture PUBLISH. */
#define CLASP_GESTURE_PHASE_START 0x00
#define CLASP_GESTURE_PHASE_MOVE 0x01
#define CLASP_GESTURE_PHASE_END 0x02
#define CLASP_GESTURE_PHASE_CANCEL 0x03

/* TypeMaskBit: Signal types selected by a SUBSCRIBE or REPLAY type mask. */
#define CLASP_TYPE_PARAM 0x01
#define CLASP_TYPE_EVENT 0x02
#define CLASP_TYPE_STREAM 0x04
#define CLASP_TYPE_GESTURE 0x08
#define CLASP_TYPE_TIMELINE 0x10

/* FeatureBit: Features a peer advertises in HELLO/WELCOME. */
#define CLASP_FEATURE_PARAM 0x80
#define CLASP_FEATURE_EVENT 0x40
#define CLASP_FEATURE_STREAM 0x20
#define CLASP_FEATURE_GESTURE 0x10
#define CLASP_FEATURE_TIMELINE 0x08
#define CLASP_FEATURE_FEDERATION 0x04

/* QoS: Frame quality of service. Informational: the router keys no retransmission off it. */
#define CLASP_QOS_FIRE 0x00
#define CLASP_QOS_CONFIRM 0x01
#define CLASP_QOS_COMMIT 0x02

/* FederationOp: Operation of a FEDERATION_SYNC message. */
#define CLASP_FEDERATION_OP_DECLARE_NAMESPACES 0x01
#define CLASP_FEDERATION_OP_REQUEST_SYNC 0x02
#define CLASP_FEDERATION_OP_REVISION_VECTOR 0x03
#define CLASP_FEDERATION_OP_SYNC_COMPLETE 0x04

/* ErrorCode: Codes carried by ERROR messages. */
#define CLASP_ERRCODE_INVALID_FRAME 100u
#define CLASP_ERRCODE_INVALID_MESSAGE 101u
#define CLASP_ERRCODE_UNSUPPORTED_VERSION 102u
#define CLASP_ERRCODE_INVALID_ADDRESS 200u
#define CLASP_ERRCODE_ADDRESS_NOT_FOUND 201u
#define CLASP_ERRCODE_PATTERN_ERROR 202u
#define CLASP_ERRCODE_UNAUTHORIZED 300u
#define CLASP_ERRCODE_FORBIDDEN 301u
#define CLASP_ERRCODE_TOKEN_EXPIRED 302u
#define CLASP_ERRCODE_REVISION_CONFLICT 400u
#define CLASP_ERRCODE_LOCK_HELD 401u
#define CLASP_ERRCODE_INVALID_VALUE 402u
#define CLASP_ERRCODE_FORBIDDEN_BY_POLICY 403u
#define CLASP_ERRCODE_NOT_FOUND 404u
#define CLASP_ERRCODE_RATE_LIMITED 429u
#define CLASP_ERRCODE_INTERNAL_ERROR 500u
#define CLASP_ERRCODE_SERVICE_UNAVAILABLE 501u
#define CLASP_ERRCODE_TIMEOUT 502u
#define CLASP_ERRCODE_BUFFER_OVERFLOW 503u

/* FrameFlag: Bits of the frame header flags byte. */
#define CLASP_FRAME_QOS_MASK 0xC0
#define CLASP_FRAME_QOS_SHIFT 6u
#define CLASP_FRAME_TIMESTAMP 0x20
#define CLASP_FRAME_ENCRYPTED 0x10
#define CLASP_FRAME_COMPRESSED 0x08
#define CLASP_FRAME_VERSION_MASK 0x07

/* Message type codes (payload byte 0); CLASP_HAS_* say what this header encodes/decodes. */
#define CLASP_MSG_HELLO 0x01
#define CLASP_HAS_HELLO_ENCODE 1
#define CLASP_HAS_HELLO_DECODE 1
#define CLASP_MSG_WELCOME 0x02
#define CLASP_HAS_WELCOME_ENCODE 1
#define CLASP_HAS_WELCOME_DECODE 1
#define CLASP_MSG_ANNOUNCE 0x03
#define CLASP_HAS_ANNOUNCE_ENCODE 0
#define CLASP_HAS_ANNOUNCE_DECODE 0
#define CLASP_MSG_FEDERATION_SYNC 0x04
#define CLASP_HAS_FEDERATION_SYNC_ENCODE 0
#define CLASP_HAS_FEDERATION_SYNC_DECODE 0
#define CLASP_MSG_SUBSCRIBE 0x10
#define CLASP_HAS_SUBSCRIBE_ENCODE 1
#define CLASP_HAS_SUBSCRIBE_DECODE 1
#define CLASP_MSG_UNSUBSCRIBE 0x11
#define CLASP_HAS_UNSUBSCRIBE_ENCODE 1
#define CLASP_HAS_UNSUBSCRIBE_DECODE 1
#define CLASP_MSG_PUBLISH 0x20
#define CLASP_HAS_PUBLISH_ENCODE 1
#define CLASP_HAS_PUBLISH_DECODE 1
#define CLASP_MSG_SET 0x21
#define CLASP_HAS_SET_ENCODE 1
#define CLASP_HAS_SET_DECODE 1
#define CLASP_MSG_GET 0x22
#define CLASP_HAS_GET_ENCODE 1
#define CLASP_HAS_GET_DECODE 1
#define CLASP_MSG_SNAPSHOT 0x23
#define CLASP_HAS_SNAPSHOT_ENCODE 1
#define CLASP_HAS_SNAPSHOT_DECODE 1
#define CLASP_MSG_REPLAY 0x24
#define CLASP_HAS_REPLAY_ENCODE 0
#define CLASP_HAS_REPLAY_DECODE 0
#define CLASP_MSG_BUNDLE 0x30
#define CLASP_HAS_BUNDLE_ENCODE 1
#define CLASP_HAS_BUNDLE_DECODE 1
#define CLASP_MSG_SYNC 0x40
#define CLASP_HAS_SYNC_ENCODE 1
#define CLASP_HAS_SYNC_DECODE 1
#define CLASP_MSG_PING 0x41
#define CLASP_HAS_PING_ENCODE 1
#define CLASP_HAS_PING_DECODE 1
#define CLASP_MSG_PONG 0x42
#define CLASP_HAS_PONG_ENCODE 1
#define CLASP_HAS_PONG_DECODE 1
#define CLASP_MSG_ACK 0x50
#define CLASP_HAS_ACK_ENCODE 1
#define CLASP_HAS_ACK_DECODE 1
#define CLASP_MSG_ERROR 0x51
#define CLASP_HAS_ERROR_ENCODE 1
#define CLASP_HAS_ERROR_DECODE 1
#define CLASP_MSG_QUERY 0x60
#define CLASP_HAS_QUERY_ENCODE 0
#define CLASP_HAS_QUERY_DECODE 0
#define CLASP_MSG_RESULT 0x61
#define CLASP_HAS_RESULT_ENCODE 0
#define CLASP_HAS_RESULT_DECODE 0

/* Value type codes. Decoders accept all; encoders write what clasp_value_t.type says. */
#define CLASP_VALUE_NULL 0x00
#define CLASP_VALUE_BOOL 0x01
#define CLASP_VALUE_I8 0x02
#define CLASP_VALUE_I16 0x03
#define CLASP_VALUE_I32 0x04
#define CLASP_VALUE_I64 0x05
#define CLASP_VALUE_F32 0x06
#define CLASP_VALUE_F64 0x07
#define CLASP_VALUE_STRING 0x08
#define CLASP_VALUE_BYTES 0x09
#define CLASP_VALUE_ARRAY 0x0A
#define CLASP_VALUE_MAP 0x0B

/* Layout bits of flags bytes and indicator codes. */
#define CLASP_FEDERATION_SYNC_FLAG_SINCE_REVISION 0x80
#define CLASP_FEDERATION_SYNC_FLAG_ORIGIN 0x40
#define CLASP_PUBLISH_SIGNAL_MASK 0xE0
#define CLASP_PUBLISH_SIGNAL_SHIFT 5
#define CLASP_PUBLISH_FLAG_TIMESTAMP 0x10
#define CLASP_PUBLISH_FLAG_ID 0x08
#define CLASP_PUBLISH_PHASE_MASK 0x07
#define CLASP_PUBLISH_PHASE_SHIFT 0
#define CLASP_PUBLISH_IND_NONE 0
#define CLASP_PUBLISH_IND_VALUE 1
#define CLASP_PUBLISH_IND_SAMPLES 2
#define CLASP_SET_FLAG_REVISION 0x80
#define CLASP_SET_FLAG_LOCK 0x40
#define CLASP_SET_FLAG_UNLOCK 0x20
#define CLASP_SET_FLAG_TTL 0x10
#define CLASP_SET_VALUE_TYPE_MASK 0x0F
#define CLASP_SET_VALUE_TYPE_SHIFT 0
#define CLASP_REPLAY_FLAG_FROM 0x80
#define CLASP_REPLAY_FLAG_TO 0x40
#define CLASP_REPLAY_FLAG_LIMIT 0x20
#define CLASP_BUNDLE_FLAG_TIMESTAMP 0x80
#define CLASP_SYNC_FLAG_T2 0x01
#define CLASP_SYNC_FLAG_T3 0x02
#define CLASP_ACK_FLAG_ADDRESS 0x01
#define CLASP_ACK_FLAG_REVISION 0x02
#define CLASP_ACK_FLAG_LOCKED 0x04
#define CLASP_ACK_FLAG_HOLDER 0x08
#define CLASP_ACK_FLAG_CORRELATION_ID 0x10
#define CLASP_ERROR_FLAG_ADDRESS 0x01
#define CLASP_ERROR_FLAG_CORRELATION_ID 0x02
#define CLASP_SIGNAL_META_FLAG_UNIT 0x01
#define CLASP_SIGNAL_META_FLAG_RANGE 0x02
#define CLASP_SIGNAL_META_FLAG_DEFAULT 0x04
#define CLASP_SIGNAL_META_FLAG_DESCRIPTION 0x08
#define CLASP_SIGNAL_DEFINITION_FLAG_DATATYPE 0x01
#define CLASP_SIGNAL_DEFINITION_FLAG_ACCESS 0x02
#define CLASP_SIGNAL_DEFINITION_FLAG_META 0x04
#define CLASP_SIGNAL_INFO_FLAG_DATATYPE 0x01
#define CLASP_SIGNAL_INFO_FLAG_ACCESS 0x02
#define CLASP_SUBSCRIBE_OPTIONS_FLAG_MAX_RATE 0x01
#define CLASP_SUBSCRIBE_OPTIONS_FLAG_EPSILON 0x02
#define CLASP_SUBSCRIBE_OPTIONS_FLAG_HISTORY 0x04
#define CLASP_SUBSCRIBE_OPTIONS_FLAG_WINDOW 0x08
#define CLASP_PARAM_VALUE_FLAG_WRITER 0x01
#define CLASP_PARAM_VALUE_FLAG_TIMESTAMP 0x02

/* SET time-to-live modes (clasp_ttl_t.mode). */
#define CLASP_TTL_NEVER 0u
#define CLASP_TTL_SLIDING 1u
#define CLASP_TTL_ABSOLUTE 2u

/* Transports. */
#define CLASP_PORT_WS 7330u
#define CLASP_PORT_TCP 7332u /* length-prefixed TCP listener */
#define CLASP_PORT_DISCOVERY 7331u /* UDP broadcast discovery */
#define CLASP_WS_SUBPROTOCOL "clasp"
#define CLASP_TCP_PREFIX_SIZE 4u
#define CLASP_TCP_MAX_FRAME 65536UL /* the reference drops the connection above this */
#define CLASP_SLIP_END 0xC0
#define CLASP_SLIP_ESC 0xDB
#define CLASP_SLIP_ESC_END 0xDC
#define CLASP_SLIP_ESC_ESC 0xDD
/** Worst case SLIP bytes for a frame of n bytes (every byte escaped, END before and after). */
#define CLASP_SLIP_MAX_SIZE(n) (2u * (n) + 2u)

/* ---- Configuration: define any of these before the include to change it ------------------ */
/* Decoders reject, and encoders refuse, anything above these bounds (CLASP_ERR_LIMIT), so a
 * decoded string always fits a buffer of CLASP_MAX_<X>_BYTES + 1. */

#ifndef CLASP_MAX_ADDRESS_BYTES
#define CLASP_MAX_ADDRESS_BYTES 128u /* address or pattern, UTF-8 bytes */
#endif
#ifndef CLASP_MAX_NAME_BYTES
#define CLASP_MAX_NAME_BYTES 64u /* client or server name, UTF-8 bytes */
#endif
#ifndef CLASP_MAX_TOKEN_BYTES
#define CLASP_MAX_TOKEN_BYTES 256u /* auth token, UTF-8 bytes */
#endif
#ifndef CLASP_MAX_SESSION_BYTES
#define CLASP_MAX_SESSION_BYTES 64u /* session id (router: 36-byte UUID), UTF-8 bytes */
#endif
#ifndef CLASP_MAX_LABEL_BYTES
#define CLASP_MAX_LABEL_BYTES 32u /* short descriptive strings: datatype, access, unit */
#endif
#ifndef CLASP_MAX_TEXT_BYTES
#define CLASP_MAX_TEXT_BYTES 128u /* free text: error message, description */
#endif
#ifndef CLASP_MAX_VALUE_BYTES
#define CLASP_MAX_VALUE_BYTES 192u /* string or bytes value, bytes */
#endif
#ifndef CLASP_MAX_VALUE_ITEMS
#define CLASP_MAX_VALUE_ITEMS 32u /* array items or map entries in a value */
#endif
#ifndef CLASP_MAX_VALUE_KEY_BYTES
#define CLASP_MAX_VALUE_KEY_BYTES 64u /* map key inside a value, UTF-8 bytes */
#endif
#ifndef CLASP_MAX_SNAPSHOT_PARAMS
#define CLASP_MAX_SNAPSHOT_PARAMS 800u /* params in one SNAPSHOT (the router chunks by 800) */
#endif
#ifndef CLASP_MAX_SIGNALS
#define CLASP_MAX_SIGNALS 32u /* signal definitions in ANNOUNCE/RESULT */
#endif
#ifndef CLASP_MAX_PATTERNS
#define CLASP_MAX_PATTERNS 16u /* patterns in FEDERATION_SYNC */
#endif
#ifndef CLASP_MAX_REVISIONS
#define CLASP_MAX_REVISIONS 64u /* revision entries in FEDERATION_SYNC */
#endif
#ifndef CLASP_MAX_SAMPLES
#define CLASP_MAX_SAMPLES 64u /* f64 samples in a stream PUBLISH */
#endif
#ifndef CLASP_MAX_BUNDLE_MESSAGES
#define CLASP_MAX_BUNDLE_MESSAGES 32u /* messages in one BUNDLE */
#endif

/* Derived from the limits above; override to bound one encoded value differently. */
#ifndef CLASP_MAX_VALUE_SIZE
#define CLASP_MAX_VALUE_SIZE (3UL + CLASP_MAX_VALUE_ITEMS * (5UL + CLASP_MAX_VALUE_KEY_BYTES + CLASP_MAX_VALUE_BYTES)) /* one encoded value; default: a flat map of CLASP_MAX_VALUE_ITEMS strings */
#endif

/* Arrays, maps and bundles nest at most this deep (the schema allows 64). The walkers keep
 * ~2 bytes (values) and one cursor (bundles) per level on the stack, so AVR defaults to 8. */
#ifndef CLASP_MAX_NESTING_DEPTH
#if defined(__AVR__)
#define CLASP_MAX_NESTING_DEPTH 8
#else
#define CLASP_MAX_NESTING_DEPTH 64
#endif
#endif
#if CLASP_MAX_NESTING_DEPTH < 1 || CLASP_MAX_NESTING_DEPTH > 250
#error "CLASP_MAX_NESTING_DEPTH must be 1..250"
#endif

/* Suggested size of receive/transmit buffers (Arduino used 256); frames larger than the buffer
 * given to a stream reader are skipped. Not enforced by the codec itself. */
#ifndef CLASP_MAX_FRAME_SIZE
#define CLASP_MAX_FRAME_SIZE 256u
#endif

/* clasp_err_name() strings cost ~230 bytes of RAM on AVR (string literals live in .data). */
#ifndef CLASP_ERR_NAMES
#if defined(__AVR__)
#define CLASP_ERR_NAMES 0
#else
#define CLASP_ERR_NAMES 1
#endif
#endif

/* Whether double can hold binary64 exactly (not on AVR, where double is float). */
#ifndef CLASP_DOUBLE_IS_BINARY64
#if DBL_MANT_DIG == 53 && DBL_MAX_EXP == 1024
#define CLASP_DOUBLE_IS_BINARY64 1
#else
#define CLASP_DOUBLE_IS_BINARY64 0
#endif
#endif

/* Decoders compiled in. Define CLASP_DECODE_<MSG> 0 to leave one out of a small build: that
 * message then decodes as CLASP_ERR_UNSUPPORTED_MESSAGE, and its decoder (100-500 bytes of
 * AVR flash each) is not compiled. The Arduino ClaspClient leaves out those it never reads. */
#ifndef CLASP_DECODE_HELLO
#define CLASP_DECODE_HELLO 1
#endif
#ifndef CLASP_DECODE_WELCOME
#define CLASP_DECODE_WELCOME 1
#endif
#ifndef CLASP_DECODE_SUBSCRIBE
#define CLASP_DECODE_SUBSCRIBE 1
#endif
#ifndef CLASP_DECODE_UNSUBSCRIBE
#define CLASP_DECODE_UNSUBSCRIBE 1
#endif
#ifndef CLASP_DECODE_PUBLISH
#define CLASP_DECODE_PUBLISH 1
#endif
#ifndef CLASP_DECODE_SET
#define CLASP_DECODE_SET 1
#endif
#ifndef CLASP_DECODE_GET
#define CLASP_DECODE_GET 1
#endif
#ifndef CLASP_DECODE_SNAPSHOT
#define CLASP_DECODE_SNAPSHOT 1
#endif
#ifndef CLASP_DECODE_BUNDLE
#define CLASP_DECODE_BUNDLE 1
#endif
#ifndef CLASP_DECODE_SYNC
#define CLASP_DECODE_SYNC 1
#endif
#ifndef CLASP_DECODE_PING
#define CLASP_DECODE_PING 1
#endif
#ifndef CLASP_DECODE_PONG
#define CLASP_DECODE_PONG 1
#endif
#ifndef CLASP_DECODE_ACK
#define CLASP_DECODE_ACK 1
#endif
#ifndef CLASP_DECODE_ERROR
#define CLASP_DECODE_ERROR 1
#endif

/* Static helpers that such a build leaves unreferenced: no warning, and no code. */
#if defined(__GNUC__) || defined(__clang__)
#define CLASP_MAYBE_UNUSED __attribute__((unused))
#else
#define CLASP_MAYBE_UNUSED
#endif

/* ---- Worst-case encoded sizes (follow the CLASP_MAX_* settings above) --------------------- */

#define CLASP_MAX2_(a, b) ((a) > (b) ? (a) : (b))
#define CLASP_MIN2_(a, b) ((a) < (b) ? (a) : (b))
/** Header plus the optional header timestamp. */
#define CLASP_FRAME_OVERHEAD (CLASP_HEADER_SIZE + CLASP_TIMESTAMP_SIZE)

/** SignalMeta: encoded bytes at most. */
#define CLASP_SIGNAL_META_MAX_SIZE (1UL + (2UL + CLASP_MAX_LABEL_BYTES) + (8UL + 8UL) + CLASP_MAX_VALUE_SIZE + (2UL + CLASP_MAX_TEXT_BYTES))
/** SignalDefinition: encoded bytes at most. */
#define CLASP_SIGNAL_DEFINITION_MAX_SIZE ((2UL + CLASP_MAX_ADDRESS_BYTES) + 1UL + 1UL + (2UL + CLASP_MAX_LABEL_BYTES) + (2UL + CLASP_MAX_LABEL_BYTES) + CLASP_SIGNAL_META_MAX_SIZE)
/** SignalInfo: encoded bytes at most. */
#define CLASP_SIGNAL_INFO_MAX_SIZE ((2UL + CLASP_MAX_ADDRESS_BYTES) + 1UL + 1UL + (2UL + CLASP_MAX_LABEL_BYTES) + (2UL + CLASP_MAX_LABEL_BYTES))
/** SubscribeOptions: encoded bytes at most. */
#define CLASP_SUBSCRIBE_OPTIONS_MAX_SIZE (1UL + 4UL + 8UL + 4UL + 4UL)
/** ParamValue: encoded bytes at most. */
#define CLASP_PARAM_VALUE_MAX_SIZE ((2UL + CLASP_MAX_ADDRESS_BYTES) + CLASP_MAX_VALUE_SIZE + 8UL + 1UL + (2UL + CLASP_MAX_SESSION_BYTES) + 8UL)

/* Whole frames (header, timestamp, type byte, payload), capped by the u16 payload length. */
#define CLASP_HELLO_MAX_SIZE CLASP_MIN2_(CLASP_FRAME_OVERHEAD + 1UL + 1UL + 1UL + (2UL + CLASP_MAX_NAME_BYTES) + (2UL + CLASP_MAX_TOKEN_BYTES), CLASP_FRAME_OVERHEAD + CLASP_MAX_PAYLOAD)
#define CLASP_WELCOME_MAX_SIZE CLASP_MIN2_(CLASP_FRAME_OVERHEAD + 1UL + 1UL + 1UL + 8UL + (2UL + CLASP_MAX_SESSION_BYTES) + (2UL + CLASP_MAX_NAME_BYTES) + (2UL + CLASP_MAX_TOKEN_BYTES), CLASP_FRAME_OVERHEAD + CLASP_MAX_PAYLOAD)
#define CLASP_ANNOUNCE_MAX_SIZE CLASP_MIN2_(CLASP_FRAME_OVERHEAD + 1UL + (2UL + CLASP_MAX_ADDRESS_BYTES) + (2UL + CLASP_MAX_SIGNALS * CLASP_SIGNAL_DEFINITION_MAX_SIZE), CLASP_FRAME_OVERHEAD + CLASP_MAX_PAYLOAD)
#define CLASP_FEDERATION_SYNC_MAX_SIZE CLASP_MIN2_(CLASP_FRAME_OVERHEAD + 1UL + 1UL + (2UL + CLASP_MAX_PATTERNS * (2UL + CLASP_MAX_ADDRESS_BYTES)) + (2UL + CLASP_MAX_REVISIONS * (2UL + CLASP_MAX_ADDRESS_BYTES + 8UL)) + 1UL + 8UL + (2UL + CLASP_MAX_NAME_BYTES), CLASP_FRAME_OVERHEAD + CLASP_MAX_PAYLOAD)
#define CLASP_SUBSCRIBE_MAX_SIZE CLASP_MIN2_(CLASP_FRAME_OVERHEAD + 1UL + 4UL + (2UL + CLASP_MAX_ADDRESS_BYTES) + 1UL + CLASP_SUBSCRIBE_OPTIONS_MAX_SIZE, CLASP_FRAME_OVERHEAD + CLASP_MAX_PAYLOAD)
#define CLASP_UNSUBSCRIBE_MAX_SIZE CLASP_MIN2_(CLASP_FRAME_OVERHEAD + 1UL + 4UL, CLASP_FRAME_OVERHEAD + CLASP_MAX_PAYLOAD)
#define CLASP_PUBLISH_MAX_SIZE CLASP_MIN2_(CLASP_FRAME_OVERHEAD + 1UL + 1UL + (2UL + CLASP_MAX_ADDRESS_BYTES) + (1UL + CLASP_MAX2_(CLASP_MAX_VALUE_SIZE, (2UL + CLASP_MAX_SAMPLES * 8UL))) + 8UL + 4UL + 4UL, CLASP_FRAME_OVERHEAD + CLASP_MAX_PAYLOAD)
#define CLASP_SET_MAX_SIZE CLASP_MIN2_(CLASP_FRAME_OVERHEAD + 1UL + 1UL + (2UL + CLASP_MAX_ADDRESS_BYTES) + CLASP_MAX_VALUE_SIZE + 8UL + 4UL, CLASP_FRAME_OVERHEAD + CLASP_MAX_PAYLOAD)
#define CLASP_GET_MAX_SIZE CLASP_MIN2_(CLASP_FRAME_OVERHEAD + 1UL + (2UL + CLASP_MAX_ADDRESS_BYTES), CLASP_FRAME_OVERHEAD + CLASP_MAX_PAYLOAD)
#define CLASP_SNAPSHOT_MAX_SIZE CLASP_MIN2_(CLASP_FRAME_OVERHEAD + 1UL + (2UL + CLASP_MAX_SNAPSHOT_PARAMS * CLASP_PARAM_VALUE_MAX_SIZE), CLASP_FRAME_OVERHEAD + CLASP_MAX_PAYLOAD)
#define CLASP_REPLAY_MAX_SIZE CLASP_MIN2_(CLASP_FRAME_OVERHEAD + 1UL + 1UL + (2UL + CLASP_MAX_ADDRESS_BYTES) + 8UL + 8UL + 4UL + 1UL, CLASP_FRAME_OVERHEAD + CLASP_MAX_PAYLOAD)
#define CLASP_BUNDLE_MAX_SIZE CLASP_MIN2_(CLASP_FRAME_OVERHEAD + 1UL + 1UL + 2UL + 8UL + CLASP_MAX_BUNDLE_MESSAGES * (2UL + CLASP_MAX_PAYLOAD), CLASP_FRAME_OVERHEAD + CLASP_MAX_PAYLOAD)
#define CLASP_SYNC_MAX_SIZE CLASP_MIN2_(CLASP_FRAME_OVERHEAD + 1UL + 1UL + 8UL + 8UL + 8UL, CLASP_FRAME_OVERHEAD + CLASP_MAX_PAYLOAD)
#define CLASP_PING_MAX_SIZE CLASP_MIN2_(CLASP_FRAME_OVERHEAD + 1UL + 0UL, CLASP_FRAME_OVERHEAD + CLASP_MAX_PAYLOAD)
#define CLASP_PONG_MAX_SIZE CLASP_MIN2_(CLASP_FRAME_OVERHEAD + 1UL + 0UL, CLASP_FRAME_OVERHEAD + CLASP_MAX_PAYLOAD)
#define CLASP_ACK_MAX_SIZE CLASP_MIN2_(CLASP_FRAME_OVERHEAD + 1UL + 1UL + (2UL + CLASP_MAX_ADDRESS_BYTES) + 8UL + 1UL + (2UL + CLASP_MAX_SESSION_BYTES) + 4UL, CLASP_FRAME_OVERHEAD + CLASP_MAX_PAYLOAD)
#define CLASP_ERROR_MAX_SIZE CLASP_MIN2_(CLASP_FRAME_OVERHEAD + 1UL + 2UL + (2UL + CLASP_MAX_TEXT_BYTES) + 1UL + (2UL + CLASP_MAX_ADDRESS_BYTES) + 4UL, CLASP_FRAME_OVERHEAD + CLASP_MAX_PAYLOAD)
#define CLASP_QUERY_MAX_SIZE CLASP_MIN2_(CLASP_FRAME_OVERHEAD + 1UL + (2UL + CLASP_MAX_ADDRESS_BYTES), CLASP_FRAME_OVERHEAD + CLASP_MAX_PAYLOAD)
#define CLASP_RESULT_MAX_SIZE CLASP_MIN2_(CLASP_FRAME_OVERHEAD + 1UL + (2UL + CLASP_MAX_SIGNALS * CLASP_SIGNAL_INFO_MAX_SIZE), CLASP_FRAME_OVERHEAD + CLASP_MAX_PAYLOAD)

/* ---- Core types ------------------------------------------------------------------------ */

/** Error codes. Every decode and encode failure is one of these; clasp_err_name() gives the name. */
typedef enum clasp_err {
  CLASP_OK = 0, /* success */
  CLASP_ERR_TRUNCATED = 1, /* fewer bytes than a field, a length or the frame header announced */
  CLASP_ERR_BAD_MAGIC = 2, /* frame byte 0 is not CLASP_MAGIC */
  CLASP_ERR_EMPTY_PAYLOAD = 3, /* the frame has no payload (a valid frame, but no message) */
  CLASP_ERR_LEGACY_ENCODING = 4, /* legacy v0 MessagePack payload (not supported) */
  CLASP_ERR_UNKNOWN_MESSAGE_TYPE = 5, /* payload byte 0 is not a CLASP message code */
  CLASP_ERR_UNSUPPORTED_MESSAGE = 6, /* a CLASP message this header was generated without (see CLASP_HAS_*) */
  CLASP_ERR_UNKNOWN_VALUE_TYPE = 7, /* a value type code outside the value-type table */
  CLASP_ERR_UNKNOWN_ENUM = 8, /* an enum code with no meaning and no fallback */
  CLASP_ERR_INVALID_UTF8 = 9, /* a string that is not strict UTF-8 (the reference rejects the message) */
  CLASP_ERR_TOO_DEEP = 10, /* arrays, maps or bundles nested deeper than CLASP_MAX_NESTING_DEPTH */
  CLASP_ERR_LIMIT = 11, /* a string, list or value exceeds its CLASP_MAX_* bound */
  CLASP_ERR_OVERFLOW = 12, /* the output buffer is too small */
  CLASP_ERR_PAYLOAD_TOO_LARGE = 13, /* the payload would exceed CLASP_MAX_PAYLOAD bytes */
  CLASP_ERR_OUT_OF_RANGE = 14, /* a number does not fit its wire width */
  CLASP_ERR_INVALID_VALUE = 15, /* a value with an unknown type, or an array/map span that does not parse */
  CLASP_ERR_INVALID_FIELD = 16, /* a field holds a code its enum does not define */
  CLASP_ERR_COUNT_ = 17
} clasp_err_t;

/** IEEE-754 binary64 kept as its raw bit pattern, so re-encoding is bit-exact even where double
 *  is 32 bits (AVR). Convert with clasp_f64_to_double() / clasp_f64_to_float(). */
typedef uint64_t clasp_f64_t;

/** A string view into the received frame: UTF-8, NOT NUL-terminated, valid while the buffer is. */
typedef struct clasp_str {
  const uint8_t* ptr;
  uint16_t len;
} clasp_str_t;

/** A decoded value. `type` is the wire type code, kept so that narrow codes (i8..i32, f32)
 *  re-encode as they arrived. Arrays and maps stay encoded: `ptr`/`len` span their items
 *  (walk them with clasp_value_begin + clasp_array_next / clasp_map_next). */
typedef struct clasp_value {
  uint8_t type;       /* CLASP_VALUE_* */
  uint16_t count;     /* array items or map entries */
  union {
    bool b;           /* bool */
    int64_t i;        /* i8, i16, i32, i64 (sign-extended) */
    uint32_t f32;     /* f32 bits */
    clasp_f64_t f64;  /* f64 bits */
  } as;
  const uint8_t* ptr; /* string/bytes data; array/map items as encoded */
  uint16_t len;       /* bytes at ptr */
} clasp_value_t;

/** A list (or map, or BUNDLE message list) field. Decoding fills count/wire/wire_len/depth and
 *  leaves items NULL; iterate with the field's *_next function. To encode, either point `items`
 *  at a native array of the element type named in the field's comment, or (items == NULL) give
 *  an already-encoded span in wire/wire_len, which is validated and copied. */
typedef struct clasp_list {
  uint16_t count;
  uint8_t depth;          /* nesting depth of the items (decoding) */
  const uint8_t* wire;    /* first item as encoded */
  uint16_t wire_len;      /* bytes of all items */
  const void* items;      /* native items (encoding), or NULL */
} clasp_list_t;

/** A read cursor. Every read is bounds-checked; the first error sticks and stops all reads. */
typedef struct clasp_cursor {
  const uint8_t* p;
  size_t left;
  int err;            /* clasp_err_t */
} clasp_cursor_t;

/** An output buffer. The first error (overflow, limit, ...) sticks; encoders then return 0. */
typedef struct clasp_writer {
  uint8_t* buf;
  size_t cap;
  size_t len;
  int err;            /* clasp_err_t */
} clasp_writer_t;

/** Iterator over a decoded list, map, BUNDLE or array/map value. */
typedef struct clasp_iter {
  clasp_cursor_t c;
  uint16_t left;      /* items not yet returned */
  uint8_t depth;
  bool is_map;
} clasp_iter_t;

/** Frame header fields. Decoding fills it; pass it back to an encoder to reproduce the header
 *  (NULL instead gives the message's default QoS, encoding version 1 and no timestamp). */
typedef struct clasp_frame_opts {
  uint8_t flags;          /* header byte 1; the timestamp bit follows has_timestamp */
  bool has_timestamp;
  uint64_t timestamp;     /* microseconds */
} clasp_frame_opts_t;

/** A SET time-to-live (wire: one u32, 0 = never, bit 31 = absolute, bits 30-0 = seconds). */
typedef struct clasp_ttl {
  uint8_t mode;       /* CLASP_TTL_* */
  uint32_t seconds;   /* masked to 31 bits on the wire */
} clasp_ttl_t;

#define CLASP_FRAME_FLAGS(qos) ((uint8_t)((((qos) & 3u) << CLASP_FRAME_QOS_SHIFT) | CLASP_ENCODING_VERSION))
#define CLASP_FRAME_QOS_OF(flags) (((flags) & CLASP_FRAME_QOS_MASK) >> CLASP_FRAME_QOS_SHIFT)

/* ---- Messages -------------------------------------------------------------------------- */

/** SubscribeOptions */
typedef struct clasp_subscribe_options {
  bool has_max_rate;
  uint32_t max_rate;
  bool has_epsilon;
  clasp_f64_t epsilon; /* binary64 bits */
  bool has_history;
  uint32_t history;
  bool has_window;
  uint32_t window;
} clasp_subscribe_options_t;

/** ParamValue */
typedef struct clasp_param_value {
  clasp_str_t address; /* UTF-8, at most CLASP_MAX_ADDRESS_BYTES bytes */
  clasp_value_t value;
  uint64_t revision;
  bool has_writer;
  clasp_str_t writer; /* UTF-8, at most CLASP_MAX_SESSION_BYTES bytes */
  bool has_timestamp;
  uint64_t timestamp;
} clasp_param_value_t;

/** HELLO (0x01): First message of a session (§5.1). An empty token is the same bytes as no token. */
typedef struct clasp_hello {
  uint8_t version;
  uint8_t features; /* CLASP_FEATURE_* bits */
  clasp_str_t name; /* UTF-8, at most CLASP_MAX_NAME_BYTES bytes */
  clasp_str_t token; /* UTF-8, at most CLASP_MAX_TOKEN_BYTES bytes; len 0 = absent */
} clasp_hello_t;

/** WELCOME (0x02): Router reply to HELLO (§5.2). Feature bits never include federation. */
typedef struct clasp_welcome {
  uint8_t version;
  uint8_t features; /* CLASP_FEATURE_* bits */
  uint64_t time;
  clasp_str_t session; /* UTF-8, at most CLASP_MAX_SESSION_BYTES bytes */
  clasp_str_t name; /* UTF-8, at most CLASP_MAX_NAME_BYTES bytes */
  clasp_str_t token; /* UTF-8, at most CLASP_MAX_TOKEN_BYTES bytes; len 0 = absent */
} clasp_welcome_t;

/** SUBSCRIBE (0x10): Subscribe to a pattern (§5.5). An empty type list means all types. */
typedef struct clasp_subscribe {
  uint32_t id;
  clasp_str_t pattern; /* UTF-8, at most CLASP_MAX_ADDRESS_BYTES bytes */
  uint8_t types; /* CLASP_TYPE_* bits (0 = all; written as 0xFF) */
  bool has_options;
  clasp_subscribe_options_t options;
} clasp_subscribe_t;

/** UNSUBSCRIBE (0x11): Drop a subscription by id (§5.5). */
typedef struct clasp_unsubscribe {
  uint32_t id;
} clasp_unsubscribe_t;

/** PUBLISH (0x20): An event, stream sample, gesture or timeline (§5.8). Absent signal is written as event, absent phase as start; rate has no presence bit. */
typedef struct clasp_publish {
  clasp_str_t address; /* UTF-8, at most CLASP_MAX_ADDRESS_BYTES bytes */
  bool has_signal;
  uint8_t signal; /* CLASP_SIGNAL_TYPE_* */
  bool has_value;
  clasp_value_t value;
  bool has_samples;
  clasp_list_t samples; /* clasp_f64_t items, at most CLASP_MAX_SAMPLES; clasp_publish_samples_next */
  bool has_timestamp;
  uint64_t timestamp;
  bool has_id;
  uint32_t id;
  bool has_phase;
  uint8_t phase; /* CLASP_GESTURE_PHASE_* */
  bool has_rate;
  uint32_t rate;
} clasp_publish_t;

/** SET (0x21): Write a param (§5.6). The value type code lives in the low nibble of the flags byte. */
typedef struct clasp_set {
  clasp_str_t address; /* UTF-8, at most CLASP_MAX_ADDRESS_BYTES bytes */
  clasp_value_t value;
  bool has_revision;
  uint64_t revision;
  bool lock;
  bool unlock;
  bool has_ttl;
  clasp_ttl_t ttl; /* CLASP_TTL_* */
} clasp_set_t;

/** GET (0x22): Read one param (§5.7); answered by a one-entry SNAPSHOT. */
typedef struct clasp_get {
  clasp_str_t address; /* UTF-8, at most CLASP_MAX_ADDRESS_BYTES bytes */
} clasp_get_t;

/** SNAPSHOT (0x23): Current values of params (§5.9). */
typedef struct clasp_snapshot {
  clasp_list_t params; /* clasp_param_value_t items, at most CLASP_MAX_SNAPSHOT_PARAMS; clasp_snapshot_params_next */
} clasp_snapshot_t;

/** BUNDLE (0x30): Messages applied together (§5.11). The count comes before the optional timestamp. */
typedef struct clasp_bundle {
  bool has_timestamp;
  uint64_t timestamp;
  clasp_list_t messages; /* clasp_msg_t items, at most CLASP_MAX_BUNDLE_MESSAGES; clasp_messages_next */
} clasp_bundle_t;

/** SYNC (0x40): Clock synchronisation (§5.12). */
typedef struct clasp_sync {
  uint64_t t1;
  bool has_t2;
  uint64_t t2;
  bool has_t3;
  uint64_t t3;
} clasp_sync_t;

/** ACK (0x50): Acknowledgement (§5.14). */
typedef struct clasp_ack {
  bool has_address;
  clasp_str_t address; /* UTF-8, at most CLASP_MAX_ADDRESS_BYTES bytes */
  bool has_revision;
  uint64_t revision;
  bool has_locked;
  bool locked;
  bool has_holder;
  clasp_str_t holder; /* UTF-8, at most CLASP_MAX_SESSION_BYTES bytes */
  bool has_correlation_id;
  uint32_t correlation_id;
} clasp_ack_t;

/** ERROR (0x51): Error report (§5.15). */
typedef struct clasp_error {
  uint16_t code;
  clasp_str_t message; /* UTF-8, at most CLASP_MAX_TEXT_BYTES bytes */
  bool has_address;
  clasp_str_t address; /* UTF-8, at most CLASP_MAX_ADDRESS_BYTES bytes */
  bool has_correlation_id;
  uint32_t correlation_id;
} clasp_error_t;

/** A decoded (or to-be-encoded) message: `type` is a CLASP_MSG_* code and selects the view. */
typedef struct clasp_msg {
  uint8_t type;
  union {
    clasp_hello_t hello;
    clasp_welcome_t welcome;
    clasp_subscribe_t subscribe;
    clasp_unsubscribe_t unsubscribe;
    clasp_publish_t publish;
    clasp_set_t set;
    clasp_get_t get;
    clasp_snapshot_t snapshot;
    clasp_bundle_t bundle;
    clasp_sync_t sync;
    clasp_ack_t ack;
    clasp_error_t error;
  } as;
} clasp_msg_t;

/* ---- Frames and streams ---------------------------------------------------------------- */

/** A decoded frame. msg views point into the buffer given to clasp_decode_frame(). */
typedef struct clasp_frame {
  clasp_frame_opts_t hdr; /* pass &hdr to an encoder to reproduce this header */
  size_t length;          /* bytes the frame occupies (header + timestamp + payload) */
  clasp_msg_t msg;        /* on UNKNOWN_MESSAGE_TYPE / UNSUPPORTED_MESSAGE: type = the offending code */
} clasp_frame_t;

/** TCP: u32 big-endian length prefix + frame. Frames larger than the buffer are skipped. */
typedef struct clasp_tcp_reader {
  uint8_t* buf;
  size_t cap;
  uint32_t need;          /* frame length from the prefix */
  uint32_t got;           /* frame bytes received (stored, or counted while skipping) */
  uint8_t prefix_got;     /* prefix bytes received, 0-4 */
  bool skipping;          /* the current frame does not fit buf: drain it without storing */
  uint32_t dropped;       /* frames skipped (too large for buf, or a zero length) */
} clasp_tcp_reader_t;

/** SLIP (serial, BLE): END frame END. Resynchronises on END; drops overlong or bad frames. */
typedef struct clasp_slip_reader {
  uint8_t* buf;
  size_t cap;
  size_t len;
  bool esc;
  bool bad;               /* overflow or a bad escape: drop the frame at the next END */
  bool ready;             /* buf holds a returned frame; released by the next call */
  uint32_t dropped;       /* frames dropped (too long, bad escape, not one whole CLASP frame) */
} clasp_slip_reader_t;

typedef void (*clasp_skip_fn)(clasp_cursor_t* c, uint8_t depth);
typedef void (*clasp_put_item_fn)(clasp_writer_t* w, const void* items, uint16_t i, uint8_t depth);
typedef void (*clasp_put_byte_fn)(void* ctx, uint8_t b);

/* ---- Primitives ------------------------------------------------------------------------ */

/** The stable name of an error code ("TRUNCATED", ...), or "?" when CLASP_ERR_NAMES is 0. */
const char* clasp_err_name(clasp_err_t err);

void clasp_cursor_init(clasp_cursor_t* c, const uint8_t* p, size_t len);
void clasp_fail(clasp_cursor_t* c, clasp_err_t err);
uint8_t clasp_get_u8(clasp_cursor_t* c);
uint16_t clasp_get_u16(clasp_cursor_t* c);
uint32_t clasp_get_u32(clasp_cursor_t* c);
uint64_t clasp_get_u64(clasp_cursor_t* c);
/** n bytes in place (NULL and an error if fewer remain). */
const uint8_t* clasp_get_span(clasp_cursor_t* c, size_t n);
/** u16 length + strict UTF-8, at most max bytes. */
void clasp_get_str(clasp_cursor_t* c, clasp_str_t* out, size_t max);
/** u16 length + raw bytes, at most max bytes. */
void clasp_get_bytes(clasp_cursor_t* c, clasp_str_t* out, size_t max);

void clasp_writer_init(clasp_writer_t* w, uint8_t* buf, size_t cap);
void clasp_wfail(clasp_writer_t* w, clasp_err_t err);
void clasp_put_u8(clasp_writer_t* w, uint8_t v);
void clasp_put_u16(clasp_writer_t* w, uint16_t v);
void clasp_put_u32(clasp_writer_t* w, uint32_t v);
void clasp_put_u64(clasp_writer_t* w, uint64_t v);
void clasp_put_raw(clasp_writer_t* w, const uint8_t* p, size_t n);
/** u16 length + bytes, at most max; clasp_put_str also checks strict UTF-8. */
void clasp_put_str(clasp_writer_t* w, clasp_str_t s, size_t max);
void clasp_put_bytes(clasp_writer_t* w, clasp_str_t s, size_t max);

uint16_t clasp_be16(const uint8_t* p);
uint32_t clasp_be32(const uint8_t* p);
uint64_t clasp_be64(const uint8_t* p);
void clasp_put_be16(uint8_t* p, uint16_t v);
void clasp_put_be32(uint8_t* p, uint32_t v);
void clasp_put_be64(uint8_t* p, uint64_t v);

/** 1 if s[0..n) is strict UTF-8 (no overlongs, surrogates or code points above U+10FFFF). */
int clasp_utf8_valid(const uint8_t* s, size_t n);

/** binary64 bits -> binary32 bits, round to nearest even (overflow gives infinity). */
uint32_t clasp_f64_to_f32_bits(clasp_f64_t bits);
/** binary32 bits -> binary64 bits (exact). */
clasp_f64_t clasp_f32_bits_to_f64(uint32_t bits);
float clasp_f64_to_float(clasp_f64_t bits);
clasp_f64_t clasp_f64_from_float(float f);
/** Exact where double is binary64; where double is 32 bits (AVR) it goes through float. */
double clasp_f64_to_double(clasp_f64_t bits);
clasp_f64_t clasp_f64_from_double(double d);

/** A string view of a NUL-terminated C string. */
clasp_str_t clasp_cstr(const char* s);

clasp_ttl_t clasp_ttl_from_word(uint32_t word);
uint32_t clasp_ttl_to_word(clasp_ttl_t ttl);

/* ---- Values ---------------------------------------------------------------------------- */

/** Read a type byte and the value data. Arrays/maps are validated and kept encoded. */
void clasp_get_value(clasp_cursor_t* c, clasp_value_t* v, uint8_t depth);
/** Read value data whose type code came from elsewhere (SET keeps it in its flags byte). */
void clasp_get_value_data(clasp_cursor_t* c, uint8_t type, clasp_value_t* v, uint8_t depth);
/** Skip one value (type byte + data), validating it, without recursion. */
void clasp_skip_value(clasp_cursor_t* c, uint8_t depth);
void clasp_put_value(clasp_writer_t* w, const clasp_value_t* v, uint8_t depth);
void clasp_put_value_data(clasp_writer_t* w, const clasp_value_t* v, uint8_t depth);

/** Iterate the items of an array value or the entries of a map value. */
void clasp_value_begin(const clasp_value_t* v, clasp_iter_t* it);
bool clasp_array_next(clasp_iter_t* it, clasp_value_t* item);
bool clasp_map_next(clasp_iter_t* it, clasp_str_t* key, clasp_value_t* item);

bool clasp_value_is_int(const clasp_value_t* v);
bool clasp_value_is_float(const clasp_value_t* v);
/** Integers as int64_t (bool as 0/1, anything else 0); the _sat variant clamps to int32_t. */
int64_t clasp_value_as_int64(const clasp_value_t* v);
int32_t clasp_value_as_int32_sat(const clasp_value_t* v);
/** Floats (and integers, converted); on AVR double is float, so f64 loses precision here only. */
double clasp_value_as_double(const clasp_value_t* v);
float clasp_value_as_float(const clasp_value_t* v);

/* Constructors. The encoder writes exactly v.type, so these pick Rust's codes: i64 and f64. */
static inline clasp_value_t clasp_value_of_type(uint8_t type) {
  clasp_value_t v;
  memset(&v, 0, sizeof v);
  v.type = type;
  return v;
}
static inline clasp_value_t clasp_value_null(void) { return clasp_value_of_type(CLASP_VALUE_NULL); }
static inline clasp_value_t clasp_value_bool(bool b) {
  clasp_value_t v = clasp_value_of_type(CLASP_VALUE_BOOL);
  v.as.b = b;
  return v;
}
static inline clasp_value_t clasp_value_int(int64_t i) {
  clasp_value_t v = clasp_value_of_type(CLASP_VALUE_I64);
  v.as.i = i;
  return v;
}
static inline clasp_value_t clasp_value_f64_bits(clasp_f64_t bits) {
  clasp_value_t v = clasp_value_of_type(CLASP_VALUE_F64);
  v.as.f64 = bits;
  return v;
}
static inline clasp_value_t clasp_value_double(double d) { return clasp_value_f64_bits(clasp_f64_from_double(d)); }
static inline clasp_value_t clasp_value_span(uint8_t type, const uint8_t* p, uint16_t len, uint16_t count) {
  clasp_value_t v = clasp_value_of_type(type);
  v.ptr = p;
  v.len = len;
  v.count = count;
  return v;
}
/** A string value (UTF-8, checked when encoding). */
static inline clasp_value_t clasp_value_string(clasp_str_t s) { return clasp_value_span(CLASP_VALUE_STRING, s.ptr, s.len, 0); }
static inline clasp_value_t clasp_value_bytes(const uint8_t* p, uint16_t len) { return clasp_value_span(CLASP_VALUE_BYTES, p, len, 0); }
/** An array whose `count` items (type byte + data each, e.g. written with clasp_put_value) are at p. */
static inline clasp_value_t clasp_value_array(uint16_t count, const uint8_t* p, uint16_t len) { return clasp_value_span(CLASP_VALUE_ARRAY, p, len, count); }
/** A map whose `count` entries (clasp_put_str key, then clasp_put_value) are at p. */
static inline clasp_value_t clasp_value_map(uint16_t count, const uint8_t* p, uint16_t len) { return clasp_value_span(CLASP_VALUE_MAP, p, len, count); }

/* ---- Message API ----------------------------------------------------------------------- */

/** 1 if code is one of CLASP_GESTURE_PHASE_*. */
bool clasp_gesture_phase_valid(uint8_t code);
/** 1 if code is one of CLASP_SIGNAL_TYPE_*. */
bool clasp_signal_type_valid(uint8_t code);

/** The frame QoS the Rust reference writes for a message (used when opts is NULL). */
uint8_t clasp_default_qos(const clasp_msg_t* m);
/** Write a message payload (type byte first) at depth 0 unless nested in a BUNDLE. */
void clasp_encode_payload(clasp_writer_t* w, const clasp_msg_t* m, uint8_t depth);

/* Encoders: write a whole frame into buf[0..cap); return its length, or 0 on any error
 * (buffer too small, a CLASP_MAX_* bound exceeded, invalid UTF-8, ...). opts may be NULL. */
size_t clasp_encode_hello(uint8_t* buf, size_t cap, const clasp_frame_opts_t* opts, const clasp_hello_t* m);
size_t clasp_encode_welcome(uint8_t* buf, size_t cap, const clasp_frame_opts_t* opts, const clasp_welcome_t* m);
size_t clasp_encode_subscribe(uint8_t* buf, size_t cap, const clasp_frame_opts_t* opts, const clasp_subscribe_t* m);
size_t clasp_encode_unsubscribe(uint8_t* buf, size_t cap, const clasp_frame_opts_t* opts, const clasp_unsubscribe_t* m);
size_t clasp_encode_publish(uint8_t* buf, size_t cap, const clasp_frame_opts_t* opts, const clasp_publish_t* m);
size_t clasp_encode_set(uint8_t* buf, size_t cap, const clasp_frame_opts_t* opts, const clasp_set_t* m);
size_t clasp_encode_get(uint8_t* buf, size_t cap, const clasp_frame_opts_t* opts, const clasp_get_t* m);
size_t clasp_encode_snapshot(uint8_t* buf, size_t cap, const clasp_frame_opts_t* opts, const clasp_snapshot_t* m);
size_t clasp_encode_bundle(uint8_t* buf, size_t cap, const clasp_frame_opts_t* opts, const clasp_bundle_t* m);
size_t clasp_encode_sync(uint8_t* buf, size_t cap, const clasp_frame_opts_t* opts, const clasp_sync_t* m);
size_t clasp_encode_ping(uint8_t* buf, size_t cap, const clasp_frame_opts_t* opts);
size_t clasp_encode_pong(uint8_t* buf, size_t cap, const clasp_frame_opts_t* opts);
size_t clasp_encode_ack(uint8_t* buf, size_t cap, const clasp_frame_opts_t* opts, const clasp_ack_t* m);
size_t clasp_encode_error(uint8_t* buf, size_t cap, const clasp_frame_opts_t* opts, const clasp_error_t* m);

bool clasp_publish_samples_next(clasp_iter_t* it, clasp_f64_t* out);
clasp_f64_t clasp_publish_samples_at(const clasp_list_t* l, uint16_t i);
bool clasp_snapshot_params_next(clasp_iter_t* it, clasp_param_value_t* out);
/** Iterate a decoded SNAPSHOT: clasp_snapshot_begin(&msg.as.snapshot, &it); while (clasp_snapshot_next(&it, &item)) ... */
#define clasp_snapshot_begin(m, it) clasp_list_begin(&(m)->params, (it))
#define clasp_snapshot_next clasp_snapshot_params_next
/** Iterate a decoded BUNDLE: clasp_bundle_begin(&msg.as.bundle, &it); while (clasp_bundle_next(&it, &item)) ... */
#define clasp_bundle_begin(m, it) clasp_list_begin(&(m)->messages, (it))
#define clasp_bundle_next clasp_messages_next

/* ---- Frame API ------------------------------------------------------------------------- */

/** Decode one frame at the start of buf. Bytes after it are ignored (see f->length). */
clasp_err_t clasp_decode_frame(const uint8_t* buf, size_t len, clasp_frame_t* f);
/** Decode a payload (type byte first); BUNDLE contents are validated here, iteratively. */
clasp_err_t clasp_decode_payload(const uint8_t* p, size_t len, uint8_t depth, clasp_msg_t* m);
/** Encode any message as a frame; returns its length or 0 (then *err says why; err may be NULL). */
size_t clasp_encode_frame(uint8_t* buf, size_t cap, const clasp_frame_opts_t* opts, const clasp_msg_t* m, clasp_err_t* err);
/** Build a frame by hand: begin writes the header and returns the frame's start offset; write the
 *  payload with clasp_put_*; end patches the length and returns the frame length or 0. */
size_t clasp_frame_begin(clasp_writer_t* w, const clasp_frame_opts_t* opts, uint8_t qos);
size_t clasp_frame_end(clasp_writer_t* w, size_t frame_start, clasp_err_t* err);
/** Total frame length announced by a header (needs 4 bytes and the magic), else 0. */
size_t clasp_frame_size(const uint8_t* buf, size_t len);

void clasp_list_begin(const clasp_list_t* l, clasp_iter_t* it);
/** Next message of a decoded BUNDLE (decoded like clasp_decode_payload). */
bool clasp_messages_next(clasp_iter_t* it, clasp_msg_t* out);
/** Next inner payload of a decoded BUNDLE as bytes (type byte first), e.g. to forward it. */
bool clasp_messages_next_payload(clasp_iter_t* it, const uint8_t** payload, uint16_t* len);
/* Generic list helpers used by the generated code. */
void clasp_get_list(clasp_cursor_t* c, clasp_list_t* l, size_t max, uint8_t depth, clasp_skip_fn skip);
void clasp_put_list(clasp_writer_t* w, const clasp_list_t* l, size_t max, uint8_t depth, clasp_skip_fn skip, clasp_put_item_fn put);
void clasp_get_messages(clasp_cursor_t* c, clasp_list_t* l, uint16_t count, size_t max, uint8_t depth);
/** Message list items from native clasp_msg_t (one call level per nested BUNDLE, at most
 *  CLASP_MAX_NESTING_DEPTH) or, with items NULL, an encoded span that is checked and copied. */
void clasp_put_messages(clasp_writer_t* w, const clasp_list_t* l, size_t max, uint8_t depth);

/* TCP length prefix. feed() consumes bytes until a frame is complete (then *frame_len > 0 and the
 * frame is in buf until the next call) or the input ends; it returns the bytes consumed. */
void clasp_tcp_reader_init(clasp_tcp_reader_t* r, uint8_t* buf, size_t cap);
size_t clasp_tcp_reader_feed(clasp_tcp_reader_t* r, const uint8_t* data, size_t n, size_t* frame_len);
/** One byte at a time: returns the frame length when this byte completes a frame, else 0. */
size_t clasp_tcp_reader_push(clasp_tcp_reader_t* r, uint8_t b);
void clasp_tcp_put_prefix(uint8_t out[4], uint32_t frame_len);
/** prefix + frame into out (frame may already sit at out + 4); returns the bytes or 0. */
size_t clasp_tcp_wrap(uint8_t* out, size_t cap, const uint8_t* frame, size_t len);

/* SLIP. encode() writes END, the escaped frame, END; returns the bytes or 0 if cap is too small. */
size_t clasp_slip_encode(uint8_t* out, size_t cap, const uint8_t* frame, size_t len);
/** The same, byte by byte to a sink (a UART), without a second buffer. */
void clasp_slip_write(const uint8_t* frame, size_t len, clasp_put_byte_fn put, void* ctx);
void clasp_slip_reader_init(clasp_slip_reader_t* r, uint8_t* buf, size_t cap);
size_t clasp_slip_reader_feed(clasp_slip_reader_t* r, const uint8_t* data, size_t n, size_t* frame_len);
size_t clasp_slip_reader_push(clasp_slip_reader_t* r, uint8_t b);

/** Address pattern match, router fan-out semantics: '*' is one segment (or, inside a segment,
 *  any bytes), '**' zero or more segments. Iterative, no allocation. */
bool clasp_match(const uint8_t* pattern, size_t plen, const uint8_t* address, size_t alen);
bool clasp_match_cstr(const char* pattern, const char* address);

#ifdef __cplusplus
}
#endif

#endif /* CLASP_H */

/* ==== Implementation ==================================================================== */
#if defined(CLASP_IMPLEMENTATION) && !defined(CLASP_IMPLEMENTATION_DONE)
#define CLASP_IMPLEMENTATION_DONE
#ifdef __cplusplus
extern "C" {
#endif

/* Forward declarations of the static helpers the generated code and the framing share. */
static void clasp_check_limit(clasp_cursor_t* c, size_t n, size_t max);
static void clasp_dec_payload_flat(clasp_cursor_t* c, clasp_msg_t* m, uint8_t depth);
static clasp_list_t* clasp_msg_sublist(clasp_msg_t* m);

/* ---- Primitives ------------------------------------------------------------------------ */

const char* clasp_err_name(clasp_err_t err) {
#if CLASP_ERR_NAMES
  switch (err) {
    case CLASP_OK: return "OK";
    case CLASP_ERR_TRUNCATED: return "TRUNCATED";
    case CLASP_ERR_BAD_MAGIC: return "BAD_MAGIC";
    case CLASP_ERR_EMPTY_PAYLOAD: return "EMPTY_PAYLOAD";
    case CLASP_ERR_LEGACY_ENCODING: return "LEGACY_ENCODING";
    case CLASP_ERR_UNKNOWN_MESSAGE_TYPE: return "UNKNOWN_MESSAGE_TYPE";
    case CLASP_ERR_UNSUPPORTED_MESSAGE: return "UNSUPPORTED_MESSAGE";
    case CLASP_ERR_UNKNOWN_VALUE_TYPE: return "UNKNOWN_VALUE_TYPE";
    case CLASP_ERR_UNKNOWN_ENUM: return "UNKNOWN_ENUM";
    case CLASP_ERR_INVALID_UTF8: return "INVALID_UTF8";
    case CLASP_ERR_TOO_DEEP: return "TOO_DEEP";
    case CLASP_ERR_LIMIT: return "LIMIT";
    case CLASP_ERR_OVERFLOW: return "OVERFLOW";
    case CLASP_ERR_PAYLOAD_TOO_LARGE: return "PAYLOAD_TOO_LARGE";
    case CLASP_ERR_OUT_OF_RANGE: return "OUT_OF_RANGE";
    case CLASP_ERR_INVALID_VALUE: return "INVALID_VALUE";
    case CLASP_ERR_INVALID_FIELD: return "INVALID_FIELD";
    default: break;
  }
  return "UNKNOWN_ERROR";
#else
  (void)err;
  return "?";
#endif
}

void clasp_cursor_init(clasp_cursor_t* c, const uint8_t* p, size_t len) {
  c->p = p;
  c->left = p ? len : 0;
  c->err = CLASP_OK;
}

/* The first error wins and empties the cursor, so later reads fail fast without advancing. */
void clasp_fail(clasp_cursor_t* c, clasp_err_t err) {
  if (!c->err) c->err = err;
  c->left = 0;
}

const uint8_t* clasp_get_span(clasp_cursor_t* c, size_t n) {
  const uint8_t* p = c->p;
  if (c->left < n) {
    clasp_fail(c, CLASP_ERR_TRUNCATED);
    return NULL;
  }
  c->p += n;
  c->left -= n;
  return p;
}

uint8_t clasp_get_u8(clasp_cursor_t* c) {
  const uint8_t* p = clasp_get_span(c, 1);
  return p ? p[0] : 0;
}

uint16_t clasp_get_u16(clasp_cursor_t* c) {
  const uint8_t* p = clasp_get_span(c, 2);
  return p ? clasp_be16(p) : 0;
}

uint32_t clasp_get_u32(clasp_cursor_t* c) {
  const uint8_t* p = clasp_get_span(c, 4);
  return p ? clasp_be32(p) : 0;
}

uint64_t clasp_get_u64(clasp_cursor_t* c) {
  const uint8_t* p = clasp_get_span(c, 8);
  return p ? clasp_be64(p) : 0;
}

void clasp_get_bytes(clasp_cursor_t* c, clasp_str_t* out, size_t max) {
  uint16_t len = clasp_get_u16(c);
  out->ptr = NULL;
  out->len = 0;
  if (len > max) clasp_fail(c, CLASP_ERR_LIMIT);
  if (c->err) return;
  out->ptr = clasp_get_span(c, len);
  if (out->ptr) out->len = len;
}

void clasp_get_str(clasp_cursor_t* c, clasp_str_t* out, size_t max) {
  clasp_get_bytes(c, out, max);
  if (out->ptr && !clasp_utf8_valid(out->ptr, out->len)) {
    clasp_fail(c, CLASP_ERR_INVALID_UTF8);
    out->ptr = NULL;
    out->len = 0;
  }
}

void clasp_writer_init(clasp_writer_t* w, uint8_t* buf, size_t cap) {
  w->buf = buf;
  w->cap = buf ? cap : 0;
  w->len = 0;
  w->err = CLASP_OK;
}

void clasp_wfail(clasp_writer_t* w, clasp_err_t err) {
  if (!w->err) w->err = err;
}

void clasp_put_raw(clasp_writer_t* w, const uint8_t* p, size_t n) {
  if (w->err || n == 0) return;
  if (!p) { /* a span with a length but no data: refuse it rather than read address 0 */
    clasp_wfail(w, CLASP_ERR_INVALID_VALUE);
    return;
  }
  if (n > w->cap - w->len) {
    clasp_wfail(w, CLASP_ERR_OVERFLOW);
    return;
  }
  memcpy(w->buf + w->len, p, n);
  w->len += n;
}

void clasp_put_u8(clasp_writer_t* w, uint8_t v) { clasp_put_raw(w, &v, 1); }

void clasp_put_u16(clasp_writer_t* w, uint16_t v) {
  uint8_t b[2];
  clasp_put_be16(b, v);
  clasp_put_raw(w, b, 2);
}

void clasp_put_u32(clasp_writer_t* w, uint32_t v) {
  uint8_t b[4];
  clasp_put_be32(b, v);
  clasp_put_raw(w, b, 4);
}

void clasp_put_u64(clasp_writer_t* w, uint64_t v) {
  uint8_t b[8];
  clasp_put_be64(b, v);
  clasp_put_raw(w, b, 8);
}

void clasp_put_bytes(clasp_writer_t* w, clasp_str_t s, size_t max) {
  if (s.len > max) clasp_wfail(w, CLASP_ERR_LIMIT);
  if (s.len > 0 && !s.ptr) clasp_wfail(w, CLASP_ERR_INVALID_VALUE);
  clasp_put_u16(w, s.len);
  clasp_put_raw(w, s.ptr, s.len);
}

void clasp_put_str(clasp_writer_t* w, clasp_str_t s, size_t max) {
  if (s.ptr && !clasp_utf8_valid(s.ptr, s.len)) clasp_wfail(w, CLASP_ERR_INVALID_UTF8);
  clasp_put_bytes(w, s, max);
}

/* Big-endian by shifts: no unaligned loads and no type punning (ARM/ESP fault on both). */
uint16_t clasp_be16(const uint8_t* p) { return (uint16_t)(((uint16_t)p[0] << 8) | p[1]); }

uint32_t clasp_be32(const uint8_t* p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

uint64_t clasp_be64(const uint8_t* p) { return ((uint64_t)clasp_be32(p) << 32) | clasp_be32(p + 4); }

void clasp_put_be16(uint8_t* p, uint16_t v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}

void clasp_put_be32(uint8_t* p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

void clasp_put_be64(uint8_t* p, uint64_t v) {
  clasp_put_be32(p, (uint32_t)(v >> 32));
  clasp_put_be32(p + 4, (uint32_t)v);
}

int clasp_utf8_valid(const uint8_t* s, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint8_t b = s[i];
    size_t need, k;
    uint32_t cp, min;
    if (b < 0x80) {
      i++;
      continue;
    }
    if (b >= 0xC2 && b <= 0xDF) { need = 1; cp = b & 0x1Fu; min = 0x80; }
    else if (b >= 0xE0 && b <= 0xEF) { need = 2; cp = b & 0x0Fu; min = 0x800; }
    else if (b >= 0xF0 && b <= 0xF4) { need = 3; cp = b & 0x07u; min = 0x10000UL; }
    else return 0;
    if (n - i <= need) return 0;
    for (k = 1; k <= need; k++) {
      uint8_t t = s[i + k];
      if ((t & 0xC0) != 0x80) return 0;
      cp = (cp << 6) | (uint32_t)(t & 0x3F);
    }
    if (cp < min || cp > 0x10FFFFUL || (cp >= 0xD800UL && cp <= 0xDFFFUL)) return 0;
    i += need + 1;
  }
  return 1;
}

/* Pure integer conversions, so that AVR (32-bit double) still reads and writes f64 exactly. */
uint32_t clasp_f64_to_f32_bits(clasp_f64_t d) {
  uint32_t sign = (uint32_t)(d >> 32) & 0x80000000UL;
  uint16_t exp = (uint16_t)((d >> 52) & 0x7FF);
  uint64_t man = d & 0xFFFFFFFFFFFFFULL;
  uint64_t sig, kept, rem, half;
  int16_t e;
  unsigned shift;
  if (exp == 0x7FF) {
    if (man == 0) return sign | 0x7F800000UL;
    return sign | 0x7FC00000UL | (uint32_t)(man >> 29); /* quiet NaN, top payload bits kept */
  }
  if (exp == 0) return sign; /* zero, or a binary64 subnormal: far below the binary32 range */
  e = (int16_t)((int16_t)exp - 1023 + 127);
  if (e >= 0xFF) return sign | 0x7F800000UL;
  sig = man | (1ULL << 52);
  shift = e > 0 ? 29u : (unsigned)(29 + 1 - e);
  if (shift >= 54) return sign; /* below half the smallest binary32 subnormal */
  kept = sig >> shift;
  rem = sig & ((1ULL << shift) - 1);
  half = 1ULL << (shift - 1);
  if (rem > half || (rem == half && (kept & 1))) kept++;
  if (e > 0) return sign | (uint32_t)(((uint32_t)e << 23) + (uint32_t)kept - 0x800000UL); /* carry bumps e */
  return sign | (uint32_t)kept; /* subnormal; a carry gives the smallest normal, as it should */
}

clasp_f64_t clasp_f32_bits_to_f64(uint32_t f) {
  uint64_t sign = (uint64_t)(f & 0x80000000UL) << 32;
  uint16_t exp = (uint16_t)((f >> 23) & 0xFF);
  uint32_t man = f & 0x7FFFFFUL;
  int16_t e;
  if (exp == 0xFF) return sign | 0x7FF0000000000000ULL | ((uint64_t)man << 29);
  if (exp == 0) {
    if (man == 0) return sign;
    e = 1;
    while (!(man & 0x800000UL)) { /* normalise a subnormal: at most 23 steps */
      man <<= 1;
      e--;
    }
    man &= 0x7FFFFFUL;
  } else {
    e = (int16_t)exp;
  }
  return sign | ((uint64_t)(uint16_t)(e - 127 + 1023) << 52) | ((uint64_t)man << 29);
}

float clasp_f64_to_float(clasp_f64_t bits) {
  uint32_t b = clasp_f64_to_f32_bits(bits);
  float f;
  memcpy(&f, &b, sizeof f);
  return f;
}

clasp_f64_t clasp_f64_from_float(float f) {
  uint32_t b;
  memcpy(&b, &f, sizeof b);
  return clasp_f32_bits_to_f64(b);
}

double clasp_f64_to_double(clasp_f64_t bits) {
#if CLASP_DOUBLE_IS_BINARY64
  double d;
  memcpy(&d, &bits, sizeof d);
  return d;
#else
  return (double)clasp_f64_to_float(bits);
#endif
}

clasp_f64_t clasp_f64_from_double(double d) {
#if CLASP_DOUBLE_IS_BINARY64
  clasp_f64_t bits;
  memcpy(&bits, &d, sizeof bits);
  return bits;
#else
  return clasp_f64_from_float((float)d);
#endif
}

/* Sliding(0) and Never share the word 0; seconds >= 2^31 are masked, as in the reference. */
clasp_ttl_t clasp_ttl_from_word(uint32_t word) {
  clasp_ttl_t t;
  t.mode = word == 0 ? CLASP_TTL_NEVER : (word & 0x80000000UL) ? CLASP_TTL_ABSOLUTE : CLASP_TTL_SLIDING;
  t.seconds = word & 0x7FFFFFFFUL;
  return t;
}

uint32_t clasp_ttl_to_word(clasp_ttl_t ttl) {
  if (ttl.mode == CLASP_TTL_NEVER) return 0;
  return (ttl.seconds & 0x7FFFFFFFUL) | (ttl.mode == CLASP_TTL_ABSOLUTE ? 0x80000000UL : 0);
}

clasp_str_t clasp_cstr(const char* s) {
  clasp_str_t out;
  size_t n = s ? strlen(s) : 0;
  out.ptr = (const uint8_t*)s;
  out.len = (uint16_t)n;
  if ((size_t)out.len != n) out.len = 0xFFFFu; /* longer than any wire string: encoders report LIMIT */
  return out;
}

/* ---- Values ---------------------------------------------------------------------------- */

static void clasp_check_limit(clasp_cursor_t* c, size_t n, size_t max) {
  if (n > max) clasp_fail(c, CLASP_ERR_LIMIT);
}

/* Two's complement of the low `bits` bits, without implementation-defined casts. */
static int64_t clasp_sext(uint64_t u, unsigned bits) {
  uint64_t mask = bits >= 64 ? ~(uint64_t)0 : (((uint64_t)1 << bits) - 1);
  u &= mask;
  if (u & ((uint64_t)1 << (bits - 1))) return -(int64_t)(~u & mask) - 1;
  return (int64_t)u;
}

static void clasp_put_int(clasp_writer_t* w, int64_t i, unsigned bits) {
  int64_t lim = (int64_t)1 << (bits - 1);
  uint8_t b[8];
  unsigned k, n = bits / 8;
  uint64_t u = (uint64_t)i;
  if (i < -lim || i >= lim) {
    clasp_wfail(w, CLASP_ERR_OUT_OF_RANGE);
    return;
  }
  for (k = 0; k < n; k++) b[k] = (uint8_t)(u >> (8 * (n - 1 - k)));
  clasp_put_raw(w, b, n);
}

static clasp_str_t clasp_value_text(const clasp_value_t* v) {
  clasp_str_t s;
  s.ptr = v->ptr;
  s.len = v->len;
  return s;
}

/* Walks `count` array items or map entries of a container at `depth` without recursion: one
 * counter per open level plus one "is a map" bit, so the cost in RAM is ~2 bytes per level. */
static void clasp_skip_items(clasp_cursor_t* c, uint16_t count, bool is_map, uint8_t depth) {
  uint16_t left[CLASP_MAX_NESTING_DEPTH];
  uint8_t maps[(CLASP_MAX_NESTING_DEPTH + 7) / 8];
  unsigned top = 0;
  clasp_str_t s;
  uint16_t n;
  memset(maps, 0, sizeof maps);
  left[0] = count;
  maps[0] = is_map ? 1 : 0;
  while (!c->err) {
    if (left[top] == 0) {
      if (top == 0) return;
      top--;
      continue;
    }
    left[top]--;
    if (maps[top >> 3] & (1u << (top & 7))) clasp_get_str(c, &s, CLASP_MAX_VALUE_KEY_BYTES);
    switch (clasp_get_u8(c)) {
      case CLASP_VALUE_NULL:
        break;
      case CLASP_VALUE_BOOL:
        (void)clasp_get_span(c, 1);
        break;
      case CLASP_VALUE_I8:
        (void)clasp_get_span(c, 1);
        break;
      case CLASP_VALUE_I16:
        (void)clasp_get_span(c, 2);
        break;
      case CLASP_VALUE_I32:
        (void)clasp_get_span(c, 4);
        break;
      case CLASP_VALUE_I64:
        (void)clasp_get_span(c, 8);
        break;
      case CLASP_VALUE_F32:
        (void)clasp_get_span(c, 4);
        break;
      case CLASP_VALUE_F64:
        (void)clasp_get_span(c, 8);
        break;
      case CLASP_VALUE_STRING:
        clasp_get_str(c, &s, CLASP_MAX_VALUE_BYTES);
        break;
      case CLASP_VALUE_BYTES:
        clasp_get_bytes(c, &s, CLASP_MAX_VALUE_BYTES);
        break;
      case CLASP_VALUE_ARRAY:
        /* A nested container: check its depth as the recursive decoders would, then open a level. */
        if ((unsigned)depth + 1u + top >= CLASP_MAX_NESTING_DEPTH) clasp_fail(c, CLASP_ERR_TOO_DEEP);
        n = clasp_get_u16(c);
        clasp_check_limit(c, n, CLASP_MAX_VALUE_ITEMS);
        if (n > 0 && !c->err) {
          top++;
          left[top] = n;
          maps[top >> 3] = (uint8_t)(maps[top >> 3] & ~(1u << (top & 7)));
        }
        break;
      case CLASP_VALUE_MAP:
        /* A nested container: check its depth as the recursive decoders would, then open a level. */
        if ((unsigned)depth + 1u + top >= CLASP_MAX_NESTING_DEPTH) clasp_fail(c, CLASP_ERR_TOO_DEEP);
        n = clasp_get_u16(c);
        clasp_check_limit(c, n, CLASP_MAX_VALUE_ITEMS);
        if (n > 0 && !c->err) {
          top++;
          left[top] = n;
          maps[top >> 3] = (uint8_t)(maps[top >> 3] | (1u << (top & 7)));
        }
        break;
      default:
        clasp_fail(c, CLASP_ERR_UNKNOWN_VALUE_TYPE);
        break;
    }
  }
}

static void clasp_get_items(clasp_cursor_t* c, clasp_value_t* v, uint8_t depth, bool is_map) {
  if (depth >= CLASP_MAX_NESTING_DEPTH) clasp_fail(c, CLASP_ERR_TOO_DEEP);
  v->count = clasp_get_u16(c);
  clasp_check_limit(c, v->count, CLASP_MAX_VALUE_ITEMS);
  v->ptr = c->p;
  clasp_skip_items(c, v->count, is_map, depth);
  v->len = c->err ? 0 : (uint16_t)(c->p - v->ptr);
}

/* Encoding copies an array/map span verbatim, after checking that it parses as `count` items. */
static void clasp_put_items(clasp_writer_t* w, const clasp_value_t* v, uint8_t depth, bool is_map) {
  clasp_cursor_t c;
  if (depth >= CLASP_MAX_NESTING_DEPTH) clasp_wfail(w, CLASP_ERR_TOO_DEEP);
  if (v->count > 0 && !v->ptr) clasp_wfail(w, CLASP_ERR_INVALID_VALUE);
  clasp_cursor_init(&c, v->ptr, v->ptr ? v->len : 0);
  clasp_check_limit(&c, v->count, CLASP_MAX_VALUE_ITEMS);
  if (!c.err) clasp_skip_items(&c, v->count, is_map, depth);
  if (c.err == CLASP_ERR_LIMIT || c.err == CLASP_ERR_TOO_DEEP) clasp_wfail(w, (clasp_err_t)c.err);
  else if (c.err || c.left) clasp_wfail(w, CLASP_ERR_INVALID_VALUE);
  clasp_put_u16(w, v->count);
  clasp_put_raw(w, v->ptr, v->len);
}

void clasp_get_value_data(clasp_cursor_t* c, uint8_t type, clasp_value_t* v, uint8_t depth) {
  const uint8_t* start = c->p;
  memset(v, 0, sizeof *v);
  v->type = type;
  switch (type) {
    case CLASP_VALUE_NULL:
      break;
    case CLASP_VALUE_BOOL:
      v->as.b = clasp_get_u8(c) != 0;
      break;
    case CLASP_VALUE_I8:
      v->as.i = clasp_sext(clasp_get_u8(c), 8);
      break;
    case CLASP_VALUE_I16:
      v->as.i = clasp_sext(clasp_get_u16(c), 16);
      break;
    case CLASP_VALUE_I32:
      v->as.i = clasp_sext(clasp_get_u32(c), 32);
      break;
    case CLASP_VALUE_I64:
      v->as.i = clasp_sext(clasp_get_u64(c), 64);
      break;
    case CLASP_VALUE_F32:
      v->as.f32 = clasp_get_u32(c);
      break;
    case CLASP_VALUE_F64:
      v->as.f64 = clasp_get_u64(c);
      break;
    case CLASP_VALUE_STRING:
      {
        clasp_str_t s;
        clasp_get_str(c, &s, CLASP_MAX_VALUE_BYTES);
        v->ptr = s.ptr;
        v->len = s.len;
      }
      break;
    case CLASP_VALUE_BYTES:
      {
        clasp_str_t s;
        clasp_get_bytes(c, &s, CLASP_MAX_VALUE_BYTES);
        v->ptr = s.ptr;
        v->len = s.len;
      }
      break;
    case CLASP_VALUE_ARRAY:
      clasp_get_items(c, v, depth, false);
      break;
    case CLASP_VALUE_MAP:
      clasp_get_items(c, v, depth, true);
      break;
    default:
      clasp_fail(c, CLASP_ERR_UNKNOWN_VALUE_TYPE);
      break;
  }
  /* +1: the type byte (SET keeps it in its flags, but the bound is the same). */
  if (!c->err) clasp_check_limit(c, (size_t)(c->p - start) + 1, CLASP_MAX_VALUE_SIZE);
}

void clasp_get_value(clasp_cursor_t* c, clasp_value_t* v, uint8_t depth) {
  uint8_t type = clasp_get_u8(c);
  clasp_get_value_data(c, type, v, depth);
}

void clasp_skip_value(clasp_cursor_t* c, uint8_t depth) {
  clasp_value_t v;
  clasp_get_value(c, &v, depth);
}

void clasp_put_value_data(clasp_writer_t* w, const clasp_value_t* v, uint8_t depth) {
  size_t start = w->len;
  switch (v->type) {
    case CLASP_VALUE_NULL:
      break;
    case CLASP_VALUE_BOOL:
      clasp_put_u8(w, v->as.b ? 1 : 0);
      break;
    case CLASP_VALUE_I8:
      clasp_put_int(w, v->as.i, 8);
      break;
    case CLASP_VALUE_I16:
      clasp_put_int(w, v->as.i, 16);
      break;
    case CLASP_VALUE_I32:
      clasp_put_int(w, v->as.i, 32);
      break;
    case CLASP_VALUE_I64:
      clasp_put_u64(w, (uint64_t)v->as.i);
      break;
    case CLASP_VALUE_F32:
      clasp_put_u32(w, v->as.f32);
      break;
    case CLASP_VALUE_F64:
      clasp_put_u64(w, v->as.f64);
      break;
    case CLASP_VALUE_STRING:
      clasp_put_str(w, clasp_value_text(v), CLASP_MAX_VALUE_BYTES);
      break;
    case CLASP_VALUE_BYTES:
      clasp_put_bytes(w, clasp_value_text(v), CLASP_MAX_VALUE_BYTES);
      break;
    case CLASP_VALUE_ARRAY:
      clasp_put_items(w, v, depth, false);
      break;
    case CLASP_VALUE_MAP:
      clasp_put_items(w, v, depth, true);
      break;
    default:
      clasp_wfail(w, CLASP_ERR_INVALID_VALUE);
      break;
  }
  if (!w->err && w->len - start + 1 > CLASP_MAX_VALUE_SIZE) clasp_wfail(w, CLASP_ERR_LIMIT);
}

void clasp_put_value(clasp_writer_t* w, const clasp_value_t* v, uint8_t depth) {
  clasp_put_u8(w, v->type);
  clasp_put_value_data(w, v, depth);
}

void clasp_value_begin(const clasp_value_t* v, clasp_iter_t* it) {
  bool container = v->type == CLASP_VALUE_ARRAY || v->type == CLASP_VALUE_MAP;
  clasp_cursor_init(&it->c, v->ptr, container && v->ptr ? v->len : 0);
  it->left = container ? v->count : 0;
  it->depth = 1; /* items were validated at their real depth when the value was decoded */
  it->is_map = v->type == CLASP_VALUE_MAP;
}

bool clasp_array_next(clasp_iter_t* it, clasp_value_t* item) {
  if (it->left == 0 || it->c.err || it->is_map) return false;
  it->left--;
  clasp_get_value(&it->c, item, it->depth);
  return !it->c.err;
}

bool clasp_map_next(clasp_iter_t* it, clasp_str_t* key, clasp_value_t* item) {
  if (it->left == 0 || it->c.err || !it->is_map) return false;
  it->left--;
  clasp_get_str(&it->c, key, CLASP_MAX_VALUE_KEY_BYTES);
  clasp_get_value(&it->c, item, it->depth);
  return !it->c.err;
}

bool clasp_value_is_int(const clasp_value_t* v) { return v->type == CLASP_VALUE_I8 || v->type == CLASP_VALUE_I16 || v->type == CLASP_VALUE_I32 || v->type == CLASP_VALUE_I64; }

bool clasp_value_is_float(const clasp_value_t* v) { return v->type == CLASP_VALUE_F32 || v->type == CLASP_VALUE_F64; }

int64_t clasp_value_as_int64(const clasp_value_t* v) {
  if (clasp_value_is_int(v)) return v->as.i;
  if (v->type == CLASP_VALUE_BOOL) return v->as.b ? 1 : 0;
  return 0;
}

int32_t clasp_value_as_int32_sat(const clasp_value_t* v) {
  int64_t i = clasp_value_as_int64(v);
  if (i > 2147483647LL) return (int32_t)2147483647L;
  if (i < -2147483647LL - 1) return (int32_t)(-2147483647L - 1);
  return (int32_t)i;
}

float clasp_value_as_float(const clasp_value_t* v) {
  if (v->type == CLASP_VALUE_F32) {
    float f;
    memcpy(&f, &v->as.f32, sizeof f);
    return f;
  }
  if (clasp_value_is_float(v)) return clasp_f64_to_float(v->as.f64);
  return (float)clasp_value_as_int64(v);
}

double clasp_value_as_double(const clasp_value_t* v) {
  if (clasp_value_is_float(v) && !(v->type == CLASP_VALUE_F32)) return clasp_f64_to_double(v->as.f64);
  if (clasp_value_is_float(v)) return (double)clasp_value_as_float(v);
  return (double)clasp_value_as_int64(v);
}

static CLASP_MAYBE_UNUSED void clasp_skip_publish_samples(clasp_cursor_t* c, uint8_t depth);
static CLASP_MAYBE_UNUSED void clasp_put_publish_samples(clasp_writer_t* w, const void* items, uint16_t i, uint8_t depth);
static CLASP_MAYBE_UNUSED void clasp_skip_snapshot_params(clasp_cursor_t* c, uint8_t depth);
static CLASP_MAYBE_UNUSED void clasp_put_snapshot_params(clasp_writer_t* w, const void* items, uint16_t i, uint8_t depth);

/* ---- Messages -------------------------------------------------------------------------- */

static CLASP_MAYBE_UNUSED bool clasp_dec_subscribe_options(clasp_cursor_t* c, clasp_subscribe_options_t* m, uint8_t depth) {
  uint8_t f0;
  memset(m, 0, sizeof *m);
  (void)depth;
  f0 = clasp_get_u8(c);
  if (f0 == 0) return false; /* a zero flags byte means "absent" */
  m->has_max_rate = (f0 & 0x01) != 0;
  m->has_epsilon = (f0 & 0x02) != 0;
  m->has_history = (f0 & 0x04) != 0;
  m->has_window = (f0 & 0x08) != 0;
  if (m->has_max_rate) {
    m->max_rate = clasp_get_u32(c);
  }
  if (m->has_epsilon) {
    m->epsilon = clasp_get_u64(c);
  }
  if (m->has_history) {
    m->history = clasp_get_u32(c);
  }
  if (m->has_window) {
    m->window = clasp_get_u32(c);
  }
  return true;
}

static CLASP_MAYBE_UNUSED bool clasp_dec_param_value(clasp_cursor_t* c, clasp_param_value_t* m, uint8_t depth) {
  uint8_t f0;
  memset(m, 0, sizeof *m);
  (void)depth;
  clasp_get_str(c, &m->address, CLASP_MAX_ADDRESS_BYTES);
  clasp_get_value(c, &m->value, depth);
  m->revision = clasp_get_u64(c);
  f0 = clasp_get_u8(c);
  m->has_writer = (f0 & 0x01) != 0;
  m->has_timestamp = (f0 & 0x02) != 0;
  if (m->has_writer) {
    clasp_get_str(c, &m->writer, CLASP_MAX_SESSION_BYTES);
  }
  if (m->has_timestamp) {
    m->timestamp = clasp_get_u64(c);
  }
  return true;
}

static void clasp_enc_subscribe_options(clasp_writer_t* w, const clasp_subscribe_options_t* m, uint8_t depth) {
  uint8_t f0;
  (void)depth;
  f0 = 0;
  if (m->has_max_rate) f0 |= 0x01;
  if (m->has_epsilon) f0 |= 0x02;
  if (m->has_history) f0 |= 0x04;
  if (m->has_window) f0 |= 0x08;
  clasp_put_u8(w, f0);
  if (m->has_max_rate) {
    clasp_put_u32(w, m->max_rate);
  }
  if (m->has_epsilon) {
    clasp_put_u64(w, m->epsilon);
  }
  if (m->has_history) {
    clasp_put_u32(w, m->history);
  }
  if (m->has_window) {
    clasp_put_u32(w, m->window);
  }
}

static void clasp_enc_param_value(clasp_writer_t* w, const clasp_param_value_t* m, uint8_t depth) {
  uint8_t f0;
  (void)depth;
  clasp_put_str(w, m->address, CLASP_MAX_ADDRESS_BYTES);
  clasp_put_value(w, &m->value, depth);
  clasp_put_u64(w, m->revision);
  f0 = 0;
  if (m->has_writer) f0 |= 0x01;
  if (m->has_timestamp) f0 |= 0x02;
  clasp_put_u8(w, f0);
  if (m->has_writer) {
    clasp_put_str(w, m->writer, CLASP_MAX_SESSION_BYTES);
  }
  if (m->has_timestamp) {
    clasp_put_u64(w, m->timestamp);
  }
}

static CLASP_MAYBE_UNUSED bool clasp_dec_msg_hello(clasp_cursor_t* c, clasp_hello_t* m, uint8_t depth) {
  memset(m, 0, sizeof *m);
  (void)depth;
  m->version = clasp_get_u8(c);
  m->features = (uint8_t)(clasp_get_u8(c) & 0xFC);
  clasp_get_str(c, &m->name, CLASP_MAX_NAME_BYTES);
  clasp_get_str(c, &m->token, CLASP_MAX_TOKEN_BYTES);
  return true;
}

static void clasp_enc_msg_hello(clasp_writer_t* w, const clasp_hello_t* m, uint8_t depth) {
  (void)depth;
  clasp_put_u8(w, m->version);
  clasp_put_u8(w, (uint8_t)(m->features & 0xFC));
  clasp_put_str(w, m->name, CLASP_MAX_NAME_BYTES);
  clasp_put_str(w, m->token, CLASP_MAX_TOKEN_BYTES);
}

static CLASP_MAYBE_UNUSED bool clasp_dec_msg_welcome(clasp_cursor_t* c, clasp_welcome_t* m, uint8_t depth) {
  memset(m, 0, sizeof *m);
  (void)depth;
  m->version = clasp_get_u8(c);
  m->features = (uint8_t)(clasp_get_u8(c) & 0xF8);
  m->time = clasp_get_u64(c);
  clasp_get_str(c, &m->session, CLASP_MAX_SESSION_BYTES);
  clasp_get_str(c, &m->name, CLASP_MAX_NAME_BYTES);
  clasp_get_str(c, &m->token, CLASP_MAX_TOKEN_BYTES);
  return true;
}

static void clasp_enc_msg_welcome(clasp_writer_t* w, const clasp_welcome_t* m, uint8_t depth) {
  (void)depth;
  clasp_put_u8(w, m->version);
  clasp_put_u8(w, (uint8_t)(m->features & 0xF8));
  clasp_put_u64(w, m->time);
  clasp_put_str(w, m->session, CLASP_MAX_SESSION_BYTES);
  clasp_put_str(w, m->name, CLASP_MAX_NAME_BYTES);
  clasp_put_str(w, m->token, CLASP_MAX_TOKEN_BYTES);
}

static CLASP_MAYBE_UNUSED bool clasp_dec_msg_subscribe(clasp_cursor_t* c, clasp_subscribe_t* m, uint8_t depth) {
  memset(m, 0, sizeof *m);
  (void)depth;
  m->id = clasp_get_u32(c);
  clasp_get_str(c, &m->pattern, CLASP_MAX_ADDRESS_BYTES);
  {
    uint8_t b_ = clasp_get_u8(c);
    m->types = (uint8_t)(b_ == 0xFF ? 0 : (b_ & 0x1F));
  }
  m->has_options = clasp_dec_subscribe_options(c, &m->options, depth);
  return true;
}

static void clasp_enc_msg_subscribe(clasp_writer_t* w, const clasp_subscribe_t* m, uint8_t depth) {
  (void)depth;
  clasp_put_u32(w, m->id);
  clasp_put_str(w, m->pattern, CLASP_MAX_ADDRESS_BYTES);
  clasp_put_u8(w, (uint8_t)((m->types & 0x1F) == 0 ? 0xFF : (m->types & 0x1F)));
  if (m->has_options) clasp_enc_subscribe_options(w, &m->options, depth);
  else clasp_put_u8(w, 0);
}

static CLASP_MAYBE_UNUSED bool clasp_dec_msg_unsubscribe(clasp_cursor_t* c, clasp_unsubscribe_t* m, uint8_t depth) {
  memset(m, 0, sizeof *m);
  (void)depth;
  m->id = clasp_get_u32(c);
  return true;
}

static void clasp_enc_msg_unsubscribe(clasp_writer_t* w, const clasp_unsubscribe_t* m, uint8_t depth) {
  (void)depth;
  clasp_put_u32(w, m->id);
}

static CLASP_MAYBE_UNUSED bool clasp_dec_msg_publish(clasp_cursor_t* c, clasp_publish_t* m, uint8_t depth) {
  uint8_t f0;
  memset(m, 0, sizeof *m);
  (void)depth;
  f0 = clasp_get_u8(c);
  m->has_signal = true; /* decoders always report it */
  {
    uint8_t e_ = (uint8_t)((f0 & 0xE0) >> 5);
    if (!clasp_signal_type_valid(e_)) e_ = CLASP_SIGNAL_TYPE_EVENT; /* as the reference decoders do */
    m->signal = e_;
  }
  m->has_timestamp = (f0 & 0x10) != 0;
  m->has_id = (f0 & 0x08) != 0;
  m->has_phase = true; /* decoders always report it */
  {
    uint8_t e_ = (uint8_t)((f0 & 0x07) >> 0);
    if (!clasp_gesture_phase_valid(e_)) e_ = CLASP_GESTURE_PHASE_START; /* as the reference decoders do */
    m->phase = e_;
  }
  clasp_get_str(c, &m->address, CLASP_MAX_ADDRESS_BYTES);
  switch (clasp_get_u8(c)) {
    case 1:
      m->has_value = true;
      clasp_get_value(c, &m->value, depth);
      break;
    case 2:
      m->has_samples = true;
      clasp_get_list(c, &m->samples, CLASP_MAX_SAMPLES, depth, clasp_skip_publish_samples);
      break;
    default:
      break; /* other indicator values mean "nothing", as in the reference decoders */
  }
  if (m->has_timestamp) {
    m->timestamp = clasp_get_u64(c);
  }
  if (m->has_id) {
    m->id = clasp_get_u32(c);
  }
  m->has_rate = !c->err && c->left >= 4; /* no presence bit: read iff the bytes are there */
  if (m->has_rate) {
    m->rate = clasp_get_u32(c);
  }
  return true;
}

static void clasp_enc_msg_publish(clasp_writer_t* w, const clasp_publish_t* m, uint8_t depth) {
  uint8_t f0;
  (void)depth;
  f0 = 0;
  if (!clasp_signal_type_valid((m->has_signal ? m->signal : 1))) clasp_wfail(w, CLASP_ERR_INVALID_FIELD);
  f0 |= (uint8_t)(((m->has_signal ? m->signal : 1) << 5) & 0xE0);
  if (m->has_timestamp) f0 |= 0x10;
  if (m->has_id) f0 |= 0x08;
  if (!clasp_gesture_phase_valid((m->has_phase ? m->phase : 0))) clasp_wfail(w, CLASP_ERR_INVALID_FIELD);
  f0 |= (uint8_t)(((m->has_phase ? m->phase : 0) << 0) & 0x07);
  clasp_put_u8(w, f0);
  clasp_put_str(w, m->address, CLASP_MAX_ADDRESS_BYTES);
  if (m->has_value) {
    clasp_put_u8(w, 1);
    clasp_put_value(w, &m->value, depth);
  } else if (m->has_samples) {
    clasp_put_u8(w, 2);
    clasp_put_list(w, &m->samples, CLASP_MAX_SAMPLES, depth, clasp_skip_publish_samples, clasp_put_publish_samples);
  } else {
    clasp_put_u8(w, 0);
  }
  if (m->has_timestamp) {
    clasp_put_u64(w, m->timestamp);
  }
  if (m->has_id) {
    clasp_put_u32(w, m->id);
  }
  if (m->has_rate) {
    clasp_put_u32(w, m->rate);
  }
}

static CLASP_MAYBE_UNUSED bool clasp_dec_msg_set(clasp_cursor_t* c, clasp_set_t* m, uint8_t depth) {
  uint8_t f0;
  memset(m, 0, sizeof *m);
  (void)depth;
  f0 = clasp_get_u8(c);
  m->has_revision = (f0 & 0x80) != 0;
  m->lock = (f0 & 0x40) != 0;
  m->unlock = (f0 & 0x20) != 0;
  m->has_ttl = (f0 & 0x10) != 0;
  m->value.type = (uint8_t)((f0 & 0x0F) >> 0);
  clasp_get_str(c, &m->address, CLASP_MAX_ADDRESS_BYTES);
  clasp_get_value_data(c, m->value.type, &m->value, depth);
  if (m->has_revision) {
    m->revision = clasp_get_u64(c);
  }
  if (m->has_ttl) {
    m->ttl = clasp_ttl_from_word(clasp_get_u32(c));
  }
  return true;
}

static void clasp_enc_msg_set(clasp_writer_t* w, const clasp_set_t* m, uint8_t depth) {
  uint8_t f0;
  (void)depth;
  f0 = 0;
  if (m->has_revision) f0 |= 0x80;
  if (m->lock) f0 |= 0x40;
  if (m->unlock) f0 |= 0x20;
  if (m->has_ttl) f0 |= 0x10;
  f0 |= (uint8_t)((m->value.type << 0) & 0x0F);
  clasp_put_u8(w, f0);
  clasp_put_str(w, m->address, CLASP_MAX_ADDRESS_BYTES);
  clasp_put_value_data(w, &m->value, depth);
  if (m->has_revision) {
    clasp_put_u64(w, m->revision);
  }
  if (m->has_ttl) {
    if (m->ttl.mode > CLASP_TTL_ABSOLUTE) clasp_wfail(w, CLASP_ERR_INVALID_FIELD);
    clasp_put_u32(w, clasp_ttl_to_word(m->ttl));
  }
}

static CLASP_MAYBE_UNUSED bool clasp_dec_msg_get(clasp_cursor_t* c, clasp_get_t* m, uint8_t depth) {
  memset(m, 0, sizeof *m);
  (void)depth;
  clasp_get_str(c, &m->address, CLASP_MAX_ADDRESS_BYTES);
  return true;
}

static void clasp_enc_msg_get(clasp_writer_t* w, const clasp_get_t* m, uint8_t depth) {
  (void)depth;
  clasp_put_str(w, m->address, CLASP_MAX_ADDRESS_BYTES);
}

static CLASP_MAYBE_UNUSED bool clasp_dec_msg_snapshot(clasp_cursor_t* c, clasp_snapshot_t* m, uint8_t depth) {
  memset(m, 0, sizeof *m);
  (void)depth;
  clasp_get_list(c, &m->params, CLASP_MAX_SNAPSHOT_PARAMS, depth, clasp_skip_snapshot_params);
  return true;
}

static void clasp_enc_msg_snapshot(clasp_writer_t* w, const clasp_snapshot_t* m, uint8_t depth) {
  (void)depth;
  clasp_put_list(w, &m->params, CLASP_MAX_SNAPSHOT_PARAMS, depth, clasp_skip_snapshot_params, clasp_put_snapshot_params);
}

static CLASP_MAYBE_UNUSED bool clasp_dec_msg_bundle(clasp_cursor_t* c, clasp_bundle_t* m, uint8_t depth) {
  uint8_t f0;
  uint16_t n_messages;
  memset(m, 0, sizeof *m);
  (void)depth;
  f0 = clasp_get_u8(c);
  m->has_timestamp = (f0 & 0x80) != 0;
  n_messages = clasp_get_u16(c);
  if (m->has_timestamp) {
    m->timestamp = clasp_get_u64(c);
  }
  clasp_get_messages(c, &m->messages, n_messages, CLASP_MAX_BUNDLE_MESSAGES, depth);
  return true;
}

static void clasp_enc_msg_bundle(clasp_writer_t* w, const clasp_bundle_t* m, uint8_t depth) {
  uint8_t f0;
  (void)depth;
  f0 = 0;
  if (m->has_timestamp) f0 |= 0x80;
  clasp_put_u8(w, f0);
  clasp_put_u16(w, m->messages.count);
  if (m->has_timestamp) {
    clasp_put_u64(w, m->timestamp);
  }
  clasp_put_messages(w, &m->messages, CLASP_MAX_BUNDLE_MESSAGES, depth);
}

static CLASP_MAYBE_UNUSED bool clasp_dec_msg_sync(clasp_cursor_t* c, clasp_sync_t* m, uint8_t depth) {
  uint8_t f0;
  memset(m, 0, sizeof *m);
  (void)depth;
  f0 = clasp_get_u8(c);
  m->has_t2 = (f0 & 0x01) != 0;
  m->has_t3 = (f0 & 0x02) != 0;
  m->t1 = clasp_get_u64(c);
  if (m->has_t2) {
    m->t2 = clasp_get_u64(c);
  }
  if (m->has_t3) {
    m->t3 = clasp_get_u64(c);
  }
  return true;
}

static void clasp_enc_msg_sync(clasp_writer_t* w, const clasp_sync_t* m, uint8_t depth) {
  uint8_t f0;
  (void)depth;
  f0 = 0;
  if (m->has_t2) f0 |= 0x01;
  if (m->has_t3) f0 |= 0x02;
  clasp_put_u8(w, f0);
  clasp_put_u64(w, m->t1);
  if (m->has_t2) {
    clasp_put_u64(w, m->t2);
  }
  if (m->has_t3) {
    clasp_put_u64(w, m->t3);
  }
}

static CLASP_MAYBE_UNUSED bool clasp_dec_msg_ack(clasp_cursor_t* c, clasp_ack_t* m, uint8_t depth) {
  uint8_t f0;
  memset(m, 0, sizeof *m);
  (void)depth;
  f0 = clasp_get_u8(c);
  m->has_address = (f0 & 0x01) != 0;
  m->has_revision = (f0 & 0x02) != 0;
  m->has_locked = (f0 & 0x04) != 0;
  m->has_holder = (f0 & 0x08) != 0;
  m->has_correlation_id = (f0 & 0x10) != 0;
  if (m->has_address) {
    clasp_get_str(c, &m->address, CLASP_MAX_ADDRESS_BYTES);
  }
  if (m->has_revision) {
    m->revision = clasp_get_u64(c);
  }
  if (m->has_locked) {
    m->locked = clasp_get_u8(c) != 0;
  }
  if (m->has_holder) {
    clasp_get_str(c, &m->holder, CLASP_MAX_SESSION_BYTES);
  }
  if (m->has_correlation_id) {
    m->correlation_id = clasp_get_u32(c);
  }
  return true;
}

static void clasp_enc_msg_ack(clasp_writer_t* w, const clasp_ack_t* m, uint8_t depth) {
  uint8_t f0;
  (void)depth;
  f0 = 0;
  if (m->has_address) f0 |= 0x01;
  if (m->has_revision) f0 |= 0x02;
  if (m->has_locked) f0 |= 0x04;
  if (m->has_holder) f0 |= 0x08;
  if (m->has_correlation_id) f0 |= 0x10;
  clasp_put_u8(w, f0);
  if (m->has_address) {
    clasp_put_str(w, m->address, CLASP_MAX_ADDRESS_BYTES);
  }
  if (m->has_revision) {
    clasp_put_u64(w, m->revision);
  }
  if (m->has_locked) {
    clasp_put_u8(w, m->locked ? 1 : 0);
  }
  if (m->has_holder) {
    clasp_put_str(w, m->holder, CLASP_MAX_SESSION_BYTES);
  }
  if (m->has_correlation_id) {
    clasp_put_u32(w, m->correlation_id);
  }
}

static CLASP_MAYBE_UNUSED bool clasp_dec_msg_error(clasp_cursor_t* c, clasp_error_t* m, uint8_t depth) {
  uint8_t f0;
  memset(m, 0, sizeof *m);
  (void)depth;
  m->code = clasp_get_u16(c);
  clasp_get_str(c, &m->message, CLASP_MAX_TEXT_BYTES);
  f0 = clasp_get_u8(c);
  m->has_address = (f0 & 0x01) != 0;
  m->has_correlation_id = (f0 & 0x02) != 0;
  if (m->has_address) {
    clasp_get_str(c, &m->address, CLASP_MAX_ADDRESS_BYTES);
  }
  if (m->has_correlation_id) {
    m->correlation_id = clasp_get_u32(c);
  }
  return true;
}

static void clasp_enc_msg_error(clasp_writer_t* w, const clasp_error_t* m, uint8_t depth) {
  uint8_t f0;
  (void)depth;
  clasp_put_u16(w, m->code);
  clasp_put_str(w, m->message, CLASP_MAX_TEXT_BYTES);
  f0 = 0;
  if (m->has_address) f0 |= 0x01;
  if (m->has_correlation_id) f0 |= 0x02;
  clasp_put_u8(w, f0);
  if (m->has_address) {
    clasp_put_str(w, m->address, CLASP_MAX_ADDRESS_BYTES);
  }
  if (m->has_correlation_id) {
    clasp_put_u32(w, m->correlation_id);
  }
}

static uint8_t clasp_qos_publish(const clasp_publish_t* m) {
  if (!m->has_signal) return 0;
  switch (m->signal) {
    case CLASP_SIGNAL_TYPE_PARAM: return 1;
    case CLASP_SIGNAL_TYPE_EVENT: return 1;
    case CLASP_SIGNAL_TYPE_STREAM: return 0;
    case CLASP_SIGNAL_TYPE_GESTURE: return 0;
    case CLASP_SIGNAL_TYPE_TIMELINE: return 2;
    default: break;
  }
  return 0;
}

/* Decode one payload; a message list (BUNDLE) is only located here, clasp_walk_messages checks it. */
static void clasp_dec_payload_flat(clasp_cursor_t* c, clasp_msg_t* m, uint8_t depth) {
  uint8_t code;
  if (depth > CLASP_MAX_NESTING_DEPTH) clasp_fail(c, CLASP_ERR_TOO_DEEP);
  code = clasp_get_u8(c);
  if (c->err) return;
  m->type = code;
  switch (code) {
    case CLASP_MSG_HELLO:
#if CLASP_DECODE_HELLO
      (void)clasp_dec_msg_hello(c, &m->as.hello, depth);
#else
      clasp_fail(c, CLASP_ERR_UNSUPPORTED_MESSAGE);
#endif
      break;
    case CLASP_MSG_WELCOME:
#if CLASP_DECODE_WELCOME
      (void)clasp_dec_msg_welcome(c, &m->as.welcome, depth);
#else
      clasp_fail(c, CLASP_ERR_UNSUPPORTED_MESSAGE);
#endif
      break;
    case CLASP_MSG_ANNOUNCE: /* not generated for C */
      clasp_fail(c, CLASP_ERR_UNSUPPORTED_MESSAGE);
      break;
    case CLASP_MSG_FEDERATION_SYNC: /* not generated for C */
      clasp_fail(c, CLASP_ERR_UNSUPPORTED_MESSAGE);
      break;
    case CLASP_MSG_SUBSCRIBE:
#if CLASP_DECODE_SUBSCRIBE
      (void)clasp_dec_msg_subscribe(c, &m->as.subscribe, depth);
#else
      clasp_fail(c, CLASP_ERR_UNSUPPORTED_MESSAGE);
#endif
      break;
    case CLASP_MSG_UNSUBSCRIBE:
#if CLASP_DECODE_UNSUBSCRIBE
      (void)clasp_dec_msg_unsubscribe(c, &m->as.unsubscribe, depth);
#else
      clasp_fail(c, CLASP_ERR_UNSUPPORTED_MESSAGE);
#endif
      break;
    case CLASP_MSG_PUBLISH:
#if CLASP_DECODE_PUBLISH
      (void)clasp_dec_msg_publish(c, &m->as.publish, depth);
#else
      clasp_fail(c, CLASP_ERR_UNSUPPORTED_MESSAGE);
#endif
      break;
    case CLASP_MSG_SET:
#if CLASP_DECODE_SET
      (void)clasp_dec_msg_set(c, &m->as.set, depth);
#else
      clasp_fail(c, CLASP_ERR_UNSUPPORTED_MESSAGE);
#endif
      break;
    case CLASP_MSG_GET:
#if CLASP_DECODE_GET
      (void)clasp_dec_msg_get(c, &m->as.get, depth);
#else
      clasp_fail(c, CLASP_ERR_UNSUPPORTED_MESSAGE);
#endif
      break;
    case CLASP_MSG_SNAPSHOT:
#if CLASP_DECODE_SNAPSHOT
      (void)clasp_dec_msg_snapshot(c, &m->as.snapshot, depth);
#else
      clasp_fail(c, CLASP_ERR_UNSUPPORTED_MESSAGE);
#endif
      break;
    case CLASP_MSG_REPLAY: /* not generated for C */
      clasp_fail(c, CLASP_ERR_UNSUPPORTED_MESSAGE);
      break;
    case CLASP_MSG_BUNDLE:
#if CLASP_DECODE_BUNDLE
      (void)clasp_dec_msg_bundle(c, &m->as.bundle, depth);
#else
      clasp_fail(c, CLASP_ERR_UNSUPPORTED_MESSAGE);
#endif
      break;
    case CLASP_MSG_SYNC:
#if CLASP_DECODE_SYNC
      (void)clasp_dec_msg_sync(c, &m->as.sync, depth);
#else
      clasp_fail(c, CLASP_ERR_UNSUPPORTED_MESSAGE);
#endif
      break;
    case CLASP_MSG_PING:
#if CLASP_DECODE_PING
#else
      clasp_fail(c, CLASP_ERR_UNSUPPORTED_MESSAGE);
#endif
      break;
    case CLASP_MSG_PONG:
#if CLASP_DECODE_PONG
#else
      clasp_fail(c, CLASP_ERR_UNSUPPORTED_MESSAGE);
#endif
      break;
    case CLASP_MSG_ACK:
#if CLASP_DECODE_ACK
      (void)clasp_dec_msg_ack(c, &m->as.ack, depth);
#else
      clasp_fail(c, CLASP_ERR_UNSUPPORTED_MESSAGE);
#endif
      break;
    case CLASP_MSG_ERROR:
#if CLASP_DECODE_ERROR
      (void)clasp_dec_msg_error(c, &m->as.error, depth);
#else
      clasp_fail(c, CLASP_ERR_UNSUPPORTED_MESSAGE);
#endif
      break;
    case CLASP_MSG_QUERY: /* not generated for C */
      clasp_fail(c, CLASP_ERR_UNSUPPORTED_MESSAGE);
      break;
    case CLASP_MSG_RESULT: /* not generated for C */
      clasp_fail(c, CLASP_ERR_UNSUPPORTED_MESSAGE);
      break;
    default:
      clasp_fail(c, CLASP_ERR_UNKNOWN_MESSAGE_TYPE);
      break;
  }
}

/* The message list of a decoded message (BUNDLE), or NULL. */
static clasp_list_t* clasp_msg_sublist(clasp_msg_t* m) {
  switch (m->type) {
#if CLASP_DECODE_BUNDLE
    case CLASP_MSG_BUNDLE: return &m->as.bundle.messages;
#endif
    default: return NULL;
  }
}

void clasp_encode_payload(clasp_writer_t* w, const clasp_msg_t* m, uint8_t depth) {
  if (depth > CLASP_MAX_NESTING_DEPTH) clasp_wfail(w, CLASP_ERR_TOO_DEEP);
  switch (m->type) {
    case CLASP_MSG_HELLO:
      clasp_put_u8(w, CLASP_MSG_HELLO);
      clasp_enc_msg_hello(w, &m->as.hello, depth);
      break;
    case CLASP_MSG_WELCOME:
      clasp_put_u8(w, CLASP_MSG_WELCOME);
      clasp_enc_msg_welcome(w, &m->as.welcome, depth);
      break;
    case CLASP_MSG_ANNOUNCE:
      clasp_wfail(w, CLASP_ERR_UNSUPPORTED_MESSAGE);
      break;
    case CLASP_MSG_FEDERATION_SYNC:
      clasp_wfail(w, CLASP_ERR_UNSUPPORTED_MESSAGE);
      break;
    case CLASP_MSG_SUBSCRIBE:
      clasp_put_u8(w, CLASP_MSG_SUBSCRIBE);
      clasp_enc_msg_subscribe(w, &m->as.subscribe, depth);
      break;
    case CLASP_MSG_UNSUBSCRIBE:
      clasp_put_u8(w, CLASP_MSG_UNSUBSCRIBE);
      clasp_enc_msg_unsubscribe(w, &m->as.unsubscribe, depth);
      break;
    case CLASP_MSG_PUBLISH:
      clasp_put_u8(w, CLASP_MSG_PUBLISH);
      clasp_enc_msg_publish(w, &m->as.publish, depth);
      break;
    case CLASP_MSG_SET:
      clasp_put_u8(w, CLASP_MSG_SET);
      clasp_enc_msg_set(w, &m->as.set, depth);
      break;
    case CLASP_MSG_GET:
      clasp_put_u8(w, CLASP_MSG_GET);
      clasp_enc_msg_get(w, &m->as.get, depth);
      break;
    case CLASP_MSG_SNAPSHOT:
      clasp_put_u8(w, CLASP_MSG_SNAPSHOT);
      clasp_enc_msg_snapshot(w, &m->as.snapshot, depth);
      break;
    case CLASP_MSG_REPLAY:
      clasp_wfail(w, CLASP_ERR_UNSUPPORTED_MESSAGE);
      break;
    case CLASP_MSG_BUNDLE:
      clasp_put_u8(w, CLASP_MSG_BUNDLE);
      clasp_enc_msg_bundle(w, &m->as.bundle, depth);
      break;
    case CLASP_MSG_SYNC:
      clasp_put_u8(w, CLASP_MSG_SYNC);
      clasp_enc_msg_sync(w, &m->as.sync, depth);
      break;
    case CLASP_MSG_PING:
      clasp_put_u8(w, CLASP_MSG_PING);
      break;
    case CLASP_MSG_PONG:
      clasp_put_u8(w, CLASP_MSG_PONG);
      break;
    case CLASP_MSG_ACK:
      clasp_put_u8(w, CLASP_MSG_ACK);
      clasp_enc_msg_ack(w, &m->as.ack, depth);
      break;
    case CLASP_MSG_ERROR:
      clasp_put_u8(w, CLASP_MSG_ERROR);
      clasp_enc_msg_error(w, &m->as.error, depth);
      break;
    case CLASP_MSG_QUERY:
      clasp_wfail(w, CLASP_ERR_UNSUPPORTED_MESSAGE);
      break;
    case CLASP_MSG_RESULT:
      clasp_wfail(w, CLASP_ERR_UNSUPPORTED_MESSAGE);
      break;
    default:
      clasp_wfail(w, CLASP_ERR_UNKNOWN_MESSAGE_TYPE);
      break;
  }
}

uint8_t clasp_default_qos(const clasp_msg_t* m) {
  switch (m->type) {
    case CLASP_MSG_HELLO: return 0;
    case CLASP_MSG_WELCOME: return 0;
    case CLASP_MSG_SUBSCRIBE: return 1;
    case CLASP_MSG_UNSUBSCRIBE: return 1;
    case CLASP_MSG_PUBLISH: return clasp_qos_publish(&m->as.publish);
    case CLASP_MSG_SET: return 1;
    case CLASP_MSG_GET: return 0;
    case CLASP_MSG_SNAPSHOT: return 0;
    case CLASP_MSG_BUNDLE: return 2;
    case CLASP_MSG_SYNC: return 0;
    case CLASP_MSG_PING: return 0;
    case CLASP_MSG_PONG: return 0;
    case CLASP_MSG_ACK: return 0;
    case CLASP_MSG_ERROR: return 0;
    default: return 0;
  }
}

size_t clasp_encode_hello(uint8_t* buf, size_t cap, const clasp_frame_opts_t* opts, const clasp_hello_t* m) {
  clasp_writer_t w;
  size_t start;
  clasp_writer_init(&w, buf, cap);
  start = clasp_frame_begin(&w, opts, 0);
  clasp_put_u8(&w, CLASP_MSG_HELLO);
  clasp_enc_msg_hello(&w, m, 0);
  return clasp_frame_end(&w, start, NULL);
}

size_t clasp_encode_welcome(uint8_t* buf, size_t cap, const clasp_frame_opts_t* opts, const clasp_welcome_t* m) {
  clasp_writer_t w;
  size_t start;
  clasp_writer_init(&w, buf, cap);
  start = clasp_frame_begin(&w, opts, 0);
  clasp_put_u8(&w, CLASP_MSG_WELCOME);
  clasp_enc_msg_welcome(&w, m, 0);
  return clasp_frame_end(&w, start, NULL);
}

size_t clasp_encode_subscribe(uint8_t* buf, size_t cap, const clasp_frame_opts_t* opts, const clasp_subscribe_t* m) {
  clasp_writer_t w;
  size_t start;
  clasp_writer_init(&w, buf, cap);
  start = clasp_frame_begin(&w, opts, 1);
  clasp_put_u8(&w, CLASP_MSG_SUBSCRIBE);
  clasp_enc_msg_subscribe(&w, m, 0);
  return clasp_frame_end(&w, start, NULL);
}

size_t clasp_encode_unsubscribe(uint8_t* buf, size_t cap, const clasp_frame_opts_t* opts, const clasp_unsubscribe_t* m) {
  clasp_writer_t w;
  size_t start;
  clasp_writer_init(&w, buf, cap);
  start = clasp_frame_begin(&w, opts, 1);
  clasp_put_u8(&w, CLASP_MSG_UNSUBSCRIBE);
  clasp_enc_msg_unsubscribe(&w, m, 0);
  return clasp_frame_end(&w, start, NULL);
}

size_t clasp_encode_publish(uint8_t* buf, size_t cap, const clasp_frame_opts_t* opts, const clasp_publish_t* m) {
  clasp_writer_t w;
  size_t start;
  clasp_writer_init(&w, buf, cap);
  start = clasp_frame_begin(&w, opts, clasp_qos_publish(m));
  clasp_put_u8(&w, CLASP_MSG_PUBLISH);
  clasp_enc_msg_publish(&w, m, 0);
  return clasp_frame_end(&w, start, NULL);
}

size_t clasp_encode_set(uint8_t* buf, size_t cap, const clasp_frame_opts_t* opts, const clasp_set_t* m) {
  clasp_writer_t w;
  size_t start;
  clasp_writer_init(&w, buf, cap);
  start = clasp_frame_begin(&w, opts, 1);
  clasp_put_u8(&w, CLASP_MSG_SET);
  clasp_enc_msg_set(&w, m, 0);
  return clasp_frame_end(&w, start, NULL);
}

size_t clasp_encode_get(uint8_t* buf, size_t cap, const clasp_frame_opts_t* opts, const clasp_get_t* m) {
  clasp_writer_t w;
  size_t start;
  clasp_writer_init(&w, buf, cap);
  start = clasp_frame_begin(&w, opts, 0);
  clasp_put_u8(&w, CLASP_MSG_GET);
  clasp_enc_msg_get(&w, m, 0);
  return clasp_frame_end(&w, start, NULL);
}

size_t clasp_encode_snapshot(uint8_t* buf, size_t cap, const clasp_frame_opts_t* opts, const clasp_snapshot_t* m) {
  clasp_writer_t w;
  size_t start;
  clasp_writer_init(&w, buf, cap);
  start = clasp_frame_begin(&w, opts, 0);
  clasp_put_u8(&w, CLASP_MSG_SNAPSHOT);
  clasp_enc_msg_snapshot(&w, m, 0);
  return clasp_frame_end(&w, start, NULL);
}

size_t clasp_encode_bundle(uint8_t* buf, size_t cap, const clasp_frame_opts_t* opts, const clasp_bundle_t* m) {
  clasp_writer_t w;
  size_t start;
  clasp_writer_init(&w, buf, cap);
  start = clasp_frame_begin(&w, opts, 2);
  clasp_put_u8(&w, CLASP_MSG_BUNDLE);
  clasp_enc_msg_bundle(&w, m, 0);
  return clasp_frame_end(&w, start, NULL);
}

size_t clasp_encode_sync(uint8_t* buf, size_t cap, const clasp_frame_opts_t* opts, const clasp_sync_t* m) {
  clasp_writer_t w;
  size_t start;
  clasp_writer_init(&w, buf, cap);
  start = clasp_frame_begin(&w, opts, 0);
  clasp_put_u8(&w, CLASP_MSG_SYNC);
  clasp_enc_msg_sync(&w, m, 0);
  return clasp_frame_end(&w, start, NULL);
}

size_t clasp_encode_ping(uint8_t* buf, size_t cap, const clasp_frame_opts_t* opts) {
  clasp_writer_t w;
  size_t start;
  clasp_writer_init(&w, buf, cap);
  start = clasp_frame_begin(&w, opts, 0);
  clasp_put_u8(&w, CLASP_MSG_PING);
  return clasp_frame_end(&w, start, NULL);
}

size_t clasp_encode_pong(uint8_t* buf, size_t cap, const clasp_frame_opts_t* opts) {
  clasp_writer_t w;
  size_t start;
  clasp_writer_init(&w, buf, cap);
  start = clasp_frame_begin(&w, opts, 0);
  clasp_put_u8(&w, CLASP_MSG_PONG);
  return clasp_frame_end(&w, start, NULL);
}

size_t clasp_encode_ack(uint8_t* buf, size_t cap, const clasp_frame_opts_t* opts, const clasp_ack_t* m) {
  clasp_writer_t w;
  size_t start;
  clasp_writer_init(&w, buf, cap);
  start = clasp_frame_begin(&w, opts, 0);
  clasp_put_u8(&w, CLASP_MSG_ACK);
  clasp_enc_msg_ack(&w, m, 0);
  return clasp_frame_end(&w, start, NULL);
}

size_t clasp_encode_error(uint8_t* buf, size_t cap, const clasp_frame_opts_t* opts, const clasp_error_t* m) {
  clasp_writer_t w;
  size_t start;
  clasp_writer_init(&w, buf, cap);
  start = clasp_frame_begin(&w, opts, 0);
  clasp_put_u8(&w, CLASP_MSG_ERROR);
  clasp_enc_msg_error(&w, m, 0);
  return clasp_frame_end(&w, start, NULL);
}

static CLASP_MAYBE_UNUSED void clasp_skip_publish_samples(clasp_cursor_t* c, uint8_t depth) {
  clasp_f64_t item;
  item = clasp_get_u64(c);
  (void)item;
  (void)depth;
}

static CLASP_MAYBE_UNUSED void clasp_put_publish_samples(clasp_writer_t* w, const void* items, uint16_t i, uint8_t depth) {
  const clasp_f64_t* e = (const clasp_f64_t*)items + i;
  clasp_put_u64(w, (*e));
  (void)depth;
}

bool clasp_publish_samples_next(clasp_iter_t* it, clasp_f64_t* out) {
  clasp_cursor_t* c = &it->c;
  uint8_t depth = it->depth;
  if (it->left == 0 || c->err) return false;
  it->left--;
  (*out) = clasp_get_u64(c);
  (void)depth;
  return !c->err;
}

clasp_f64_t clasp_publish_samples_at(const clasp_list_t* l, uint16_t i) {
  if (l->items) return ((const clasp_f64_t*)l->items)[i];
  return i < l->count && l->wire ? (clasp_f64_t)clasp_be64(l->wire + (size_t)i * 8) : 0;
}

static CLASP_MAYBE_UNUSED void clasp_skip_snapshot_params(clasp_cursor_t* c, uint8_t depth) {
  clasp_param_value_t item;
  (void)clasp_dec_param_value(c, &item, depth);
  (void)item;
  (void)depth;
}

static CLASP_MAYBE_UNUSED void clasp_put_snapshot_params(clasp_writer_t* w, const void* items, uint16_t i, uint8_t depth) {
  const clasp_param_value_t* e = (const clasp_param_value_t*)items + i;
  clasp_enc_param_value(w, &(*e), depth);
  (void)depth;
}

bool clasp_snapshot_params_next(clasp_iter_t* it, clasp_param_value_t* out) {
  clasp_cursor_t* c = &it->c;
  uint8_t depth = it->depth;
  if (it->left == 0 || c->err) return false;
  it->left--;
  (void)clasp_dec_param_value(c, &(*out), depth);
  (void)depth;
  return !c->err;
}

bool clasp_gesture_phase_valid(uint8_t code) {
  switch (code) {
    case CLASP_GESTURE_PHASE_START:
    case CLASP_GESTURE_PHASE_MOVE:
    case CLASP_GESTURE_PHASE_END:
    case CLASP_GESTURE_PHASE_CANCEL:
      return true;
    default:
      return false;
  }
}

bool clasp_signal_type_valid(uint8_t code) {
  switch (code) {
    case CLASP_SIGNAL_TYPE_PARAM:
    case CLASP_SIGNAL_TYPE_EVENT:
    case CLASP_SIGNAL_TYPE_STREAM:
    case CLASP_SIGNAL_TYPE_GESTURE:
    case CLASP_SIGNAL_TYPE_TIMELINE:
      return true;
    default:
      return false;
  }
}

/* ---- Frames ---------------------------------------------------------------------------- */

/* A function boundary keeps 16-bit-size_t targets from warning that a size can never exceed 65,535. */
static bool clasp_gt(size_t a, uint32_t b) { return a > b; }

size_t clasp_frame_begin(clasp_writer_t* w, const clasp_frame_opts_t* opts, uint8_t qos) {
  size_t start = w->len;
  uint8_t flags = opts ? opts->flags : CLASP_FRAME_FLAGS(qos);
  flags = (uint8_t)(flags & ~CLASP_FRAME_TIMESTAMP);
  if (opts && opts->has_timestamp) flags = (uint8_t)(flags | CLASP_FRAME_TIMESTAMP);
  clasp_put_u8(w, CLASP_MAGIC);
  clasp_put_u8(w, flags);
  clasp_put_u16(w, 0); /* payload length, patched by clasp_frame_end */
  if (opts && opts->has_timestamp) clasp_put_u64(w, opts->timestamp);
  return start;
}

size_t clasp_frame_end(clasp_writer_t* w, size_t frame_start, clasp_err_t* err) {
  size_t payload = 0;
  if (!w->err) {
    payload = frame_start + CLASP_HEADER_SIZE + ((w->buf[frame_start + 1] & CLASP_FRAME_TIMESTAMP) ? CLASP_TIMESTAMP_SIZE : 0);
    if (clasp_gt(w->len - payload, CLASP_MAX_PAYLOAD)) clasp_wfail(w, CLASP_ERR_PAYLOAD_TOO_LARGE);
  }
  if (err) *err = (clasp_err_t)w->err;
  if (w->err) return 0;
  clasp_put_be16(w->buf + frame_start + 2, (uint16_t)(w->len - payload));
  return w->len - frame_start;
}

size_t clasp_encode_frame(uint8_t* buf, size_t cap, const clasp_frame_opts_t* opts, const clasp_msg_t* m, clasp_err_t* err) {
  clasp_writer_t w;
  size_t start;
  clasp_writer_init(&w, buf, cap);
  start = clasp_frame_begin(&w, opts, clasp_default_qos(m));
  clasp_encode_payload(&w, m, 0);
  return clasp_frame_end(&w, start, err);
}

size_t clasp_frame_size(const uint8_t* buf, size_t len) {
  if (!buf || len < CLASP_HEADER_SIZE || buf[0] != CLASP_MAGIC) return 0;
  return CLASP_HEADER_SIZE + ((buf[1] & CLASP_FRAME_TIMESTAMP) ? CLASP_TIMESTAMP_SIZE : 0) + (size_t)clasp_be16(buf + 2);
}

/* Checks every message of a BUNDLE item list, nested bundles included, without recursion: one
 * cursor per open bundle level. Returns the bytes the items occupy. */
static uint16_t clasp_walk_messages(clasp_cursor_t* out, const clasp_list_t* l, uint8_t* bad_type) {
  clasp_cursor_t lv[CLASP_MAX_NESTING_DEPTH];
  uint16_t left[CLASP_MAX_NESTING_DEPTH];
  clasp_msg_t m;
  unsigned top = 0;
  clasp_cursor_init(&lv[0], l->wire, l->wire ? l->wire_len : 0);
  left[0] = l->count;
  for (;;) {
    clasp_cursor_t inner;
    clasp_list_t* sub;
    const uint8_t* p;
    uint16_t n;
    if (left[top] == 0) {
      if (top == 0) break;
      top--;
      continue;
    }
    left[top]--;
    n = clasp_get_u16(&lv[top]);
    p = clasp_get_span(&lv[top], n);
    if (lv[top].err) {
      clasp_fail(out, (clasp_err_t)lv[top].err);
      return 0;
    }
    clasp_cursor_init(&inner, p, n); /* bytes after the inner message are ignored, as in the reference */
    clasp_dec_payload_flat(&inner, &m, (uint8_t)(l->depth + top));
    if (inner.err) {
      if (inner.err == CLASP_ERR_UNKNOWN_MESSAGE_TYPE || inner.err == CLASP_ERR_UNSUPPORTED_MESSAGE) *bad_type = m.type;
      clasp_fail(out, (clasp_err_t)inner.err);
      return 0;
    }
    sub = clasp_msg_sublist(&m);
    if (sub && sub->count > 0) {
      if (l->depth + top + 1u > CLASP_MAX_NESTING_DEPTH) {
        clasp_fail(out, CLASP_ERR_TOO_DEEP);
        return 0;
      }
      top++;
      clasp_cursor_init(&lv[top], sub->wire, sub->wire_len);
      left[top] = sub->count;
    }
  }
  return (uint16_t)(lv[0].p - l->wire);
}

clasp_err_t clasp_decode_payload(const uint8_t* p, size_t len, uint8_t depth, clasp_msg_t* m) {
  clasp_cursor_t c;
  clasp_list_t* sub;
  memset(m, 0, sizeof *m);
  clasp_cursor_init(&c, p, p ? len : 0);
  clasp_dec_payload_flat(&c, m, depth);
  if (!c.err && (sub = clasp_msg_sublist(m)) != NULL) sub->wire_len = clasp_walk_messages(&c, sub, &m->type);
  return (clasp_err_t)c.err;
}

clasp_err_t clasp_decode_frame(const uint8_t* buf, size_t len, clasp_frame_t* f) {
  size_t off = CLASP_HEADER_SIZE;
  uint16_t plen;
  uint8_t first;
  memset(f, 0, sizeof *f);
  if (!buf || len < CLASP_HEADER_SIZE) return CLASP_ERR_TRUNCATED;
  if (buf[0] != CLASP_MAGIC) return CLASP_ERR_BAD_MAGIC;
  f->hdr.flags = buf[1];
  plen = clasp_be16(buf + 2);
  if (buf[1] & CLASP_FRAME_TIMESTAMP) { /* the timestamp comes before the payload */
    if (len < off + CLASP_TIMESTAMP_SIZE) return CLASP_ERR_TRUNCATED;
    f->hdr.has_timestamp = true;
    f->hdr.timestamp = clasp_be64(buf + off);
    off += CLASP_TIMESTAMP_SIZE;
  }
  if (len - off < plen) return CLASP_ERR_TRUNCATED;
  f->length = off + plen;
  if (plen == 0) return CLASP_ERR_EMPTY_PAYLOAD;
  first = buf[off];
  if ((first >= 128 && first <= 143) || first == 222 || first == 223) return CLASP_ERR_LEGACY_ENCODING;
  return clasp_decode_payload(buf + off, plen, 0, &f->msg);
}

/* ---- Lists ----------------------------------------------------------------------------- */

void clasp_list_begin(const clasp_list_t* l, clasp_iter_t* it) {
  clasp_cursor_init(&it->c, l->wire, l->wire ? l->wire_len : 0);
  it->left = l->wire ? l->count : 0;
  it->depth = l->depth;
  it->is_map = false;
}

void clasp_get_list(clasp_cursor_t* c, clasp_list_t* l, size_t max, uint8_t depth, clasp_skip_fn skip) {
  uint16_t i;
  l->count = clasp_get_u16(c);
  l->depth = depth;
  l->items = NULL;
  clasp_check_limit(c, l->count, max);
  l->wire = c->p;
  for (i = 0; i < l->count && !c->err; i++) skip(c, depth);
  l->wire_len = c->err ? 0 : (uint16_t)(c->p - l->wire);
}

void clasp_put_list(clasp_writer_t* w, const clasp_list_t* l, size_t max, uint8_t depth, clasp_skip_fn skip, clasp_put_item_fn put) {
  clasp_cursor_t c;
  uint16_t i;
  if (l->count > max) clasp_wfail(w, CLASP_ERR_LIMIT);
  clasp_put_u16(w, l->count);
  if (l->items) {
    for (i = 0; i < l->count && !w->err; i++) put(w, l->items, i, depth);
    return;
  }
  /* An encoded span (e.g. from a decoded message): check it parses as count items, then copy. */
  clasp_cursor_init(&c, l->wire, l->wire ? l->wire_len : 0);
  for (i = 0; i < l->count && !c.err; i++) skip(&c, depth);
  if (c.err || c.left) clasp_wfail(w, CLASP_ERR_INVALID_VALUE);
  clasp_put_raw(w, l->wire, l->wire_len);
}

void clasp_get_messages(clasp_cursor_t* c, clasp_list_t* l, uint16_t count, size_t max, uint8_t depth) {
  l->count = count;
  l->depth = (uint8_t)(depth + 1);
  l->items = NULL;
  clasp_check_limit(c, count, max);
  l->wire = c->p;
  l->wire_len = (uint16_t)c->left; /* the items run to the end of the payload; the walker trims */
  (void)clasp_get_span(c, c->left);
}

void clasp_put_messages(clasp_writer_t* w, const clasp_list_t* l, size_t max, uint8_t depth) {
  uint16_t i;
  if (l->count > max) clasp_wfail(w, CLASP_ERR_LIMIT);
  if (l->items) {
    const clasp_msg_t* items = (const clasp_msg_t*)l->items;
    for (i = 0; i < l->count && !w->err; i++) {
      size_t at = w->len;
      clasp_put_u16(w, 0);
      clasp_encode_payload(w, &items[i], (uint8_t)(depth + 1));
      if (w->err) return;
      if (clasp_gt(w->len - at - 2, 0xFFFFu)) clasp_wfail(w, CLASP_ERR_PAYLOAD_TOO_LARGE);
      else clasp_put_be16(w->buf + at, (uint16_t)(w->len - at - 2));
    }
  } else {
    clasp_cursor_t c;
    clasp_list_t v = *l;
    uint8_t bad = 0;
    uint16_t used;
    v.depth = (uint8_t)(depth + 1);
    clasp_cursor_init(&c, NULL, 0);
    used = clasp_walk_messages(&c, &v, &bad);
    if (c.err == CLASP_ERR_UNSUPPORTED_MESSAGE || c.err == CLASP_ERR_TOO_DEEP) clasp_wfail(w, (clasp_err_t)c.err);
    else if (c.err || used != l->wire_len) clasp_wfail(w, CLASP_ERR_INVALID_VALUE);
    clasp_put_raw(w, l->wire, l->wire_len);
  }
}

bool clasp_messages_next_payload(clasp_iter_t* it, const uint8_t** payload, uint16_t* len) {
  if (it->left == 0 || it->c.err) return false;
  it->left--;
  *len = clasp_get_u16(&it->c);
  *payload = clasp_get_span(&it->c, *len);
  return !it->c.err;
}

bool clasp_messages_next(clasp_iter_t* it, clasp_msg_t* out) {
  const uint8_t* p;
  uint16_t n;
  clasp_err_t e;
  if (!clasp_messages_next_payload(it, &p, &n)) return false;
  e = clasp_decode_payload(p, n, it->depth, out);
  if (e) clasp_fail(&it->c, e);
  return e == CLASP_OK;
}

/* ---- TCP length prefix ----------------------------------------------------------------- */

void clasp_tcp_reader_init(clasp_tcp_reader_t* r, uint8_t* buf, size_t cap) {
  memset(r, 0, sizeof *r);
  r->buf = buf;
  r->cap = buf ? cap : 0;
}

size_t clasp_tcp_reader_feed(clasp_tcp_reader_t* r, const uint8_t* data, size_t n, size_t* frame_len) {
  size_t i = 0;
  *frame_len = 0;
  while (i < n) {
    uint32_t rest;
    size_t take;
    if (r->prefix_got < 4) {
      r->need = (r->need << 8) | data[i++];
      if (++r->prefix_got < 4) continue;
      r->got = 0;
      r->skipping = r->need > r->cap;
      if (r->need == 0 || r->skipping) r->dropped++; /* a zero length is invalid, as in the Arduino library */
      if (r->need == 0) r->prefix_got = 0;
      continue;
    }
    /* Store or skip the frame body; the bytes-left counter survives across calls, so a large
     * frame split over many reads never desynchronises the stream. */
    rest = r->need - r->got;
    take = clasp_gt(n - i, rest) ? (size_t)rest : n - i;
    if (!r->skipping) memcpy(r->buf + r->got, data + i, take);
    r->got += (uint32_t)take;
    i += take;
    if (r->got == r->need) {
      r->prefix_got = 0;
      r->need = 0;
      if (!r->skipping) {
        *frame_len = r->got;
        return i;
      }
      r->skipping = false;
    }
  }
  return i;
}

size_t clasp_tcp_reader_push(clasp_tcp_reader_t* r, uint8_t b) {
  size_t len;
  (void)clasp_tcp_reader_feed(r, &b, 1, &len);
  return len;
}

void clasp_tcp_put_prefix(uint8_t out[4], uint32_t frame_len) { clasp_put_be32(out, frame_len); }

size_t clasp_tcp_wrap(uint8_t* out, size_t cap, const uint8_t* frame, size_t len) {
  if (cap < 4 || len > cap - 4) return 0;
  memmove(out + 4, frame, len);
  clasp_tcp_put_prefix(out, (uint32_t)len);
  return len + 4;
}

/* ---- SLIP ------------------------------------------------------------------------------ */

static void clasp_slip_put(uint8_t* out, size_t cap, size_t* n, uint8_t b) {
  if (*n < cap) out[*n] = b;
  (*n)++;
}

size_t clasp_slip_encode(uint8_t* out, size_t cap, const uint8_t* frame, size_t len) {
  size_t n = 0, i;
  clasp_slip_put(out, cap, &n, CLASP_SLIP_END); /* a leading END flushes line noise at the receiver */
  for (i = 0; i < len; i++) {
    if (frame[i] == CLASP_SLIP_END) {
      clasp_slip_put(out, cap, &n, CLASP_SLIP_ESC);
      clasp_slip_put(out, cap, &n, CLASP_SLIP_ESC_END);
    } else if (frame[i] == CLASP_SLIP_ESC) {
      clasp_slip_put(out, cap, &n, CLASP_SLIP_ESC);
      clasp_slip_put(out, cap, &n, CLASP_SLIP_ESC_ESC);
    } else {
      clasp_slip_put(out, cap, &n, frame[i]);
    }
  }
  clasp_slip_put(out, cap, &n, CLASP_SLIP_END);
  return n <= cap ? n : 0;
}

void clasp_slip_write(const uint8_t* frame, size_t len, clasp_put_byte_fn put, void* ctx) {
  size_t i;
  put(ctx, CLASP_SLIP_END);
  for (i = 0; i < len; i++) {
    if (frame[i] == CLASP_SLIP_END || frame[i] == CLASP_SLIP_ESC) {
      put(ctx, CLASP_SLIP_ESC);
      put(ctx, frame[i] == CLASP_SLIP_END ? CLASP_SLIP_ESC_END : CLASP_SLIP_ESC_ESC);
    } else {
      put(ctx, frame[i]);
    }
  }
  put(ctx, CLASP_SLIP_END);
}

void clasp_slip_reader_init(clasp_slip_reader_t* r, uint8_t* buf, size_t cap) {
  memset(r, 0, sizeof *r);
  r->buf = buf;
  r->cap = buf ? cap : 0;
}

size_t clasp_slip_reader_feed(clasp_slip_reader_t* r, const uint8_t* data, size_t n, size_t* frame_len) {
  size_t i = 0;
  *frame_len = 0;
  if (r->ready) { /* the frame returned by the previous call is released */
    r->ready = false;
    r->len = 0;
  }
  while (i < n) {
    uint8_t b = data[i++];
    if (b == CLASP_SLIP_END) {
      /* End of a frame: keep it only if it is exactly one whole CLASP frame. */
      size_t len = r->len;
      bool ok = len > 0 && !r->bad && !r->esc && clasp_frame_size(r->buf, len) == len;
      if (len > 0 || r->bad) {
        if (!ok) r->dropped++;
      }
      r->esc = false;
      r->bad = false;
      if (ok) {
        *frame_len = len; /* buf holds it until the next call */
        r->ready = true;
        return i;
      }
      r->len = 0;
      continue;
    }
    if (r->esc) {
      r->esc = false;
      if (b == CLASP_SLIP_ESC_END) b = CLASP_SLIP_END;
      else if (b == CLASP_SLIP_ESC_ESC) b = CLASP_SLIP_ESC;
      else r->bad = true; /* protocol violation: drop the frame */
    } else if (b == CLASP_SLIP_ESC) {
      r->esc = true;
      continue;
    }
    if (r->len < r->cap) r->buf[r->len++] = b;
    else r->bad = true; /* overlong: drop at the next END */
  }
  return i;
}

size_t clasp_slip_reader_push(clasp_slip_reader_t* r, uint8_t b) {
  size_t len;
  (void)clasp_slip_reader_feed(r, &b, 1, &len);
  return len;
}

/* ---- Pattern matching ------------------------------------------------------------------ */

static size_t clasp_seg_end(const uint8_t* s, size_t len, size_t pos) {
  while (pos < len && s[pos] != '/') pos++;
  return pos;
}

static bool clasp_is_globstar(const uint8_t* p, size_t start, size_t end) {
  return end - start == 2 && p[start] == '*' && p[start + 1] == '*';
}

/* One segment, as the router trie does it: without '*' it is a literal; with one, '*' matches any
 * run of bytes (a segment holds no '/') and a backslash escapes the next byte, as the reference's glob
 * re-check does. One backtrack point, no recursion. */
static bool clasp_seg_match(const uint8_t* p, size_t pn, const uint8_t* a, size_t an) {
  size_t pi = 0, ai = 0, star = 0, mark = 0;
  bool have_star = false;
  if (!memchr(p, '*', pn)) return pn == an && (pn == 0 || memcmp(p, a, pn) == 0);
  while (ai < an) {
    size_t lit = pi < pn && p[pi] == '\\' && pi + 1 < pn ? pi + 1 : pi;
    if (pi < pn && p[pi] == '*') {
      have_star = true;
      star = pi++;
      mark = ai;
    } else if (pi < pn && p[lit] == a[ai]) {
      pi = lit + 1;
      ai++;
    } else if (have_star) {
      pi = star + 1;
      ai = ++mark;
    } else {
      return false;
    }
  }
  while (pi < pn && p[pi] == '*') pi++;
  return pi == pn;
}

/* Segments are walked by position (len + 1 = no segment left); '**' keeps one backtrack point,
 * the classic wildcard algorithm with segments as the units. */
bool clasp_match(const uint8_t* pat, size_t plen, const uint8_t* addr, size_t alen) {
  size_t pi = 1, ai = 1, star_p = 0, star_a = 0;
  bool star = false;
  if (!pat || !addr || plen == 0 || alen == 0 || pat[0] != '/' || addr[0] != '/') return false;
  while (ai <= alen) {
    size_t ae = clasp_seg_end(addr, alen, ai);
    if (pi <= plen) {
      size_t pe = clasp_seg_end(pat, plen, pi);
      if (clasp_is_globstar(pat, pi, pe)) {
        star = true;
        star_p = pe + 1;
        star_a = ai;
        pi = star_p;
        continue;
      }
      if (clasp_seg_match(pat + pi, pe - pi, addr + ai, ae - ai)) {
        pi = pe + 1;
        ai = ae + 1;
        continue;
      }
    }
    if (!star) return false;
    star_a = clasp_seg_end(addr, alen, star_a) + 1; /* let the last '**' take one more segment */
    ai = star_a;
    pi = star_p;
  }
  while (pi <= plen) {
    size_t pe = clasp_seg_end(pat, plen, pi);
    if (!clasp_is_globstar(pat, pi, pe)) return false;
    pi = pe + 1;
  }
  return true;
}

bool clasp_match_cstr(const char* pattern, const char* address) {
  clasp_str_t p = clasp_cstr(pattern), a = clasp_cstr(address);
  return clasp_match(p.ptr, p.len, a.ptr, a.len);
}

#ifdef __cplusplus
}
#endif

#endif /* CLASP_IMPLEMENTATION */
