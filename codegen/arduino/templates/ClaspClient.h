// ClaspClient.h: a CLASP peer for Arduino boards, on any Stream (hardware or USB serial, with
// SLIP framing, to a `clasp server --serial` gateway) or any Client (WiFiClient,
// EthernetClient: u32 big-endian length prefix, to the router's TCP port @TCP_PORT@).
//
//   ClaspClient clasp(Serial);                  // or: WiFiClient net; ClaspClient clasp(net);
//   void onLight(const char* address, const clasp_value_t& v) { ... }
//   void setup() {
//     Serial.begin(115200);
//     clasp.subscribe("/lights/**", onLight);   // kept across reconnects
//     clasp.begin("my-device");                 // TCP: clasp.connect("192.168.1.10")
//   }
//   void loop() { clasp.loop(); clasp.set("/sensor/x", 0.5f); }
//
// No heap and no String: the object holds two fixed buffers (receive CLASP_MAX_FRAME_SIZE + 1,
// transmit CLASP_MAX_TX_FRAME_SIZE + 4 bytes) and CLASP_MAX_SUBSCRIPTIONS slots. Frames larger
// than the receive buffer are skipped whole (the link stays in step). Header-only, like clasp.h:
// include it in ONE .ino/.cpp file; other files define CLASP_CLIENT_NO_IMPLEMENTATION first.
// The knobs below (and clasp.h's CLASP_MAX_* bounds) are set with #define before the #include;
// they size the object, so every file that includes this header must agree on them.
//
// Callbacks get a NUL-terminated address and a zero-copy value (clasp.h: clasp_value_as_float,
// clasp_value_as_int32_sat, clasp_value_begin + clasp_array_next, v.ptr/v.len for strings),
// both valid until the callback returns. They run for SET, PUBLISH (a stream of samples arrives
// as a null value) and every SNAPSHOT entry, for each subscription whose pattern matches.
#ifndef CLASP_CLIENT_H
#define CLASP_CLIENT_H

#include <Arduino.h>
#include <Client.h>

#ifndef CLASP_CLIENT_NO_IMPLEMENTATION
#define CLASP_IMPLEMENTATION
#endif
/* Decoders of messages this client never reads (a router sends it no HELLO or BUNDLE, and it
 * ignores ACK): left out, they save about 1.4 KB of flash on an ATmega328P, and such frames are
 * skipped unread. Define one as 1 before the include to keep it. */
@DECODE_OFF@
#include "clasp.h"

/* Largest frame sent (HELLO, SUBSCRIBE, SET, PUBLISH); the receive side is CLASP_MAX_FRAME_SIZE. */
#ifndef CLASP_MAX_TX_FRAME_SIZE
#define CLASP_MAX_TX_FRAME_SIZE CLASP_MAX_FRAME_SIZE
#endif
#ifndef CLASP_MAX_SUBSCRIPTIONS
#define CLASP_MAX_SUBSCRIPTIONS 4
#endif
/* After this long without a frame from the router, send a PING (0 = never). */
#ifndef CLASP_KEEPALIVE_MS
#define CLASP_KEEPALIVE_MS 15000UL
#endif
/* The router has this long to answer a HELLO or a keepalive PING before the link counts as lost. */
#ifndef CLASP_LINK_TIMEOUT_MS
#define CLASP_LINK_TIMEOUT_MS 5000UL
#endif
/* Wait between attempts to re-establish a lost link. */
#ifndef CLASP_RECONNECT_MS
#define CLASP_RECONNECT_MS 2000UL
#endif

/* ---- Values to send ---------------------------------------------------------------------- */

/* Microcontrollers send f32 and i32 (as the reference Arduino library): half the bytes of the
 * router's f64/i64, and no 64-bit arithmetic on 8-bit cores. Receivers accept every width. */
