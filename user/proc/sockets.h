/* Sockets of one process: /proc/PID/net/{tcp,tcp6,udp,udp6,unix} matched to its /proc/PID/fd inodes. */
#ifndef GOTRACE_SOCKETS_H
#define GOTRACE_SOCKETS_H
#include <stdbool.h>
#include <stddef.h>
#include "proc/procparse.h"

/* Socket inodes of the process's open fds, sorted; 0 or -errno. */
int proc_socket_inodes(int procfd, int pid, unsigned long **inodes, size_t *n);
/* Every socket of the process, in protocol order then table order; *out malloc'd. */
int proc_sockets(int procfd, int pid, struct proc_sock **out, size_t *n);
/* Whether the process holds a TCP/TCP6 LISTEN socket on port; 0 or -errno. */
int proc_listens_on(int procfd, int pid, unsigned port, bool *yes);
#endif
