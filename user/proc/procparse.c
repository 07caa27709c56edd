/* Pure parsers of /proc text formats (stat, status, net/{tcp,udp,unix}, maps): no I/O. */
#include "proc/procparse.h"
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int proc_parse_stat(const char *buf, size_t n, struct proc_stat *out)
{
	const char *open, *close = NULL, *p, *end = buf + n;
	size_t len;

	memset(out, 0, sizeof(*out));
	open = memchr(buf, '(', n);
	if (!open)
		return -EINVAL;
	/* comm is whatever the task named itself, so only the last ')' is trustworthy. */
	for (p = end; p > open; p--)
		if (p[-1] == ')') {
			close = p - 1;
			break;
		}
	if (!close)
		return -EINVAL;
	out->pid = atoi(buf);
	len = (size_t)(close - open - 1);
	if (len >= sizeof(out->comm))
		len = sizeof(out->comm) - 1;
	memcpy(out->comm, open + 1, len);
	out->comm[len] = '\0';

	/* Fields after comm, numbered as in proc(5): 3 state, 4 ppid, 9 flags, 14 utime,
	 * 15 stime, 20 num_threads, 22 starttime, 24 rss. Copy to a NUL-terminated buffer. */
	char rest[512];
	len = (size_t)(end - close - 1);
	if (len >= sizeof(rest))
		len = sizeof(rest) - 1;
	memcpy(rest, close + 1, len);
	rest[len] = '\0';
	int field = 2, got = 0;
	char *save = NULL;
	for (char *tok = strtok_r(rest, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save)) {
		field++;
		switch (field) {
		case 3: out->state = tok[0]; got++; break;
		case 4: out->ppid = atoi(tok); got++; break;
		case 9: out->flags = strtoul(tok, NULL, 10); break;
		case 14: out->utime = strtoull(tok, NULL, 10); break;
		case 15: out->stime = strtoull(tok, NULL, 10); break;
		case 20: out->num_threads = strtol(tok, NULL, 10); break;
		case 22: out->starttime = strtoull(tok, NULL, 10); break;
		case 24: out->rss_pages = strtol(tok, NULL, 10); break;
		}
	}
	return got == 2 ? 0 : -EINVAL;
}

int proc_parse_status(const char *buf, size_t n, struct proc_status *out)
{
	const char *p = buf, *end = buf + n;

	out->uid = -1;
	out->nspid = -1;
	out->threads = -1;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char line[256];

		if (len >= sizeof(line))
			len = sizeof(line) - 1;
		memcpy(line, p, len);
		line[len] = '\0';
		if (!strncmp(line, "Uid:", 4)) {
			out->uid = strtol(line + 4, NULL, 10);
		} else if (!strncmp(line, "Threads:", 8)) {
			out->threads = strtol(line + 8, NULL, 10);
		} else if (!strncmp(line, "NSpid:", 6)) {
			/* One PID per nested namespace, outermost first: the last is how the process sees itself. */
			char *s = line + 6, *e;
			for (;;) {
				long v = strtol(s, &e, 10);
				if (e == s)
					break;
				out->nspid = (int)v;
				s = e;
			}
		}
		p = nl ? nl + 1 : end;
	}
	return 0;
}

const char *proc_proto_name(enum proc_proto p)
{
	static const char *names[] = { "tcp", "tcp6", "udp", "udp6", "unix" };
	return (unsigned)p < sizeof(names) / sizeof(names[0]) ? names[p] : "?";
}

static const char *tcp_state_name(int st)
{
	static const char *names[] = { "", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1",
		"FIN_WAIT2", "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING",
		"NEW_SYN_RECV" };
	return st > 0 && st < (int)(sizeof(names) / sizeof(names[0])) ? names[st] : "UNKNOWN";
}

/* Decodes "0100007F:1F90" (IPv4, one host-order word) or 32 hex digits (IPv6, four
 * host-order words) + port into "127.0.0.1:8080" / "[::1]:8080". */
static int parse_inet_addr(const char *s, bool v6, char *out, size_t cap, uint16_t *port)
{
	char text[INET6_ADDRSTRLEN];
	uint32_t words[4];
	int nwords = v6 ? 4 : 1;
	const char *colon;
	char *e;

	colon = strchr(s, ':');
	if (!colon || colon - s != nwords * 8)
		return -EINVAL;
	for (int i = 0; i < nwords; i++) {
		char hex[9];
		memcpy(hex, s + i * 8, 8);
		hex[8] = '\0';
		words[i] = (uint32_t)strtoul(hex, &e, 16);
		if (*e)
			return -EINVAL;
	}
	unsigned long p = strtoul(colon + 1, &e, 16);
	if (e == colon + 1 || p > 0xffff)
		return -EINVAL;
	*port = (uint16_t)p;
	if (!inet_ntop(v6 ? AF_INET6 : AF_INET, words, text, sizeof(text)))
		return -EINVAL;
	snprintf(out, cap, v6 ? "[%s]:%lu" : "%s:%lu", text, p);
	return 0;
}

