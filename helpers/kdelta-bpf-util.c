/* kdelta-bpf: small shared pieces, and the reads of per-CPU maps. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "kdelta-bpf.h"

void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("kdelta-bpf: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(1);
}

uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

void json_str(const char *s, size_t n) {
  putchar('"');
  for (size_t i = 0; i < n && s[i]; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\') printf("\\%c", c);
    else if (c < 0x20 || c >= 0x7f) printf("\\u%04x", c);
    else putchar(c);
  }
  putchar('"');
}

uint64_t misc_sum(uint32_t k) {
  uint64_t *pc = calloc(ncpu, 8), s = 0;
  if (!bpf_map_lookup_elem(bpf_map__fd(skel->maps.misc), &k, pc))
    for (int c = 0; c < ncpu; c++) s += pc[c];
  free(pc);
  return s;
}

void drain_percpu_hash(int fd, size_t ksz, size_t vsz, fold_fn fold, void *ctx) {
  /* The kernel lays per-CPU values out 8-byte aligned. */
  vsz = (vsz + 7) & ~(size_t)7;
  uint32_t max = 4096;
  uint8_t *keys = malloc(max * ksz);
  uint8_t *vals = malloc((size_t)max * ncpu * vsz);
  uint8_t in[64], out[64];
  void *inp = NULL;
  for (;;) {
    uint32_t cnt = max;
    /* Taken out as it is read: each dump holds what happened since the previous one. */
    int err = bpf_map_lookup_and_delete_batch(fd, inp, out, keys, vals, &cnt, NULL);
    if (err && errno != ENOENT) break;
    for (uint32_t i = 0; i < cnt; i++) fold(keys + (size_t)i * ksz, vals + (size_t)i * ncpu * vsz, vsz, ctx);
    if (err || cnt == 0) break;
    memcpy(in, out, sizeof in);
    inp = in;
  }
  free(keys);
  free(vals);
}

/* Sum over CPUs of `words` u64 per element, for `n` elements of a per-CPU array (or their max). */
int read_percpu_array(int fd, uint32_t n, uint32_t words, uint64_t *sum, uint64_t *maxv) {
  size_t stride = (size_t)words * 8;
  uint32_t *keys = malloc(n * sizeof *keys);
  uint8_t *vals = malloc((size_t)n * ncpu * stride);
  uint32_t out_batch = 0, done = 0;
  void *in = NULL;
  if (sum) memset(sum, 0, (size_t)n * stride);
  if (maxv) memset(maxv, 0, (size_t)n * 8);
  while (done < n) {
    uint32_t cnt = n - done;
    int err = bpf_map_lookup_batch(fd, in, &out_batch, keys, vals, &cnt, NULL);
    if (err && errno != ENOENT) { free(keys); free(vals); return -1; }
    for (uint32_t i = 0; i < cnt; i++) {
      uint32_t k = keys[i];
      if (k >= n) continue;
      for (int c = 0; c < ncpu; c++) {
        const uint64_t *v = (const uint64_t *)(vals + ((size_t)i * ncpu + c) * stride);
        for (uint32_t w = 0; w < words; w++) {
          if (maxv) { if (v[w] > maxv[k]) maxv[k] = v[w]; }
          else sum[(size_t)k * words + w] += v[w];
        }
      }
    }
    done += cnt;
    in = &out_batch;
    if (err || cnt == 0) break;
  }
  free(keys);
  free(vals);
  return 0;
}
