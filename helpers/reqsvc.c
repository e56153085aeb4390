/*
 * kdelta-reqsvc: a service whose work per request is known, and its driver, for the tests of
 * the service side of the capture.
 *
 *   kdelta-reqsvc serve --port P [--calls K]     one thread; per request (one byte), K raw getcpu
 *                                                calls, then a one-byte reply (one write)
 *   kdelta-reqsvc drive --port P [--requests N]  one connection, N requests one at a time; then
 *                                                waits for the service to close the connection, so
 *                                                the service is back in accept() when it exits
 *
 * getcpu is made with syscall(2) on purpose: glibc answers sched_getcpu from rseq or the vDSO,
 * so nothing else in either process makes it. The driver prints {"requests":N}.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

static struct sockaddr_in addr_of(int port) {
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

static void serve_one(int c, long calls) {
  char buf[4096];
  for (;;) {
    ssize_t n = read(c, buf, sizeof buf);
    if (n <= 0) break;
    for (ssize_t i = 0; i < n; i++) {
      unsigned cpu, node;
      for (long k = 0; k < calls; k++) syscall(SYS_getcpu, &cpu, &node, NULL);
      if (write(c, "r", 1) != 1) return;
    }
  }
}

static int serve(int port, long calls) {
  int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  struct sockaddr_in a = addr_of(port);
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) || listen(s, 16)) {
    perror("kdelta-reqsvc: listen");
    return 1;
  }
  printf("listening on 127.0.0.1:%d\n", port);
  fflush(stdout);
  for (;;) {
    int c = accept(s, NULL, NULL);
    if (c < 0) continue;
    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    serve_one(c, calls);
    close(c);
  }
}

static int drive(int port, long requests) {
  int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  struct sockaddr_in a = addr_of(port);
  if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof a)) {
    perror("kdelta-reqsvc: connect");
    return 1;
  }
  setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  char r;
  for (long i = 0; i < requests; i++) {
    if (write(s, "q", 1) != 1 || read(s, &r, 1) != 1) {
      fprintf(stderr, "kdelta-reqsvc: request %ld failed\n", i);
      return 1;
    }
  }
  shutdown(s, SHUT_WR);
  while (read(s, &r, 1) > 0) {
  }
  close(s);
  printf("{\"requests\":%ld}\n", requests);
  return 0;
}

int main(int argc, char **argv) {
  long port = 0, calls = 1, requests = 1000;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--port")) port = strtol(argv[i + 1], NULL, 10);
    else if (!strcmp(argv[i], "--calls")) calls = strtol(argv[i + 1], NULL, 10);
    else if (!strcmp(argv[i], "--requests")) requests = strtol(argv[i + 1], NULL, 10);
  }
  if (argc < 2 || port <= 0 || port > 65535) {
    fprintf(stderr, "usage: kdelta-reqsvc serve|drive --port P [--calls K] [--requests N]\n");
    return 2;
  }
  if (!strcmp(argv[1], "serve")) return serve((int)port, calls);
  if (!strcmp(argv[1], "drive")) return drive((int)port, requests);
  fprintf(stderr, "kdelta-reqsvc: unknown mode '%s'\n", argv[1]);
  return 2;
}
