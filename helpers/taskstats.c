/*
 * kdelta-taskstats: every task's final scheduler counters as it exits, from the kernel's
 * taskstats exit notifications over generic netlink (what `getdelays -m` listens to).
 *
 * kdelta's /proc fallback polls each task's schedstat, which is gone once the task exits:
 * a task born and dead between two polls leaves no trace there. Its exit notification holds
 * the same counters (sum_exec_runtime, run_delay, pcount, context switches) at exit, exact.
 * run_delay is filled only while delay accounting is on (sysctl kernel.task_delayacct=1).
 *
 * Output, one line per exiting task (every task on the machine; kdelta picks its own):
 *   x <tid> <tgid> <ppid> <run_ns> <run_delay_ns> <timeslices> <nvcsw> <nivcsw> <comm>
 * "ready" once registered, "lost <n>" when the socket overflowed (ENOBUFS: n is how many
 * times), and on the line "s <n>" from stdin it drains what the kernel has queued and
 * answers "s <n>": every task that exited before kdelta asked is then in the output.
 * Exits when stdin closes, so it dies with kdelta.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/taskstats.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUF (64 * 1024)
#define NLA_DATA(na) ((void *)((char *)(na) + NLA_HDRLEN))
#define GENL_DATA(nh) ((void *)((char *)NLMSG_DATA(nh) + GENL_HDRLEN))

static unsigned long lost;

static int send_cmd(int fd, __u16 type, __u8 cmd, __u16 attr, const void *data, int len) {
  char buf[512] = {0};
  struct nlmsghdr *nh = (struct nlmsghdr *)buf;
  struct genlmsghdr *gh = NLMSG_DATA(nh);
  struct nlattr *na = (struct nlattr *)GENL_DATA(nh);
  if (len > 400) return -1;
  nh->nlmsg_type = type;
  nh->nlmsg_flags = NLM_F_REQUEST;
  nh->nlmsg_pid = (__u32)getpid();
  gh->cmd = cmd;
  gh->version = 1;
  na->nla_type = attr;
  na->nla_len = (__u16)(NLA_HDRLEN + len);
  memcpy(NLA_DATA(na), data, (size_t)len);
  nh->nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN) + NLA_ALIGN(na->nla_len);
  struct sockaddr_nl to = {.nl_family = AF_NETLINK};
  return sendto(fd, buf, nh->nlmsg_len, 0, (struct sockaddr *)&to, sizeof to) < 0 ? -1 : 0;
}

/* The numeric id of the TASKSTATS family, asked of the generic netlink controller. */
static int family_id(int fd) {
  if (send_cmd(fd, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, CTRL_ATTR_FAMILY_NAME, TASKSTATS_GENL_NAME, sizeof TASKSTATS_GENL_NAME) < 0) return -1;
  static char buf[BUF];
  ssize_t n = recv(fd, buf, sizeof buf, 0);
  struct nlmsghdr *nh = (struct nlmsghdr *)buf;
  if (n < 0 || !NLMSG_OK(nh, (size_t)n) || nh->nlmsg_type == NLMSG_ERROR) return -1;
  int left = (int)(nh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN));
  for (struct nlattr *na = GENL_DATA(nh); left >= (int)NLA_HDRLEN && na->nla_len >= NLA_HDRLEN && na->nla_len <= left;) {
    if (na->nla_type == CTRL_ATTR_FAMILY_ID) return *(__u16 *)NLA_DATA(na);
    left -= NLA_ALIGN(na->nla_len);
    na = (struct nlattr *)((char *)na + NLA_ALIGN(na->nla_len));
  }
  return -1;
}

