/*
 * The Arduino Uno's pin numbers, for the AVR shim (an Uno) and the host simulator, which models
 * an Uno's pins (host.cpp's analogRead answers on A0).
 */
#ifndef CLASP_SHIM_UNO_PINS_H
#define CLASP_SHIM_UNO_PINS_H

#define LED_BUILTIN 13
#define A0 14
#define A1 15
#define A2 16
#define A3 17
#define A4 18
#define A5 19

#endif
