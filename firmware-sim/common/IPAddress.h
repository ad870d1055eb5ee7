/* IPAddress, as in the Arduino cores (IPv4 only). */
#ifndef CLASP_SHIM_IPADDRESS_H
#define CLASP_SHIM_IPADDRESS_H

#include <stdint.h>

class IPAddress {
 public:
  IPAddress() { a_[0] = a_[1] = a_[2] = a_[3] = 0; }
  IPAddress(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
    a_[0] = a;
    a_[1] = b;
    a_[2] = c;
    a_[3] = d;
  }
  uint8_t operator[](int i) const { return a_[i & 3]; }
  uint8_t& operator[](int i) { return a_[i & 3]; }
  /* "a.b.c.d" -> true and the address; anything else -> false. */
  bool fromString(const char* s) {
    uint8_t out[4];
    for (int i = 0; i < 4; i++) {
      unsigned v = 0, digits = 0;
      while (*s >= '0' && *s <= '9' && digits < 4) v = v * 10 + (unsigned)(*s++ - '0'), digits++;
      if (!digits || v > 255 || (i < 3 ? *s++ != '.' : *s != 0)) return false;
      out[i] = (uint8_t)v;
    }
    for (int i = 0; i < 4; i++) a_[i] = out[i];
    return true;
  }

 private:
  uint8_t a_[4];
};

#endif
