/*
 * The codec of the Arduino library (generated/arduino/Clasp/src/clasp.h) as the firmware
 * simulator builds it (g++, C++, the sim's flags and sanitizers), driven in batch: one process
 * reads one hex frame per line and answers one line each, so a whole property run costs one
 * process start.
 *
 *   <hex frame>  ->  ok <re-encoded hex> <TYPE> | err <ERROR_NAME> | unsupported <code hex>
 *
 * "ok" means: decoded, every list and array/map value rebuilt from native items through the
 * iterators (so the encoders walk them rather than copying spans), and encoded again with the
 * decoded frame header. A failed rebuild or re-encode prints "encerr <reason>".
 */
#define CLASP_IMPLEMENTATION
#include "clasp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <string>
#include <vector>

/* Everything allocated while rebuilding one frame; released after its answer. */
static std::vector<void*> arena;

template <typename T>
static T* alloc(size_t n) {
  void* p = calloc(n ? n : 1, sizeof(T));
  if (!p) {
    fprintf(stderr, "codec-batch: out of memory\n");
    exit(2);
  }
  arena.push_back(p);
  return (T*)p;
}

static void release() {
  for (void* p : arena) free(p);
  arena.clear();
}

static bool failed; /* a rebuild step went wrong: reported as encerr REBUILD */

static void rebuildValue(clasp_value_t* v) {
  if (v->type != CLASP_VALUE_ARRAY && v->type != CLASP_VALUE_MAP) return;
  uint8_t* buf = alloc<uint8_t>(v->len + 1u);
  clasp_writer_t w;
  clasp_iter_t it;
  clasp_value_t item;
  clasp_str_t key;
  uint16_t n = 0;
  clasp_writer_init(&w, buf, v->len);
  clasp_value_begin(v, &it);
  if (v->type == CLASP_VALUE_ARRAY) {
    while (clasp_array_next(&it, &item)) {
      rebuildValue(&item);
      clasp_put_value(&w, &item, 1);
      n++;
    }
  } else {
    while (clasp_map_next(&it, &key, &item)) {
      rebuildValue(&item);
      clasp_put_str(&w, key, CLASP_MAX_VALUE_KEY_BYTES);
      clasp_put_value(&w, &item, 1);
      n++;
    }
  }
  if (it.c.err || w.err || n != v->count) failed = true;
  *v = v->type == CLASP_VALUE_ARRAY ? clasp_value_array(n, buf, (uint16_t)w.len) : clasp_value_map(n, buf, (uint16_t)w.len);
}

static void rebuild(clasp_msg_t* m) {
  clasp_iter_t it;
  uint16_t i = 0;
  switch (m->type) {
    case CLASP_MSG_SET:
      rebuildValue(&m->as.set.value);
      break;
    case CLASP_MSG_PUBLISH: {
      clasp_publish_t& p = m->as.publish;
      if (p.has_value) rebuildValue(&p.value);
      if (p.has_samples) {
        clasp_f64_t* s = alloc<clasp_f64_t>(p.samples.count + 1u);
        for (i = 0; i < p.samples.count; i++) s[i] = clasp_publish_samples_at(&p.samples, i);
        p.samples.items = s;
      }
      break;
    }
    case CLASP_MSG_SNAPSHOT: {
      clasp_param_value_t* p = alloc<clasp_param_value_t>(m->as.snapshot.params.count + 1u);
      clasp_snapshot_begin(&m->as.snapshot, &it);
      while (clasp_snapshot_next(&it, &p[i])) rebuildValue(&p[i++].value);
      if (it.c.err || i != m->as.snapshot.params.count) failed = true;
      m->as.snapshot.params.items = p;
      break;
    }
    case CLASP_MSG_BUNDLE: {
      clasp_msg_t* inner = alloc<clasp_msg_t>(m->as.bundle.messages.count + 1u);
      clasp_bundle_begin(&m->as.bundle, &it);
      while (clasp_bundle_next(&it, &inner[i])) rebuild(&inner[i++]);
      if (it.c.err || i != m->as.bundle.messages.count) failed = true;
      m->as.bundle.messages.items = inner;
      break;
    }
    default:
      break;
  }
}

static const char* typeName(uint8_t t) {
  switch (t) {
    case CLASP_MSG_HELLO: return "HELLO";
    case CLASP_MSG_WELCOME: return "WELCOME";
    case CLASP_MSG_SUBSCRIBE: return "SUBSCRIBE";
    case CLASP_MSG_UNSUBSCRIBE: return "UNSUBSCRIBE";
    case CLASP_MSG_PUBLISH: return "PUBLISH";
    case CLASP_MSG_SET: return "SET";
    case CLASP_MSG_GET: return "GET";
    case CLASP_MSG_SNAPSHOT: return "SNAPSHOT";
    case CLASP_MSG_BUNDLE: return "BUNDLE";
    case CLASP_MSG_SYNC: return "SYNC";
    case CLASP_MSG_PING: return "PING";
    case CLASP_MSG_PONG: return "PONG";
    case CLASP_MSG_ACK: return "ACK";
    case CLASP_MSG_ERROR: return "ERROR";
    default: return "?";
  }
}

static int hexval(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static void answer(const std::string& line, std::string& out) {
  static uint8_t enc[CLASP_FRAME_OVERHEAD + CLASP_MAX_PAYLOAD + 64];
  static const char digits[] = "0123456789abcdef";
  if (line.size() % 2) {
    out += "err BAD_HEX\n";
    return;
  }
  std::vector<uint8_t> in(line.size() / 2 + 1);
  for (size_t i = 0; i < line.size(); i += 2) {
    int hi = hexval(line[i]), lo = hexval(line[i + 1]);
    if (hi < 0 || lo < 0) {
      out += "err BAD_HEX\n";
      return;
    }
    in[i / 2] = (uint8_t)(hi * 16 + lo);
  }
  clasp_frame_t f;
  clasp_err_t err = clasp_decode_frame(in.data(), line.size() / 2, &f);
  char buf[64];
  if (err == CLASP_ERR_UNSUPPORTED_MESSAGE) {
    snprintf(buf, sizeof buf, "unsupported %02x\n", f.msg.type);
    out += buf;
    return;
  }
  if (err) {
    out += std::string("err ") + clasp_err_name(err) + "\n";
    return;
  }
  failed = false;
  rebuild(&f.msg);
  size_t n = clasp_encode_frame(enc, sizeof enc, &f.hdr, &f.msg, &err);
  if (failed) {
    out += "encerr REBUILD\n";
  } else if (!n) {
    out += std::string("encerr ") + clasp_err_name(err) + "\n";
  } else {
    out += "ok ";
    for (size_t i = 0; i < n; i++) {
      out += digits[enc[i] >> 4];
      out += digits[enc[i] & 15];
    }
    out += std::string(" ") + typeName(f.msg.type) + "\n";
  }
}

int main() {
  std::string line, out;
  int c;
  for (;;) {
    c = getchar();
    if (c == EOF && line.empty()) break;
    if (c == '\n' || c == EOF) {
      while (!line.empty() && line.back() == '\r') line.pop_back();
      answer(line, out);
      release();
      fwrite(out.data(), 1, out.size(), stdout);
      out.clear();
      line.clear();
      if (c == EOF) break;
      continue;
    }
    line += (char)c;
  }
  return 0;
}
