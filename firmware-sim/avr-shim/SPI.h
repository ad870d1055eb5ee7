/* SPI.h stand-in (size measurement): the Ethernet stand-in needs no bus. */
#ifndef CLASP_AVR_SPI_H
#define CLASP_AVR_SPI_H
class SPIClass {
 public:
  void begin() {}
};
#endif
