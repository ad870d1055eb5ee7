/*
 * Arduino.h for the ATmega328P (Uno, 16 MHz): just enough of the Arduino AVR core for the CLASP
 * sketches to build and link with avr-gcc, so that test/firmware/size.test.ts measures a real
 * firmware image. The parts that cost memory are modelled on the real core: Serial keeps 64-byte
 * receive and transmit rings filled by interrupts, millis() runs off the Timer0 overflow.
 */
#ifndef Arduino_h
#define Arduino_h

#include <avr/interrupt.h>
#include <avr/io.h>
#include <avr/pgmspace.h>
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
void analogWrite(uint8_t pin, int value);
void yield(void);
#ifdef __cplusplus
}

void setup(void);
void loop(void);

#include "HardwareSerial.h"
#endif

#endif
