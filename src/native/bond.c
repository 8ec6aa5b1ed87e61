/*
 * bond's Node-API addon: the few system calls Node does not offer, done in batches.
 *
 *   TUN:  open a device, read packets until the queue is empty, write a batch.
 *   UDP:  open a socket bound to an address (and device / fwmark), recvmmsg / sendmmsg.
 *   Poll: tell JS when an fd is readable, inside Node's event loop (uv_poll).
 *   AEAD: seal / open a batch of packets in place (AES-256-GCM, ChaCha20-Poly1305) with
 *         the OpenSSL that Node itself links, so one JS call covers a whole batch.
 *
 * Packets live in one JS Buffer cut into slots ("slab"); lengths, offsets and peer
 * addresses travel in typed arrays, so a batch crosses the JS/C boundary without copies or
 * allocations. Peer addresses use a 24-byte slot: [0] family 4|6, [2..3] port (big endian),
 * [4..19] address (IPv4 in the first 4 bytes), [20..23] IPv6 scope id.
 *
 * No protocol logic lives here. Errors become JS exceptions whose `code` is the errno name.
 */
#define _GNU_SOURCE
#include <node_api.h>
#include <uv.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

#define ADDR_SLOT 24
#define MAX_BATCH 256

/* ---------- errors ---------- */

static const char *errno_name(int e) {
  switch (e) {
#define E(x) case x: return #x;
    E(EPERM) E(ENOENT) E(EINTR) E(EIO) E(EBADF) E(EAGAIN) E(ENOMEM) E(EACCES) E(EFAULT)
    E(EBUSY) E(EEXIST) E(ENODEV) E(EINVAL) E(ENFILE) E(EMFILE) E(ENOSPC) E(EPIPE)
    E(ENAMETOOLONG) E(ENOSYS) E(ENOTSOCK) E(EDESTADDRREQ) E(EMSGSIZE) E(EPROTOTYPE)
    E(ENOPROTOOPT) E(EPROTONOSUPPORT) E(EOPNOTSUPP) E(EAFNOSUPPORT) E(EADDRINUSE)
    E(EADDRNOTAVAIL) E(ENETDOWN) E(ENETUNREACH) E(ECONNRESET) E(ENOBUFS) E(EISCONN)
    E(ENOTCONN) E(ETIMEDOUT) E(ECONNREFUSED) E(EHOSTDOWN) E(EHOSTUNREACH)
#undef E
    default: return "EUNKNOWN";
  }
}

static napi_value throw_errno(napi_env env, const char *what, int e) {
  char msg[256];
  snprintf(msg, sizeof msg, "%s: %s (%s)", what, strerror(e), errno_name(e));
  napi_throw_error(env, errno_name(e), msg);
  return NULL;
}

static napi_value throw_type(napi_env env, const char *msg) {
  napi_throw_type_error(env, "EINVAL", msg);
  return NULL;
}

/* ---------- argument helpers ---------- */

#define ARGS(n)                                                        \
  size_t argc = n;                                                     \
  napi_value argv[n];                                                  \
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) \
    return NULL;

static int get_i32(napi_env env, napi_value v, int32_t *out) {
  return napi_get_value_int32(env, v, out) == napi_ok;
}

static int get_bytes(napi_env env, napi_value v, uint8_t **data, size_t *len) {
  bool is;
  if (napi_is_buffer(env, v, &is) == napi_ok && is)
    return napi_get_buffer_info(env, v, (void **)data, len) == napi_ok;
  napi_typedarray_type t;
  napi_value ab;
  size_t off;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return 0;
  if (napi_get_typedarray_info(env, v, &t, len, (void **)data, &ab, &off) != napi_ok) return 0;
  if (t != napi_uint8_array) return 0;
  return 1;
}

static int get_i32s(napi_env env, napi_value v, int32_t **data, size_t *len) {
  bool is;
  napi_typedarray_type t;
  napi_value ab;
  size_t off;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return 0;
  if (napi_get_typedarray_info(env, v, &t, len, (void **)data, &ab, &off) != napi_ok) return 0;
  return t == napi_int32_array;
}

static napi_value make_i32(napi_env env, int32_t v) {
  napi_value r;
  napi_create_int32(env, v, &r);
  return r;
}

