/* Serial on USART0, interrupt driven, with the AVR core's 64-byte rings. */
#ifndef CLASP_AVR_HARDWARE_SERIAL_H
#define CLASP_AVR_HARDWARE_SERIAL_H

#include "Stream.h"

#define SERIAL_RING 64

class HardwareSerial : public Stream {
 public:
  void begin(unsigned long baud);
  int available() override;
  int read() override;
  int peek() override;
  size_t write(uint8_t b) override;
  void flush() override;
  using Print::write;
  operator bool() { return true; }

  /* Called from the USART interrupts. */
  void onReceive();
  void onTransmitReady();

 private:
  volatile uint8_t rxHead_, rxTail_, txHead_, txTail_;
  uint8_t rx_[SERIAL_RING], tx_[SERIAL_RING];
};

extern HardwareSerial Serial;

#endif
