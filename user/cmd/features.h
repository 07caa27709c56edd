/* Detection of the kernel features gotrace relies on, for --version and the docs. */
#ifndef GOTRACE_FEATURES_H
#define GOTRACE_FEATURES_H
#include <stdio.h>

/* Prints one "feature: yes|no" line per kernel feature to f. */
void features_print(FILE *f);
#endif
