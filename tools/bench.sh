#!/bin/sh
# make bench: runs every tools/bench-*.sh (or the ones named, e.g. BENCH=syscalls) and keeps their output.
set -eu
: "${BUILD:?}"
here=$(cd "$(dirname "$0")" && pwd)
sh "$here/install-deps.sh" bench
names=${*:-$(cd "$here" && ls bench-*.sh | sed 's/^bench-//; s/\.sh$//')}
mkdir -p "$BUILD/bench"
for n in $names; do
	echo "== bench: $n"
	sh "$here/bench-$n.sh" 2>&1 | tee "$BUILD/bench/$n.txt"
done
