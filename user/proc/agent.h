/* gops agent check: the target's port file under its own root, named by its own PID, listening. */
#ifndef GOTRACE_AGENT_H
#define GOTRACE_AGENT_H
#include <stdbool.h>
#include <stddef.h>

/* *running true when <cfg>/<nspid> exists under /proc/PID/root (cfg from the target's
 * environ: $GOPS_CONFIG_DIR, $XDG_CONFIG_HOME/gops, $HOME/.config/gops) and the port in it
 * is a LISTEN socket of the process. *nspid is set when it had to be read (else -1).
 * 0 or -errno (-EACCES when the process cannot be inspected). */
int proc_gops_agent(int procfd, int pid, bool *running, int *nspid);

/* The config directory the target's gops agent would use, from its environ block; 0 or -ENOENT. */
int gops_config_dir(const char *env, size_t n, char *buf, size_t cap);
#endif
