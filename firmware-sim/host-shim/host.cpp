/*
 * The simulated board: time, pins, ADC, LED strip model, Serial on a pty, TCP sockets, and the
 * main loop (setup(), then loop() forever, sleeping in poll() between iterations so an idle
 * device costs no CPU). Everything observable is reported on stderr as one "SIM ..." line per
 * event, and, with --status FILE, as a JSON snapshot rewritten atomically after each change.
 *
 *   <sketch> [--serial PATH] [--tcp HOST:PORT] [--status FILE]
 *   (or the environment: CLASP_SIM_SERIAL, CLASP_SIM_TCP, CLASP_SIM_STATUS)
 */
#include <Arduino.h>
#include <ClaspSim.h>
#include <Ethernet.h>
#include <SPI.h>
#include <WiFi.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

HardwareSerial Serial;
WiFiClass WiFi;
EthernetClass Ethernet;
SPIClass SPI;

static const char* serialPath;
static const char* tcpTarget;
static const char* statusPath;

/* ---- Reports ----------------------------------------------------------------------------- */

void claspSimReport(const char* fmt, ...) {
  char line[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  fprintf(stderr, "SIM %s\n", line);
}

static uint8_t pins_[32];
static int pinSet_[32];
static char ledJson_[4096] = "null";
static unsigned long shows_;

/* The whole observable state as one JSON object, replaced by rename so readers never see half. */
static void writeStatus() {
  if (!statusPath) return;
  char tmp[1024];
  snprintf(tmp, sizeof tmp, "%s.tmp", statusPath);
  FILE* f = fopen(tmp, "w");
  if (!f) return;
  fprintf(f, "{\"millis\":%lu,\"shows\":%lu,\"led\":%s,\"pins\":{", millis(), shows_, ledJson_);
  bool first = true;
  for (int i = 0; i < 32; i++) {
    if (!pinSet_[i]) continue;
    fprintf(f, "%s\"%d\":%d", first ? "" : ",", i, pins_[i]);
    first = false;
  }
  fprintf(f, "}}\n");
  fclose(f);
  rename(tmp, statusPath);
}

void claspSimLedShow(const uint8_t* rgb, uint16_t n, uint8_t brightness) {
  char pixels[3000];
  size_t at = 0;
  pixels[0] = 0;
  for (uint16_t i = 0; i < n && at + 12 < sizeof pixels; i++) {
    at += (size_t)snprintf(pixels + at, sizeof pixels - at, "%s%02x%02x%02x", i ? "," : "", rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]);
  }
  shows_++;
  claspSimReport("led brightness=%u pixels=%s", brightness, pixels);
  char quoted[3600];
  size_t q = 0;
  for (size_t i = 0; pixels[i] && q + 8 < sizeof quoted; i++) {
    if (i == 0 || pixels[i - 1] == ',') quoted[q++] = '"';
    if (pixels[i] == ',') quoted[q++] = '"';
    quoted[q++] = pixels[i];
  }
  if (q) quoted[q++] = '"';
  quoted[q] = 0;
  snprintf(ledJson_, sizeof ledJson_, "{\"brightness\":%u,\"pixels\":[%s]}", brightness, quoted);
  writeStatus();
}

/* ---- Time and pins ---------------------------------------------------------------------- */

static struct timespec start_;

static unsigned long long nowMicros() {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (unsigned long long)(t.tv_sec - start_.tv_sec) * 1000000ULL + (unsigned long long)((t.tv_nsec - start_.tv_nsec) / 1000);
}

unsigned long millis(void) { return (unsigned long)(nowMicros() / 1000ULL); }
unsigned long micros(void) { return (unsigned long)nowMicros(); }
void delay(unsigned long ms) { usleep((useconds_t)ms * 1000); }
void delayMicroseconds(unsigned int us) { usleep(us); }
void yield(void) {}

void pinMode(uint8_t pin, uint8_t mode) { (void)pin, (void)mode; }

void digitalWrite(uint8_t pin, uint8_t value) {
  pin &= 31;
  value = value ? 1 : 0;
  if (pinSet_[pin] && pins_[pin] == value) return;
  pins_[pin] = value;
  pinSet_[pin] = 1;
  claspSimReport("pin %u %u", pin, value);
  writeStatus();
}

int digitalRead(uint8_t pin) { return pins_[pin & 31]; }
void analogWrite(uint8_t pin, int value) { digitalWrite(pin, value >= 128); }

