/* generated from schema ad75c56f578385c6 by codegen 1.0.0 — do not edit */
/*
 * LedStrip.h: N RGB pixels with a global brightness, shown on WS2812 ("NeoPixel") LEDs.
 *
 * On a 16 MHz AVR (Uno, Nano) show() bit-bangs the 800 kHz WS2812 protocol on Arduino pin 6
 * (PD6) with interrupts off for about 30 us per pixel. In the firmware simulator (CLASP_SIM)
 * it reports the pixels to the simulated board instead. Elsewhere, replace show() with your LED
 * library (e.g. Adafruit_NeoPixel or FastLED); the rest of the sketch does not change.
 */
#ifndef LED_STRIP_H
#define LED_STRIP_H

#if defined(CLASP_SIM)
#include <ClaspSim.h>
#elif defined(__AVR__)
#if F_CPU != 16000000L
#error "LedStrip.h: the WS2812 timing below is for a 16 MHz AVR"
#endif
/* One byte, most significant bit first, 20 cycles = 1.25 us per bit: the line goes high, a 0 bit
 * falls after 5 cycles (0.31 us), a 1 bit after 12 (0.75 us); within the WS2812B tolerances. */
static inline void ws2812Byte(uint8_t byte, uint8_t hi, uint8_t lo) {
  uint8_t bits = 8, next;
  asm volatile(
      "1:\n\t"
      "out %[port], %[hi]\n\t"
      "mov %[next], %[lo]\n\t"
      "sbrc %[byte], 7\n\t"
      "mov %[next], %[hi]\n\t"
      "nop\n\t"
      "out %[port], %[next]\n\t"
      "lsl %[byte]\n\t"
      "nop\n\tnop\n\tnop\n\tnop\n\tnop\n\t"
      "out %[port], %[lo]\n\t"
      "nop\n\tnop\n\tnop\n\tnop\n\t"
      "dec %[bits]\n\t"
      "brne 1b\n\t"
      : [byte] "+r"(byte), [bits] "+r"(bits), [next] "=&r"(next)
      : [port] "I"(_SFR_IO_ADDR(PORTD)), [hi] "r"(hi), [lo] "r"(lo));
}
#else
#warning "LedStrip.h drives WS2812 LEDs on 16 MHz AVR only: replace LedStrip::show() for this board"
#endif

template <uint16_t N>
class LedStrip {
 public:
  void begin() {
#if defined(__AVR__) && !defined(CLASP_SIM)
    DDRD |= _BV(6);
    PORTD &= (uint8_t)~_BV(6);
#endif
    show();
  }
  void setBrightness(uint8_t b) { brightness_ = b; }
  uint8_t brightness() const { return brightness_; }
  void fill(uint8_t r, uint8_t g, uint8_t b) {
    for (uint16_t i = 0; i < N; i++) {
      rgb_[i][0] = r;
      rgb_[i][1] = g;
      rgb_[i][2] = b;
    }
  }
  void show() {
#if defined(CLASP_SIM)
    claspSimLedShow(&rgb_[0][0], N, brightness_);
#elif defined(__AVR__)
    /* WS2812 wants green, red, blue; each byte is scaled on the fly (the gap between bytes is
     * well inside the LEDs' tolerance), so no second pixel buffer is needed. */
    uint16_t scale = (uint16_t)brightness_ + 1;
    uint8_t sreg = SREG;
    cli();
    uint8_t hi = PORTD | _BV(6), lo = PORTD & (uint8_t)~_BV(6);
    for (uint16_t i = 0; i < N; i++) {
      ws2812Byte((uint8_t)((rgb_[i][1] * scale) >> 8), hi, lo);
      ws2812Byte((uint8_t)((rgb_[i][0] * scale) >> 8), hi, lo);
      ws2812Byte((uint8_t)((rgb_[i][2] * scale) >> 8), hi, lo);
    }
    SREG = sreg;
    delayMicroseconds(300); /* latch: the line stays low */
#endif
  }

 private:
  uint8_t brightness_ = 255;
  uint8_t rgb_[N][3] = {};
};

#endif
