/* Bench helper: runs CMD with an empty BPF program on a uprobe at FILE+OFFSET: the cost floor of any uprobe there. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <bpf/bpf.h>

static const char usage[] = "usage: lib-uprobefloor FILE OFFSET CMD [ARGS...]\n";

static int uprobe_pmu_type(void)
{
	FILE *f = fopen("/sys/bus/event_source/devices/uprobe/type", "r");
	int t = -1;

	if (!f)
		return -errno;
	if (fscanf(f, "%d", &t) != 1)
		t = -EINVAL;
	fclose(f);
	return t;
}

/* A uprobe perf event on every process mapping path, running an empty program. */
static int attach_empty(const char *path, uint64_t off)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct perf_event_attr a = { .size = sizeof(a) };
	int type = uprobe_pmu_type(), prog, pfd;

	if (type < 0)
		return type;
	prog = bpf_prog_load(BPF_PROG_TYPE_KPROBE, "floor", "GPL", insns, 2, NULL);
	if (prog < 0)
		return -errno;
	a.type = (uint32_t)type;
	a.config1 = (uint64_t)(uintptr_t)path;   /* uprobe_path */
	a.config2 = off;                          /* probe_offset */
	pfd = (int)syscall(SYS_perf_event_open, &a, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (pfd < 0 || ioctl(pfd, PERF_EVENT_IOC_SET_BPF, prog) || ioctl(pfd, PERF_EVENT_IOC_ENABLE, 0)) {
		int e = -errno;

		if (pfd >= 0)
			close(pfd);
		close(prog);
		return e;
	}
	close(prog);   /* the perf event holds it */
	return pfd;
}

int main(int argc, char **argv)
{
	char *end;
	uint64_t off;
	int pfd, st;
	pid_t pid;

	if (argc < 4) {
		fputs(usage, stderr);
		return 2;
	}
	off = strtoull(argv[2], &end, 0);
	if (*end) {
		fputs(usage, stderr);
		return 2;
	}
	pfd = attach_empty(argv[1], off);
	if (pfd < 0) {
		fprintf(stderr, "lib-uprobefloor: cannot attach at %s+%s: %s\n", argv[1], argv[2], strerror(-pfd));
		return 1;
	}
	pid = fork();
	if (pid == 0) {
		execvp(argv[3], argv + 3);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0) {
		perror("lib-uprobefloor");
		return 1;
	}
	close(pfd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}