static int get_string(napi_env env, napi_value v, char *buf, size_t size) {
  size_t len;
  if (napi_get_value_string_utf8(env, v, buf, size, &len) != napi_ok) return 0;
  return len < size - 1;
}

/* ---------- address slots ---------- */

static socklen_t slot_to_sockaddr(const uint8_t *slot, int sock_family, struct sockaddr_storage *ss) {
  memset(ss, 0, sizeof *ss);
  uint16_t port = (uint16_t)(slot[2] << 8 | slot[3]);
  if (slot[0] == 4 && sock_family == AF_INET) {
    struct sockaddr_in *s = (struct sockaddr_in *)ss;
    s->sin_family = AF_INET;
    s->sin_port = htons(port);
    memcpy(&s->sin_addr, slot + 4, 4);
    return sizeof *s;
  }
  struct sockaddr_in6 *s = (struct sockaddr_in6 *)ss;
  s->sin6_family = AF_INET6;
  s->sin6_port = htons(port);
  if (slot[0] == 4) { /* IPv4 peer on a dual-stack socket: v4-mapped */
    s->sin6_addr.s6_addr[10] = 0xff;
    s->sin6_addr.s6_addr[11] = 0xff;
    memcpy(&s->sin6_addr.s6_addr[12], slot + 4, 4);
  } else {
    memcpy(&s->sin6_addr, slot + 4, 16);
    memcpy(&s->sin6_scope_id, slot + 20, 4);
  }
  return sizeof *s;
}

static void sockaddr_to_slot(const struct sockaddr_storage *ss, uint8_t *slot) {
  memset(slot, 0, ADDR_SLOT);
  if (ss->ss_family == AF_INET) {
    const struct sockaddr_in *s = (const struct sockaddr_in *)ss;
    uint16_t port = ntohs(s->sin_port);
    slot[0] = 4;
    slot[2] = port >> 8;
    slot[3] = port & 0xff;
    memcpy(slot + 4, &s->sin_addr, 4);
  } else if (ss->ss_family == AF_INET6) {
    const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)ss;
    uint16_t port = ntohs(s->sin6_port);
    slot[2] = port >> 8;
    slot[3] = port & 0xff;
    if (IN6_IS_ADDR_V4MAPPED(&s->sin6_addr)) {
      slot[0] = 4;
      memcpy(slot + 4, &s->sin6_addr.s6_addr[12], 4);
    } else {
      slot[0] = 6;
      memcpy(slot + 4, &s->sin6_addr, 16);
      memcpy(slot + 20, &s->sin6_scope_id, 4);
    }
  }
}

/* The family of each socket udpOpen made, by fd: udpSend needs it for every batch, and asking
   the kernel (getsockname) would cost a system call each time. close() forgets it. */
#define FAMILY_CACHE 4096
static unsigned char fd_family[FAMILY_CACHE];

static int sock_family(int fd) {
  if (fd >= 0 && fd < FAMILY_CACHE && fd_family[fd]) return fd_family[fd];
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0) return -1;
  return ss.ss_family;
}

/* ---------- TUN ---------- */

/* tunOpen(name) -> [fd, actualName] */
static napi_value tun_open(napi_env env, napi_callback_info info) {
  ARGS(1);
  char name[IFNAMSIZ + 1];
  if (argc < 1 || !get_string(env, argv[0], name, sizeof name))
    return throw_type(env, "tunOpen: name must be a string of at most 15 bytes");
  int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return throw_errno(env, "tunOpen: open /dev/net/tun", errno);
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
  memcpy(ifr.ifr_name, name, strlen(name)); /* get_string checked it fits */
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
    int e = errno;
    close(fd);
    char what[64];
    snprintf(what, sizeof what, "tunOpen(%s)", name);
    return throw_errno(env, what, e);
  }
  napi_value arr, fdv, namev;
  napi_create_array_with_length(env, 2, &arr);
  napi_create_int32(env, fd, &fdv);
  napi_create_string_utf8(env, ifr.ifr_name, NAPI_AUTO_LENGTH, &namev);
  napi_set_element(env, arr, 0, fdv);
  napi_set_element(env, arr, 1, namev);
  return arr;
}

