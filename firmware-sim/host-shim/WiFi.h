/* WiFi.h in the simulator: the network is always up; WiFiClient is a host TCP socket. */
#ifndef CLASP_SIM_WIFI_H
#define CLASP_SIM_WIFI_H

#include "SocketClient.h"

typedef enum { WL_IDLE_STATUS = 0, WL_CONNECTED = 3, WL_DISCONNECTED = 6 } wl_status_t;

class WiFiClass {
 public:
  int begin(const char* ssid, const char* pass) {
    (void)ssid, (void)pass;
    return WL_CONNECTED;
  }
  wl_status_t status() { return WL_CONNECTED; }
  bool reconnect() { return true; }
  IPAddress localIP() { return IPAddress(127, 0, 0, 1); }
  long RSSI() { return -50; }
};
extern WiFiClass WiFi;

class WiFiClient : public SocketClient {};

#endif
