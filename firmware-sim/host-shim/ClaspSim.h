/* Hooks from sketches (and their hardware helpers) into the simulated board. */
#ifndef CLASP_SIM_H
#define CLASP_SIM_H

#include <stdint.h>

/* An LED strip latched: `n` pixels of r, g, b (before brightness) and the global brightness. */
void claspSimLedShow(const uint8_t* rgb, uint16_t n, uint8_t brightness);
/* Watch a descriptor for input between loop() calls (sockets, the serial pty). */
void claspSimWatch(int fd);
void claspSimUnwatch(int fd);
/* Where TCP connections really go ("host:port" from --tcp), or 0 to use the sketch's own. */
const char* claspSimTcpTarget(void);
/* One "SIM ..." line on stderr. */
void claspSimReport(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
