/**
 * Byte-stream helpers of the C header [embedded §1, §7.7]: the TCP u32 length-prefix reader (a
 * state machine fed any number of bytes at a time, with a bytes-left counter for frames larger
 * than the caller's buffer) and writer, SLIP encode/decode for serial and BLE (END before and
 * after each frame; resynchronises on END), and the iterative address pattern matcher [wire §8].
 * Fixed C: the constants it uses (SLIP bytes, frame header) are emitted from the model.
 */

export function streamsImplementation(): string {
  return `/* ---- TCP length prefix ----------------------------------------------------------------- */

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
    size_t lit = pi < pn && p[pi] == '\\\\' && pi + 1 < pn ? pi + 1 : pi;
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
`
}
