/*
 * Host test driver for generated/clasp.h. Reads lines from stdin and prints exactly one line per
 * input line, so one process handles a whole batch:
 *
 *   <hex frame>              -> ok <re-encoded hex> <TYPE> | err <ERROR_NAME> | unsupported <code hex>
 *                               (decode, rebuild lists/values as native items, re-encode with the
 *                               decoded header; a failed re-encode prints encerr <ERROR_NAME>)
 *   !tcp <cap> <c|b> <hex>.. -> tcp <dropped> <frame hex>...   (chunks fed as given, or byte by byte)
 *   !slip <cap> <c|b> <hex>..-> slip <dropped> <frame hex>...
 *   !slipenc <hex>           -> slipenc <hex>
 *   !tcpwrap <hex>           -> tcpwrap <hex>
 *   !match <hex> <hex>       -> match 0|1           (pattern, address as hex; "-" = empty)
 *   !f64to32 <16 hex>        -> f32 <8 hex>         (binary64 bits -> binary32 bits)
 *   !f32to64 <8 hex>         -> f64 <16 hex>
 *
 * Built with -std=c99 -Wall -Wextra -Werror -pedantic (and sanitizers when available), and also
 * as C++ (g++ -std=gnu++11 -x c++, firmware-sim/build.ts buildCodecBatch) against the Arduino
 * library's copy of the header, the way the firmware simulator compiles it: keep it valid C++.
 */
#define CLASP_IMPLEMENTATION
#include "clasp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OUT_CAP (CLASP_FRAME_OVERHEAD + CLASP_MAX_PAYLOAD + 64)

/* Allocations made while rebuilding one frame, freed after it is printed. */
static void* arena[1 << 16];
static size_t arena_n;

static void* alloc(size_t n) {
  void* p = calloc(1, n ? n : 1);
  if (!p || arena_n >= sizeof arena / sizeof arena[0]) {
    fprintf(stderr, "driver: out of memory\n");
    exit(2);
  }
  arena[arena_n++] = p;
  return p;
}

static void arena_free(void) {
  while (arena_n) free(arena[--arena_n]);
}

static int hexval(int ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return -1;
}

/* Parses hex into a new buffer; returns -1 on bad hex. "-" is the empty string. */
static long unhex(const char* s, size_t n, uint8_t** out) {
  size_t i;
  uint8_t* b = (uint8_t*)alloc(n / 2 + 1);
  *out = b;
  if (n == 1 && s[0] == '-') return 0;
  if (n % 2) return -1;
  for (i = 0; i < n; i += 2) {
    int hi = hexval(s[i]), lo = hexval(s[i + 1]);
    if (hi < 0 || lo < 0) return -1;
    b[i / 2] = (uint8_t)(hi * 16 + lo);
  }
  return (long)(n / 2);
}

static void puthex(const uint8_t* p, size_t n) {
  static const char digits[] = "0123456789abcdef";
  size_t i;
  for (i = 0; i < n; i++) {
    putchar(digits[p[i] >> 4]);
    putchar(digits[p[i] & 15]);
  }
}

static const char* type_name(uint8_t t) {
  switch (t) {
    case CLASP_MSG_HELLO: return "HELLO";
    case CLASP_MSG_WELCOME: return "WELCOME";
    case CLASP_MSG_ANNOUNCE: return "ANNOUNCE";
    case CLASP_MSG_FEDERATION_SYNC: return "FEDERATION_SYNC";
    case CLASP_MSG_SUBSCRIBE: return "SUBSCRIBE";
    case CLASP_MSG_UNSUBSCRIBE: return "UNSUBSCRIBE";
    case CLASP_MSG_PUBLISH: return "PUBLISH";
    case CLASP_MSG_SET: return "SET";
    case CLASP_MSG_GET: return "GET";
    case CLASP_MSG_SNAPSHOT: return "SNAPSHOT";
    case CLASP_MSG_REPLAY: return "REPLAY";
    case CLASP_MSG_BUNDLE: return "BUNDLE";
    case CLASP_MSG_SYNC: return "SYNC";
    case CLASP_MSG_PING: return "PING";
    case CLASP_MSG_PONG: return "PONG";
    case CLASP_MSG_ACK: return "ACK";
    case CLASP_MSG_ERROR: return "ERROR";
    case CLASP_MSG_QUERY: return "QUERY";
    case CLASP_MSG_RESULT: return "RESULT";
    default: return "?";
  }
}

static int failed; /* a rebuild step hit an error; reported as encerr */

