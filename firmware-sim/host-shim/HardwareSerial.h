/* Serial for the simulator: a pty path (reopened when it vanishes and comes back, like a USB
 * serial adapter replugged) or, without one, stdin/stdout. */
#ifndef CLASP_SIM_HARDWARE_SERIAL_H
#define CLASP_SIM_HARDWARE_SERIAL_H

#include "Stream.h"

class HardwareSerial : public Stream {
 public:
  void begin(unsigned long baud);
  int available() override;
  int read() override;
  int peek() override;
  size_t write(uint8_t b) override;
  size_t write(const uint8_t* p, size_t n) override;
  using Print::write;
  operator bool() { return in_ >= 0; }

  /* Simulator side. */
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
};

extern HardwareSerial Serial;

#endif
