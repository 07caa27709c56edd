/* Pure parsers of /proc text formats (stat, status, net/{tcp,udp,unix}, maps): no I/O. */
#ifndef GOTRACE_PROCPARSE_H
#define GOTRACE_PROCPARSE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PF_KTHREAD_FLAG 0x00200000UL  /* task flags bit of kernel threads (stat field 9) */

/* The fields of /proc/PID/stat that golist uses. */
struct proc_stat {
	int pid;
	char comm[64];
	char state;
	int ppid;
	unsigned long flags;
	unsigned long long utime, stime;  /* clock ticks */
	long num_threads;
	unsigned long long starttime;     /* clock ticks after boot */
	long rss_pages;
};

/* Parses one /proc/PID/stat line; comm may hold spaces and parentheses (the last ')' ends it). */
int proc_parse_stat(const char *buf, size_t n, struct proc_stat *out);

/* The fields of /proc/PID/status that golist uses; -1 where absent. */
struct proc_status {
	long uid;      /* real uid */
	int nspid;     /* PID in the innermost PID namespace (last NSpid field) */
	long threads;
};
int proc_parse_status(const char *buf, size_t n, struct proc_status *out);

enum proc_proto { PROTO_TCP, PROTO_TCP6, PROTO_UDP, PROTO_UDP6, PROTO_UNIX };

#define PROC_ADDR_LEN 112  /* "[v6 address]:port" or a unix socket path (108) */

/* One socket from /proc/PID/net/{tcp,tcp6,udp,udp6,unix}. */
struct proc_sock {
	enum proc_proto proto;
	unsigned long inode;
	int state;                 /* kernel TCP state number (inet) */
	bool listening;            /* TCP LISTEN / unix __SO_ACCEPTCON */
	uint16_t lport;
	char local[PROC_ADDR_LEN];
	char remote[PROC_ADDR_LEN];
	char state_name[16];
};

/* Parses one data line of net/tcp|tcp6|udp|udp6; -EINVAL for the header or a malformed line. */
int proc_parse_inet_line(const char *line, enum proc_proto proto, struct proc_sock *out);
/* Parses one data line of net/unix; -EINVAL for the header or a malformed line. */
int proc_parse_unix_line(const char *line, struct proc_sock *out);
const char *proc_proto_name(enum proc_proto p);

/* One line of /proc/PID/maps; name points into the parsed line ("" when anonymous). */
struct proc_map {
	uint64_t start, end, offset;
	bool r, w, x, shared;
	unsigned long inode;
	const char *name;
	size_t name_len;
};
int proc_parse_maps_line(const char *line, size_t n, struct proc_map *out);

/* Finds NAME=value in a NUL-separated environ block; returns value or NULL. */
const char *proc_environ_get(const char *env, size_t n, const char *name);
#endif
