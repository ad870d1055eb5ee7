/**
 * Pure integer conversions of the C header: strict UTF-8 validation (Rust's `str::from_utf8`
 * rules, as runtime/codec/utf8.ts), binary64 <-> binary32 bit conversions so that AVR, whose
 * double is 32 bits, still reads and writes f64 exactly as bits, the SET TTL word, and C-string
 * views. No floating-point arithmetic is involved, so results are the same on every target.
 */
export function conversionsImplementation(): string {
  return `int clasp_utf8_valid(const uint8_t* s, size_t n) {
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
`
}
