/* ptrace capture backend of gotrace args: the same probe plans as BPF, run at int3 breakpoints by a tracer process. */
#ifndef GOTRACE_ARGS_PTRACE_H
#define GOTRACE_ARGS_PTRACE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "backend/args_bpf.h"
#include "backend/args_ops.h"

/* Plan ops only ptrace can execute (BPF uprobes see general-purpose registers only). */
#define ARGS_OP_FREG 4   /* word = low 8 bytes of float register n (X0.. on amd64) */

struct args_ptrace;

int args_ptrace_open(struct args_ptrace **out, char *err, size_t errlen);
void args_ptrace_close(struct args_ptrace *p);
/* The one process to trace (the ptrace backend follows one process). -E2BIG for a second. */
int args_ptrace_add_pid(struct args_ptrace *p, pid_t pid);
/* Same contract as args_bpf_attach: the probe is recorded now and planted by start. */
int args_ptrace_attach(struct args_ptrace *p, const char *path, pid_t pid, uint64_t file_off,
		       const struct args_plan *plan, uint32_t *id);
/* Forks the tracer: attaches to the process and writes every breakpoint (a command parked by
 * launch_stopped gets them at its exec, before it runs). Must precede launch_release.
 * 0 or -errno with err ("cannot attach to PID N: already traced by PID M"). */
int args_ptrace_start(struct args_ptrace *p, char *err, size_t errlen);
/* Detaches: every original byte goes back; records already produced stay readable. */
void args_ptrace_close_links(struct args_ptrace *p);
/* Same contract as args_bpf_poll. */
int args_ptrace_poll(struct args_ptrace *p, int timeout_ms, args_event_fn fn, void *ctx);
/* Records the tracer could not hand over (always 0: the tracer waits for the reader). */
uint64_t args_ptrace_lost(struct args_ptrace *p);

/* Gives the X-register pieces of fp's values ARGS_OP_FREG ops (fetch_plan_build leaves them
 * out for BPF), so ptrace captures floats exactly. 0, or -E2BIG when out of op slots. */
int args_ptrace_add_fregs(struct fetch_plan *fp);
#endif