inline clasp_value_t claspFloat(float f) {
  clasp_value_t v = clasp_value_of_type(CLASP_VALUE_F32);
  memcpy(&v.as.f32, &f, sizeof v.as.f32);
  return v;
}
inline clasp_value_t claspInt(long i) {
  clasp_value_t v = clasp_value_of_type(sizeof(long) > 4 && (i > 2147483647L || i < -2147483647L - 1) ? CLASP_VALUE_I64 : CLASP_VALUE_I32);
  v.as.i = i;
  return v;
}
/* A double goes as f64 where double is binary64 (ARM, ESP32, the host), as f32 on AVR where
 * double is float anyway. */
inline clasp_value_t claspDouble(double d) { return sizeof(double) == 8 ? clasp_value_double(d) : claspFloat((float)d); }
inline clasp_value_t claspUInt(unsigned long u) {
  if (u <= 2147483647UL) return claspInt((long)u);
  clasp_value_t v = clasp_value_of_type(CLASP_VALUE_I64);
  v.as.i = (int64_t)u;
  return v;
}
inline clasp_value_t claspBool(bool b) { return clasp_value_bool(b); }
inline clasp_value_t claspString(const char* s) { return clasp_value_string(clasp_cstr(s)); }

/* A map value built in a fixed buffer of N bytes: ClaspMap<48> m; m.add("x", 1.5f); m.value(). */
template <size_t N>
class ClaspMap {
 public:
  ClaspMap() { clear(); }
  void clear() {
    clasp_writer_init(&w_, buf_, N);
    count_ = 0;
  }
  ClaspMap& add(const char* key, const clasp_value_t& v) {
    clasp_put_str(&w_, clasp_cstr(key), CLASP_MAX_VALUE_KEY_BYTES);
    clasp_put_value(&w_, &v, 1);
    count_++;
    return *this;
  }
  ClaspMap& add(const char* key, float f) { return add(key, claspFloat(f)); }
  ClaspMap& add(const char* key, double d) { return add(key, claspDouble(d)); }
  ClaspMap& add(const char* key, long i) { return add(key, claspInt(i)); }
  ClaspMap& add(const char* key, unsigned long u) { return add(key, claspUInt(u)); }
  ClaspMap& add(const char* key, int i) { return add(key, claspInt(i)); }
  ClaspMap& add(const char* key, bool b) { return add(key, claspBool(b)); }
  ClaspMap& add(const char* key, const char* s) { return add(key, claspString(s)); }
  /* false once an entry did not fit N bytes (value() is then null). */
  bool ok() const { return w_.err == CLASP_OK; }
  clasp_value_t value() const { return ok() ? clasp_value_map(count_, buf_, (uint16_t)w_.len) : clasp_value_null(); }

 private:
  uint8_t buf_[N];
  clasp_writer_t w_;
  uint16_t count_;
};

/* ---- The client -------------------------------------------------------------------------- */

typedef void (*ClaspCallback)(const char* address, const clasp_value_t& value);

class ClaspClient {
 public:
  /* SLIP-framed frames on a serial port (begin the port first, e.g. Serial.begin(115200)). */
  explicit ClaspClient(Stream& serial) : io_(&serial), net_(0), link_(slipLink) { init(); }
  /* Length-prefixed frames on a TCP client (bring the network up first). */
  explicit ClaspClient(Client& net) : io_(&net), net_(&net), link_(tcpLink) { init(); }

  /* Serial: send HELLO and wait up to CLASP_LINK_TIMEOUT_MS for WELCOME. True once connected;
   * either way loop() keeps (re)trying. `name` must stay valid (a string literal). */
  bool begin(const char* name = "arduino") {
    name_ = name;
    open();
    return awaitWelcome();
  }
  /* TCP: open host:port, HELLO, wait for WELCOME as begin(); loop() reconnects after a loss. */
  bool connect(const char* host, uint16_t port = @TCP_PORT@, const char* name = "arduino") {
    host_ = host;
    port_ = port;
    return begin(name);
  }
  bool connect(const IPAddress& ip, uint16_t port = @TCP_PORT@, const char* name = "arduino") {
    for (uint8_t i = 0; i < 4; i++) ip_[i] = ip[i];
    host_ = 0;
    port_ = port;
    return begin(name);
  }
  void disconnect() {
    if (net_) net_->stop();
    state_ = kIdle;
  }
  /* WELCOME received and the link not lost since. */
  bool connected() const { return state_ == kReady; }

