/* kdelta-load's blocking loads: pipe round trips, write + fsync, loopback TCP. */
#include "load.h"

#ifndef TMPFS_MAGIC
#define TMPFS_MAGIC 0x01021994
#endif
#ifndef RAMFS_MAGIC
#define RAMFS_MAGIC 0x858458f6
#endif

/* ---------- pipe-pingpong ---------- */

struct pp_arg {
  int index;
  int ping; /* 1: sends first */
  int rfd, wfd;
  unsigned long long count, done;
};

static void *pingpong_thread(void *p) {
  struct pp_arg *a = p;
  char name[16];
  snprintf(name, sizeof name, "%s%d", a->ping ? "ping" : "pong", a->index);
  set_thread_name(name);
  char b = 'x';
  /* One byte each way through blocking pipes: every hop is a sleep in pipe_read and a
     wake-up by the other thread, i.e. one sched_wakeup -> sched_switch latency. */
  for (unsigned long long i = 0; i < a->count; i++) {
    if (a->ping) {
      if (write(a->wfd, &b, 1) != 1) die("pipe write: %s", strerror(errno));
      if (read(a->rfd, &b, 1) != 1) die("pipe read: %s", strerror(errno));
    } else {
      if (read(a->rfd, &b, 1) != 1) die("pipe read: %s", strerror(errno));
      if (write(a->wfd, &b, 1) != 1) die("pipe write: %s", strerror(errno));
    }
    a->done++;
  }
  record_thread_stat();
  return NULL;
}

void run_pipe_pingpong(struct opts *o) {
  if (!o->count) usage("pipe-pingpong needs --count N");
  int pairs = o->pairs ? (int)o->pairs : 1;
  pthread_t *t = calloc((size_t)pairs * 2, sizeof *t);
  struct pp_arg *args = calloc((size_t)pairs * 2, sizeof *args);
  if (!t || !args) die("out of memory");
  uint64_t t0 = now_ns();
  for (int i = 0; i < pairs; i++) {
    int there[2], back[2];
    if (pipe(there) || pipe(back)) die("pipe: %s", strerror(errno));
    args[2 * i] = (struct pp_arg){i, 1, back[0], there[1], (unsigned long long)o->count, 0};
    args[2 * i + 1] = (struct pp_arg){i, 0, there[0], back[1], (unsigned long long)o->count, 0};
  }
  for (int i = 0; i < pairs * 2; i++) start_thread(&t[i], pingpong_thread, &args[i]);
  unsigned long long trips = 0;
  for (int i = 0; i < pairs * 2; i++) {
    pthread_join(t[i], NULL);
    if (args[i].ping) trips += args[i].done;
  }
  uint64_t dt = now_ns() - t0;
  print_metric("round_trip_ns", (double)dt * pairs / (double)trips, "ns", "lower");
  print_metric("ops_per_sec", (double)trips / ((double)dt / 1e9), "1/s", "higher");
  print_load_line("pipe-pingpong", trips);
}

/* ---------- fsync-write ---------- */

