/*
 * SerialLedStrip: an RGB LED strip that a CLASP router drives over a serial link.
 *
 * The board speaks SLIP-framed CLASP on its USB serial port at @SERIAL_BAUD@ baud; a computer
 * runs the router as the gateway:   clasp server --serial /dev/ttyACM0:@SERIAL_BAUD@
 * Wiring (Uno/Nano): WS2812 data on pin 6 through ~330 ohm, 5 V and GND (see LedStrip.h).
 *
 *   /lights/strip1/brightness  set it: a number 0..1
 *   /lights/strip1/color       set it: 0xRRGGBB as a number, "#rrggbb", or [r, g, b] (0..255)
 *   /lights/strip1/state       the strip publishes {brightness, color} after every change
 *
 * Late joiner: the router answers the subscription with a SNAPSHOT of the current brightness
 * and color, so a strip that (re)starts shows the current look at once.
 * Budget on an ATmega328P (Uno): at most 16 KB flash and 1 KB static RAM, checked on every test
 * run by test/firmware/size.test.ts (measured figures: docs/microcontrollers.md). Most of the
 * RAM is the receive buffer below, sized for the snapshot of brightness + color (~210 bytes).
 */
#define CLASP_MAX_FRAME_SIZE 256     /* receive buffer; larger frames are skipped */
#define CLASP_MAX_TX_FRAME_SIZE 80   /* send buffer: HELLO, SUBSCRIBE, the state (~60 bytes) */
#define CLASP_MAX_SUBSCRIPTIONS 1
/* A serial link has no "connection closed": a PING every 2 s notices a restarted gateway
 * within about 3 s, and costs 5 bytes each way. */
#ifndef CLASP_KEEPALIVE_MS
#define CLASP_KEEPALIVE_MS 2000UL
#endif
#ifndef CLASP_LINK_TIMEOUT_MS
#define CLASP_LINK_TIMEOUT_MS 1000UL
#endif
#ifndef CLASP_RECONNECT_MS
#define CLASP_RECONNECT_MS 500UL
#endif
#include <ClaspClient.h>
#include "LedStrip.h"

#define NUM_LEDS 8

static LedStrip<NUM_LEDS> strip;
static ClaspClient clasp(Serial);
static float level = 1.0f;                    /* brightness as set, reported back as is */
static uint8_t color[3] = {255, 255, 255};
static bool changed = true;

static uint8_t toByte(float f) { return f <= 0.0f ? 0 : f >= 255.0f ? 255 : (uint8_t)(f + 0.5f); }
static bool isNumber(const clasp_value_t& v) { return clasp_value_is_int(&v) || clasp_value_is_float(&v); }
static int hexDigit(uint8_t c) {
  if (c >= '0' && c <= '9') return c - '0';
  c |= 0x20;
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* 0xRRGGBB, "#rrggbb"/"rrggbb", or [r, g, b]; anything else is ignored. */
static bool parseColor(const clasp_value_t& v) {
  uint8_t rgb[3];
  if (isNumber(v)) {
    long c = (long)clasp_value_as_float(&v); /* exact: 0xFFFFFF < 2^24 */
    rgb[0] = (uint8_t)(c >> 16);
    rgb[1] = (uint8_t)(c >> 8);
    rgb[2] = (uint8_t)c;
  } else if (v.type == CLASP_VALUE_STRING && (v.len == 6 || (v.len == 7 && v.ptr[0] == '#'))) {
    const uint8_t* p = v.ptr + v.len - 6;
    for (uint8_t i = 0; i < 3; i++) {
      int hi = hexDigit(p[2 * i]), lo = hexDigit(p[2 * i + 1]);
      if (hi < 0 || lo < 0) return false;
      rgb[i] = (uint8_t)(hi * 16 + lo);
    }
  } else if (v.type == CLASP_VALUE_ARRAY && v.count == 3) {
    clasp_iter_t it;
    clasp_value_t item;
    uint8_t i = 0;
    clasp_value_begin(&v, &it);
    while (clasp_array_next(&it, &item)) {
      if (!isNumber(item)) return false;
      rgb[i++] = toByte(clasp_value_as_float(&item));
    }
    if (i != 3) return false;
  } else {
    return false;
  }
  memcpy(color, rgb, 3);
  return true;
}

static void onLight(const char* address, const clasp_value_t& v) {
  const char* leaf = strrchr(address, '/') + 1;
  if (strcmp(leaf, "brightness") == 0 && isNumber(v)) {
    float b = clasp_value_as_float(&v);
    level = b < 0.0f ? 0.0f : b > 1.0f ? 1.0f : b;
    changed = true;
  } else if (strcmp(leaf, "color") == 0 && parseColor(v)) {
    changed = true;
  }
}

static void publishState() {
  ClaspMap<32> state;
  state.add("brightness", level);
  state.add("color", (long)color[0] << 16 | (long)color[1] << 8 | color[2]);
  clasp.emit("/lights/strip1/state", state.value());
}

static void onConnect() { changed = true; /* report what the strip shows to the new session */ }

void setup() {
  Serial.begin(@SERIAL_BAUD@);
  strip.begin();
  clasp.subscribe("/lights/strip1/**", onLight);
  clasp.onConnect(onConnect);
  clasp.begin("led-strip1");
}

void loop() {
  clasp.loop();
  if (changed) {
    changed = false;
    strip.setBrightness(toByte(level * 255.0f));
    strip.fill(color[0], color[1], color[2]);
    strip.show();
    if (clasp.connected()) publishState();
  }
}