  /* Call often: reads and dispatches frames, answers PING, keeps the link alive and restores
   * it (HELLO and every subscription again) after a loss. */
  void loop();
  void poll() { loop(); }

  /* `pattern` must stay valid (a string literal); `types` is CLASP_TYPE_* bits, 0 = all. The
   * router answers with a SNAPSHOT of the matching params, so callbacks see the current state. */
  bool subscribe(const char* pattern, ClaspCallback cb, uint8_t types = 0);
  bool unsubscribe(const char* pattern);

  /* Writes and signals; false when not connected or the frame does not fit the buffer. */
  bool set(const char* address, const clasp_value_t& value);
  bool set(const char* address, float v) { return set(address, claspFloat(v)); }
  bool set(const char* address, double v) { return set(address, claspDouble(v)); }
  bool set(const char* address, int v) { return set(address, claspInt(v)); }
  bool set(const char* address, long v) { return set(address, claspInt(v)); }
  bool set(const char* address, unsigned int v) { return set(address, claspUInt(v)); }
  bool set(const char* address, unsigned long v) { return set(address, claspUInt(v)); }
  bool set(const char* address, bool v) { return set(address, claspBool(v)); }
  bool set(const char* address, const char* v) { return set(address, claspString(v)); }
  /* signal: CLASP_SIGNAL_TYPE_EVENT, _STREAM, ... */
  bool publish(const char* address, const clasp_value_t* value, uint8_t signal);
  bool publish(const char* address, const clasp_value_t& value, uint8_t signal = CLASP_SIGNAL_TYPE_EVENT) { return publish(address, &value, signal); }
  bool emit(const char* address) { return publish(address, (const clasp_value_t*)0, CLASP_SIGNAL_TYPE_EVENT); }
  bool emit(const char* address, const clasp_value_t& v) { return publish(address, &v, CLASP_SIGNAL_TYPE_EVENT); }
  bool emit(const char* address, float v) { return emit(address, claspFloat(v)); }
  bool stream(const char* address, float v) { return publish(address, claspFloat(v), CLASP_SIGNAL_TYPE_STREAM); }

  /* Called after every WELCOME (first connect and each reconnect), after resubscribing. */
  void onConnect(void (*cb)()) { onConnect_ = cb; }
  /* Frames received, and frames dropped: too large for the buffer, line noise, undecodable. */
  uint32_t framesReceived() const { return received_; }
  uint32_t framesDropped() const { return bad_ + (net_ ? rd_.tcp.dropped : rd_.slip.dropped); }
  /* Code of the last ERROR the router sent (0 = none). */
  uint16_t lastError() const { return lastError_; }

 private:
  enum State { kIdle, kOffline, kHandshake, kReady };
  /* What differs between serial and TCP sits behind one function pointer chosen by the
   * constructor, so a sketch links the SLIP or the length-prefix code, never both. */
  enum LinkOp { kReset, kReceive, kWrite };
  typedef bool (*Link)(ClaspClient& c, uint8_t op, size_t len);
  struct Slot {
    const char* pattern;
    ClaspCallback cb;
    uint8_t types;
  };

  void init() {
    state_ = kIdle;
    name_ = "arduino";
    host_ = 0;
    port_ = @TCP_PORT@;
    onConnect_ = 0;
    lastError_ = 0;
    received_ = bad_ = 0;
    memset(subs_, 0, sizeof subs_);
    memset(&rd_, 0, sizeof rd_);
  }
  void enter(State s) {
    state_ = s;
    since_ = millis();
  }
  void open();
  void lose();
  bool awaitWelcome();
  static bool slipLink(ClaspClient& c, uint8_t op, size_t len);
  static bool tcpLink(ClaspClient& c, uint8_t op, size_t len);
  void handle(size_t len);
  void dispatch(clasp_str_t address, const clasp_value_t& value);
  void welcome();
  bool sendSubscribe(uint8_t slot);
  bool send(size_t len, bool always = false);
  static void putByte(void* ctx, uint8_t b) { ((Stream*)ctx)->write(b); }

