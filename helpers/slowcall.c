/*
 * kdelta-slowcall: a test program for slow-call events.
 *
 *   kdelta-slowcall [slow] [slow_ms] [fast]
 *
 * Makes `fast` getppid calls, then `slow` nanosleeps of `slow_ms` each from the function
 * kdelta_slow_call, each followed by `fast` more getppid calls. The raw syscall() is used so
 * libc answers none of them itself.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

__attribute__((noinline)) void kdelta_slow_call(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  syscall(SYS_nanosleep, &ts, NULL);
  __asm__ volatile("" ::: "memory"); /* keeps the frame: the stack must name this function */
}

static long arg_or(int argc, char **argv, int i, long fallback, long max) {
  if (argc <= i) return fallback;
  char *end = NULL;
  long v = strtol(argv[i], &end, 10);
  if (*argv[i] == '\0' || *end != '\0' || v < 0 || v > max) {
    fprintf(stderr, "kdelta-slowcall: argument %d must be a whole number from 0 to %ld\n", i, max);
    exit(2);
  }
  return v;
}

int main(int argc, char **argv) {
  long slow = arg_or(argc, argv, 1, 1, 1000), slow_ms = arg_or(argc, argv, 2, 5, 10000), fast = arg_or(argc, argv, 3, 100, 100000000);
  for (long i = 0; i < fast; i++) syscall(SYS_getppid);
  for (long k = 0; k < slow; k++) {
    kdelta_slow_call(slow_ms);
    for (long i = 0; i < fast; i++) syscall(SYS_getppid);
  }
  return 0;
}
