/* Test driver: opens, attaches and closes the BPF syscalls backend and an args uprobe set several
 * times, and checks that every fd (BPF maps, programs, links, perf events, ring buffers) is released. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "backend/args_bpf.h"
#include "backend/backend.h"
#include "goelf/goelf.h"

static const char usage[] =
	"Usage: lib-fdcheck ROUNDS PID BINARY FUNC...\n"
	"Each round: the BPF syscalls backend on PID (open, start, read, close), then the args\n"
	"backend with an empty plan on every FUNC of BINARY (open, attach, poll, close).\n"
	"Prints 'fds before=N peak=P after=M' (P: the most open while attached) and exits 1 when they differ or a step fails.\n";

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1;   /* the directory's own fd */
}

static int syscalls_round(pid_t pid, int *peak)
{
	const struct sc_backend_ops *ops = sc_backend_find("bpf");
	struct sc_config cfg = { .pids = &pid, .npids = 1 };
	struct sc_backend *b = NULL;
	struct sc_snapshot *snap = malloc(sizeof(*snap));
	char why[256] = "";
	int err;

	if (!ops || !snap) {
		free(snap);
		return -ENOMEM;
	}
	err = ops->open(&cfg, &b, why, sizeof(why));
	if (!err)
		err = ops->start(b, why, sizeof(why));
	if (!err)
		err = ops->read(b, snap);
	if (!err && count_fds() > *peak)
		*peak = count_fds();
	if (err)
		fprintf(stderr, "lib-fdcheck: syscalls backend: %s\n", why[0] ? why : strerror(-err));
	if (b)
		ops->close(b);
	free(snap);
	return err;
}

static int ignore_event(void *ctx, const struct args_event *e, const __u64 *words, const uint8_t *bytes, size_t n)
{
	(void)ctx, (void)e, (void)words, (void)bytes, (void)n;
	return 0;
}

static int args_round(const char *path, pid_t pid, char **funcs, int nfuncs, int *peak)
{
	struct args_bpf_opts o = { .ringbuf_bytes = 1 << 16, .filter_pids = true };
	struct args_capture *c;
	struct goelf *g;
	char err[256] = "";
	int rc = args_bpf_open(&o, &c, err, sizeof(err));

	if (rc) {
		fprintf(stderr, "lib-fdcheck: args backend: %s\n", err[0] ? err : strerror(-rc));
		return rc;
	}
	rc = goelf_open(path, &g);
	if (!rc)
		rc = args_bpf_add_pid(c, pid);
	for (int i = 0; !rc && i < nfuncs; i++) {
		struct gofuncinfo fi;
		struct args_plan plan = { .kind = 0, .func = (__u32)i };
		uint64_t off;
		uint32_t id;

		rc = goelf_func_by_name(g, funcs[i], &fi);
		if (!rc)
			rc = goelf_vaddr_to_offset(g, fi.entry, &off);
		if (!rc)
			rc = args_bpf_attach(c, path, pid, off, &plan, &id);
		if (rc)
			fprintf(stderr, "lib-fdcheck: cannot attach to %s: %s\n", funcs[i], strerror(-rc));
	}
	if (!rc) {
		rc = args_bpf_start(c, err, sizeof(err));
		if (rc)
			fprintf(stderr, "lib-fdcheck: %s\n", err);
	}
	if (!rc)
		rc = args_bpf_poll(c, 50, ignore_event, NULL);
	if (count_fds() > *peak)
		*peak = count_fds();
	args_bpf_close_links(c);
	args_bpf_close(c);
	goelf_close(g);
	return rc == -EINTR ? 0 : rc;
}

int main(int argc, char **argv)
{
	int rounds, before, after, peak = 0;
	pid_t pid;

	if (argc < 5) {
		fputs(usage, stderr);
		return 2;
	}
	rounds = atoi(argv[1]);
	pid = atoi(argv[2]);
	before = count_fds();
	for (int r = 0; r < rounds; r++)
		if (syscalls_round(pid, &peak) || args_round(argv[3], pid, argv + 4, argc - 4, &peak))
			return 1;
	after = count_fds();
	printf("fds before=%d peak=%d after=%d\n", before, peak, after);
	return before == after ? 0 : 1;
}
