/*
 * Arduino.h for the firmware simulator: the CLASP example sketches compiled for the host with
 * g++. Time is the host's monotonic clock; Serial is a pty (a socat pair wired to the router's
 * serial transport) or stdio; WiFiClient/EthernetClient are TCP sockets; pins, the ADC and an LED
 * strip are models that report on stderr ("SIM ..." lines) and in an optional status file.
 * See host.cpp and firmware-sim/harness.ts.
 */
#ifndef Arduino_h
#define Arduino_h

#ifndef CLASP_SIM
#define CLASP_SIM 1
#endif

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
#define LED_BUILTIN 13
#define A0 14
#define A1 15
#define A2 16
#define A3 17
#define A4 18
#define A5 19

unsigned long millis(void);
unsigned long micros(void);
void delay(unsigned long ms);
void delayMicroseconds(unsigned int us);
void pinMode(uint8_t pin, uint8_t mode);
void digitalWrite(uint8_t pin, uint8_t value);
int digitalRead(uint8_t pin);
int analogRead(uint8_t pin);
void analogWrite(uint8_t pin, int value);
void yield(void);

void setup(void);
void loop(void);

#include "HardwareSerial.h"

#endif
