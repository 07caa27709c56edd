/* Unit tests of golist's executable cache: one parse per distinct file, per-process errors not cached. */
#include "unit.h"
#include "golist/exe_cache.h"
#include "proc/proc.h"
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

static void test_same_file_parsed_once(void)
{
	struct exe_cache *c;
	const struct exe_info *a, *b;
	struct stat st;
	int procfd = open("/proc", O_RDONLY | O_DIRECTORY);

	CHECK(procfd >= 0);
	CHECK_INT(exe_cache_new(&c), 0);
	CHECK_INT(proc_stat_exe(procfd, getpid(), &st), 0);
	CHECK_INT(exe_cache_get(c, procfd, getpid(), &st, &a), 0);
	CHECK_INT(exe_cache_get(c, procfd, getpid(), &st, &b), 0);
	CHECK(a == b);
	CHECK_INT(exe_cache_parsed(c), 1);
	CHECK(!a->is_go);  /* this test binary is C */
	CHECK_INT(a->err, 0);
	/* A different mtime is a different file (rebuilt in place). */
	st.st_mtim.tv_nsec ^= 1;
	CHECK_INT(exe_cache_get(c, procfd, getpid(), &st, &b), 0);
	CHECK_INT(exe_cache_parsed(c), 2);
	exe_cache_free(c);
	close(procfd);
}

static void test_many_keys_grow(void)
{
	struct exe_cache *c;
	const struct exe_info *a;
	struct stat st;
	int procfd = open("/proc", O_RDONLY | O_DIRECTORY);

	CHECK_INT(exe_cache_new(&c), 0);
	CHECK_INT(proc_stat_exe(procfd, getpid(), &st), 0);
	for (int i = 0; i < 200; i++) {
		st.st_ino++;
		CHECK_INT(exe_cache_get(c, procfd, getpid(), &st, &a), 0);
	}
	CHECK_INT(exe_cache_parsed(c), 200);
	exe_cache_free(c);
	close(procfd);
}

static void test_vanished_process_not_cached(void)
{
	struct exe_cache *c;
	const struct exe_info *a;
	struct stat st;
	int procfd = open("/proc", O_RDONLY | O_DIRECTORY);

	CHECK_INT(exe_cache_new(&c), 0);
	CHECK_INT(proc_stat_exe(procfd, getpid(), &st), 0);
	/* A PID above pid_max never exists: the open fails with ENOENT, which is not the file's fault. */
	CHECK_INT(exe_cache_get(c, procfd, 1 << 23, &st, &a), 0);
	CHECK_INT(a->err, -ENOENT);
	CHECK_INT(exe_cache_parsed(c), 0);
	CHECK_INT(exe_cache_get(c, procfd, getpid(), &st, &a), 0);
	CHECK_INT(a->err, 0);
	CHECK_INT(exe_cache_parsed(c), 1);
	exe_cache_free(c);
	close(procfd);
}

int main(void)
{
	RUN(test_same_file_parsed_once);
	RUN(test_many_keys_grow);
	RUN(test_vanished_process_not_cached);
	return UNIT_DONE();
}
