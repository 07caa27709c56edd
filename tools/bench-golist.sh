#!/bin/sh
# make bench (BENCH=golist): golist's wall time over ~1,100 processes (1,000 Go, one binary) vs ps -e.
#
# Starts $BENCH_GO copies of the idle Go fixture and $BENCH_OTHER sleeps, then times `golist`
# and `ps -e` (and gops, when installed) alternately $BENCH_RUNS times each, and prints the
# medians and the ratio golist/ps. Everything it started is stopped by PID on exit.
set -eu
: "${BUILD:?}"
RUNS=${BENCH_RUNS:-15}
NGO=${BENCH_GO:-1000}
NOTHER=${BENCH_OTHER:-100}
GOLIST=$BUILD/golist
IDLE=$BUILD/fixtures/idle
tmp=$(mktemp -d /tmp/gotrace-bench-golist.XXXXXX)
pids=$tmp/pids

cleanup() {
	[ -f "$pids" ] && xargs kill < "$pids" 2>/dev/null || :
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

median() { sort -n | awk '{v[NR]=$1} END {if (NR) print v[int((NR+1)/2)]; else print "nan"}'; }
now_us() { echo $(($(date +%s%N) / 1000)); }

# time_us CMD...: wall time of one run of CMD in microseconds, output discarded.
time_us() {
	t0=$(now_us)
	"$@" > /dev/null 2>&1 || :
	t1=$(now_us)
	echo $((t1 - t0))
}

i=0
while [ $i -lt "$NGO" ]; do
	"$IDLE" & echo $! >> "$pids"
	i=$((i + 1))
done
i=0
while [ $i -lt "$NOTHER" ]; do
	sleep 100000 & echo $! >> "$pids"
	i=$((i + 1))
done
# Wait until every copy has exec'd the fixture (golist would not count a forked shell).
want=$NGO
while :; do
	n=$("$GOLIST" --no-header 2>/dev/null | awk -v p="$IDLE" '$NF == p' | wc -l)
	[ "$n" -ge "$want" ] && break
	sleep 0.2
done
total=$(ls -d /proc/[0-9]* | wc -l)
echo "processes: $total in /proc ($NGO idle Go fixtures + $NOTHER sleeps + the rest); $RUNS runs each"

: > "$tmp/golist"
: > "$tmp/ps"
: > "$tmp/gops"
gops=$(command -v gops || :)
r=0
while [ $r -lt "$RUNS" ]; do
	time_us "$GOLIST" >> "$tmp/golist"
	time_us ps -e >> "$tmp/ps"
	[ -n "$gops" ] && time_us "$gops" >> "$tmp/gops"
	r=$((r + 1))
done
g=$(median < "$tmp/golist")
p=$(median < "$tmp/ps")
printf 'golist   median %8d us\n' "$g"
printf 'ps -e    median %8d us\n' "$p"
if [ -n "$gops" ]; then
	o=$(median < "$tmp/gops")
	printf 'gops     median %8d us  (%.2fx ps -e)\n' "$o" "$(echo "$o $p" | awk '{print $1 / $2}')"
else
	echo "gops     not installed (not in Debian): skipped"
fi
ratio=$(echo "$g $p" | awk '{printf "%.2f", $1 / $2}')
echo "golist/ps -e wall ratio: $ratio (target <= 0.50)"
# CPU time (user + system) does not depend on how busy the machine is: a second view.
if command -v perf > /dev/null 2>&1; then
	cpu() { perf stat -r "$RUNS" -x, -e task-clock "$@" 2>&1 > /dev/null | awk -F, '/task-clock/ {print $1}'; }
	gc=$(cpu "$GOLIST")
	pc=$(cpu ps -e)
	echo "$gc $pc" | awk '{printf "cpu time (mean): golist %.1f ms, ps -e %.1f ms, ratio %.2f\n", $1, $2, $1 / $2}'
fi
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
