/*
 * Arduino.h for a Cortex-M4 (size measurement only): the Arduino API the TcpSensor sketch uses,
 * on made-up but plausible registers (an STM32F4-style USART and ADC), so that
 * test/firmware/size.test.ts can link the sketch with arm-none-eabi-gcc and newlib-nano and
 * measure what CLASP and the sketch add to a WiFi board's firmware.
 */
#ifndef Arduino_h
#define Arduino_h

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef uint8_t byte;
typedef bool boolean;

#define HIGH 1
#define LOW 0
#define INPUT 0
#define OUTPUT 1
#define LED_BUILTIN 2
#define A0 36

#ifdef __cplusplus
extern "C" {
#endif
unsigned long millis(void);
void delay(unsigned long ms);
void delayMicroseconds(unsigned int us);
void pinMode(uint8_t pin, uint8_t mode);
void digitalWrite(uint8_t pin, uint8_t value);
int digitalRead(uint8_t pin);
int analogRead(uint8_t pin);
void yield(void);
#ifdef __cplusplus
}

void setup(void);
void loop(void);

#include "Stream.h"

class HardwareSerial : public Stream {
 public:
  void begin(unsigned long baud);
  int available() override;
  int read() override;
  int peek() override;
  size_t write(uint8_t b) override;
  using Print::write;
  operator bool() { return true; }
};

extern HardwareSerial Serial;
#endif

#endif
