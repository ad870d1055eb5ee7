/*
 * TcpSensor: an ESP32 (or any board with WiFi.h and a WiFiClient) that streams a sensor reading
 * to a CLASP router over TCP and keeps the latest reading as a param.
 *
 * Router: clasp server (its length-prefixed TCP listener is on port @TCP_PORT@ by default).
 *
 *   /sensors/esp32-1/temperature         param: the latest reading in deg C, once a second
 *   /sensors/esp32-1/temperature/stream  stream: every reading
 *   /sensors/esp32-1/interval            set it: milliseconds between readings (20..10000)
 *
 * The client reconnects by itself (after CLASP_RECONNECT_MS) when the router or the network goes
 * away, and subscribes again; the loop below only keeps WiFi up.
 * Budget: what CLASP adds to a WiFi sketch, measured for a Cortex-M4 by test/firmware/size.test.ts
 * (figures in docs/microcontrollers.md); the WiFi stack itself is the board core's.
 */
#include <WiFi.h>
#define CLASP_MAX_SUBSCRIPTIONS 1
#include <ClaspClient.h>

const char* WIFI_SSID = "your-network";
const char* WIFI_PASSWORD = "your-password";
const char* ROUTER_HOST = "192.168.1.10";
const uint16_t ROUTER_PORT = @TCP_PORT@;
const int SENSOR_PIN = A0; /* e.g. a TMP36 on an analog input (12-bit ADC, 3.3 V) */

WiFiClient net;
ClaspClient clasp(net);
uint32_t intervalMs = 100, lastReading = 0, lastParam = 0, lastWifiTry = 0;

float readTemperature() {
  float mv = analogRead(SENSOR_PIN) * 3300.0f / 4095.0f;
  return (mv - 500.0f) / 10.0f; /* TMP36: 500 mV at 0 deg C, 10 mV per degree */
}

void onInterval(const char* address, const clasp_value_t& v) {
  (void)address;
  if (!clasp_value_is_int(&v) && !clasp_value_is_float(&v)) return;
  float ms = clasp_value_as_float(&v);
  intervalMs = ms < 20.0f ? 20 : ms > 10000.0f ? 10000 : (uint32_t)ms;
}

void setup() {
  Serial.begin(115200);
  WiFi.begin(WIFI_SSID, WIFI_PASSWORD);
  Serial.print("WiFi");
  while (WiFi.status() != WL_CONNECTED) {
    delay(250);
    Serial.print('.');
  }
  Serial.println(" up");
  clasp.subscribe("/sensors/esp32-1/interval", onInterval);
  if (!clasp.connect(ROUTER_HOST, ROUTER_PORT, "esp32-sensor")) Serial.println("router not reachable yet; retrying in loop()");
}

void loop() {
  clasp.loop();
  uint32_t now = millis();
  if (WiFi.status() != WL_CONNECTED && now - lastWifiTry > 5000) {
    lastWifiTry = now;
    WiFi.reconnect();
  }
  if (now - lastReading >= intervalMs) {
    lastReading = now;
    float t = readTemperature();
    clasp.stream("/sensors/esp32-1/temperature/stream", t);
    if (now - lastParam >= 1000) {
      lastParam = now;
      clasp.set("/sensors/esp32-1/temperature", t);
    }
  }
}