  Stream* io_;
  Client* net_;
  Link link_;
  const char* name_;
  const char* host_;
  uint8_t ip_[4];
  uint16_t port_;
  uint8_t state_;
  bool pinged_;
  uint32_t since_;  /* millis when the state was entered, or the keepalive PING was sent */
  uint32_t lastRx_; /* millis of the last whole frame from the router */
  uint32_t received_, bad_;
  uint16_t lastError_;
  void (*onConnect_)();
  Slot subs_[CLASP_MAX_SUBSCRIPTIONS];
  union {
    clasp_slip_reader_t slip;
    clasp_tcp_reader_t tcp;
  } rd_;
  uint8_t rx_[CLASP_MAX_FRAME_SIZE + 1];
  uint8_t tx_[CLASP_MAX_TX_FRAME_SIZE + CLASP_TCP_PREFIX_SIZE]; /* frames are encoded at tx_ + 4 */
};

#ifndef CLASP_CLIENT_NO_IMPLEMENTATION

/* Frames are encoded after 4 spare bytes, so TCP can prepend the length without a copy. */
#define CLASP_TX_FRAME (tx_ + CLASP_TCP_PREFIX_SIZE)
#define CLASP_TX_CAP (sizeof tx_ - CLASP_TCP_PREFIX_SIZE)

void ClaspClient::open() {
  enter(kOffline);
  if (net_) {
    int ok = host_ ? net_->connect(host_, port_) : net_->connect(IPAddress(ip_[0], ip_[1], ip_[2], ip_[3]), port_);
    if (!ok) return; /* retried by loop() after CLASP_RECONNECT_MS */
  }
  link_(*this, kReset, 0);
  clasp_hello_t h;
  memset(&h, 0, sizeof h);
  h.version = CLASP_PROTOCOL_VERSION;
  h.features = CLASP_FEATURE_PARAM | CLASP_FEATURE_EVENT | CLASP_FEATURE_STREAM;
  h.name = clasp_cstr(name_);
  enter(kHandshake);
  if (!send(clasp_encode_hello(CLASP_TX_FRAME, CLASP_TX_CAP, NULL, &h), true)) lose();
}

void ClaspClient::lose() {
  if (net_) net_->stop();
  enter(kOffline);
}

bool ClaspClient::awaitWelcome() {
  while (state_ == kHandshake && millis() - since_ < CLASP_LINK_TIMEOUT_MS) {
    loop();
    yield();
  }
  return state_ == kReady;
}

void ClaspClient::loop() {
  if (state_ == kIdle) return;
  if (net_ && state_ != kOffline && !net_->connected()) lose();
  if (state_ == kOffline) {
    if (millis() - since_ >= CLASP_RECONNECT_MS) open();
    return;
  }
  link_(*this, kReceive, 0);
  uint32_t now = millis();
  if (state_ == kHandshake && now - since_ >= CLASP_LINK_TIMEOUT_MS) {
    lose(); /* no WELCOME: the router is not there (yet) */
  } else if (state_ == kReady && CLASP_KEEPALIVE_MS > 0) {
    if (!pinged_ && now - lastRx_ >= CLASP_KEEPALIVE_MS) {
      /* Quiet link: a PING must come back. On serial this is the only way to notice that the
       * gateway restarted (its new session waits for a HELLO and drops everything else). */
      pinged_ = send(clasp_encode_ping(CLASP_TX_FRAME, CLASP_TX_CAP, NULL));
      since_ = now;
    } else if (pinged_ && now - since_ >= CLASP_LINK_TIMEOUT_MS) {
      lose();
    }
  }
}

/* Serial: SLIP. What is buffered now is read byte by byte (a UART FIFO holds little); a frame
 * is handled before the next byte, which releases the reader's buffer. The -1 in the reader's
 * capacity leaves room to NUL-terminate an address that ends the frame. */
