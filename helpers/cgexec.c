/*
 * kdelta-cgexec <cgroup dir> <program> [args...]
 *
 * Moves itself into <cgroup dir> (writes "0" to cgroup.procs) and then execs the program,
 * so the workload is inside the repetition's cgroup from its first instruction and every
 * process it forks is born there: no window in which a child escapes.
 *
 * Why a C helper rather than `sh -c 'echo 0 > "$1/cgroup.procs" && shift && exec "$@"'`:
 * an exec failure is reported with its exact errno and a marker line kdelta recognises
 * ("kdelta-cgexec: cannot run 'foo': ..."), instead of a shell-specific message (dash and
 * bash word it differently) whose exit status 127 a workload could also produce itself;
 * and no shell is involved at all, so nothing in argv is ever parsed.
 *
 * Exit status when it cannot start the program (otherwise it is the program's):
 *   125 cannot join the cgroup, 126 found but cannot be executed, 127 not found.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 3) {
    fputs("usage: kdelta-cgexec <cgroup dir> <program> [args...]\n", stderr);
    return 125;
  }
  char path[4096];
  if (snprintf(path, sizeof path, "%s/cgroup.procs", argv[1]) >= (int)sizeof path) {
    fputs("kdelta-cgexec: cgroup path too long\n", stderr);
    return 125;
  }
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write(fd, "0", 1) != 1) {
    fprintf(stderr, "kdelta-cgexec: cannot join cgroup %s: %s\n", argv[1], strerror(errno));
    return 125;
  }
  close(fd);
  execvp(argv[2], argv + 2);
  int err = errno;
  fprintf(stderr, "kdelta-cgexec: cannot run '%s': %s\n", argv[2], strerror(err));
  return err == ENOENT || err == ENOTDIR ? 127 : 126;
}
