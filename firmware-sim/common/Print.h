/*
 * Print, as in the Arduino cores: the subset the CLASP library and the example sketches use.
 * Shared by the host, AVR and ARM shims. No virtual destructor, as in the AVR core: a deleting
 * destructor would drag operator delete (and malloc) into firmware that never frees anything.
 */
#ifndef CLASP_SHIM_PRINT_H
#define CLASP_SHIM_PRINT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define DEC 10
#define HEX 16

class Print {
 public:
  virtual size_t write(uint8_t b) = 0;
  virtual size_t write(const uint8_t* buf, size_t n) {
    size_t k = 0;
    while (n--) k += write(*buf++);
    return k;
  }
  virtual void flush() {}
  size_t write(const char* s) { return s ? write((const uint8_t*)s, strlen(s)) : 0; }

  size_t print(const char* s) { return write(s); }
  size_t print(char c) { return write((uint8_t)c); }
  size_t print(unsigned long n, int base = DEC) { return printNumber(n, (uint8_t)base); }
  size_t print(long n, int base = DEC) {
    if (base == DEC && n < 0) return print('-') + printNumber(0UL - (unsigned long)n, DEC);
    return printNumber((unsigned long)n, (uint8_t)base);
  }
  size_t print(int n, int base = DEC) { return print((long)n, base); }
  size_t print(unsigned int n, int base = DEC) { return print((unsigned long)n, base); }
  size_t print(double d, int digits = 2) { return printFloat(d, (uint8_t)digits); }

  size_t println() { return write((const uint8_t*)"\r\n", 2); }
  template <typename T>
  size_t println(T v) { return print(v) + println(); }
  template <typename T>
  size_t println(T v, int arg) { return print(v, arg) + println(); }

 private:
  size_t printNumber(unsigned long n, uint8_t base) {
    char buf[8 * sizeof(long) + 1];
    char* s = &buf[sizeof buf - 1];
    *s = 0;
    if (base < 2) base = 10;
    do {
      char c = (char)(n % base);
      n /= base;
      *--s = c < 10 ? (char)(c + '0') : (char)(c + 'A' - 10);
    } while (n);
    return write(s);
  }
  size_t printFloat(double d, uint8_t digits) {
    size_t n = 0;
    if (d != d) return print("nan");
    if (d < 0) {
      n += print('-');
      d = -d;
    }
    if (d > 4294967040.0) return n + print("ovf");
    double rounding = 0.5;
    for (uint8_t i = 0; i < digits; i++) rounding /= 10.0;
    d += rounding;
    unsigned long whole = (unsigned long)d;
    double rest = d - (double)whole;
    n += print(whole);
    if (digits > 0) n += print('.');
    while (digits-- > 0) {
      rest *= 10.0;
      unsigned int digit = (unsigned int)rest;
      n += print(digit);
      rest -= digit;
    }
    return n;
  }
};

#endif
