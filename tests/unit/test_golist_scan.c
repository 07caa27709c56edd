/* Unit test of golist's /proc scan on this machine: one thread or four, every PID once, sorted. */
#include "unit.h"
#include <stdbool.h>
#include "golist/scan.h"
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

static bool has_pid(const struct golist_scan *s, int pid)
{
	for (size_t i = 0; i < s->nall; i++)
		if (s->all[i].pid == pid)
			return s->all[i].ppid == getppid();
	return false;
}

static void check_scan(size_t nthreads)
{
	struct golist_scan s;
	int procfd = open("/proc", O_RDONLY | O_DIRECTORY);

	CHECK(procfd >= 0);
	CHECK_INT(golist_scan_threads(procfd, nthreads, &s), 0);
	CHECK(s.nall > 1);
	CHECK(has_pid(&s, getpid()));
	for (size_t i = 1; i < s.nall; i++)
		if (s.all[i - 1].pid >= s.all[i].pid)
			UNIT_FAIL("all[%zu] pid %d after %d", i, s.all[i].pid, s.all[i - 1].pid);
	for (size_t i = 1; i < s.ngo; i++)
		if (s.go[i - 1].pid >= s.go[i].pid)
			UNIT_FAIL("go[%zu] pid %d after %d", i, s.go[i].pid, s.go[i - 1].pid);
	for (size_t i = 0; i < s.ngo; i++)
		CHECK(s.go[i].version && s.go[i].path);
	golist_scan_free(&s);
	close(procfd);
}

static void test_one_thread(void)
{
	check_scan(1);
}

static void test_four_threads(void)
{
	check_scan(4);
}

int main(void)
{
	RUN(test_one_thread);
	RUN(test_four_threads);
	return UNIT_DONE();
}
