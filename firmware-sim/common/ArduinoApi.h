/*
 * The board-independent half of Arduino.h, shared by the host, AVR and ARM shims: the types, pin
 * modes and functions that every shim's core (host.cpp, avr.cpp, arm.cpp) defines, with C linkage
 * as the Arduino cores declare them, and Serial. Each shim's Arduino.h includes this and adds its
 * board's pins and whatever only its core has.
 */
#ifndef CLASP_SHIM_ARDUINO_API_H
#define CLASP_SHIM_ARDUINO_API_H

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
#define INPUT_PULLUP 2

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

/* The sketch's. */
void setup(void);
void loop(void);

#include "HardwareSerial.h"
#endif

#endif
