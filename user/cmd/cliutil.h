/* Small command-line parsers shared by the gotrace subcommands (seconds, counts, PID lists). */
#ifndef GOTRACE_CLIUTIL_H
#define GOTRACE_CLIUTIL_H
#include <stddef.h>
#include <sys/types.h>

/* Most PIDs one command accepts (-p repeated or comma-separated). */
#define CLI_MAX_PIDS 64

/* A positive, finite number of seconds ("2", "0.5"); 0, negative, garbage, "inf",
 * "nan" or more than a year give -EINVAL (a usage error). */
int cli_parse_seconds(const char *s, double *out);

/* A decimal integer in [min, max] with nothing after it; -EINVAL or -ERANGE. */
int cli_parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *out);

/* Appends the PIDs of "123" or "123,456" to pids[*n] (capacity max), skipping ones already
 * listed. -EINVAL on garbage or PID <= 0, -E2BIG when more than max. */
int cli_parse_pids(const char *s, pid_t *pids, size_t *n, size_t max);

/* 0 when a live (non-zombie) process pid exists, else -ESRCH. A thread ID is accepted
 * and *tgid (may be NULL) receives its process ID. */
int cli_pid_check(pid_t pid, pid_t *tgid);
#endif
