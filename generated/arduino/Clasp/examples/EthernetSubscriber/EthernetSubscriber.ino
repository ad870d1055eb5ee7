/* generated from schema ad75c56f578385c6 by codegen 1.0.0 — do not edit */
/*
 * EthernetSubscriber: an Arduino with an Ethernet shield (W5100/W5500, Ethernet library) that
 * follows everything under /control/ on a CLASP router over TCP: it prints each update on the
 * serial monitor and drives an LED from /control/led.
 *
 * Router: clasp server (TCP listener on port 7332); set ROUTER_IP below.
 * Try it:  clasp set /control/led true     clasp set /control/speed 0.75
 *
 * Budget (Uno): CLASP's share is measured for the ATmega328P by test/firmware/size.test.ts
 * (figures in docs/microcontrollers.md); the Ethernet library adds its own (~10 KB flash).
 */
#include <SPI.h>
#include <Ethernet.h>
#define CLASP_MAX_FRAME_SIZE 192
#define CLASP_MAX_TX_FRAME_SIZE 64
#define CLASP_MAX_SUBSCRIPTIONS 1
#include <ClaspClient.h>

byte mac[] = {0xDE, 0xAD, 0xBE, 0xEF, 0xFE, 0x01};
IPAddress fallbackIp(192, 168, 1, 177); /* used when DHCP does not answer */
IPAddress ROUTER_IP(192, 168, 1, 10);
const int LED_PIN = 7; /* not 13: the Ethernet shield uses pin 13 for SPI */

EthernetClient net;
ClaspClient clasp(net);

void printValue(const clasp_value_t& v) {
  if (v.type == CLASP_VALUE_BOOL) Serial.print(v.as.b ? "true" : "false");
  else if (clasp_value_is_int(&v)) Serial.print((long)clasp_value_as_int32_sat(&v));
  else if (clasp_value_is_float(&v)) Serial.print(clasp_value_as_float(&v), 3);
  else if (v.type == CLASP_VALUE_STRING) Serial.write(v.ptr, v.len);
  else if (v.type == CLASP_VALUE_NULL) Serial.print("null");
  else Serial.print("(array, map or bytes)");
}

bool truthy(const clasp_value_t& v) {
  if (v.type == CLASP_VALUE_BOOL) return v.as.b;
  if (clasp_value_is_int(&v) || clasp_value_is_float(&v)) return clasp_value_as_float(&v) != 0.0f;
  if (v.type == CLASP_VALUE_STRING) return v.len == 2 && v.ptr[0] == 'o' && v.ptr[1] == 'n';
  return false;
}

void onControl(const char* address, const clasp_value_t& v) {
  Serial.print(address);
  Serial.print(" = ");
  printValue(v);
  Serial.println();
  if (strcmp(address, "/control/led") == 0) digitalWrite(LED_PIN, truthy(v) ? HIGH : LOW);
}

void setup() {
  Serial.begin(115200);
  pinMode(LED_PIN, OUTPUT);
  if (Ethernet.begin(mac) == 0) Ethernet.begin(mac, fallbackIp);
  clasp.subscribe("/control/**", onControl);
  if (!clasp.connect(ROUTER_IP, 7332, "ethernet-subscriber")) Serial.println("router not reachable yet; retrying");
}

void loop() {
  clasp.loop();
  Ethernet.maintain();
}
