/* gotrace args / funcs: option parsing and the trace loop (placeholder until the args issue lands). */
#include <stdio.h>
#include "cmd/cmd.h"

int cmd_args(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("gotrace: 'args' is not available in this build\n", stderr);
	return EXIT_RUNTIME;
}

int cmd_funcs(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("gotrace: 'funcs' is not available in this build\n", stderr);
	return EXIT_RUNTIME;
}