void run_fsync_write(struct opts *o) {
  if (!o->count) usage("fsync-write needs --count N");
  const char *dir = o->dir ? o->dir : ".";
  struct statfs sfs;
  if (statfs(dir, &sfs) != 0) die("cannot use --dir %s: %s", dir, strerror(errno));
  if ((unsigned long)sfs.f_type == TMPFS_MAGIC || (unsigned long)sfs.f_type == RAMFS_MAGIC)
    usage("%s is on tmpfs/ramfs, where fsync does no I/O; pass --dir on a disk file system", dir);
  set_thread_name("fsync");
  char path[4096];
  /* O_TMPFILE: an unnamed file, so a repetition killed by cgroup.kill on timeout (SIGKILL,
     no handler runs) leaves nothing behind. Where the file system lacks it, a named
     temporary file unlinked at the end. */
  int fd = open(dir, O_TMPFILE | O_RDWR, 0600);
  int named = 0;
  if (fd < 0) {
    snprintf(path, sizeof path, "%s/.kdelta-fsync-XXXXXX", dir);
    fd = mkstemp(path);
    if (fd < 0) die("cannot create a file in %s: %s", dir, strerror(errno));
    named = 1;
  }
  char buf[4096];
  memset(buf, 'k', sizeof buf);
  unsigned long long n = (unsigned long long)o->count;
  uint64_t t0 = now_ns();
  for (unsigned long long i = 0; i < n; i++) {
    if (write(fd, buf, sizeof buf) != (ssize_t)sizeof buf) die("write: %s", strerror(errno));
    if (fsync(fd) != 0) die("fsync: %s", strerror(errno));
  }
  uint64_t dt = now_ns() - t0;
  close(fd);
  if (named) unlink(path);
  print_metric("fsync_ns", (double)dt / (double)n, "ns", "lower");
  print_metric("ops_per_sec", (double)n / ((double)dt / 1e9), "1/s", "higher");
  print_load_line("fsync-write", n);
}

/* ---------- loopback-tcp ---------- */

struct tcp_arg {
  int fd;
  unsigned long long bytes, moved;
};

static void *tcp_server(void *p) {
  struct tcp_arg *a = p;
  set_thread_name("tcpserver");
  int c = accept(a->fd, NULL, NULL);
  if (c < 0) die("accept: %s", strerror(errno));
  static char buf[1 << 16];
  for (;;) {
    ssize_t r = read(c, buf, sizeof buf);
    if (r < 0) {
      if (errno == EINTR) continue;
      die("tcp read: %s", strerror(errno));
    }
    if (r == 0) break;
    a->moved += (unsigned long long)r;
  }
  close(c);
  record_thread_stat();
  return NULL;
}

static void *tcp_client(void *p) {
  struct tcp_arg *a = p;
  set_thread_name("tcpclient");
  static char buf[1 << 16];
  memset(buf, 't', sizeof buf);
  unsigned long long left = a->bytes;
  while (left) {
    size_t chunk = left < sizeof buf ? (size_t)left : sizeof buf;
    ssize_t w = write(a->fd, buf, chunk);
    if (w < 0) {
      if (errno == EINTR) continue;
      die("tcp write: %s", strerror(errno));
    }
    left -= (unsigned long long)w;
    a->moved += (unsigned long long)w;
  }
  shutdown(a->fd, SHUT_WR);
  record_thread_stat();
  return NULL;
}

void run_loopback_tcp(struct opts *o) {
  if (!o->bytes) usage("loopback-tcp needs --bytes B");
  int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (ls < 0) die("socket: %s", strerror(errno));
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t alen = sizeof addr;
  if (bind(ls, (struct sockaddr *)&addr, sizeof addr) || listen(ls, 1) ||
      getsockname(ls, (struct sockaddr *)&addr, &alen))
    die("listen on 127.0.0.1: %s", strerror(errno));
  int cs = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (cs < 0) die("socket: %s", strerror(errno));
  struct tcp_arg srv = {ls, o->bytes, 0}, cli = {cs, o->bytes, 0};
  pthread_t ts, tc;
  uint64_t t0 = now_ns();
  start_thread(&ts, tcp_server, &srv);
  if (connect(cs, (struct sockaddr *)&addr, sizeof addr)) die("connect to 127.0.0.1: %s", strerror(errno));
  start_thread(&tc, tcp_client, &cli);
  pthread_join(tc, NULL);
  pthread_join(ts, NULL);
  uint64_t dt = now_ns() - t0;
  close(cs);
  close(ls);
  if (srv.moved != (unsigned long long)o->bytes)
    die("server received %llu bytes, client sent %llu", srv.moved, cli.moved);
  print_metric("bytes_per_sec", (double)srv.moved / ((double)dt / 1e9), "B/s", "higher");
  print_load_line("loopback-tcp", srv.moved);
}