/*
 * readBatch(fd, slab, offsets, cap, max, lengths) -> count
 * Reads packets until the fd would block or `max` packets are read. Packet i lands at
 * slab[offsets[i]] (at most `cap` bytes); its length goes to lengths[i].
 */
static napi_value read_batch(napi_env env, napi_callback_info info) {
  ARGS(6);
  int32_t fd, cap, max;
  uint8_t *slab;
  size_t slab_len, no, n_len;
  int32_t *offs, *lengths;
  if (argc < 6 || !get_i32(env, argv[0], &fd) || !get_bytes(env, argv[1], &slab, &slab_len) ||
      !get_i32s(env, argv[2], &offs, &no) || !get_i32(env, argv[3], &cap) || !get_i32(env, argv[4], &max) ||
      !get_i32s(env, argv[5], &lengths, &n_len))
    return throw_type(env, "readBatch(fd, slab, offsets, cap, max, lengths)");
  if (cap <= 0 || max < 0 || (size_t)max > n_len || (size_t)max > no)
    return throw_type(env, "readBatch: offsets or lengths shorter than max");
  for (int i = 0; i < max; i++)
    if (offs[i] < 0 || (size_t)offs[i] + cap > slab_len) return throw_type(env, "readBatch: slot outside the slab");
  int n = 0;
  while (n < max) {
    ssize_t r = read(fd, slab + offs[n], cap);
    if (r < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) break;
      if (n > 0) break; /* report the error on the next call, after this batch is handled */
      return throw_errno(env, "readBatch", errno);
    }
    lengths[n++] = (int32_t)r;
  }
  return make_i32(env, n);
}

/*
 * writeBatch(fd, slab, offsets, lengths, count) -> written
 * One write per packet (a TUN fd takes one packet per write). Stops early on EAGAIN;
 * a packet the kernel refuses (EINVAL: malformed) is skipped and counted as written.
 */
static napi_value write_batch(napi_env env, napi_callback_info info) {
  ARGS(5);
  int32_t fd, count;
  uint8_t *slab;
  size_t slab_len, no, nl;
  int32_t *offs, *lens;
  if (argc < 5 || !get_i32(env, argv[0], &fd) || !get_bytes(env, argv[1], &slab, &slab_len) ||
      !get_i32s(env, argv[2], &offs, &no) || !get_i32s(env, argv[3], &lens, &nl) ||
      !get_i32(env, argv[4], &count))
    return throw_type(env, "writeBatch(fd, slab, offsets, lengths, count)");
  if (count < 0 || (size_t)count > no || (size_t)count > nl) return throw_type(env, "writeBatch: count too large");
  int i;
  for (i = 0; i < count; i++) {
    if (offs[i] < 0 || lens[i] < 0 || (size_t)offs[i] + lens[i] > slab_len)
      return throw_type(env, "writeBatch: packet outside the slab");
    ssize_t r = write(fd, slab + offs[i], lens[i]);
    if (r < 0) {
      if (errno == EINTR) { i--; continue; }
      if (errno == EAGAIN || errno == ENOBUFS) break;
      if (errno == EINVAL || errno == EIO || errno == EMSGSIZE) continue;
      if (i > 0) break;
      return throw_errno(env, "writeBatch", errno);
    }
  }
  return make_i32(env, i);
}

/* ---------- UDP ---------- */

/*
 * udpOpen(family, address, port, device, mark, bufBytes) -> [fd, boundPort]
 * family 4 or 6; device "" for none; mark 0 for none; bufBytes sizes both socket buffers
 * (SO_*BUFFORCE first, so root gets more than rmem_max).
 */
