/* Probes the running kernel for BTF, ring buffers, raw tracepoints, the uprobe PMU and uprobe_multi links. */
#include "cmd/features.h"
#include <sys/utsname.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

static const char *yes_no(int probe)
{
	return probe == 1 ? "yes" : "no";
}

/* uprobe_multi links (6.6): the kernel loads a program with that expected attach type. */
static int probe_uprobe_multi(void)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, o, .expected_attach_type = (enum bpf_attach_type)48);
	int fd = bpf_prog_load(BPF_PROG_TYPE_KPROBE, "probe", "GPL", insns, 2, &o);

	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

static int silent_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

void features_print(FILE *f)
{
	struct utsname u;
	libbpf_print_fn_t old = libbpf_set_print(silent_print);

	if (uname(&u) == 0)
		fprintf(f, "kernel: %s %s\n", u.release, u.machine);
	fprintf(f, "btf: %s\n", access("/sys/kernel/btf/vmlinux", R_OK) == 0 ? "yes" : "no");
	fprintf(f, "ringbuf: %s\n", yes_no(libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL)));
	fprintf(f, "task storage: %s\n", yes_no(libbpf_probe_bpf_map_type(BPF_MAP_TYPE_TASK_STORAGE, NULL)));
	fprintf(f, "raw tracepoints: %s\n", yes_no(libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_RAW_TRACEPOINT, NULL)));
	fprintf(f, "uprobe pmu: %s\n",
		access("/sys/bus/event_source/devices/uprobe/type", R_OK) == 0 ? "yes" : "no");
	fprintf(f, "uprobe multi: %s\n", yes_no(probe_uprobe_multi()));
	libbpf_set_print(old);
}