/* A0: a TMP36 at 22 +/- 2 deg C on a 12-bit, 3.3 V ADC, one slow sine period every 4 s. */
int analogRead(uint8_t pin) {
  if (pin != A0) return 0;
  double t = (double)millis() / 4000.0;
  return (int)lround(893.0 + 25.0 * sin(2.0 * M_PI * t));
}

/* ---- Descriptors watched between loop() calls ---------------------------------------------- */

static int watched_[16];
static int nWatched_;

void claspSimWatch(int fd) {
  if (fd >= 0 && nWatched_ < 16) watched_[nWatched_++] = fd;
}

void claspSimUnwatch(int fd) {
  for (int i = 0; i < nWatched_; i++) {
    if (watched_[i] == fd) watched_[i--] = watched_[--nWatched_];
  }
}

const char* claspSimTcpTarget(void) { return tcpTarget; }

/* Sleep until input arrives or 1 ms passes: timers in the sketch stay accurate to ~1 ms. */
static void idle() {
  struct pollfd p[16];
  for (int i = 0; i < nWatched_; i++) {
    p[i].fd = watched_[i];
    p[i].events = POLLIN;
    p[i].revents = 0;
  }
  poll(p, (nfds_t)nWatched_, 1);
  Serial.service();
}

/* Write n bytes to a non-blocking pty or socket, polling 1 ms while it is full, at most
 * `maxWaits` times; returns how many went out. SIGPIPE is ignored (main), so a closed peer
 * ends it with EPIPE, for sockets as for ptys. */
static size_t writeWaiting(int fd, const uint8_t* p, size_t n, int maxWaits) {
  size_t done = 0;
  int waits = 0;
  while (fd >= 0 && done < n) {
    ssize_t k = ::write(fd, p + done, n - done);
    if (k > 0) {
      done += (size_t)k;
    } else if (k < 0 && (errno == EAGAIN || errno == EINTR) && waits++ < maxWaits) {
      struct pollfd q = {fd, POLLOUT, 0};
      poll(&q, 1, 1);
    } else {
      break;
    }
  }
  return done;
}

/* ---- Serial -------------------------------------------------------------------------------- */

void HardwareSerial::begin(unsigned long baud) {
  (void)baud; /* a pty runs at whatever speed: the sim does not throttle to the baud rate */
  begun_ = true;
  if (!path_) {
    in_ = 0;
    out_ = 1;
    fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
    return;
  }
  service();
}

void HardwareSerial::service() {
  if (!begun_ || !path_ || in_ >= 0 || millis() < retryAt_) return;
  int fd = open(path_, O_RDWR | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) {
    retryAt_ = millis() + 100;
    return;
  }
  struct termios t;
  if (tcgetattr(fd, &t) == 0) {
    cfmakeraw(&t);
    cfsetspeed(&t, B115200);
    tcsetattr(fd, TCSANOW, &t);
  }
  in_ = out_ = fd;
  head_ = tail_ = 0;
  claspSimWatch(fd);
  claspSimReport("serial open %s", path_);
}

void HardwareSerial::lost(const char* why) {
  claspSimReport("serial lost %s", why);
  claspSimUnwatch(in_);
  close(in_);
  in_ = out_ = -1;
  retryAt_ = millis() + 100;
}

