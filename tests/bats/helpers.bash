# Shared setup for the bats suites: paths to the built tools and fixtures, and process helpers.
load /usr/lib/bats/bats-support/load.bash
load /usr/lib/bats/bats-assert/load.bash

: "${BUILD:=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)/build}"
GOLIST=$BUILD/golist
GOTRACE=$BUILD/gotrace
FIX=$BUILD/fixtures
HELPERS=$BUILD/tests/helpers

# start_bg CMD...: starts CMD in the background, sets $BG_PID, records it for kill_bg_all.
start_bg() {
	"$@" &
	BG_PID=$!
	echo "$BG_PID" >> "$BATS_TEST_TMPDIR/bg.pids"
}

# kill_bg_all: stops everything start_bg started in this test (call from teardown).
kill_bg_all() {
	[ -f "$BATS_TEST_TMPDIR/bg.pids" ] || return 0
	while read -r p; do kill "$p" 2>/dev/null; done < "$BATS_TEST_TMPDIR/bg.pids"
	while read -r p; do wait "$p" 2>/dev/null; done < "$BATS_TEST_TMPDIR/bg.pids"
	rm -f "$BATS_TEST_TMPDIR/bg.pids"
}

# wait_for_file FILE [TENTHS]: waits until FILE exists and is non-empty (default 10 s).
wait_for_file() {
	local i=0 n=${2:-100}
	while [ ! -s "$1" ] && [ $i -lt $n ]; do sleep 0.1; i=$((i + 1)); done
	[ -s "$1" ]
}

# alive PID: the process exists and is not a zombie.
alive() {
	[ -d /proc/$1 ] && ! grep -q '^State:.*Z' /proc/$1/status 2>/dev/null
}
