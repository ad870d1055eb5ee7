/*
 * Arduino.h for a Cortex-M4 (size measurement only): the Arduino API the TcpSensor sketch uses,
 * on made-up but plausible registers (an STM32F4-style USART and ADC), so that
 * test/firmware/size.test.ts can link the sketch with arm-none-eabi-gcc and newlib-nano and
 * measure what CLASP and the sketch add to a WiFi board's firmware.
 */
#ifndef Arduino_h
#define Arduino_h

#include "ArduinoApi.h"

/* Pin numbers as on an ESP32 board, what TcpSensor is written for. */
#define LED_BUILTIN 2
#define A0 36

#endif
