#!/bin/sh
# Generates a C table of syscall names indexed by number from the UAPI header asm/unistd_64.h.
set -eu
hdr=${1:-}
if [ -z "$hdr" ]; then
	for h in /usr/include/x86_64-linux-gnu/asm/unistd_64.h /usr/include/asm/unistd_64.h; do
		[ -r "$h" ] && hdr=$h && break
	done
fi
[ -n "$hdr" ] && [ -r "$hdr" ] || { echo "gen-syscall-table: asm/unistd_64.h not found" >&2; exit 1; }
echo "/* Generated from $hdr by tools/gen-syscall-table.sh; do not edit. */"
echo "static const char *const syscall_names[] = {"
sed -n 's/^#define __NR_\([a-z0-9_]*\)[ \t]\+\([0-9]\+\).*/\2 \1/p' "$hdr" | sort -n |
	while read -r nr name; do printf '\t[%s] = "%s",\n' "$nr" "$name"; done
echo "};"