void HardwareSerial::fill() {
  if (in_ < 0) return;
  for (;;) {
    size_t room = sizeof ring_ - (head_ - tail_);
    if (room == 0) return;
    uint8_t chunk[512];
    ssize_t n = ::read(in_, chunk, room < sizeof chunk ? room : sizeof chunk);
    if (n > 0) {
      for (ssize_t i = 0; i < n; i++) ring_[(head_++) % sizeof ring_] = chunk[i];
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (path_) lost(n == 0 ? "eof" : strerror(errno)); /* EIO: the other end of the pty is gone */
    else in_ = -1;
    return;
  }
}

int HardwareSerial::available() {
  fill();
  return (int)(head_ - tail_);
}

int HardwareSerial::peek() {
  fill();
  return head_ == tail_ ? -1 : ring_[tail_ % sizeof ring_];
}

int HardwareSerial::read() {
  fill();
  return head_ == tail_ ? -1 : ring_[(tail_++) % sizeof ring_];
}

size_t HardwareSerial::write(uint8_t b) { return write(&b, 1); }

/* Like a UART, writing never fails: with no pty, or a pty nobody drains for 50 ms, the bytes
 * are lost on the line. */
size_t HardwareSerial::write(const uint8_t* p, size_t n) {
  writeWaiting(out_, p, n, 50);
  return n;
}

/* ---- TCP ------------------------------------------------------------------------------------ */

int SocketClient::connect(IPAddress ip, uint16_t port) {
  char host[16];
  snprintf(host, sizeof host, "%u.%u.%u.%u", ip[0], ip[1], ip[2], ip[3]);
  return connect(host, port);
}

/* With --tcp, every connection goes to the router there, whatever address the sketch names
 * (the sketches keep their real-world addresses). Blocking with a 1 s timeout, as boards do. */
int SocketClient::connect(const char* host, uint16_t port) {
  char target[256], portText[8];
  stop();
  if (tcpTarget) {
    snprintf(target, sizeof target, "%s", tcpTarget);
    char* colon = strrchr(target, ':');
    if (!colon) return 0;
    *colon = 0;
    snprintf(portText, sizeof portText, "%s", colon + 1);
  } else {
    snprintf(target, sizeof target, "%s", host);
    snprintf(portText, sizeof portText, "%u", port);
  }
  struct addrinfo hints, *res = 0;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  if (getaddrinfo(target, portText, &hints, &res) != 0 || !res) return 0;
  int fd = socket(res->ai_family, SOCK_STREAM, 0);
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  int rc = ::connect(fd, res->ai_addr, res->ai_addrlen);
  freeaddrinfo(res);
  if (rc < 0 && errno == EINPROGRESS) {
    struct pollfd q = {fd, POLLOUT, 0};
    int err = 0;
    socklen_t len = sizeof err;
    rc = poll(&q, 1, 1000) == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0 ? 0 : -1;
  }
  if (rc < 0) {
    close(fd);
    claspSimReport("tcp connect %s:%s failed", target, portText);
    return 0;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  fd_ = fd;
  claspSimWatch(fd);
  claspSimReport("tcp connected %s:%s", target, portText);
  return 1;
}

size_t SocketClient::write(const uint8_t* p, size_t n) { return writeWaiting(fd_, p, n, 1000); }

int SocketClient::available() {
  int n = 0;
  if (fd_ < 0 || ioctl(fd_, FIONREAD, &n) < 0) return 0;
  return n;
}

int SocketClient::read(uint8_t* p, size_t n) {
  if (fd_ < 0) return -1;
  ssize_t k = recv(fd_, p, n, MSG_DONTWAIT);
  return k > 0 ? (int)k : -1;
}

int SocketClient::read() {
  uint8_t b;
  return read(&b, 1) == 1 ? b : -1;
}

int SocketClient::peek() {
  uint8_t b;
  return fd_ >= 0 && recv(fd_, &b, 1, MSG_PEEK | MSG_DONTWAIT) == 1 ? b : -1;
}

void SocketClient::stop() {
  if (fd_ < 0) return;
  claspSimUnwatch(fd_);
  close(fd_);
  fd_ = -1;
  claspSimReport("tcp closed");
}

/* As on boards: true while the connection is up or unread data remains. */
uint8_t SocketClient::connected() {
  if (fd_ < 0) return 0;
  uint8_t b;
  ssize_t k = recv(fd_, &b, 1, MSG_PEEK | MSG_DONTWAIT);
  if (k == 1 || (k < 0 && (errno == EAGAIN || errno == EINTR))) return 1;
  return 0;
}

/* ---- Entry ---------------------------------------------------------------------------------- */

static const char* arg(int argc, char** argv, const char* name, const char* env) {
  for (int i = 1; i + 1 < argc; i++) {
    if (strcmp(argv[i], name) == 0) return argv[i + 1];
  }
  const char* v = getenv(env);
  return v && *v ? v : 0;
}

int main(int argc, char** argv) {
  clock_gettime(CLOCK_MONOTONIC, &start_);
  signal(SIGPIPE, SIG_IGN);
  setvbuf(stderr, 0, _IOLBF, 0);
  setvbuf(stdout, 0, _IOLBF, 0);
  serialPath = arg(argc, argv, "--serial", "CLASP_SIM_SERIAL");
  tcpTarget = arg(argc, argv, "--tcp", "CLASP_SIM_TCP");
  statusPath = arg(argc, argv, "--status", "CLASP_SIM_STATUS");
  if (serialPath) Serial.usePath(serialPath);
  claspSimReport("start pid=%d serial=%s tcp=%s", (int)getpid(), serialPath ? serialPath : "stdio", tcpTarget ? tcpTarget : "-");
  writeStatus();
  setup();
  claspSimReport("setup done");
  for (;;) {
    loop();
    idle();
  }
}
