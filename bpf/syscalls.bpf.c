// SPDX-License-Identifier: GPL-2.0
/* Counts a process's syscalls (calls, errors, wall time) in the kernel, optionally per user stack. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "syscalls.h"

/* Set before load: the one traced tgid (0 = use the tgids hash), the work level, stacks on/off. */
const volatile __u32 targ_tgid = 0;
const volatile __u32 level = SC_LEVEL_FULL;
const volatile bool with_stacks = false;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SC_MAX_TGIDS);
	__type(key, __u32);
	__type(value, __u8);
} tgids SEC(".maps");

/* Entry time per task: task storage goes away with the task, unlike a tid-keyed hash. */
struct sc_start {
	__u64 ts;
	__u32 nr;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct sc_start);
} starts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SC_MAX_NR);
	__type(key, __u32);
	__type(value, struct sc_counts);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SC_LOST_NSLOTS);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

/* Sized by user space: 1 entry without --stacks so no memory is reserved for nothing. */
struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, SC_STACK_DEPTH * sizeof(__u64));
} stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, struct sc_stack_key);
	__type(value, struct sc_counts);
} stack_counts SEC(".maps");

static __always_inline bool traced(void)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	if (targ_tgid)
		return tgid == targ_tgid;
	return bpf_map_lookup_elem(&tgids, &tgid) != NULL;
}

static __always_inline void count_lost(__u32 slot)
{
	__u64 *v = bpf_map_lookup_elem(&lost, &slot);

	if (v)
		(*v)++;
}

static __always_inline __u32 slot_of(long id)
{
	return id >= 0 && id < SC_NR_OTHER ? (__u32)id : SC_NR_OTHER;
}

static __always_inline bool is_error(long ret)
{
	return ret >= -4095 && ret <= -1;
}

/* Adds one finished call; per-CPU values need no atomics. */
static __always_inline void account(__u32 nr, long ret, __u64 ns)
{
	struct sc_counts *c = bpf_map_lookup_elem(&counts, &nr);

	if (!c)
		return;
	c->calls++;
	c->errors += is_error(ret);
	c->total_ns += ns;
}

/* The stack table is shared by all CPUs, hence the atomics. */
static __always_inline void account_stack(void *ctx, __u32 nr, long ret, __u64 ns)
{
	struct sc_stack_key key = { .nr = nr, .tgid = bpf_get_current_pid_tgid() >> 32 };
	struct sc_counts zero = {}, *c;

	struct pt_regs *uregs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());

	key.stack_id = bpf_get_stackid(ctx, &stacks, BPF_F_USER_STACK);
	if (key.stack_id < 0)
		count_lost(SC_LOST_STACK);
	else if (bpf_probe_read_user(&key.leaf_ret, sizeof(key.leaf_ret), (void *)PT_REGS_SP_CORE(uregs)))
		key.leaf_ret = 0;
	c = bpf_map_lookup_elem(&stack_counts, &key);
	if (!c) {
		bpf_map_update_elem(&stack_counts, &key, &zero, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&stack_counts, &key);
		if (!c) {
			count_lost(SC_LOST_STACKKEY);
			return;
		}
	}
	__sync_fetch_and_add(&c->calls, 1);
	if (is_error(ret))
		__sync_fetch_and_add(&c->errors, 1);
	__sync_fetch_and_add(&c->total_ns, ns);
}

/* exit and exit_group never reach sys_exit: they are counted at entry, with no time. */
static __always_inline bool never_returns(long id)
{
#if defined(__TARGET_ARCH_x86)
	return id == 60 || id == 231;
#elif defined(__TARGET_ARCH_arm64)
	return id == 93 || id == 94;
#else
#error "add the exit/exit_group numbers of this architecture"
#endif
}

/* The syscall number as sys_exit sees it (only the bench's count-only level needs it). */
static __always_inline long syscall_nr(struct pt_regs *regs)
{
#if defined(__TARGET_ARCH_x86)
	return BPF_CORE_READ(regs, orig_ax);
#elif defined(__TARGET_ARCH_arm64)
	return BPF_CORE_READ(regs, syscallno);
#endif
}

static __always_inline int on_enter(void *ctx, long id)
{
	struct sc_start *s;

	if (level == SC_LEVEL_EMPTY || !traced() || level == SC_LEVEL_FILTER || level == SC_LEVEL_COUNT)
		return 0;
	if (never_returns(id)) {
		account(slot_of(id), 0, 0);
		if (with_stacks)
			account_stack(ctx, slot_of(id), 0, 0);
		return 0;
	}
	s = bpf_task_storage_get(&starts, bpf_get_current_task_btf(), NULL,
				 BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!s) {
		count_lost(SC_LOST_STORAGE);
		return 0;
	}
	s->nr = slot_of(id);
	s->ts = bpf_ktime_get_ns();
	return 0;
}

static __always_inline int on_exit(void *ctx, struct pt_regs *regs, long ret)
{
	struct sc_start *s;
	__u64 ns;
	__u32 nr;

	if (level == SC_LEVEL_EMPTY)
		return 0;
	if (level == SC_LEVEL_FILTER || level == SC_LEVEL_COUNT) {
		if (traced() && level == SC_LEVEL_COUNT)
			account(slot_of(syscall_nr(regs)), ret, 0);
		return 0;
	}
	/* Only threads that passed the tgid test at entry have storage in this map, so the
	 * lookup is the filter here: NULL at once for every other thread. No stamp also means
	 * the call was entered before we attached: it gets neither count nor time. */
	s = bpf_task_storage_get(&starts, bpf_get_current_task_btf(), NULL, 0);
	if (!s || !s->ts)
		return 0;
	ns = bpf_ktime_get_ns() - s->ts;
	nr = s->nr;
	s->ts = 0;
	account(nr, ret, ns);
	if (with_stacks)
		account_stack(ctx, nr, ret, ns);
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(sys_enter_btf, struct pt_regs *regs, long id)
{
	return on_enter(ctx, id);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit_btf, struct pt_regs *regs, long ret)
{
	return on_exit(ctx, regs, ret);
}

SEC("raw_tp/sys_enter")
int BPF_PROG(sys_enter_raw, struct pt_regs *regs, long id)
{
	return on_enter(ctx, id);
}

SEC("raw_tp/sys_exit")
int BPF_PROG(sys_exit_raw, struct pt_regs *regs, long ret)
{
	return on_exit(ctx, regs, ret);
}

char LICENSE[] SEC("license") = "GPL";
