/* memfd_exec FILE [ARGS...]: copies FILE into a memfd and executes it from there (no path on disk). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv)
{
	struct stat st;
	int in, mfd;

	if (argc < 2) {
		fprintf(stderr, "usage: memfd_exec FILE [ARGS...]\n");
		return 2;
	}
	in = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (in < 0 || fstat(in, &st)) {
		perror(argv[1]);
		return 1;
	}
	mfd = memfd_create("golist-fixture", MFD_CLOEXEC);
	if (mfd < 0) {
		perror("memfd_create");
		return 1;
	}
	for (off_t off = 0; off < st.st_size;) {
		ssize_t n = sendfile(mfd, in, &off, (size_t)(st.st_size - off));
		if (n <= 0) {
			perror("sendfile");
			return 1;
		}
	}
	close(in);
	fexecve(mfd, argv + 1, environ);
	perror("fexecve");
	return 1;
}