bool ClaspClient::slipLink(ClaspClient& c, uint8_t op, size_t len) {
  if (op == kReset) {
    clasp_slip_reader_init(&c.rd_.slip, c.rx_, sizeof c.rx_ - 1);
  } else if (op == kReceive) {
    for (int n = c.io_->available(); n > 0 && c.state_ != kOffline; n--) {
      int b = c.io_->read();
      if (b < 0) break;
      size_t flen = clasp_slip_reader_push(&c.rd_.slip, (uint8_t)b);
      if (flen) c.handle(flen);
    }
  } else {
    clasp_slip_write(c.tx_ + CLASP_TCP_PREFIX_SIZE, len, putByte, c.io_);
  }
  return true;
}

/* TCP: u32 length prefix. Chunks go through a small stack buffer; the reader's bytes-left
 * counter carries a frame (or a skipped oversized one) across reads. At most two buffers'
 * worth per loop(), so a flood cannot starve the sketch. */
bool ClaspClient::tcpLink(ClaspClient& c, uint8_t op, size_t len) {
  if (op == kReset) {
    clasp_tcp_reader_init(&c.rd_.tcp, c.rx_, sizeof c.rx_ - 1);
  } else if (op == kReceive) {
    uint8_t chunk[32];
    size_t budget = 2 * sizeof c.rx_;
    while (budget > 0 && c.state_ != kOffline && c.net_->available() > 0) {
      int got = c.net_->read(chunk, sizeof chunk);
      if (got <= 0) break;
      budget = (size_t)got >= budget ? 0 : budget - (size_t)got;
      for (size_t at = 0, flen = 0; at < (size_t)got && c.state_ != kOffline;) {
        at += clasp_tcp_reader_feed(&c.rd_.tcp, chunk + at, (size_t)got - at, &flen);
        if (flen) c.handle(flen);
      }
    }
  } else {
    clasp_tcp_put_prefix(c.tx_, (uint32_t)len);
    return c.net_->write(c.tx_, len + CLASP_TCP_PREFIX_SIZE) == len + CLASP_TCP_PREFIX_SIZE;
  }
  return true;
}

void ClaspClient::handle(size_t len) {
  clasp_frame_t f;
  received_++;
  lastRx_ = millis(); /* any whole frame proves the link */
  pinged_ = false;
  clasp_err_t err = clasp_decode_frame(rx_, len, &f);
  if (err != CLASP_OK) {
    /* Skipped: a message left out above, or one this device cannot read (a string longer than
     * its CLASP_MAX_* bound, a type it does not know). */
    if (err != CLASP_ERR_UNSUPPORTED_MESSAGE) bad_++;
    return;
  }
  switch (f.msg.type) {
    case CLASP_MSG_WELCOME:
      welcome();
      break;
    case CLASP_MSG_SET:
      dispatch(f.msg.as.set.address, f.msg.as.set.value);
      break;
    case CLASP_MSG_PUBLISH:
      dispatch(f.msg.as.publish.address, f.msg.as.publish.has_value ? f.msg.as.publish.value : clasp_value_null());
      break;
    case CLASP_MSG_SNAPSHOT: {
      clasp_iter_t it;
      clasp_param_value_t p;
      clasp_snapshot_begin(&f.msg.as.snapshot, &it);
      while (clasp_snapshot_next(&it, &p)) dispatch(p.address, p.value);
      break;
    }
    case CLASP_MSG_PING:
      send(clasp_encode_pong(CLASP_TX_FRAME, CLASP_TX_CAP, NULL));
      break;
    case CLASP_MSG_ERROR:
      lastError_ = f.msg.as.error.code;
      break;
    default:
      break; /* ACK, PONG, ...: nothing to do */
  }
}

void ClaspClient::welcome() {
  state_ = kReady;
  pinged_ = false;
  for (uint8_t i = 0; i < CLASP_MAX_SUBSCRIPTIONS; i++) sendSubscribe(i);
  if (onConnect_) onConnect_();
}

/* The address is NUL-terminated in place for the callbacks: the byte after it (a field that is
 * already decoded, or the spare byte at the end of rx_) is restored afterwards. */
