/* gops agent check: the target's port file under its own root, named by its own PID, listening. */
#include "proc/agent.h"
#include "proc/proc.h"
#include "proc/sockets.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int gops_config_dir(const char *env, size_t n, char *buf, size_t cap)
{
	const char *v;
	int len;

	/* The same precedence as gops' internal.ConfigDir. */
	if ((v = proc_environ_get(env, n, "GOPS_CONFIG_DIR")) && *v)
		len = snprintf(buf, cap, "%s", v);
	else if ((v = proc_environ_get(env, n, "XDG_CONFIG_HOME")) && *v)
		len = snprintf(buf, cap, "%s/gops", v);
	else if ((v = proc_environ_get(env, n, "HOME")) && *v)
		len = snprintf(buf, cap, "%s/.config/gops", v);
	else
		return -ENOENT;
	return len > 0 && (size_t)len < cap ? 0 : -ENAMETOOLONG;
}

int proc_gops_agent(int procfd, int pid, bool *running, int *nspid)
{
	char *env, cfg[4096], rel[4200], buf[32];
	struct proc_status status;
	struct stat st;
	size_t n;
	int err;

	*running = false;
	*nspid = -1;
	err = proc_read_environ(procfd, pid, &env, &n);
	if (err)
		return err;
	err = gops_config_dir(env, n, cfg, sizeof(cfg));
	free(env);
	if (err)
		return 0;
	/* Most processes have no config dir: one stat settles them without reading status. */
	snprintf(rel, sizeof(rel), "%d/root/%s", pid, cfg[0] == '/' ? cfg + 1 : cfg);
	if (fstatat(procfd, rel, &st, 0))
		return errno == EACCES ? -EACCES : 0;
	if (!S_ISDIR(st.st_mode))
		return 0;
	err = proc_read_status(procfd, pid, &status);
	if (err)
		return err;
	*nspid = status.nspid > 0 ? status.nspid : pid;
	snprintf(rel + strlen(rel), sizeof(rel) - strlen(rel), "/%d", *nspid);
	if (proc_read_buf(procfd, rel, buf, sizeof(buf), &n))
		return 0;
	char *e;
	unsigned long port = strtoul(buf, &e, 10);
	if (e == buf || port == 0 || port > 65535)
		return 0;  /* not a port: a stale or foreign file */
	return proc_listens_on(procfd, pid, (unsigned)port, running);
}