static napi_value udp_open(napi_env env, napi_callback_info info) {
  ARGS(6);
  int32_t family, port, mark, bufsize;
  char addr[64], dev[IFNAMSIZ + 1];
  if (argc < 6 || !get_i32(env, argv[0], &family) || !get_string(env, argv[1], addr, sizeof addr) ||
      !get_i32(env, argv[2], &port) || !get_string(env, argv[3], dev, sizeof dev) ||
      !get_i32(env, argv[4], &mark) || !get_i32(env, argv[5], &bufsize))
    return throw_type(env, "udpOpen(family, address, port, device, mark, bufBytes)");
  struct sockaddr_storage ss;
  socklen_t sl;
  memset(&ss, 0, sizeof ss);
  if (family == 4) {
    struct sockaddr_in *s = (struct sockaddr_in *)&ss;
    s->sin_family = AF_INET;
    s->sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, addr, &s->sin_addr) != 1) return throw_type(env, "udpOpen: bad IPv4 address");
    sl = sizeof *s;
  } else if (family == 6) {
    struct sockaddr_in6 *s = (struct sockaddr_in6 *)&ss;
    s->sin6_family = AF_INET6;
    s->sin6_port = htons((uint16_t)port);
    if (inet_pton(AF_INET6, addr, &s->sin6_addr) != 1) return throw_type(env, "udpOpen: bad IPv6 address");
    sl = sizeof *s;
  } else {
    return throw_type(env, "udpOpen: family must be 4 or 6");
  }
  int fd = socket(family == 4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_errno(env, "udpOpen: socket", errno);
  const char *step = NULL;
  int one = 1, zero = 0;
  if (family == 6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero) < 0) step = "IPV6_V6ONLY";
  if (!step && bufsize > 0) {
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bufsize, sizeof bufsize) < 0)
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufsize, sizeof bufsize);
    if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &bufsize, sizeof bufsize) < 0)
      setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bufsize, sizeof bufsize);
  }
  if (!step && dev[0] && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev, strlen(dev)) < 0) step = "SO_BINDTODEVICE";
  if (!step && mark && setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof mark) < 0) step = "SO_MARK";
  /* a link's address may vanish and return (DHCP, PPPoE): allow binding before it exists */
  if (!step) setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof one);
  if (!step && bind(fd, (struct sockaddr *)&ss, sl) < 0) step = "bind";
  if (step) {
    int e = errno;
    close(fd);
    char what[128];
    snprintf(what, sizeof what, "udpOpen(%s:%d): %s", addr, port, step);
    return throw_errno(env, what, e);
  }
  if (fd < FAMILY_CACHE) fd_family[fd] = family == 4 ? AF_INET : AF_INET6;
  socklen_t len = sizeof ss;
  getsockname(fd, (struct sockaddr *)&ss, &len);
  int bound = ss.ss_family == AF_INET ? ntohs(((struct sockaddr_in *)&ss)->sin_port)
                                      : ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
  napi_value arr;
  napi_create_array_with_length(env, 2, &arr);
  napi_set_element(env, arr, 0, make_i32(env, fd));
  napi_set_element(env, arr, 1, make_i32(env, bound));
  return arr;
}

/*
 * udpRecv(fd, slab, offsets, cap, max, lengths, addrs) -> count
 * recvmmsg into slab[offsets[i]] (at most `cap` bytes each); the sender of packet i goes to
 * addrs[i*24..]. A datagram longer than `cap` is reported with length 0 (drop it).
 */
static napi_value udp_recv(napi_env env, napi_callback_info info) {
  ARGS(7);
  int32_t fd, cap, max;
  uint8_t *slab, *addrs;
  size_t slab_len, no, n_len, a_len;
  int32_t *offs, *lengths;
  if (argc < 7 || !get_i32(env, argv[0], &fd) || !get_bytes(env, argv[1], &slab, &slab_len) ||
      !get_i32s(env, argv[2], &offs, &no) || !get_i32(env, argv[3], &cap) || !get_i32(env, argv[4], &max) ||
      !get_i32s(env, argv[5], &lengths, &n_len) || !get_bytes(env, argv[6], &addrs, &a_len))
    return throw_type(env, "udpRecv(fd, slab, offsets, cap, max, lengths, addrs)");
  if (max > MAX_BATCH) max = MAX_BATCH;
  if (cap <= 0 || max < 0 || (size_t)max > n_len || (size_t)max > no || (size_t)max * ADDR_SLOT > a_len)
    return throw_type(env, "udpRecv: offsets, lengths or addrs shorter than max");
  struct mmsghdr msgs[MAX_BATCH];
  struct iovec iov[MAX_BATCH];
  struct sockaddr_storage from[MAX_BATCH];
  for (int i = 0; i < max; i++) {
    if (offs[i] < 0 || (size_t)offs[i] + cap > slab_len) return throw_type(env, "udpRecv: slot outside the slab");
    iov[i].iov_base = slab + offs[i];
    iov[i].iov_len = cap;
    memset(&msgs[i].msg_hdr, 0, sizeof msgs[i].msg_hdr);
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
    msgs[i].msg_hdr.msg_name = &from[i];
    msgs[i].msg_hdr.msg_namelen = sizeof from[i];
  }
  int n;
  do n = recvmmsg(fd, msgs, max, MSG_DONTWAIT, NULL);
  while (n < 0 && errno == EINTR);
  if (n < 0) {
    /* ICMP errors from earlier sends surface here; they are not this batch's problem */
    if (errno == EAGAIN || errno == ECONNREFUSED || errno == EHOSTUNREACH || errno == ENETUNREACH)
      return make_i32(env, 0);
    return throw_errno(env, "udpRecv", errno);
  }
  for (int i = 0; i < n; i++) {
    lengths[i] = (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) ? 0 : (int32_t)msgs[i].msg_len;
    sockaddr_to_slot(&from[i], addrs + (size_t)i * ADDR_SLOT);
  }
  return make_i32(env, n);
}

