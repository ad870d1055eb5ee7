/* Ethernet.h in the simulator: DHCP always answers; EthernetClient is a host TCP socket. */
#ifndef CLASP_SIM_ETHERNET_H
#define CLASP_SIM_ETHERNET_H

#include "SocketClient.h"

class EthernetClass {
 public:
  int begin(uint8_t* mac) {
    (void)mac;
    return 1;
  }
  void begin(uint8_t* mac, IPAddress ip) { (void)mac, (void)ip; }
  int maintain() { return 0; }
  IPAddress localIP() { return IPAddress(127, 0, 0, 1); }
};
extern EthernetClass Ethernet;

class EthernetClient : public SocketClient {};

#endif