/* Arrays and maps are rebuilt item by item through the iterators and clasp_put_value, so the
 * round trip exercises them rather than copying the span. */
static void rebuild_value(clasp_value_t* v) {
  clasp_iter_t it;
  clasp_writer_t w;
  clasp_value_t item;
  clasp_str_t key;
  uint16_t n = 0;
  uint8_t* buf;
  if (v->type != CLASP_VALUE_ARRAY && v->type != CLASP_VALUE_MAP) return;
  buf = (uint8_t*)alloc(v->len + 1u);
  clasp_writer_init(&w, buf, v->len);
  clasp_value_begin(v, &it);
  if (v->type == CLASP_VALUE_ARRAY) {
    while (clasp_array_next(&it, &item)) {
      rebuild_value(&item);
      clasp_put_value(&w, &item, 1);
      n++;
    }
  } else {
    while (clasp_map_next(&it, &key, &item)) {
      rebuild_value(&item);
      clasp_put_str(&w, key, CLASP_MAX_VALUE_KEY_BYTES);
      clasp_put_value(&w, &item, 1);
      n++;
    }
  }
  if (it.c.err || w.err || n != v->count) failed = 1;
  *v = v->type == CLASP_VALUE_ARRAY ? clasp_value_array(n, buf, (uint16_t)w.len) : clasp_value_map(n, buf, (uint16_t)w.len);
}

static void rebuild(clasp_msg_t* m) {
  clasp_iter_t it;
  uint16_t i;
  switch (m->type) {
#if CLASP_HAS_SET_DECODE
    case CLASP_MSG_SET:
      rebuild_value(&m->as.set.value);
      break;
#endif
#if CLASP_HAS_PUBLISH_DECODE
    case CLASP_MSG_PUBLISH:
      if (m->as.publish.has_value) rebuild_value(&m->as.publish.value);
      if (m->as.publish.has_samples) {
        clasp_list_t* l = &m->as.publish.samples;
        clasp_f64_t* s = (clasp_f64_t*)alloc(sizeof *s * (l->count + 1u));
        for (i = 0; i < l->count; i++) s[i] = clasp_publish_samples_at(l, i);
        l->items = s;
      }
      break;
#endif
#if CLASP_HAS_SNAPSHOT_DECODE
    case CLASP_MSG_SNAPSHOT: {
      clasp_param_value_t* p = (clasp_param_value_t*)alloc(sizeof *p * (m->as.snapshot.params.count + 1u));
      i = 0;
      clasp_snapshot_begin(&m->as.snapshot, &it);
      while (clasp_snapshot_next(&it, &p[i])) rebuild_value(&p[i++].value);
      if (it.c.err || i != m->as.snapshot.params.count) failed = 1;
      m->as.snapshot.params.items = p;
      break;
    }
#endif
#if CLASP_HAS_BUNDLE_DECODE
    case CLASP_MSG_BUNDLE: {
      clasp_msg_t* inner = (clasp_msg_t*)alloc(sizeof *inner * (m->as.bundle.messages.count + 1u));
      i = 0;
      clasp_bundle_begin(&m->as.bundle, &it);
      while (clasp_bundle_next(&it, &inner[i])) rebuild(&inner[i++]);
      if (it.c.err || i != m->as.bundle.messages.count) failed = 1;
      m->as.bundle.messages.items = inner;
      break;
    }
#endif
    default:
      break;
  }
}

static void frame_line(const char* s, size_t n) {
  static uint8_t out[OUT_CAP];
  clasp_frame_t f;
  clasp_err_t err;
  uint8_t* in;
  long len = unhex(s, n, &in);
  size_t olen;
  if (len < 0) {
    printf("err BAD_HEX\n");
    return;
  }
  err = clasp_decode_frame(in, (size_t)len, &f);
  if (err == CLASP_ERR_UNSUPPORTED_MESSAGE) {
    printf("unsupported %02x\n", f.msg.type);
    return;
  }
  if (err) {
    printf("err %s\n", clasp_err_name(err));
    return;
  }
  failed = 0;
  rebuild(&f.msg);
  olen = clasp_encode_frame(out, sizeof out, &f.hdr, &f.msg, &err);
  if (failed) printf("encerr REBUILD\n");
  else if (!olen) printf("encerr %s\n", clasp_err_name(err));
  else {
    printf("ok ");
    puthex(out, olen);
    printf(" %s\n", type_name(f.msg.type));
  }
}