static void print_stats(const struct nlattr *agg) {
  struct taskstats ts;
  memset(&ts, 0, sizeof ts);
  int left = agg->nla_len - NLA_HDRLEN;
  for (const struct nlattr *na = NLA_DATA(agg); left >= (int)NLA_HDRLEN && na->nla_len >= NLA_HDRLEN && na->nla_len <= left;) {
    if (na->nla_type == TASKSTATS_TYPE_STATS) {
      size_t len = na->nla_len - NLA_HDRLEN;
      memcpy(&ts, NLA_DATA(na), len < sizeof ts ? len : sizeof ts);
    }
    left -= NLA_ALIGN(na->nla_len);
    na = (const struct nlattr *)((const char *)na + NLA_ALIGN(na->nla_len));
  }
  char comm[TS_COMM_LEN + 1] = {0};
  memcpy(comm, ts.ac_comm, TS_COMM_LEN);
  for (char *c = comm; *c; c++)
    if (*c <= ' ') *c = '_';
  printf("x %u %u %u %llu %llu %llu %llu %llu %s\n", ts.ac_pid, ts.ac_tgid, ts.ac_ppid, (unsigned long long)ts.cpu_run_virtual_total,
         (unsigned long long)ts.cpu_delay_total, (unsigned long long)ts.cpu_count, (unsigned long long)ts.nvcsw,
         (unsigned long long)ts.nivcsw, comm[0] ? comm : "-");
}

/* One recv's worth of notifications; the per-thread-group aggregates are skipped (kdelta sums threads). */
static int read_batch(int fd, int flags) {
  static char buf[BUF];
  ssize_t n = recv(fd, buf, sizeof buf, flags);
  if (n < 0) {
    if (errno == ENOBUFS) {
      printf("lost %lu\n", ++lost);
      return 1;
    }
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
  }
  for (struct nlmsghdr *nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)n); nh = NLMSG_NEXT(nh, n)) {
    if (nh->nlmsg_type == NLMSG_ERROR || nh->nlmsg_type == NLMSG_DONE) continue;
    int left = (int)(nh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN));
    for (struct nlattr *na = GENL_DATA(nh); left >= (int)NLA_HDRLEN && na->nla_len >= NLA_HDRLEN && na->nla_len <= left;) {
      if (na->nla_type == TASKSTATS_TYPE_AGGR_PID) print_stats(na);
      left -= NLA_ALIGN(na->nla_len);
      na = (struct nlattr *)((char *)na + NLA_ALIGN(na->nla_len));
    }
  }
  return 1;
}

static int answer_sync(int fd) {
  char line[64];
  if (!fgets(line, sizeof line, stdin)) return -1;
  while (read_batch(fd, MSG_DONTWAIT) > 0) {
  }
  if (line[0] == 's') fputs(line, stdout);
  fflush(stdout);
  return 0;
}

int main(void) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
  if (fd < 0) {
    perror("kdelta-taskstats: socket");
    return 1;
  }
  /* hackbench's bursts of exits overflow the default buffer; FORCE needs CAP_NET_ADMIN. */
  int size = 16 << 20;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) < 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  struct sockaddr_nl me = {.nl_family = AF_NETLINK};
  int id = bind(fd, (struct sockaddr *)&me, sizeof me) < 0 ? -1 : family_id(fd);
  char mask[32];
  snprintf(mask, sizeof mask, "0-%ld", sysconf(_SC_NPROCESSORS_CONF) - 1);
  if (id < 0 || send_cmd(fd, (__u16)id, TASKSTATS_CMD_GET, TASKSTATS_CMD_ATTR_REGISTER_CPUMASK, mask, (int)strlen(mask) + 1) < 0) {
    fprintf(stderr, "kdelta-taskstats: cannot register for exit notifications: %s\n", strerror(errno));
    return 1;
  }
  printf("ready\n");
  fflush(stdout);
  struct pollfd p[2] = {{.fd = 0, .events = POLLIN}, {.fd = fd, .events = POLLIN}};
  for (;;) {
    if (poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return 1;
    }
    if (p[1].revents & POLLIN && read_batch(fd, 0) < 0) return 1;
    if (p[0].revents & (POLLIN | POLLHUP | POLLERR) && answer_sync(fd) < 0) return 0;
    fflush(stdout);
  }
}
