/* packed_loader GOBINARY [ARGS...]: runs a static non-PIE Go binary the way a packer (UPX) does:
 * its PT_LOAD segments become anonymous memory at their link addresses, so neither this
 * executable's file nor any file mapping shows Go; then it jumps to the Go entry point.
 * Built as PIE (Debian's default), so it lives far from the Go binary's 0x400000. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <elf.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef __x86_64__
#error "packed_loader jumps with x86-64 assembly"
#endif

extern char **environ;

#define STACK_SIZE (8u << 20)

static int load(int fd, const Elf64_Ehdr *eh, Elf64_Phdr *ph, uint64_t *phdr_addr)
{
	const uint64_t pg = 4096;

	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		uint64_t start = ph[i].p_vaddr & ~(pg - 1);
		uint64_t end = (ph[i].p_vaddr + ph[i].p_memsz + pg - 1) & ~(pg - 1);
		void *m = mmap((void *)start, end - start, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		if (m == MAP_FAILED) {
			perror("mmap segment");
			return -1;
		}
		if (pread(fd, (void *)ph[i].p_vaddr, ph[i].p_filesz, (off_t)ph[i].p_offset) !=
		    (ssize_t)ph[i].p_filesz) {
			perror("read segment");
			return -1;
		}
		if (eh->e_phoff >= ph[i].p_offset && eh->e_phoff < ph[i].p_offset + ph[i].p_filesz)
			*phdr_addr = ph[i].p_vaddr + (eh->e_phoff - ph[i].p_offset);
		int prot = (ph[i].p_flags & PF_R ? PROT_READ : 0) | (ph[i].p_flags & PF_W ? PROT_WRITE : 0) |
			   (ph[i].p_flags & PF_X ? PROT_EXEC : 0);
		if (mprotect(m, end - start, prot)) {
			perror("mprotect");
			return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const unsigned long keep[] = { AT_PAGESZ, AT_RANDOM, AT_SYSINFO_EHDR, AT_HWCAP,
		AT_HWCAP2, AT_CLKTCK, AT_UID, AT_EUID, AT_GID, AT_EGID, AT_SECURE, AT_PLATFORM };
	Elf64_Ehdr eh;
	Elf64_Phdr *ph;
	uint64_t phdr_addr = 0;
	int fd, envc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: packed_loader GOBINARY [ARGS...]\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0 || pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_type != ET_EXEC || eh.e_phentsize != sizeof(Elf64_Phdr)) {
		fprintf(stderr, "packed_loader: %s: not a static non-PIE ELF64 executable\n", argv[1]);
		return 1;
	}
	ph = calloc(eh.e_phnum, sizeof(*ph));
	if (!ph || pread(fd, ph, eh.e_phnum * sizeof(*ph), (off_t)eh.e_phoff) != (ssize_t)(eh.e_phnum * sizeof(*ph)))
		return 1;
	if (load(fd, &eh, ph, &phdr_addr))
		return 1;
	close(fd);
	free(ph);

	/* A fresh stack laid out as the kernel does: argc, argv, NULL, envp, NULL, auxv, AT_NULL. */
	while (environ[envc])
		envc++;
	size_t words = 1 + (size_t)argc + 1 + (size_t)envc + 1 + 2 * (sizeof(keep) / sizeof(keep[0]) + 4);
	char *stack = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED)
		return 1;
	uint64_t *sp = (uint64_t *)(((uintptr_t)(stack + STACK_SIZE) - words * 8 - 4096) & ~(uintptr_t)15);
	uint64_t *w = sp;
	*w++ = (uint64_t)(argc - 1);
	for (int i = 1; i < argc; i++)
		*w++ = (uint64_t)(uintptr_t)argv[i];
	*w++ = 0;
	for (int i = 0; i < envc; i++)
		*w++ = (uint64_t)(uintptr_t)environ[i];
	*w++ = 0;
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
		*w++ = keep[i];
		*w++ = getauxval(keep[i]);
	}
	*w++ = AT_PHDR;  *w++ = phdr_addr;
	*w++ = AT_PHENT; *w++ = sizeof(Elf64_Phdr);
	*w++ = AT_PHNUM; *w++ = eh.e_phnum;
	*w++ = AT_ENTRY; *w++ = eh.e_entry;
	*w++ = AT_NULL;  *w++ = 0;
	__asm__ volatile("mov %0, %%rsp\n\txor %%edx, %%edx\n\tjmp *%1\n"
			 :: "r"(sp), "r"(eh.e_entry) : "rdx", "memory");
	__builtin_unreachable();
}
