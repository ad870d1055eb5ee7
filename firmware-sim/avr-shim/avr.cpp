/* The AVR shim's core: main(), Timer0 millis(), USART0 Serial, pins and the ADC. */
#include <Arduino.h>
#include <util/delay_basic.h>

/* Timer0 overflows every 64 * 256 cycles = 1.024 ms: one millisecond plus 24 us carried in
 * eighths, as the Arduino core does it. */
static volatile unsigned long ms_;
static volatile uint8_t fract_;

ISR(TIMER0_OVF_vect) {
  unsigned long m = ms_ + 1;
  uint8_t f = fract_ + 3;
  if (f >= 125) {
    f -= 125;
    m++;
  }
  fract_ = f;
  ms_ = m;
}

unsigned long millis(void) {
  uint8_t sreg = SREG;
  cli();
  unsigned long m = ms_;
  SREG = sreg;
  return m;
}

void delay(unsigned long ms) {
  unsigned long start = millis();
  while (millis() - start < ms) yield();
}

void delayMicroseconds(unsigned int us) {
  if (us) _delay_loop_2(us * 4); /* 4 cycles per iteration at 16 MHz */
}

void yield(void) {}

static volatile uint8_t* portOf(uint8_t pin, uint8_t* bit) {
  if (pin < 8) {
    *bit = _BV(pin);
    return &PORTD;
  }
  if (pin < 14) {
    *bit = _BV(pin - 8);
    return &PORTB;
  }
  *bit = _BV((pin - 14) & 7);
  return &PORTC;
}

/* DDRx sits one address below PORTx, PINx two below (ATmega328P). */
void pinMode(uint8_t pin, uint8_t mode) {
  uint8_t bit;
  volatile uint8_t* port = portOf(pin, &bit);
  uint8_t sreg = SREG;
  cli();
  if (mode == OUTPUT) {
    *(port - 1) |= bit;
  } else {
    *(port - 1) &= (uint8_t)~bit;
    if (mode == INPUT_PULLUP) *port |= bit;
    else *port &= (uint8_t)~bit;
  }
  SREG = sreg;
}

void digitalWrite(uint8_t pin, uint8_t value) {
  uint8_t bit;
  volatile uint8_t* port = portOf(pin, &bit);
  uint8_t sreg = SREG;
  cli();
  if (value) *port |= bit;
  else *port &= (uint8_t)~bit;
  SREG = sreg;
}

int digitalRead(uint8_t pin) {
  uint8_t bit;
  volatile uint8_t* port = portOf(pin, &bit);
  return (*(port - 2) & bit) ? HIGH : LOW;
}

int analogRead(uint8_t pin) {
  ADMUX = _BV(REFS0) | ((pin >= 14 ? pin - 14 : pin) & 7);
  ADCSRA = _BV(ADEN) | _BV(ADSC) | _BV(ADPS2) | _BV(ADPS1) | _BV(ADPS0);
  while (ADCSRA & _BV(ADSC)) {
  }
  return ADC;
}

void analogWrite(uint8_t pin, int value) {
  pinMode(pin, OUTPUT);
  digitalWrite(pin, value >= 128 ? HIGH : LOW); /* no PWM in the shim: sizes only */
}

/* ---- Serial ---------------------------------------------------------------------------------- */

HardwareSerial Serial;

ISR(USART_RX_vect) { Serial.onReceive(); }
ISR(USART_UDRE_vect) { Serial.onTransmitReady(); }

void HardwareSerial::begin(unsigned long baud) {
  uint16_t ubrr = (uint16_t)((F_CPU / 4 / baud - 1) / 2); /* double speed (U2X0), as the core */
  rxHead_ = rxTail_ = txHead_ = txTail_ = 0;
  UBRR0H = (uint8_t)(ubrr >> 8);
  UBRR0L = (uint8_t)ubrr;
  UCSR0A = _BV(U2X0);
  UCSR0C = _BV(UCSZ01) | _BV(UCSZ00); /* 8N1 */
  UCSR0B = _BV(RXEN0) | _BV(TXEN0) | _BV(RXCIE0);
}

void HardwareSerial::onReceive() {
  uint8_t b = UDR0;
  uint8_t next = (uint8_t)((rxHead_ + 1) % SERIAL_RING);
  if (next != rxTail_) { /* a full ring drops the byte, as the core does */
    rx_[rxHead_] = b;
    rxHead_ = next;
  }
}

void HardwareSerial::onTransmitReady() {
  if (txHead_ == txTail_) {
    UCSR0B &= (uint8_t)~_BV(UDRIE0);
    return;
  }
  UDR0 = tx_[txTail_];
  txTail_ = (uint8_t)((txTail_ + 1) % SERIAL_RING);
}

int HardwareSerial::available() { return (int)((SERIAL_RING + rxHead_ - rxTail_) % SERIAL_RING); }

int HardwareSerial::peek() { return rxHead_ == rxTail_ ? -1 : rx_[rxTail_]; }

int HardwareSerial::read() {
  if (rxHead_ == rxTail_) return -1;
  uint8_t b = rx_[rxTail_];
  rxTail_ = (uint8_t)((rxTail_ + 1) % SERIAL_RING);
  return b;
}

size_t HardwareSerial::write(uint8_t b) {
  uint8_t next = (uint8_t)((txHead_ + 1) % SERIAL_RING);
  while (next == txTail_) { /* ring full: wait for the interrupt to make room */
    if (!(SREG & _BV(SREG_I)) && (UCSR0A & _BV(UDRE0))) onTransmitReady(); /* interrupts off */
  }
  tx_[txHead_] = b;
  txHead_ = next;
  UCSR0B |= _BV(UDRIE0);
  return 1;
}

void HardwareSerial::flush() {
  while (txHead_ != txTail_) {
  }
}

/* ---- A made-up W5100 driver behind the Ethernet stand-in (linked only by Ethernet sketches) -- */

#include "Ethernet.h"

EthernetClass Ethernet;
static uint8_t w5100Pending_;

extern "C" {
int w5100_open(const uint8_t ip[4], const char* host, uint16_t port) { return (ip || host) && port ? 0 : -1; }
int w5100_send(int s, const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; i++) SPDR = (uint8_t)(p[i] + s);
  return (int)n;
}
int w5100_recv(int s, uint8_t* p, size_t n) {
  size_t k = w5100Pending_ < n ? w5100Pending_ : n;
  for (size_t i = 0; i < k; i++) p[i] = SPDR;
  w5100Pending_ = (uint8_t)(w5100Pending_ - k);
  return (int)k + s;
}
int w5100_pending(int s) { return w5100Pending_ + s; }
void w5100_close(int s) { w5100Pending_ = (uint8_t)s; }
int w5100_dhcp(const uint8_t* mac) { return mac[0] & 1; }
}

/* ---- C++ runtime and entry ------------------------------------------------------------------- */

extern "C" void __cxa_pure_virtual(void) {
  for (;;) {
  }
}

static void initTimer0(void) {
  TCCR0A = _BV(WGM01) | _BV(WGM00);
  TCCR0B = _BV(CS01) | _BV(CS00); /* clk/64 */
  TIMSK0 = _BV(TOIE0);
}

int main(void) {
  initTimer0();
  sei();
  setup();
  for (;;) loop();
}
