/* heap_holder FILE [READYFILE]: holds FILE's bytes in malloc'd memory (plus an anonymous
 * executable page, like a JIT) and sleeps: a process that must never be reported as Go. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct stat st;
	char *buf, *jit;
	int fd;

	if (argc < 2) {
		fprintf(stderr, "usage: heap_holder FILE [READYFILE]\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0 || fstat(fd, &st)) {
		perror(argv[1]);
		return 1;
	}
	buf = malloc((size_t)st.st_size);
	if (!buf)
		return 1;
	for (off_t got = 0; got < st.st_size;) {
		ssize_t n = pread(fd, buf + got, (size_t)(st.st_size - got), got);
		if (n <= 0) {
			perror("read");
			return 1;
		}
		got += n;
	}
	close(fd);
	/* Anonymous executable memory makes golist look at this process's memory at all. */
	jit = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (jit == MAP_FAILED)
		return 1;
	memset(jit, 0xc3, 4096);  /* ret */
	mprotect(jit, 4096, PROT_READ | PROT_EXEC);
	if (argc > 2) {
		FILE *f = fopen(argv[2], "w");
		if (!f)
			return 1;
		fprintf(f, "%d\n", getpid());
		fclose(f);
	}
	for (;;)
		pause();
	free(buf);
	return 0;
}
