/* SPI.h in the simulator: nothing to drive. */
#ifndef CLASP_SIM_SPI_H
#define CLASP_SIM_SPI_H
class SPIClass {
 public:
  void begin() {}
};
extern SPIClass SPI;
#endif
