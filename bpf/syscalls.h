/* Types shared by syscalls.bpf.c and user space: per-syscall counters, stack keys, knobs. */
#ifndef GOTRACE_BPF_SYSCALLS_H
#define GOTRACE_BPF_SYSCALLS_H

/* Syscall numbers below this are counted (x86_64 ends near 470, arm64 near 465); larger
 * ones (x32 ABI bit, bogus numbers) land in the last slot, counted as unknown. */
#define SC_MAX_NR 1024
#define SC_NR_OTHER (SC_MAX_NR - 1)
/* Most processes traced at once (one uses a constant in the program, several a hash). */
#define SC_MAX_TGIDS 64
/* User stack depth kept per sample with --stacks. */
#define SC_STACK_DEPTH 64

/* What the program does per syscall; lower levels exist for the cost breakdown in make bench. */
enum sc_level {
	SC_LEVEL_FULL = 0,   /* filter + counts + errors + times (+ stacks when enabled) */
	SC_LEVEL_EMPTY,      /* return at once: the bare enter+exit dispatch */
	SC_LEVEL_FILTER,     /* the tgid test only */
	SC_LEVEL_COUNT,      /* filter + calls and errors, no times (no task storage) */
};

/* Per-CPU counters of one syscall number (summed over CPUs by user space). */
struct sc_counts {
	__u64 calls;
	__u64 errors;    /* returns in [-4095, -1] */
	__u64 total_ns;  /* wall-clock entry to exit */
};

/* Slots of the per-CPU lost-counter array. */
enum sc_lost {
	SC_LOST_STORAGE = 0,  /* no task storage at entry: that call went uncounted */
	SC_LOST_STACK,        /* user stack could not be captured (bucket collision, fault) */
	SC_LOST_STACKKEY,     /* (syscall, stack) table full */
	SC_LOST_NSLOTS,
};

/* Key of the per-call-site counters with --stacks. */
struct sc_stack_key {
	__u32 nr;
	__u32 tgid;      /* several processes may be traced, each symbolised with its binary */
	__s32 stack_id;  /* id in the stack map, or negative when capture failed */
	__u32 pad;
	/* The word at the user SP. Go's syscall stubs are frameless assembly ($0 frames push
	 * no frame pointer), so the frame-pointer walk skips their caller; this word is that
	 * caller's return address. User space keeps it only when it lands in a function. */
	__u64 leaf_ret;
};
#endif
