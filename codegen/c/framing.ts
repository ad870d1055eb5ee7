/**
 * Frames and everything around them: the frame header (encode and decode, honouring the
 * timestamp bit), the generic list runtime the generated struct code calls, the iterative
 * BUNDLE walker, the TCP length-prefix and SLIP stream state machines, and the address pattern
 * matcher. Constants come from the model (frame, transports); the code itself is fixed.
 */
import type { SchemaModel } from '../model.ts'
import { streamsImplementation } from './streams.ts'

export function framingTypes(): string {
  return `/* ---- Frames and streams ---------------------------------------------------------------- */

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
`
}

export function framingPrototypes(): string {
  return `/* ---- Frame API ------------------------------------------------------------------------- */

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
`
}

export function framingImplementation(model: SchemaModel): string {
  const l = model.frame.legacyPayloadBytes
  return `/* ---- Frames ---------------------------------------------------------------------------- */

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
  if ((first >= ${l.fixmapFirst} && first <= ${l.fixmapLast}) || first == ${l.map16} || first == ${l.map32}) return CLASP_ERR_LEGACY_ENCODING;
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

${streamsImplementation()}`
}
