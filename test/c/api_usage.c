/*
 * A small translation unit that uses the header the way a sketch would, compiled by the tests
 * as C99 (gcc -pedantic), as C++11 (g++ -x c++) and for the ATmega328P (avr-gcc). It must stay
 * valid C and C++ (no designated initialisers, no compound literals) and needs no libc I/O.
 */
#ifndef CLASP_NO_IMPLEMENTATION
#define CLASP_IMPLEMENTATION
#endif
#define CLASP_EXPECT_SCHEMA_VERSION 1
#include "clasp.h"

static uint8_t tx[CLASP_MAX_FRAME_SIZE];
static uint8_t rx[CLASP_MAX_FRAME_SIZE];
volatile uint32_t sink;

static void on_set(const clasp_set_t* s) {
  /* Strings are views: copy with the length, never strlen. */
  char addr[CLASP_MAX_ADDRESS_BYTES + 1];
  memcpy(addr, s->address.ptr, s->address.len);
  addr[s->address.len] = 0;
  if (clasp_match_cstr("/lights/**", addr)) {
    if (clasp_value_is_float(&s->value)) sink += (uint32_t)clasp_value_as_float(&s->value);
    else sink += (uint32_t)clasp_value_as_int32_sat(&s->value);
  }
}

static void handle(const uint8_t* frame, size_t len) {
  clasp_frame_t f;
  clasp_iter_t it;
  clasp_param_value_t p;
  if (clasp_decode_frame(frame, len, &f) != CLASP_OK) return;
  switch (f.msg.type) {
    case CLASP_MSG_SET:
      on_set(&f.msg.as.set);
      break;
    case CLASP_MSG_SNAPSHOT:
      clasp_snapshot_begin(&f.msg.as.snapshot, &it);
      while (clasp_snapshot_next(&it, &p)) sink += p.address.len;
      break;
    case CLASP_MSG_PING:
      sink += (uint32_t)clasp_encode_pong(tx, sizeof tx, NULL);
      break;
    default:
      break;
  }
}

static void put_uart(void* ctx, uint8_t b) {
  (void)ctx;
  sink += b;
}

int clasp_api_usage(void) {
  clasp_hello_t hello;
  clasp_subscribe_t sub;
  clasp_set_t set;
  clasp_publish_t pub;
  clasp_tcp_reader_t tcp;
  clasp_slip_reader_t slip;
  size_t n, frame_len;

  memset(&hello, 0, sizeof hello);
  hello.version = CLASP_PROTOCOL_VERSION;
  hello.features = CLASP_FEATURE_PARAM | CLASP_FEATURE_EVENT | CLASP_FEATURE_STREAM;
  hello.name = clasp_cstr("uno");
  n = clasp_encode_hello(tx + CLASP_TCP_PREFIX_SIZE, sizeof tx - CLASP_TCP_PREFIX_SIZE, NULL, &hello);
  clasp_tcp_put_prefix(tx, (uint32_t)n);

  memset(&sub, 0, sizeof sub);
  sub.id = 1;
  sub.pattern = clasp_cstr("/lights/**");
  n += clasp_encode_subscribe(tx, sizeof tx, NULL, &sub);

  memset(&set, 0, sizeof set);
  set.address = clasp_cstr("/sensor/temp");
  set.value = clasp_value_double(21.5);
  n += clasp_encode_set(tx, sizeof tx, NULL, &set);
  set.value = clasp_value_int(-7);
  set.has_ttl = true;
  set.ttl.mode = CLASP_TTL_SLIDING;
  set.ttl.seconds = 30;
  n += clasp_encode_set(tx, sizeof tx, NULL, &set);

  memset(&pub, 0, sizeof pub);
  pub.address = clasp_cstr("/button");
  pub.has_signal = true;
  pub.signal = CLASP_SIGNAL_TYPE_EVENT;
  n += clasp_encode_publish(tx, sizeof tx, NULL, &pub);
  n += clasp_encode_ping(tx, sizeof tx, NULL);

  /* Receive: TCP byte by byte, then the same frame over SLIP. */
  clasp_tcp_reader_init(&tcp, rx, sizeof rx);
  clasp_slip_reader_init(&slip, rx, sizeof rx);
  {
    size_t i, flen = clasp_encode_set(tx + 4, sizeof tx - 4, NULL, &set);
    clasp_tcp_put_prefix(tx, (uint32_t)flen);
    for (i = 0; i < flen + 4; i++) {
      frame_len = clasp_tcp_reader_push(&tcp, tx[i]);
      if (frame_len) handle(rx, frame_len);
    }
    clasp_slip_write(tx + 4, flen, put_uart, NULL);
    if (clasp_slip_reader_feed(&slip, tx + 4, flen, &frame_len) && frame_len) handle(rx, frame_len);
  }
  sink += (uint32_t)clasp_f64_to_f32_bits(clasp_f64_from_double(0.1));
  return (int)(n + sink);
}

#ifndef CLASP_NO_MAIN
int main(void) { return clasp_api_usage() == 0; }
#endif