/*
 * udpSend(fd, slab, offsets, lengths, addrs, count, status) -> sent
 * sendmmsg of packets slab[offsets[i] .. +lengths[i]] to addrs[i*24..] (or to addrs[0..]
 * for every packet when addrs holds a single slot). Stops on EAGAIN/ENOBUFS (the caller
 * drops the rest, as a full router queue would). A packet refused for another reason is
 * skipped; status[0] counts those and status[1] keeps the last errno.
 */
static napi_value udp_send(napi_env env, napi_callback_info info) {
  ARGS(7);
  int32_t fd, count;
  uint8_t *slab, *addrs;
  size_t slab_len, no, nl, a_len, ns;
  int32_t *offs, *lens, *status;
  if (argc < 7 || !get_i32(env, argv[0], &fd) || !get_bytes(env, argv[1], &slab, &slab_len) ||
      !get_i32s(env, argv[2], &offs, &no) || !get_i32s(env, argv[3], &lens, &nl) ||
      !get_bytes(env, argv[4], &addrs, &a_len) || !get_i32(env, argv[5], &count) ||
      !get_i32s(env, argv[6], &status, &ns) || ns < 2)
    return throw_type(env, "udpSend(fd, slab, offsets, lengths, addrs, count, status)");
  if (count < 0 || (size_t)count > no || (size_t)count > nl || a_len < ADDR_SLOT)
    return throw_type(env, "udpSend: count larger than offsets/lengths, or no address");
  int one_addr = a_len < (size_t)count * ADDR_SLOT;
  int fam = sock_family(fd);
  if (fam < 0) return throw_errno(env, "udpSend", errno);
  struct mmsghdr msgs[MAX_BATCH];
  struct iovec iov[MAX_BATCH];
  struct sockaddr_storage to[MAX_BATCH];
  int sent = 0;
  while (sent < count) {
    int n = count - sent < MAX_BATCH ? count - sent : MAX_BATCH;
    for (int i = 0; i < n; i++) {
      int k = sent + i;
      if (offs[k] < 0 || lens[k] < 0 || (size_t)offs[k] + lens[k] > slab_len)
        return throw_type(env, "udpSend: packet outside the slab");
      iov[i].iov_base = slab + offs[k];
      iov[i].iov_len = lens[k];
      memset(&msgs[i].msg_hdr, 0, sizeof msgs[i].msg_hdr);
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
      msgs[i].msg_hdr.msg_name = &to[i];
      msgs[i].msg_hdr.msg_namelen = slot_to_sockaddr(addrs + (one_addr ? 0 : (size_t)k * ADDR_SLOT), fam, &to[i]);
    }
    int r = sendmmsg(fd, msgs, n, MSG_DONTWAIT);
    if (r < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == ENOBUFS) break;
      status[0]++;
      status[1] = errno;
      sent++; /* skip the refused packet, send the rest */
      continue;
    }
    sent += r;
  }
  return make_i32(env, sent);
}

