/* An Arduino Client on a non-blocking TCP socket (WiFiClient and EthernetClient in the sim). */
#ifndef CLASP_SIM_SOCKET_CLIENT_H
#define CLASP_SIM_SOCKET_CLIENT_H

#include <Arduino.h>
#include <Client.h>

class SocketClient : public Client {
 public:
  int connect(IPAddress ip, uint16_t port) override;
  int connect(const char* host, uint16_t port) override;
  size_t write(uint8_t b) override { return write(&b, 1); }
  size_t write(const uint8_t* p, size_t n) override;
  int available() override;
  int read() override;
  int read(uint8_t* p, size_t n) override;
  int peek() override;
  void flush() override {}
  void stop() override;
  uint8_t connected() override;
  operator bool() override { return fd_ >= 0; }
  using Print::write;

 private:
  int fd_ = -1;
};

#endif
