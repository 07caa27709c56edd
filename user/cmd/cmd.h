/* Entry points of gotrace's subcommands; each parses its own options and returns the exit code. */
#ifndef GOTRACE_CMD_H
#define GOTRACE_CMD_H

/* Exit codes from SPEC.md. */
enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

int cmd_syscalls(int argc, char **argv);
int cmd_args(int argc, char **argv);
int cmd_funcs(int argc, char **argv);
#endif
