/* The ptrace backend of gotrace syscalls: PTRACE_SYSCALL stops counted into the shared counts table. */
#ifndef GOTRACE_PTRACE_SYSCALLS_H
#define GOTRACE_PTRACE_SYSCALLS_H
#include "backend/backend.h"
#include "backend/ptrace_attach.h"

extern const struct sc_backend_ops sc_backend_ptrace;

/* The per-stop accounting, for callers running their own pt_session: pass the counts
 * table (SC_MAX_NR entries) as the hooks' ctx. Calls and errors are counted at the exit
 * stop, like strace -c: exit/exit_group never return, and a syscall already in progress
 * at attach (exit without an entry we saw) is neither counted as an error nor timed. */
int pt_sys_stop(struct pt_session *s, struct pt_task *t, void *counts);
#endif