int proc_parse_inet_line(const char *line, enum proc_proto proto, struct proc_sock *out)
{
	char local[64], remote[64];
	unsigned st;
	unsigned long inode;
	uint16_t rport;
	bool v6 = proto == PROTO_TCP6 || proto == PROTO_UDP6;

	memset(out, 0, sizeof(*out));
	/* sl local rem st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode */
	if (sscanf(line, " %*u: %63s %63s %x %*x:%*x %*x:%*x %*x %*u %*u %lu",
		   local, remote, &st, &inode) != 4)
		return -EINVAL;
	if (parse_inet_addr(local, v6, out->local, sizeof(out->local), &out->lport) ||
	    parse_inet_addr(remote, v6, out->remote, sizeof(out->remote), &rport))
		return -EINVAL;
	out->proto = proto;
	out->inode = inode;
	out->state = (int)st;
	if (proto == PROTO_TCP || proto == PROTO_TCP6) {
		out->listening = st == 10;
		snprintf(out->state_name, sizeof(out->state_name), "%s", tcp_state_name((int)st));
	} else {
		/* UDP reuses TCP_ESTABLISHED for connected sockets and TCP_CLOSE for the rest (ss: UNCONN). */
		snprintf(out->state_name, sizeof(out->state_name), "%s", st == 1 ? "ESTABLISHED" : "UNCONN");
	}
	return 0;
}

int proc_parse_unix_line(const char *line, struct proc_sock *out)
{
	unsigned long refcnt, proto, flags, type, st, inode;
	int pathpos = -1;

	memset(out, 0, sizeof(*out));
	/* Num RefCount Protocol Flags Type St Inode [Path] */
	if (sscanf(line, "%*x: %lx %lx %lx %lx %lx %lu %n", &refcnt, &proto, &flags, &type, &st,
		   &inode, &pathpos) < 6)
		return -EINVAL;
	out->proto = PROTO_UNIX;
	out->inode = inode;
	out->state = (int)st;
	out->listening = (flags & 0x10000) != 0;  /* __SO_ACCEPTCON */
	if (pathpos > 0) {
		const char *path = line + pathpos;
		size_t len = strcspn(path, "\n");
		if (len >= sizeof(out->local))
			len = sizeof(out->local) - 1;
		memcpy(out->local, path, len);
		out->local[len] = '\0';
	}
	snprintf(out->state_name, sizeof(out->state_name), "%s",
		 out->listening ? "LISTEN" : st == 3 ? "CONNECTED" : "UNCONNECTED");
	return 0;
}

/* Bounded hex field parser for maps lines: advances *p, fails on an empty field. */
static bool hex_field(const char **p, const char *end, unsigned long long *v)
{
	const char *q = *p;
	unsigned long long x = 0;

	for (; q < end; q++) {
		int d = *q >= '0' && *q <= '9' ? *q - '0' : *q >= 'a' && *q <= 'f' ? *q - 'a' + 10 :
			*q >= 'A' && *q <= 'F' ? *q - 'A' + 10 : -1;
		if (d < 0)
			break;
		x = x << 4 | (unsigned)d;
	}
	if (q == *p)
		return false;
	*v = x;
	*p = q;
	return true;
}

static bool expect(const char **p, const char *end, char c)
{
	if (*p >= end || **p != c)
		return false;
	(*p)++;
	return true;
}

static void skip_spaces(const char **p, const char *end)
{
	while (*p < end && **p == ' ')
		(*p)++;
}

/* Hand-parsed (no sscanf): golist reads the maps of every non-Go process. */
int proc_parse_maps_line(const char *line, size_t n, struct proc_map *out)
{
	const char *p = line, *end = line + n;
	unsigned long long start, stop, off, dev, ino = 0;

	memset(out, 0, sizeof(*out));
	if (!hex_field(&p, end, &start) || !expect(&p, end, '-') || !hex_field(&p, end, &stop) ||
	    !expect(&p, end, ' ') || end - p < 5 || p[4] != ' ' || stop < start)
		return -EINVAL;
	out->r = p[0] == 'r';
	out->w = p[1] == 'w';
	out->x = p[2] == 'x';
	out->shared = p[3] == 's';
	p += 5;
	if (!hex_field(&p, end, &off) || !expect(&p, end, ' ') || !hex_field(&p, end, &dev) ||
	    !expect(&p, end, ':') || !hex_field(&p, end, &dev) || !expect(&p, end, ' '))
		return -EINVAL;
	for (; p < end && *p >= '0' && *p <= '9'; p++)
		ino = ino * 10 + (unsigned)(*p - '0');
	if (p < end && *p != ' ' && *p != '\n')
		return -EINVAL;
	skip_spaces(&p, end);
	out->start = start;
	out->end = stop;
	out->offset = off;
	out->inode = (unsigned long)ino;
	out->name = p;
	out->name_len = (size_t)(end - p);
	while (out->name_len && out->name[out->name_len - 1] == '\n')
		out->name_len--;
	return 0;
}

const char *proc_environ_get(const char *env, size_t n, const char *name)
{
	size_t nl = strlen(name);
	const char *p = env, *end = env + n;

	while (p < end) {
		const char *z = memchr(p, '\0', (size_t)(end - p));
		size_t len = z ? (size_t)(z - p) : (size_t)(end - p);
		if (len > nl && p[nl] == '=' && !memcmp(p, name, nl))
			return z ? p + nl + 1 : NULL;  /* an unterminated last entry is ignored */
		p += len + 1;
	}
	return NULL;
}