/* setsockoptInt(fd, level, name, value) / setsockoptString(fd, level, name, value) */
static napi_value set_sockopt(napi_env env, napi_callback_info info) {
  ARGS(4);
  int32_t fd, level, name;
  if (argc < 4 || !get_i32(env, argv[0], &fd) || !get_i32(env, argv[1], &level) || !get_i32(env, argv[2], &name))
    return throw_type(env, "setsockopt(fd, level, name, value)");
  napi_valuetype t;
  napi_typeof(env, argv[3], &t);
  int r;
  if (t == napi_string) {
    char s[64];
    if (!get_string(env, argv[3], s, sizeof s)) return throw_type(env, "setsockopt: string too long");
    r = setsockopt(fd, level, name, s, strlen(s));
  } else {
    int32_t v;
    if (!get_i32(env, argv[3], &v)) return throw_type(env, "setsockopt: value must be int or string");
    r = setsockopt(fd, level, name, &v, sizeof v);
  }
  if (r < 0) return throw_errno(env, "setsockopt", errno);
  return NULL;
}

static napi_value close_fd(napi_env env, napi_callback_info info) {
  ARGS(1);
  int32_t fd;
  if (argc < 1 || !get_i32(env, argv[0], &fd)) return throw_type(env, "close(fd)");
  if (fd >= 0 && fd < FAMILY_CACHE) fd_family[fd] = 0;
  if (close(fd) < 0 && errno != EINTR) return throw_errno(env, "close", errno);
  return NULL;
}

/* ---------- poll: readable callbacks inside the event loop ---------- */

typedef struct {
  uv_poll_t handle;
  napi_env env;
  napi_ref callback;
  napi_ref self;
  int closing;
} poller_t;

static void poll_cb(uv_poll_t *h, int status, int events) {
  poller_t *p = (poller_t *)h->data;
  if (p->closing) return;
  napi_handle_scope scope;
  napi_open_handle_scope(p->env, &scope);
  napi_value cb, global, err = NULL;
  napi_get_reference_value(p->env, p->callback, &cb);
  napi_get_global(p->env, &global);
  if (status < 0) {
    napi_value msg;
    napi_create_string_utf8(p->env, uv_strerror(status), NAPI_AUTO_LENGTH, &msg);
    napi_create_error(p->env, NULL, msg, &err);
  }
  napi_value args[1];
  napi_get_undefined(p->env, &args[0]);
  if (err) args[0] = err;
  napi_value result;
  /* make_callback runs microtasks and reports exceptions like any other Node callback */
  napi_make_callback(p->env, NULL, global, cb, 1, args, &result);
  napi_close_handle_scope(p->env, scope);
}

static void poll_closed(uv_handle_t *h) {
  poller_t *p = (poller_t *)h->data;
  napi_delete_reference(p->env, p->callback);
  if (p->self) napi_delete_reference(p->env, p->self);
  free(p);
}

static void poller_finalize(napi_env env, void *data, void *hint) {
  poller_t *p = (poller_t *)data;
  if (!p->closing) {
    p->closing = 1;
    uv_poll_stop(&p->handle);
    uv_close((uv_handle_t *)&p->handle, poll_closed);
  }
}

/* pollStart(fd, callback) -> handle (an external); pollStop(handle) closes it */
static napi_value poll_start(napi_env env, napi_callback_info info) {
  ARGS(2);
  int32_t fd;
  if (argc < 2 || !get_i32(env, argv[0], &fd)) return throw_type(env, "pollStart(fd, callback)");
  uv_loop_t *loop;
  napi_get_uv_event_loop(env, &loop);
  poller_t *p = calloc(1, sizeof *p);
  p->env = env;
  p->handle.data = p;
  int r = uv_poll_init(loop, &p->handle, fd);
  if (r < 0) {
    free(p);
    return throw_errno(env, "pollStart", -r);
  }
  napi_create_reference(env, argv[1], 1, &p->callback);
  uv_poll_start(&p->handle, UV_READABLE, poll_cb);
  napi_value ext;
  napi_create_external(env, p, NULL, NULL, &ext);
  /* the loop holds the poller alive until pollStop; a strong ref keeps the external valid */
  napi_create_reference(env, ext, 1, &p->self);
  return ext;
}

static napi_value poll_stop(napi_env env, napi_callback_info info) {
  ARGS(1);
  poller_t *p;
  if (argc < 1 || napi_get_value_external(env, argv[0], (void **)&p) != napi_ok || !p)
    return throw_type(env, "pollStop(handle)");
  poller_finalize(env, p, NULL);
  return NULL;
}

