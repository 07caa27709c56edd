/* Reading and writing a traced process's memory (process_vm_readv, /proc/PID/mem for text). */
#ifndef GOTRACE_PTRACE_MEM_H
#define GOTRACE_PTRACE_MEM_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Reads exactly n bytes at addr of pid; 0, -EFAULT when (part of) the range is unmapped, or -errno. */
int pt_mem_read(pid_t pid, uint64_t addr, void *buf, size_t n);
/* Writes n bytes at addr through /proc/PID/mem, which also writes read-only text
 * (the kernel breaks copy-on-write for the tracer). fd is an open /proc/PID/mem. */
int pt_mem_write(int memfd, uint64_t addr, const void *buf, size_t n);
/* Opens /proc/PID/mem read-write; returns the fd or -errno. */
int pt_mem_open(pid_t pid);
#endif
