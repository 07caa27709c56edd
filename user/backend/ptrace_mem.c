/* Reading and writing a traced process's memory (process_vm_readv, /proc/PID/mem for text). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/uio.h>
#include <unistd.h>
#include "backend/ptrace_mem.h"

int pt_mem_read(pid_t pid, uint64_t addr, void *buf, size_t n)
{
	struct iovec local = { .iov_base = buf, .iov_len = n };
	struct iovec remote = { .iov_base = (void *)(uintptr_t)addr, .iov_len = n };
	ssize_t r = process_vm_readv(pid, &local, 1, &remote, 1, 0);

	if (r < 0)
		return -errno;
	return (size_t)r == n ? 0 : -EFAULT;
}

int pt_mem_write(int memfd, uint64_t addr, const void *buf, size_t n)
{
	ssize_t r = pwrite(memfd, buf, n, (off_t)addr);

	if (r < 0)
		return -errno;
	return (size_t)r == n ? 0 : -EFAULT;
}

int pt_mem_open(pid_t pid)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	fd = open(path, O_RDWR | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}
