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

#include "ArduinoApi.h"
#include "UnoPins.h"

#ifdef __cplusplus
extern "C"
#endif
void analogWrite(uint8_t pin, int value);

#endif
