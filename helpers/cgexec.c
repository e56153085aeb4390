/*
 * kdelta-cgexec [--watchdog FD] <cgroup dir> <program> [args...]
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
 * With --watchdog FD (a pipe or socket whose other end only kdelta holds), a detached
 * grandchild, left outside the cgroup, waits for end-of-file on FD and then kills the whole
 * cgroup (cgroup.kill). kdelta closes its end when the repetition is over, and the kernel
 * closes it when kdelta dies, even by SIGKILL: so nothing the workload started outlives kdelta
 * by more than a moment, without waiting for the next run's sweep. A grandchild, not a child,
 * because a workload that waits for all its children (a shell's `wait`) must not wait for it.
 *
 * Exit status when it cannot start the program (otherwise it is the program's):
 *   125 cannot join the cgroup, 126 found but cannot be executed, 127 not found.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * The grandchild's whole life: hold nothing of the workload's, wait for kdelta to go, kill the
 * cgroup. Its argv is blanked and its name set, so `ps` and anything matching the workload's
 * command line do not take the watchdog for the workload.
 */
static void watch(int fd, const char *kill_path, int argc, char **argv) {
  if (argc > 1) memset(argv[1], 0, (size_t)(argv[argc - 1] + strlen(argv[argc - 1]) - argv[1]));
  prctl(PR_SET_NAME, "kdelta-watchdog");
  int devnull = open("/dev/null", O_RDWR);
  for (int i = 0; i < 3; i++) dup2(devnull, i);
  long max = sysconf(_SC_OPEN_MAX);
  for (int i = 3; i < (max > 0 ? max : 1024); i++) if (i != fd) close(i);
  setsid();
  char buf[64];
  while (read(fd, buf, sizeof buf) > 0 || errno == EINTR) errno = 0;
  int k = open(kill_path, O_WRONLY | O_CLOEXEC);
  if (k >= 0) {
    (void)!write(k, "1", 1);
    close(k);
  }
  _exit(0);
}

/* Forks the watchdog as a grandchild (reparented away from the workload), then closes FD here. */
static int start_watchdog(int fd, const char *cgroup, int argc, char **argv) {
  char kill_path[4096];
  /* Copied before the watchdog blanks argv, which holds the cgroup path. */
  if (snprintf(kill_path, sizeof kill_path, "%s/cgroup.kill", cgroup) >= (int)sizeof kill_path) return -1;
  pid_t child = fork();
  if (child < 0) return -1;
  if (child == 0) {
    pid_t grandchild = fork();
    if (grandchild == 0) watch(fd, kill_path, argc, argv);
    _exit(grandchild < 0 ? 1 : 0);
  }
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
  close(fd);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int main(int argc, char **argv) {
  int first = 1;
  if (argc > 2 && strcmp(argv[1], "--watchdog") == 0) {
    char *end = NULL;
    long fd = strtol(argv[2], &end, 10);
    if (*argv[2] == '\0' || *end != '\0' || fd < 3 || fd > 1 << 20) {
      fputs("kdelta-cgexec: --watchdog takes a file descriptor number of 3 or more\n", stderr);
      return 125;
    }
    first = 3;
    if (argc < first + 2) {
      fputs("usage: kdelta-cgexec [--watchdog FD] <cgroup dir> <program> [args...]\n", stderr);
      return 125;
    }
    if (start_watchdog((int)fd, argv[first], argc, argv) != 0) {
      fprintf(stderr, "kdelta-cgexec: cannot join cgroup %s: watchdog: %s\n", argv[first], strerror(errno));
      return 125;
    }
  } else if (argc < 3) {
    fputs("usage: kdelta-cgexec [--watchdog FD] <cgroup dir> <program> [args...]\n", stderr);
    return 125;
  }
  char path[4096];
  if (snprintf(path, sizeof path, "%s/cgroup.procs", argv[first]) >= (int)sizeof path) {
    fputs("kdelta-cgexec: cgroup path too long\n", stderr);
    return 125;
  }
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write(fd, "0", 1) != 1) {
    fprintf(stderr, "kdelta-cgexec: cannot join cgroup %s: %s\n", argv[first], strerror(errno));
    return 125;
  }
  close(fd);
  execvp(argv[first + 1], argv + first + 1);
  int err = errno;
  fprintf(stderr, "kdelta-cgexec: cannot run '%s': %s\n", argv[first + 1], strerror(err));
  return err == ENOENT || err == ENOTDIR ? 127 : 126;
}