/* ---------- AEAD over a batch ---------- */

/*
 * Keys come as one buffer of 32-byte keys and a key index per packet, so one call can serve
 * packets of several peers; the cipher is re-keyed only when the index changes.
 * alg 0 = AES-256-GCM, 1 = ChaCha20-Poly1305. Nonces: 12 bytes per packet. Tag: 16 bytes.
 */
static EVP_CIPHER_CTX *aead_ctx[2];

static EVP_CIPHER_CTX *aead_init(int enc) {
  if (!aead_ctx[enc]) aead_ctx[enc] = EVP_CIPHER_CTX_new();
  return aead_ctx[enc];
}

static int rekey(EVP_CIPHER_CTX *ctx, int enc, int alg, const uint8_t *key) {
  const EVP_CIPHER *cipher = alg == 0 ? EVP_aes_256_gcm() : EVP_chacha20_poly1305();
  return enc ? EVP_EncryptInit_ex(ctx, cipher, NULL, key, NULL) : EVP_DecryptInit_ex(ctx, cipher, NULL, key, NULL);
}

/*
 * aeadSeal(alg, keys, keyIdx, out, outOffsets, adLen, src, srcOffsets, srcLengths, nonces, count, outLengths) -> sealed
 * Associated data is out[outOffsets[i] .. +adLen] (the caller wrote the header there); the
 * plaintext src[srcOffsets[i] .. +srcLengths[i]] is encrypted to just after it, then the tag.
 * outLengths[i] = adLen + srcLengths[i] + 16. The plaintext is left as it was (for resends).
 */
static napi_value aead_seal(napi_env env, napi_callback_info info) {
  ARGS(12);
  int32_t alg, adlen, count;
  uint8_t *keys, *out, *src, *nonces;
  size_t nk, ki_n, out_len, no, src_len, nso, nsl, nn, nol;
  int32_t *kidx, *ooffs, *soffs, *slens, *olens;
  if (argc < 12 || !get_i32(env, argv[0], &alg) || !get_bytes(env, argv[1], &keys, &nk) ||
      !get_i32s(env, argv[2], &kidx, &ki_n) || !get_bytes(env, argv[3], &out, &out_len) ||
      !get_i32s(env, argv[4], &ooffs, &no) || !get_i32(env, argv[5], &adlen) ||
      !get_bytes(env, argv[6], &src, &src_len) || !get_i32s(env, argv[7], &soffs, &nso) ||
      !get_i32s(env, argv[8], &slens, &nsl) || !get_bytes(env, argv[9], &nonces, &nn) ||
      !get_i32(env, argv[10], &count) || !get_i32s(env, argv[11], &olens, &nol))
    return throw_type(env, "aeadSeal(alg, keys, keyIdx, out, outOffsets, adLen, src, srcOffsets, srcLengths, nonces, count, outLengths)");
  if ((alg != 0 && alg != 1) || nk < 32 || nk % 32 || adlen < 0 || count < 0 || (size_t)count > ki_n ||
      (size_t)count > no || (size_t)count > nso || (size_t)count > nsl || (size_t)count > nol || (size_t)count * 12 > nn)
    return throw_type(env, "aeadSeal: bad algorithm, keys or array sizes");
  EVP_CIPHER_CTX *ctx = aead_init(1);
  int current = -1, ok = 0, outl;
  for (int i = 0; i < count; i++) {
    int32_t k = kidx[i], oo = ooffs[i], so = soffs[i], len = slens[i];
    olens[i] = -1;
    if (k < 0 || (size_t)(k + 1) * 32 > nk || oo < 0 || so < 0 || len < 0 ||
        (size_t)oo + adlen + len + 16 > out_len || (size_t)so + len > src_len)
      continue;
    if (k != current) {
      if (!rekey(ctx, 1, alg, keys + (size_t)k * 32)) continue;
      current = k;
    }
    uint8_t *p = out + oo;
    if (!EVP_EncryptInit_ex(ctx, NULL, NULL, NULL, nonces + (size_t)i * 12) ||
        !EVP_EncryptUpdate(ctx, NULL, &outl, p, adlen) ||
        !EVP_EncryptUpdate(ctx, p + adlen, &outl, src + so, len) ||
        !EVP_EncryptFinal_ex(ctx, p + adlen + len, &outl) ||
        !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, p + adlen + len))
      continue;
    olens[i] = adlen + len + 16;
    ok++;
  }
  return make_i32(env, ok);
}

