/*
 * The ARM shim's core: SysTick millis(), a polled USART for Serial, an ADC read, and a made-up
 * network driver so the sketch links. Only sizes matter: nothing here runs.
 */
#include <Arduino.h>
#include <WiFi.h>

#define REG(addr) (*(volatile uint32_t*)(addr))
#define USART_SR REG(0x40011000UL)
#define USART_DR REG(0x40011004UL)
#define ADC_DR REG(0x4001204CUL)
#define GPIO_ODR REG(0x40020014UL)

static volatile unsigned long ticks_;
extern "C" void SysTick_Handler(void) { ticks_++; }

unsigned long millis(void) { return ticks_; }
void delay(unsigned long ms) {
  unsigned long start = millis();
  while (millis() - start < ms) yield();
}
void delayMicroseconds(unsigned int us) {
  for (volatile unsigned int i = 0; i < us * 42u; i++) {
  }
}
void yield(void) {}
void pinMode(uint8_t pin, uint8_t mode) { (void)pin, (void)mode; }
void digitalWrite(uint8_t pin, uint8_t value) {
  if (value) GPIO_ODR |= 1UL << (pin & 15);
  else GPIO_ODR &= ~(1UL << (pin & 15));
}
int digitalRead(uint8_t pin) { return (GPIO_ODR >> (pin & 15)) & 1; }
int analogRead(uint8_t pin) {
  (void)pin;
  return (int)(ADC_DR & 0xFFF);
}

HardwareSerial Serial;
void HardwareSerial::begin(unsigned long baud) { (void)baud; }
int HardwareSerial::available() { return (USART_SR & 0x20) ? 1 : 0; }
int HardwareSerial::read() { return (USART_SR & 0x20) ? (int)(USART_DR & 0xFF) : -1; }
int HardwareSerial::peek() { return -1; }
size_t HardwareSerial::write(uint8_t b) {
  while (!(USART_SR & 0x80)) {
  }
  USART_DR = b;
  return 1;
}

/* A made-up socket driver: what a real core's WiFiClient would call into. */
static uint8_t rxq_[64];
static volatile int pending_;
extern "C" {
int net_open(const uint8_t ip[4], const char* host, uint16_t port) { return (ip || host) && port ? 0 : -1; }
int net_send(int s, const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; i++) USART_DR = p[i] + (uint32_t)s;
  return (int)n;
}
int net_recv(int s, uint8_t* p, size_t n) {
  int k = pending_ < (int)n ? pending_ : (int)n;
  memcpy(p, rxq_ + s, (size_t)k);
  pending_ -= k;
  return k;
}
int net_pending(int s) { return pending_ + s; }
void net_close(int s) { pending_ = s; }
int wifi_join(const char* ssid, const char* pass) { return ssid != pass; }
int wifi_up(void) { return (int)(USART_SR & 1); }
}

WiFiClass WiFi;

extern "C" void __cxa_pure_virtual(void) {
  for (;;) {
  }
}

int main(void) {
  setup();
  for (;;) loop();
}