void ClaspClient::dispatch(clasp_str_t address, const clasp_value_t& value) {
  if (!address.ptr) return;
  uint8_t* end = (uint8_t*)address.ptr + address.len;
  uint8_t saved = *end;
  *end = 0;
  for (uint8_t i = 0; i < CLASP_MAX_SUBSCRIPTIONS; i++) {
    const Slot& s = subs_[i];
    if (s.cb && clasp_match((const uint8_t*)s.pattern, strlen(s.pattern), address.ptr, address.len)) s.cb((const char*)address.ptr, value);
  }
  *end = saved;
}

bool ClaspClient::subscribe(const char* pattern, ClaspCallback cb, uint8_t types) {
  uint8_t slot = CLASP_MAX_SUBSCRIPTIONS;
  for (uint8_t i = 0; i < CLASP_MAX_SUBSCRIPTIONS; i++) {
    if (subs_[i].cb && strcmp(subs_[i].pattern, pattern) == 0) slot = i; /* replace, same id */
    else if (!subs_[i].cb && slot == CLASP_MAX_SUBSCRIPTIONS) slot = i;
  }
  if (slot == CLASP_MAX_SUBSCRIPTIONS || !cb) return false;
  subs_[slot].pattern = pattern;
  subs_[slot].cb = cb;
  subs_[slot].types = types;
  return state_ != kReady || sendSubscribe(slot);
}

bool ClaspClient::unsubscribe(const char* pattern) {
  for (uint8_t i = 0; i < CLASP_MAX_SUBSCRIPTIONS; i++) {
    if (!subs_[i].cb || strcmp(subs_[i].pattern, pattern) != 0) continue;
    subs_[i].cb = 0; /* gone locally at once; the router learns it now, or never re-learns it */
    clasp_unsubscribe_t m;
    m.id = (uint32_t)i + 1;
    return state_ != kReady || send(clasp_encode_unsubscribe(CLASP_TX_FRAME, CLASP_TX_CAP, NULL, &m));
  }
  return false;
}

/* Subscription ids are slot numbers + 1, so a resubscription after a reconnect reuses them. */
bool ClaspClient::sendSubscribe(uint8_t slot) {
  if (!subs_[slot].cb) return false;
  clasp_subscribe_t m;
  memset(&m, 0, sizeof m);
  m.id = (uint32_t)slot + 1;
  m.pattern = clasp_cstr(subs_[slot].pattern);
  m.types = subs_[slot].types;
  return send(clasp_encode_subscribe(CLASP_TX_FRAME, CLASP_TX_CAP, NULL, &m));
}

bool ClaspClient::set(const char* address, const clasp_value_t& value) {
  clasp_set_t m;
  memset(&m, 0, sizeof m);
  m.address = clasp_cstr(address);
  m.value = value;
  return send(clasp_encode_set(CLASP_TX_FRAME, CLASP_TX_CAP, NULL, &m));
}

bool ClaspClient::publish(const char* address, const clasp_value_t* value, uint8_t signal) {
  clasp_publish_t m;
  memset(&m, 0, sizeof m);
  m.address = clasp_cstr(address);
  m.has_signal = true;
  m.signal = signal;
  if (value) {
    m.has_value = true;
    m.value = *value;
  }
  return send(clasp_encode_publish(CLASP_TX_FRAME, CLASP_TX_CAP, NULL, &m));
}

/* len = the frame at tx_ + 4 (0: it did not encode). Only HELLO goes out before WELCOME: the
 * router ends a session whose first frame is anything else. */
bool ClaspClient::send(size_t len, bool always) {
  if (len == 0 || (state_ != kReady && !always)) return false;
  if (link_(*this, kWrite, len)) return true;
  lose(); /* a short TCP write: the connection is gone */
  return false;
}

#undef CLASP_TX_FRAME
#undef CLASP_TX_CAP

#endif /* CLASP_CLIENT_NO_IMPLEMENTATION */

#endif /* CLASP_CLIENT_H */
