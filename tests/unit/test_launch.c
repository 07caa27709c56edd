/* Unit tests for the shared CLI parsers (cliutil) and the stopped-launch helper (launch). */
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdlib.h>
#include "unit.h"
#include "cmd/cliutil.h"
#include "backend/launch.h"

static void seconds_valid(void)
{
	double v = 0;

	CHECK_INT(cli_parse_seconds("2", &v), 0);
	CHECK(v == 2.0);
	CHECK_INT(cli_parse_seconds("0.5", &v), 0);
	CHECK(v == 0.5);
}

static void seconds_invalid(void)
{
	const char *bad[] = { "0", "-1", "abc", "", "1x", "inf", "nan", "0x10", "1e3", "0.0", "99999999999" };
	double v;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (cli_parse_seconds(bad[i], &v) != -EINVAL)
			UNIT_FAIL("accepted '%s'", bad[i]);
}

static void ulong_range(void)
{
	unsigned long v;

	CHECK_INT(cli_parse_ulong("10", 1, 100, &v), 0);
	CHECK_INT(v, 10);
	CHECK_INT(cli_parse_ulong("0", 1, 100, &v), -ERANGE);
	CHECK_INT(cli_parse_ulong("101", 1, 100, &v), -ERANGE);
	CHECK_INT(cli_parse_ulong("-1", 0, 100, &v), -EINVAL);
	CHECK_INT(cli_parse_ulong("7z", 0, 100, &v), -EINVAL);
}

static void pids_lists(void)
{
	pid_t p[4];
	size_t n = 0;

	CHECK_INT(cli_parse_pids("12", p, &n, 4), 0);
	CHECK_INT(cli_parse_pids("34,12,56", p, &n, 4), 0);
	CHECK_INT(n, 3);
	CHECK_INT(p[0], 12);
	CHECK_INT(p[1], 34);
	CHECK_INT(p[2], 56);
	CHECK_INT(cli_parse_pids("1,2", p, &n, 4), -E2BIG);
	n = 0;
	CHECK_INT(cli_parse_pids("1,", p, &n, 4), -EINVAL);
	CHECK_INT(cli_parse_pids(",1", p, &n, 4), -EINVAL);
	CHECK_INT(cli_parse_pids("0", p, &n, 4), -EINVAL);
	CHECK_INT(cli_parse_pids("x", p, &n, 4), -EINVAL);
}

static void pid_check(void)
{
	pid_t tg = 0;

	CHECK_INT(cli_pid_check(getpid(), &tg), 0);
	CHECK_INT(tg, getpid());
	CHECK_INT(cli_pid_check(0x3ffffff0, NULL), -ESRCH);
}

static void launch_ok(void)
{
	char *argv[] = { "sh", "-c", "exit 3", NULL };
	struct launched l;
	int st = 0;

	CHECK_INT(launch_stopped(argv, &l), 0);
	CHECK(l.pid > 0);
	CHECK(strlen(l.path) > 3 && !strcmp(l.path + strlen(l.path) - 3, "/sh"));
	CHECK_INT(launch_release(&l), 0);
	CHECK_INT(launch_wait(&l, &st), 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 3);
	launch_abort(&l);
}

static void launch_missing(void)
{
	char *argv[] = { "no-such-command-gotrace", NULL };
	char *argv2[] = { "/nonexistent/x", NULL };
	struct launched l;

	CHECK_INT(launch_stopped(argv, &l), -ENOENT);
	CHECK_INT(launch_stopped(argv2, &l), -ENOENT);
}

static void launch_exec_fails(void)
{
	/* Executable but not a loadable image: execv itself fails after release. */
	char path[] = "/tmp/gotrace-unit-XXXXXX";
	int fd = mkstemp(path);
	char *argv[] = { path, NULL };
	struct launched l;

	CHECK(fd >= 0);
	CHECK(write(fd, "\x7f" "ELFjunk", 8) == 8);
	close(fd);
	chmod(path, 0755);
	CHECK_INT(launch_stopped(argv, &l), 0);
	CHECK_INT(launch_release(&l), -ENOEXEC);
	CHECK(l.reaped);
	launch_abort(&l);
	unlink(path);
}

static void launch_abort_parked(void)
{
	char *argv[] = { "true", NULL };
	struct launched l;
	bool done = false;

	CHECK_INT(launch_stopped(argv, &l), 0);
	CHECK_INT(launch_reap(&l, &done, NULL), 0);
	CHECK(!done);
	launch_abort(&l);
	CHECK(l.reaped);
}

int main(void)
{
	RUN(seconds_valid);
	RUN(seconds_invalid);
	RUN(ulong_range);
	RUN(pids_lists);
	RUN(pid_check);
	RUN(launch_ok);
	RUN(launch_missing);
	RUN(launch_exec_fails);
	RUN(launch_abort_parked);
	return UNIT_DONE();
}
