/**
 * The fixed part of the C header: core types (string view, value, list view, cursor, writer,
 * error codes), big-endian get/put helpers, strict UTF-8 and the binary64 <-> binary32 bit
 * conversions. None of it depends on message layouts; it is the C counterpart of
 * `runtime/codec/{reader,writer,utf8}.ts`. Everything that does depend on the schema is
 * interpolated from the model by the caller.
 */
import { conversionsImplementation } from './conversions.ts'

/** Library error codes. Names are stable API (test drivers print them); order is append-only. */
export const errorCodes: Array<[string, string]> = [
  ['OK', 'success'],
  ['TRUNCATED', 'fewer bytes than a field, a length or the frame header announced'],
  ['BAD_MAGIC', 'frame byte 0 is not CLASP_MAGIC'],
  ['EMPTY_PAYLOAD', 'the frame has no payload (a valid frame, but no message)'],
  ['LEGACY_ENCODING', 'legacy v0 MessagePack payload (not supported)'],
  ['UNKNOWN_MESSAGE_TYPE', 'payload byte 0 is not a CLASP message code'],
  ['UNSUPPORTED_MESSAGE', 'a CLASP message this header was generated without (see CLASP_HAS_*)'],
  ['UNKNOWN_VALUE_TYPE', 'a value type code outside the value-type table'],
  ['UNKNOWN_ENUM', 'an enum code with no meaning and no fallback'],
  ['INVALID_UTF8', 'a string that is not strict UTF-8 (the reference rejects the message)'],
  ['TOO_DEEP', 'arrays, maps or bundles nested deeper than CLASP_MAX_NESTING_DEPTH'],
  ['LIMIT', 'a string, list or value exceeds its CLASP_MAX_* bound'],
  ['OVERFLOW', 'the output buffer is too small'],
  ['PAYLOAD_TOO_LARGE', 'the payload would exceed CLASP_MAX_PAYLOAD bytes'],
  ['OUT_OF_RANGE', 'a number does not fit its wire width'],
  ['INVALID_VALUE', 'a value with an unknown type, or an array/map span that does not parse'],
  ['INVALID_FIELD', 'a field holds a code its enum does not define'],
]

export function coreTypes(): string {
  const errs = errorCodes.map(([n, doc], i) => `  ${n === 'OK' ? 'CLASP_OK' : `CLASP_ERR_${n}`} = ${i}, /* ${doc} */`)
  return `/* ---- Core types ------------------------------------------------------------------------ */

/** Error codes. Every decode and encode failure is one of these; clasp_err_name() gives the name. */
typedef enum clasp_err {
${errs.join('\n')}
  CLASP_ERR_COUNT_ = ${errorCodes.length}
} clasp_err_t;

/** IEEE-754 binary64 kept as its raw bit pattern, so re-encoding is bit-exact even where double
 *  is 32 bits (AVR). Convert with clasp_f64_to_double() / clasp_f64_to_float(). */
typedef uint64_t clasp_f64_t;

/** A string view into the received frame: UTF-8, NOT NUL-terminated, valid while the buffer is. */
typedef struct clasp_str {
  const uint8_t* ptr;
  uint16_t len;
} clasp_str_t;

/** A decoded value. \`type\` is the wire type code, kept so that narrow codes (i8..i32, f32)
 *  re-encode as they arrived. Arrays and maps stay encoded: \`ptr\`/\`len\` span their items
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
 *  leaves items NULL; iterate with the field's *_next function. To encode, either point \`items\`
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
`
}

export function corePrototypes(): string {
  return `/* ---- Primitives ------------------------------------------------------------------------ */

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
`
}

export function coreImplementation(): string {
  const names = errorCodes.map(([n]) => `    case ${n === 'OK' ? 'CLASP_OK' : `CLASP_ERR_${n}`}: return "${n}";`)
  return `/* ---- Primitives ------------------------------------------------------------------------ */

const char* clasp_err_name(clasp_err_t err) {
#if CLASP_ERR_NAMES
  switch (err) {
${names.join('\n')}
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

${conversionsImplementation()}`
}
