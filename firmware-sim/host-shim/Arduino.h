/*
 * Arduino.h for the firmware simulator: the CLASP example sketches compiled for the host with
 * g++. Time is the host's monotonic clock; Serial is a pty (a socat pair wired to the router's
 * serial transport) or stdio; WiFiClient/EthernetClient are TCP sockets; pins, the ADC and an LED
 * strip are models that report on stderr ("SIM ..." lines) and in an optional status file.
 * See host.cpp and firmware-sim/harness.ts.
 */
#ifndef Arduino_h
#define Arduino_h

/* What sketches and HardwareSerial.h test for the simulator; set before ArduinoApi.h reads it. */
#ifndef CLASP_SIM
#define CLASP_SIM 1
#endif

#include "ArduinoApi.h"
#include "UnoPins.h"

extern "C" {
unsigned long micros(void);
void analogWrite(uint8_t pin, int value);
}

#endif
