/*
 * The parts of kdelta-load (helpers/load.c) its load files share: the options, the output
 * and the per-thread schedstat every thread records before it ends.
 */
#ifndef KDELTA_LOAD_H
#define KDELTA_LOAD_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

struct opts {
  long long threads, duration_ms, count, pairs, bytes;
  int cpu; /* -1: not pinned */
  const char *dir;
};

void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void usage(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
uint64_t now_ns(void);
pid_t gettid_raw(void);
void record_thread_stat(void);
void set_thread_name(const char *name);
void print_metric(const char *name, double value, const char *unit, const char *better);
void print_load_line(const char *op, unsigned long long count);
void start_thread(pthread_t *t, void *(*fn)(void *), void *arg);

/* The loads: load-cpu.c (CPU and system calls), load-io.c (pipes, fsync, TCP). */
void run_cpu_contention(struct opts *o);
void run_cpu_work(struct opts *o);
void run_syscall_loop(struct opts *o);
void run_pipe_pingpong(struct opts *o);
void run_fsync_write(struct opts *o);
void run_loopback_tcp(struct opts *o);

#endif
