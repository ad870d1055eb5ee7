/*
 * HardwareSerial, the class of Serial: the Stream interface the Arduino cores give it, declared
 * once for the three shims. What a core keeps behind it differs by board, so those members sit
 * in one section per shim below; host.cpp, avr.cpp and arm.cpp define them.
 */
#ifndef CLASP_SHIM_HARDWARE_SERIAL_H
#define CLASP_SHIM_HARDWARE_SERIAL_H

#include "Stream.h"

class HardwareSerial : public Stream {
 public:
  void begin(unsigned long baud);
  int available() override;
  int read() override;
  int peek() override;
  size_t write(uint8_t b) override;
  using Print::write;

#if defined(CLASP_SIM)
  /* The simulator: a pty path (reopened when it vanishes and comes back, like a USB serial
   * adapter replugged) or, without one, stdin/stdout. */
  size_t write(const uint8_t* p, size_t n) override;
  operator bool() { return in_ >= 0; }
  void usePath(const char* path) { path_ = path; }
  int inputFd() const { return in_; }
  void service(); /* reopen a lost pty when its path is back */

 private:
  void fill();
  void lost(const char* why);
  const char* path_ = 0;
  int in_ = -1, out_ = -1;
  bool begun_ = false;
  unsigned long retryAt_ = 0;
  uint8_t ring_[4096];
  size_t head_ = 0, tail_ = 0;

#elif defined(__AVR__)
  /* The ATmega328P: USART0, interrupt driven, with the AVR core's 64-byte rings. */
#define SERIAL_RING 64
  void flush() override;
  operator bool() { return true; }
  void onReceive(); /* called from the USART interrupts */
  void onTransmitReady();

 private:
  volatile uint8_t rxHead_, rxTail_, txHead_, txTail_;
  uint8_t rx_[SERIAL_RING], tx_[SERIAL_RING];

#else
  /* The Cortex-M4 size build: a polled USART, nothing kept. */
  operator bool() { return true; }
#endif
};

extern HardwareSerial Serial;

#endif
