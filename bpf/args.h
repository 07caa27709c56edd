/* Types shared by bpf/args.bpf.c and user space: the fetch plan of one probe and the event record. */
#ifndef GOTRACE_BPF_ARGS_H
#define GOTRACE_BPF_ARGS_H

#define ARGS_MAX_OPS    48     /* fetch operations per probe */
#define ARGS_MAX_WORDS  64     /* raw 8-byte words per record */
#define ARGS_STR_MAX    4096   /* --strsize upper bound (bytes per string/slice) */
#define ARGS_MAX_BYTES  8192   /* all copied bytes of one record */
#define ARGS_MAX_PROBES 4096
#define ARGS_MAX_PIDS   1024

/* What one op puts into the record. */
enum args_op_kind {
	ARGS_OP_IREG = 1,   /* word = integer argument register n of the Go ABI (0 = RAX on amd64) */
	ARGS_OP_STACK = 2,  /* word = the 8 bytes at SP + off (SP as the probe sees it) */
	ARGS_OP_BYTES = 3,  /* copy min(word[b] * scale, max) bytes from address word[a];
	                     * word = bytes copied, or ARGS_BYTES_FAULT when the read failed */
};

#define ARGS_BYTES_FAULT 0xffffffffffffffffULL

struct args_op {
	__u8 kind;
	__u8 reg;           /* IREG */
	__u8 a, b;          /* BYTES: word indexes of pointer and length */
	__s32 off;          /* STACK: offset from SP */
	__u16 scale;        /* BYTES: element size */
	__u16 max;          /* BYTES: byte cap (<= ARGS_STR_MAX) */
};

enum args_probe_kind {
	ARGS_PROBE_ENTRY = 0,     /* on the first byte (no stack check): always a real call */
	ARGS_PROBE_ENTRY_JCC = 1, /* on the stack-check Jcc: skip when it branches to morestack */
	ARGS_PROBE_RET = 2,       /* on a RET: pairs with the in-flight entry */
};

/* The plan of one probe, in the array map `plans` at index = probe id (also the attach cookie). */
struct args_plan {
	__u32 kind;         /* enum args_probe_kind */
	__u32 func;         /* user-space function index */
	__u32 pair;         /* entry probes: record an in-flight entry for the RET probes (--ret) */
	__u32 nops;
	__u32 goid_off;     /* offset of goid in runtime.g; 0 = unknown (per binary: Go versions differ) */
	__u32 stackhi_off;  /* offset of stack.hi in runtime.g */
	__u32 g_tls;        /* g is read from TLS at FS base + g_tls_off, not taken from R14 (Go < 1.17) */
	__s32 g_tls_off;
	struct args_op ops[ARGS_MAX_OPS];
};

/* Global settings, index 0 of the array map `conf`. */
struct args_conf {
	__u32 filter_pids;  /* only tgids present in the `pids` map */
	__u32 wake_bytes;   /* wake the consumer once this much data is pending */
	__u32 fsbase_off;   /* offset of thread.fsbase in the kernel's task_struct (plans with g_tls) */
};

/* In-flight call, key of the `inflight` LRU map: survives stack moves (depth from stack.hi). */
struct args_frame {
	__u64 g;
	__u64 depth;        /* g.stack.hi - SP at the entry probe (= SP at RET) */
	__u32 tgid;
	__u32 func;
};

/* Record header; followed by nwords words, then the copied bytes of the BYTES ops in op order.
 * Paired probes (entry with pair, RET) start their words with g, depth (RET: and latency_ns). */
struct args_event {
	__u64 ts;           /* CLOCK_MONOTONIC ns */
	__u32 pid;          /* tgid */
	__u32 tid;
	__u64 goid;
	__u32 probe;
	__u16 nwords;
	__u16 nbytes;
};

#define ARGS_PAIR_WORDS 2
#define ARGS_RET_WORDS  3

#endif