/* Splits the rest of a command line into space-separated words (in place). */
static size_t words(char* s, char** w, size_t max) {
  size_t n = 0;
  while (*s && n < max) {
    while (*s == ' ') *s++ = 0;
    if (!*s) break;
    w[n++] = s;
    while (*s && *s != ' ') s++;
  }
  return n;
}

static void stream_cmd(int slip, char** w, size_t nw) {
  size_t cap = (size_t)strtoul(w[0], NULL, 10), k, flen;
  int bytewise = w[1][0] == 'b';
  uint8_t* buf = (uint8_t*)alloc(cap + 1);
  clasp_tcp_reader_t tr;
  clasp_slip_reader_t sr;
  clasp_tcp_reader_init(&tr, buf, cap);
  clasp_slip_reader_init(&sr, buf, cap);
  printf(slip ? "slip" : "tcp");
  for (k = 2; k < nw; k++) {
    uint8_t* chunk;
    long n = unhex(w[k], strlen(w[k]), &chunk);
    size_t at = 0;
    while (n > 0 && at < (size_t)n) {
      size_t step = bytewise ? 1 : (size_t)n - at;
      size_t used = slip ? clasp_slip_reader_feed(&sr, chunk + at, step, &flen) : clasp_tcp_reader_feed(&tr, chunk + at, step, &flen);
      at += used;
      if (flen) {
        putchar(' ');
        puthex(buf, flen);
      }
    }
  }
  printf(" dropped=%lu\n", (unsigned long)(slip ? sr.dropped : tr.dropped));
}

static void command(char* s) {
  char* w[4096];
  size_t nw = words(s, w, 4096);
  uint8_t *a, *b;
  long na, nb;
  if (nw >= 3 && (!strcmp(w[0], "tcp") || !strcmp(w[0], "slip"))) {
    stream_cmd(!strcmp(w[0], "slip"), w + 1, nw - 1);
  } else if (nw == 2 && (!strcmp(w[0], "slipenc") || !strcmp(w[0], "tcpwrap"))) {
    uint8_t* out;
    size_t cap, n;
    na = unhex(w[1], strlen(w[1]), &a);
    cap = CLASP_SLIP_MAX_SIZE((size_t)(na < 0 ? 0 : na)) + 4;
    out = (uint8_t*)alloc(cap);
    n = !strcmp(w[0], "slipenc") ? clasp_slip_encode(out, cap, a, (size_t)na) : clasp_tcp_wrap(out, cap, a, (size_t)na);
    printf("%s ", w[0]);
    puthex(out, n);
    putchar('\n');
  } else if (nw == 3 && !strcmp(w[0], "match")) {
    na = unhex(w[1], strlen(w[1]), &a);
    nb = unhex(w[2], strlen(w[2]), &b);
    printf("match %d\n", na >= 0 && nb >= 0 && clasp_match(a, (size_t)na, b, (size_t)nb) ? 1 : 0);
  } else if (nw == 2 && !strcmp(w[0], "f64to32")) {
    uint8_t o[4];
    na = unhex(w[1], strlen(w[1]), &a);
    clasp_put_be32(o, na == 8 ? clasp_f64_to_f32_bits(clasp_be64(a)) : 0);
    printf("f32 ");
    puthex(o, 4);
    putchar('\n');
  } else if (nw == 2 && !strcmp(w[0], "f32to64")) {
    uint8_t o[8];
    na = unhex(w[1], strlen(w[1]), &a);
    clasp_put_be64(o, na == 4 ? clasp_f32_bits_to_f64(clasp_be32(a)) : 0);
    printf("f64 ");
    puthex(o, 8);
    putchar('\n');
  } else {
    printf("err BAD_COMMAND\n");
  }
}

int main(void) {
  size_t cap = 1 << 16, n = 0;
  char* line = (char*)malloc(cap);
  int ch;
  if (!line) return 2;
  for (;;) {
    ch = getchar();
    if (ch == EOF && n == 0) break;
    if (ch == '\n' || ch == EOF) {
      while (n && line[n - 1] == '\r') n--;
      line[n] = 0;
      if (line[0] == '!') command(line + 1);
      else frame_line(line, n);
      arena_free();
      fflush(stdout);
      n = 0;
      if (ch == EOF) break;
      continue;
    }
    if (n + 2 > cap) {
      char* bigger = (char*)realloc(line, cap *= 2);
      if (!bigger) return 2;
      line = bigger;
    }
    line[n++] = (char)ch;
  }
  free(line);
  return 0;
}
