/* gotrace syscalls: option parsing and the trace loop (placeholder until the syscalls issue lands). */
#include <stdio.h>
#include "cmd/cmd.h"

int cmd_syscalls(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("gotrace: 'syscalls' is not available in this build\n", stderr);
	return EXIT_RUNTIME;
}
