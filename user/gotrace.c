/* gotrace: dispatches to the syscalls, args and funcs subcommands. */
#include <stdio.h>
#include <string.h>
#include "cmd/cmd.h"
#include "cmd/features.h"

static const char usage[] =
	"Usage: gotrace COMMAND [OPTIONS]\n"
	"Trace Go programs with eBPF (ptrace where BPF is unavailable).\n"
	"\n"
	"Commands:\n"
	"  syscalls   count a process's syscalls (calls, errors, time), optionally by Go call site\n"
	"  args       print arguments and return values of Go functions as they are called\n"
	"  funcs      list a binary's traceable Go functions with their signatures\n"
	"\n"
	"Run 'gotrace COMMAND --help' for a command's options.\n"
	"  -h, --help      show this help\n"
	"  -V, --version   show the version and the kernel features detected\n";

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} commands[] = {
	{ "syscalls", cmd_syscalls },
	{ "args", cmd_args },
	{ "funcs", cmd_funcs },
};

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fputs(usage, stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
		printf("gotrace %s\n", GOTRACE_VERSION);
		features_print(stdout);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "gotrace: unknown command '%s' (try 'gotrace --help')\n", argv[1]);
	return EXIT_USAGE;
}
