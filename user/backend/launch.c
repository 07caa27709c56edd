/* Launching a traced command stopped before exec: a fork parked on a pipe until probes are attached. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "backend/launch.h"

/* A regular file we may execute. */
static int check_exec(const char *path)
{
	struct stat st;

	if (stat(path, &st))
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EACCES;
	if (access(path, X_OK))
		return -errno;
	return 0;
}

/* Resolves cmd like execvp: a name with a '/' is used as is, else each $PATH entry is
 * tried; the first executable wins, and EACCES is reported only if nothing was found. */
static int resolve_cmd(const char *cmd, char *out, size_t outsz)
{
	const char *path, *p, *end;
	int err = -ENOENT, r;

	if (!*cmd)
		return -ENOENT;
	if (strchr(cmd, '/')) {
		if ((size_t)snprintf(out, outsz, "%s", cmd) >= outsz)
			return -ENAMETOOLONG;
		return check_exec(out);
	}
	path = getenv("PATH");
	if (!path)
		path = "/usr/local/bin:/bin:/usr/bin";
	for (p = path;; p = end + 1) {
		size_t len;

		end = strchrnul(p, ':');
		len = (size_t)(end - p);
		/* An empty entry means the current directory, as for execvp. */
		if ((size_t)snprintf(out, outsz, "%.*s%s%s", (int)len, p, len ? "/" : "", cmd) < outsz) {
			r = check_exec(out);
			if (!r)
				return 0;
			if (r == -EACCES)
				err = r;
		}
		if (!*end)
			break;
	}
	return err;
}

/* The child: wait for the go byte, then exec; report failure through err_w. Never returns. */
static void child_run(int go_r, int err_w, const char *path, char *const argv[])
{
	sigset_t none;
	char c;
	ssize_t n;
	int e;

	/* The tracer blocks SIGINT/SIGTERM for its own wait loop; the command must not inherit that. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	do
		n = read(go_r, &c, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		_exit(127);  /* the tracer went away before releasing us */
	execv(path, argv);
	e = errno;
	if (write(err_w, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

int launch_stopped(char *const argv[], struct launched *out)
{
	int go[2], er[2], r;
	pid_t pid;

	memset(out, 0, sizeof(*out));
	out->pid = -1;
	out->go_fd = out->err_fd = -1;
	if (!argv || !argv[0])
		return -EINVAL;
	r = resolve_cmd(argv[0], out->path, sizeof(out->path));
	if (r)
		return r;
	if (pipe2(go, O_CLOEXEC))
		return -errno;
	if (pipe2(er, O_CLOEXEC)) {
		r = -errno;
		close(go[0]);
		close(go[1]);
		return r;
	}
	fflush(NULL);  /* no duplicated stdio buffers in the child */
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(go[0]);
		close(go[1]);
		close(er[0]);
		close(er[1]);
		return r;
	}
	if (pid == 0) {
		close(go[1]);
		close(er[0]);
		child_run(go[0], er[1], out->path, argv);
	}
	close(go[0]);
	close(er[1]);
	out->pid = pid;
	out->go_fd = go[1];
	out->err_fd = er[0];
	return 0;
}

int launch_release(struct launched *l)
{
	char c = 1;
	ssize_t n;
	int e = 0;

	if (l->pid <= 0 || l->released)
		return -EINVAL;
	do
		n = write(l->go_fd, &c, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		return n < 0 ? -errno : -EIO;
	l->released = true;
	close(l->go_fd);
	l->go_fd = -1;
	/* The CLOEXEC pipe reads EOF at a successful exec, or the errno of a failed one. */
	do
		n = read(l->err_fd, &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(l->err_fd);
	l->err_fd = -1;
	if (n == (ssize_t)sizeof(e)) {
		int status;

		while (waitpid(l->pid, &status, 0) < 0 && errno == EINTR)
			;
		l->reaped = true;
		return -(e ? e : EIO);
	}
	return 0;
}

int launch_wait(struct launched *l, int *status)
{
	int st = 0;

	if (l->pid <= 0)
		return -EINVAL;
	if (l->reaped)
		return -ECHILD;
	if (waitpid(l->pid, &st, 0) < 0)
		return -errno;
	l->reaped = true;
	if (status)
		*status = st;
	return 0;
}

int launch_reap(struct launched *l, bool *exited, int *status)
{
	int st = 0;
	pid_t r;

	*exited = false;
	if (l->pid <= 0)
		return -EINVAL;
	if (l->reaped) {
		*exited = true;
		return 0;
	}
	r = waitpid(l->pid, &st, WNOHANG);
	if (r < 0)
		return -errno;
	if (r == l->pid) {
		l->reaped = true;
		*exited = true;
		if (status)
			*status = st;
	}
	return 0;
}

void launch_close(struct launched *l)
{
	if (l->go_fd >= 0)
		close(l->go_fd);
	if (l->err_fd >= 0)
		close(l->err_fd);
	l->go_fd = l->err_fd = -1;
}

void launch_abort(struct launched *l)
{
	if (l->pid > 0 && !l->reaped) {
		kill(l->pid, SIGKILL);
		while (waitpid(l->pid, NULL, 0) < 0 && errno == EINTR)
			;
		l->reaped = true;
	}
	launch_close(l);
}
