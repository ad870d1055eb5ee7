/*
 * Ethernet.h stand-in for size measurement: the Arduino Ethernet library's API shape over a
 * made-up W5100 driver. The real library (~10 KB of flash on an Uno) is not what
 * test/firmware/size.test.ts measures: it measures what CLASP and the sketch add.
 */
#ifndef CLASP_AVR_ETHERNET_H
#define CLASP_AVR_ETHERNET_H

#include <Arduino.h>
#include <Client.h>

extern "C" {
int w5100_open(const uint8_t ip[4], const char* host, uint16_t port);
int w5100_send(int s, const uint8_t* p, size_t n);
int w5100_recv(int s, uint8_t* p, size_t n);
int w5100_pending(int s);
void w5100_close(int s);
int w5100_dhcp(const uint8_t* mac);
}

class EthernetClass {
 public:
  int begin(uint8_t* mac) { return w5100_dhcp(mac); }
  void begin(uint8_t* mac, IPAddress ip) { (void)ip, (void)w5100_dhcp(mac); }
  int maintain() { return 0; }
};
extern EthernetClass Ethernet;

class EthernetClient : public Client {
 public:
  int connect(IPAddress ip, uint16_t port) override {
    uint8_t a[4] = {ip[0], ip[1], ip[2], ip[3]};
    s_ = (int8_t)w5100_open(a, 0, port);
    return s_ >= 0;
  }
  int connect(const char* host, uint16_t port) override {
    s_ = (int8_t)w5100_open(0, host, port);
    return s_ >= 0;
  }
  size_t write(uint8_t b) override { return write(&b, 1); }
  size_t write(const uint8_t* p, size_t n) override { return s_ < 0 ? 0 : (size_t)w5100_send(s_, p, n); }
  int available() override { return s_ < 0 ? 0 : w5100_pending(s_); }
  int read() override {
    uint8_t b;
    return read(&b, 1) == 1 ? b : -1;
  }
  int read(uint8_t* p, size_t n) override { return s_ < 0 ? -1 : w5100_recv(s_, p, n); }
  int peek() override { return -1; }
  void flush() override {}
  void stop() override {
    if (s_ >= 0) w5100_close(s_);
    s_ = -1;
  }
  uint8_t connected() override { return s_ >= 0; }
  operator bool() override { return s_ >= 0; }
  using Print::write;

 private:
  int8_t s_ = -1;
};

#endif
