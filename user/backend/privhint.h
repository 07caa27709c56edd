/* Names the capability a failed privileged step needs, for the one-line error messages. */
#ifndef GOTRACE_BACKEND_PRIVHINT_H
#define GOTRACE_BACKEND_PRIVHINT_H

enum priv_need {
	PRIV_BPF,       /* loading BPF programs/maps, attaching raw tracepoints and uprobes */
	PRIV_PTRACE,    /* ptrace, /proc/PID/exe|mem|maps of another user's process */
};

/* " (needs CAP_BPF and CAP_PERFMON, or root)" style suffix when err (-errno) is -EPERM or
 * -EACCES, else "". Static storage; append it to the message's reason. */
const char *priv_hint(int err, enum priv_need need);
#endif
