/*
 * LD_PRELOAD shim for olad in the sACN tests: IP_MULTICAST_LOOP is forced on.
 *
 * olad's E1.31 plugin turns multicast loopback off on its socket and has no unicast output, so on a
 * single host nothing it sends reaches another receiver. With loopback on, the kernel also delivers
 * its real multicast packets to sockets on this host that joined the group; the packets, olad and
 * the bridge are unchanged. Built by test/bridges/ola-peer.ts with the host gcc.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netinet/in.h>
#include <sys/socket.h>

typedef int (*setsockopt_fn)(int, int, int, const void *, socklen_t);

int setsockopt(int fd, int level, int name, const void *value, socklen_t length) {
  static setsockopt_fn real;
  if (!real) real = (setsockopt_fn)dlsym(RTLD_NEXT, "setsockopt");
  if (level == IPPROTO_IP && name == IP_MULTICAST_LOOP) {
    if (length == sizeof(int)) { int on = 1; return real(fd, level, name, &on, length); }
    unsigned char on = 1;
    return real(fd, level, name, &on, sizeof on);
  }
  return real(fd, level, name, value, length);
}
