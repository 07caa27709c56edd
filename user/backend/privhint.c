/* Names the capability a failed privileged step needs, for the one-line error messages. */
#include <errno.h>
#include "backend/privhint.h"

const char *priv_hint(int err, enum priv_need need)
{
	if (err != -EPERM && err != -EACCES)
		return "";
	switch (need) {
	case PRIV_BPF:
		/* kernel >= 5.8 splits CAP_SYS_ADMIN: BPF objects need CAP_BPF, tracing programs
		 * (raw tracepoints, uprobes, perf events) also CAP_PERFMON. */
		return " (needs CAP_BPF and CAP_PERFMON, or root; see docs/hardening.md)";
	case PRIV_PTRACE:
		return " (needs CAP_SYS_PTRACE, or the target's own user; see docs/hardening.md)";
	}
	return "";
}
