/* Small command-line parsers shared by the gotrace subcommands (seconds, counts, PID lists). */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cmd/cliutil.h"

int cli_parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	if (!s || !*s)
		return -EINVAL;
	/* strtod accepts hex floats, "inf" and "nan": only plain decimals are seconds. */
	for (const char *p = s; *p; p++)
		if (!strchr("0123456789.", *p))
			return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || end == s || !isfinite(v) || v <= 0 || v > 366.0 * 86400)
		return -EINVAL;
	*out = v;
	return 0;
}

int cli_parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int cli_parse_pids(const char *s, pid_t *pids, size_t *n, size_t max)
{
	const char *p = s;

	if (!s || !*s)
		return -EINVAL;
	for (;;) {
		char buf[16];
		size_t len = strcspn(p, ",");
		unsigned long v;
		size_t i;

		if (len == 0 || len >= sizeof(buf))
			return -EINVAL;
		memcpy(buf, p, len);
		buf[len] = 0;
		if (cli_parse_ulong(buf, 1, 0x3fffffff, &v))
			return -EINVAL;
		for (i = 0; i < *n && pids[i] != (pid_t)v; i++)
			;
		if (i == *n) {
			if (*n >= max)
				return -E2BIG;
			pids[(*n)++] = (pid_t)v;
		}
		p += len;
		if (!*p)
			return 0;
		p++;  /* the comma; a trailing one is garbage */
	}
}

int cli_pid_check(pid_t pid, pid_t *tgid)
{
	char path[64], buf[4096];
	const char *st, *tg;
	ssize_t n;
	int fd;

	if (pid <= 0)
		return -ESRCH;
	/* /proc/PID/status works for thread IDs too, and tells zombies apart. */
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -ESRCH;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -ESRCH;
	buf[n] = 0;
	st = strstr(buf, "\nState:");
	if (st && (strstr(st, "\nState:\tZ") == st || strstr(st, "\nState:\tX") == st))
		return -ESRCH;
	tg = strstr(buf, "\nTgid:");
	if (tgid)
		*tgid = tg ? (pid_t)strtol(tg + 6, NULL, 10) : pid;
	return 0;
}
