/*
 * WiFi.h stand-in for size measurement: the ESP32 API shape (WiFi.begin/status/reconnect, a
 * WiFiClient that is an Arduino Client) over a made-up network driver. The real WiFi stack is
 * the board core's and is not part of what test/firmware/size.test.ts measures.
 */
#ifndef CLASP_ARM_WIFI_H
#define CLASP_ARM_WIFI_H

#include <Arduino.h>
#include <Client.h>

typedef enum { WL_IDLE_STATUS = 0, WL_CONNECTED = 3, WL_DISCONNECTED = 6 } wl_status_t;

/* The network driver a real core would provide (sockets on an ESP-AT modem, lwIP, ...). */
extern "C" {
int net_open(const uint8_t ip[4], const char* host, uint16_t port);
int net_send(int s, const uint8_t* p, size_t n);
int net_recv(int s, uint8_t* p, size_t n);
int net_pending(int s);
void net_close(int s);
int wifi_join(const char* ssid, const char* pass);
int wifi_up(void);
}

class WiFiClass {
 public:
  int begin(const char* ssid, const char* pass) { return wifi_join(ssid, pass); }
  wl_status_t status() { return wifi_up() ? WL_CONNECTED : WL_DISCONNECTED; }
  bool reconnect() { return wifi_join(0, 0) != 0; }
};
extern WiFiClass WiFi;

class WiFiClient : public Client {
 public:
  int connect(IPAddress ip, uint16_t port) override {
    uint8_t a[4] = {ip[0], ip[1], ip[2], ip[3]};
    s_ = net_open(a, 0, port);
    return s_ >= 0;
  }
  int connect(const char* host, uint16_t port) override {
    s_ = net_open(0, host, port);
    return s_ >= 0;
  }
  size_t write(uint8_t b) override { return write(&b, 1); }
  size_t write(const uint8_t* p, size_t n) override { return s_ < 0 ? 0 : (size_t)net_send(s_, p, n); }
  int available() override { return s_ < 0 ? 0 : net_pending(s_); }
  int read() override {
    uint8_t b;
    return read(&b, 1) == 1 ? b : -1;
  }
  int read(uint8_t* p, size_t n) override { return s_ < 0 ? -1 : net_recv(s_, p, n); }
  int peek() override { return -1; }
  void flush() override {}
  void stop() override {
    if (s_ >= 0) net_close(s_);
    s_ = -1;
  }
  uint8_t connected() override { return s_ >= 0; }
  operator bool() override { return s_ >= 0; }
  using Print::write;

 private:
  int s_ = -1;
};

#endif
