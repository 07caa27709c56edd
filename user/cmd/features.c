/* Probes the running kernel for BTF, ring buffers, raw tracepoints, the uprobe PMU and uprobe_multi links. */
#include "cmd/features.h"
#include <sys/utsname.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "backend/args_bpf.h"

static const char *yes_no(int probe)
{
	return probe == 1 ? "yes" : "no";
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
	fprintf(f, "uprobe multi: %s\n", args_bpf_uprobe_multi_supported() ? "yes" : "no");
	libbpf_set_print(old);
}