/*
 * aeadOpen(alg, keys, keyIdx, slab, offsets, lengths, adLen, nonces, count) -> opened
 * In place: packet i is slab[offsets[i] .. +lengths[i]] = associated data (adLen), ciphertext,
 * tag. On success lengths[i] becomes the plaintext length (the plaintext starts at
 * offsets[i] + adLen); on failure (or keyIdx[i] < 0: skip) it becomes -1.
 */
static napi_value aead_open(napi_env env, napi_callback_info info) {
  ARGS(9);
  int32_t alg, adlen, count;
  uint8_t *keys, *slab, *nonces;
  size_t nk, ki_n, slab_len, no, nl, nn;
  int32_t *kidx, *offs, *lens;
  if (argc < 9 || !get_i32(env, argv[0], &alg) || !get_bytes(env, argv[1], &keys, &nk) ||
      !get_i32s(env, argv[2], &kidx, &ki_n) || !get_bytes(env, argv[3], &slab, &slab_len) ||
      !get_i32s(env, argv[4], &offs, &no) || !get_i32s(env, argv[5], &lens, &nl) ||
      !get_i32(env, argv[6], &adlen) || !get_bytes(env, argv[7], &nonces, &nn) || !get_i32(env, argv[8], &count))
    return throw_type(env, "aeadOpen(alg, keys, keyIdx, slab, offsets, lengths, adLen, nonces, count)");
  if ((alg != 0 && alg != 1) || nk < 32 || nk % 32 || adlen < 0 || count < 0 || (size_t)count > ki_n ||
      (size_t)count > no || (size_t)count > nl || (size_t)count * 12 > nn)
    return throw_type(env, "aeadOpen: bad algorithm, keys or array sizes");
  EVP_CIPHER_CTX *ctx = aead_init(0);
  int current = -1, ok = 0, outl;
  for (int i = 0; i < count; i++) {
    int32_t k = kidx[i], off = offs[i], len = lens[i];
    int text = len - adlen - 16;
    lens[i] = -1;
    if (k < 0 || (size_t)(k + 1) * 32 > nk || off < 0 || text < 0 || (size_t)off + len > slab_len) continue;
    if (k != current) {
      if (!rekey(ctx, 0, alg, keys + (size_t)k * 32)) continue;
      current = k;
    }
    uint8_t *p = slab + off;
    if (!EVP_DecryptInit_ex(ctx, NULL, NULL, NULL, nonces + (size_t)i * 12) ||
        !EVP_DecryptUpdate(ctx, NULL, &outl, p, adlen) ||
        !EVP_DecryptUpdate(ctx, p + adlen, &outl, p + adlen, text) ||
        !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, 16, p + adlen + text) ||
        EVP_DecryptFinal_ex(ctx, p + adlen + text, &outl) <= 0)
      continue;
    lens[i] = text;
    ok++;
  }
  return make_i32(env, ok);
}

/* ---------- module ---------- */

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"tunOpen", NULL, tun_open, NULL, NULL, NULL, napi_default, NULL},
    {"readBatch", NULL, read_batch, NULL, NULL, NULL, napi_default, NULL},
    {"writeBatch", NULL, write_batch, NULL, NULL, NULL, napi_default, NULL},
    {"udpOpen", NULL, udp_open, NULL, NULL, NULL, napi_default, NULL},
    {"udpRecv", NULL, udp_recv, NULL, NULL, NULL, napi_default, NULL},
    {"udpSend", NULL, udp_send, NULL, NULL, NULL, napi_default, NULL},
    {"setsockopt", NULL, set_sockopt, NULL, NULL, NULL, napi_default, NULL},
    {"close", NULL, close_fd, NULL, NULL, NULL, napi_default, NULL},
    {"pollStart", NULL, poll_start, NULL, NULL, NULL, napi_default, NULL},
    {"pollStop", NULL, poll_stop, NULL, NULL, NULL, napi_default, NULL},
    {"aeadSeal", NULL, aead_seal, NULL, NULL, NULL, napi_default, NULL},
    {"aeadOpen", NULL, aead_open, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
