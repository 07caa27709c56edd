/* golist: lists Go processes (main: options and dispatch only). */
#include "cmd/cmd.h"
#include "golist/golist.h"
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"Usage: golist [--json] [--no-header]   list Go processes\n"
	"       golist PID [--json]             details of one process (any process, Go or not)\n"
	"       golist tree [--json]            Go processes as a tree by parent PID\n"
	"\n"
	"Options:\n"
	"  --json        JSON Lines output (one object per line)\n"
	"  --no-header   omit the header line of the list\n"
	"  -h, --help    show this help\n"
	"  -V, --version show the version\n"
	"\n"
	"AGENT shows * where a gops agent is listening. Exit codes: 0 ok, 1 runtime error, 2 usage.\n";

static int usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "golist: %s%s%s%s (see golist --help)\n", what, arg ? " '" : "", arg ? arg : "",
		arg ? "'" : "");
	return EXIT_USAGE;
}

static int parse_pid(const char *s, int *pid)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v <= 0 || v > INT_MAX)
		return -EINVAL;
	*pid = (int)v;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "no-header", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct golist_opts o = { .proc = "/proc" };
	int c, pid;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': o.json = true; break;
		case 'n': o.no_header = true; break;
		case 'h': fputs(usage, stdout); return EXIT_OK;
		case 'V': printf("golist %s\n", GOTRACE_VERSION); return EXIT_OK;
		default: return usage_error("unknown option", argv[optind - 1]);
		}
	}
	if (optind == argc)
		return golist_list(&o, stdout);
	if (argc - optind > 1)
		return usage_error("unexpected argument", argv[optind + 1]);
	if (!strcmp(argv[optind], "tree"))
		return golist_tree(&o, stdout);
	if (parse_pid(argv[optind], &pid))
		return usage_error("invalid PID", argv[optind]);
	return golist_detail(&o, pid, stdout);
}
