#!/bin/sh
# make bench (BENCH=syscalls): added cost per syscall of gotrace syscalls vs syscount, strace -c, perf trace.
#
# The workload is the sysloop fixture's getppid loop, timed inside the Go process: it starts
# parked, the tracer attaches to its PID, then the loop is released, so attach cost is not
# measured. Runs are interleaved (repetition r runs every configuration once) so load changes
# on the machine hit all configurations alike; medians are printed. Added cost per syscall =
# traced ns/call - untraced ns/call (same thread count), both in wall time and in the loop
# process's CPU time. BPF tools run their programs in the syscall's own context, so their cost
# is CPU time of the loop, and CPU time does not grow while the loop waits for a CPU on a
# busy machine: the BPF ratios use it. strace and perf trace cost mostly waiting for the
# tracer, so they are compared in wall time. Every tracer's getppid count is checked
# against the loop's exact number. strace and perf trace are ~100x slower per call, so they
# run SLOW_CALLS calls (the per-call figure is what is compared).
#
# Environment: BUILD (required), CALLS (2000000), SLOW_CALLS (200000), REPS (5), SLOW_REPS (3),
# FAST / SLOW: the configurations to run (names in config() below; SLOW= skips the slow peers).
set -eu
: "${BUILD:?}"
CALLS=${CALLS:-2000000}
SLOW_CALLS=${SLOW_CALLS:-200000}
REPS=${REPS:-5}
SLOW_REPS=${SLOW_REPS:-3}
GOTRACE=$BUILD/gotrace
LOOP=$BUILD/fixtures/sysloop
work=$(mktemp -d /tmp/bench-syscalls.XXXXXX)
mounted=
tracer=
loop=

cleanup() {
	[ -n "$tracer" ] && kill "$tracer" 2>/dev/null || true
	[ -n "$loop" ] && kill "$loop" 2>/dev/null || true
	[ -n "$mounted" ] && umount /sys/kernel/tracing 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# syscount and perf trace find tracepoints through tracefs; gotrace does not need it.
if [ ! -e /sys/kernel/tracing/events ]; then
	mount -t tracefs nodev /sys/kernel/tracing && mounted=1
fi

# wait_for PATTERN FILE...: until one of the files has a line matching PATTERN (20 s at most).
wait_for() {
	pat=$1
	shift
	i=0
	while ! cat "$@" 2>/dev/null | grep -q "$pat"; do
		i=$((i + 1))
		[ $i -gt 400 ] && { echo "bench: timed out waiting for '$pat' in $*" >&2; cat "$@" >&2; return 1; }
		sleep 0.05
	done
}

median() {
	sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# config NAME: sets label, threads, calls, pattern (attach notice, - for none), settle (s), and the tracer
# command line in cmd (@PID@ is replaced; empty for untraced).
config() {
	threads=1 calls=$CALLS pattern=. settle=0.5 cmd=
	case $1 in
	untraced1) label="untraced" ;;
	untraced4) label="untraced" threads=4 ;;
	gotrace1) label="gotrace syscalls" cmd="$GOTRACE syscalls -p @PID@" pattern="counting syscalls" ;;
	gotrace4) label="gotrace syscalls" threads=4 cmd="$GOTRACE syscalls -p @PID@" pattern="counting syscalls" ;;
	syscount1) label="syscount -p" cmd="stdbuf -oL syscount -p @PID@" pattern="Tracing syscalls" ;;
	syscount4) label="syscount -p" threads=4 cmd="stdbuf -oL syscount -p @PID@" pattern="Tracing syscalls" ;;
	syscountL1) label="syscount -L -p" cmd="stdbuf -oL syscount -L -p @PID@" pattern="Tracing syscalls" ;;
	syscountL4) label="syscount -L -p" threads=4 cmd="stdbuf -oL syscount -L -p @PID@" pattern="Tracing syscalls" ;;
	level_empty|level_filter|level_count|level_full)
		label="gotrace --bpf-level ${1#level_}"
		cmd="$GOTRACE syscalls --bpf-level ${1#level_} -p @PID@" pattern="counting syscalls" ;;
	rawtp) label="gotrace, raw_tp instead of tp_btf"
		cmd="env GOTRACE_SYSCALLS_RAWTP=1 $GOTRACE syscalls -p @PID@" pattern="counting syscalls" ;;
	stacks) label="gotrace syscalls --stacks" cmd="$GOTRACE syscalls --stacks -p @PID@" pattern="counting syscalls" ;;
	slow_untraced) label="untraced" calls=$SLOW_CALLS ;;
	strace) label="strace -c -f -p" calls=$SLOW_CALLS cmd="strace -c -f -p @PID@" pattern=attached ;;
	perf) label="perf trace -s -p" calls=$SLOW_CALLS cmd="perf trace -s -p @PID@" pattern=- settle=3 ;;
	esac
}

# count_of NAME: the getppid calls the tracer reported (summed over threads for perf trace).
count_of() {
	case $1 in
	untraced*|slow_untraced|level_empty|level_filter) echo - ;;
	syscount*) awk '$1 == "getppid" { print $2; exit }' "$work/t.out" ;;
	perf) awk '$1 == "getppid" { s += $2 } END { print s + 0 }' "$work/t.out" "$work/t.err" ;;
	*) awk '$NF == "getppid" { print $4; exit }' "$work/t.out" "$work/t.err" ;;
	esac
}

# run_one NAME: one timed loop under configuration NAME; appends ns/call to NAME.ns and the
# tracer's count to NAME.count. Runs in the main shell so the EXIT trap sees loop/tracer.
run_one() {
	config "$1"
	rm -f "$work/ready" "$work/go" "$work/loop.out" "$work/t.out" "$work/t.err"
	"$LOOP" -bench -getppid "$calls" -writes 0 -threads "$threads" -ready "$work/ready" -go "$work/go" > "$work/loop.out" &
	loop=$!
	wait_for . "$work/ready"
	if [ -n "$cmd" ]; then
		# exec: $! is the tracer itself, so SIGINT reaches it; env undoes the "ignore SIGINT"
		# that sh gives background commands.
		# shellcheck disable=SC2086
		exec_cmd=$(echo "$cmd" | sed "s/@PID@/$(cat "$work/ready")/")
		# shellcheck disable=SC2086
		(exec env --default-signal=INT $exec_cmd) > "$work/t.out" 2> "$work/t.err" &
		tracer=$!
		[ "$pattern" = - ] || wait_for "$pattern" "$work/t.err" "$work/t.out"
		# Some notices come before the last probe is live (perf trace prints none at all).
		sleep "$settle"
	fi
	touch "$work/go"
	wait "$loop"
	loop=
	if [ -n "$tracer" ]; then
		sleep 0.2
		kill -INT "$tracer" 2>/dev/null || true
		wait "$tracer" || true
		tracer=
	fi
	sed -n 's/^ns_per_call=\([0-9.]*\).*/\1/p' "$work/loop.out" >> "$work/$1.ns"
	sed -n 's/.*cpu_ns_per_call=\([0-9.]*\).*/\1/p' "$work/loop.out" >> "$work/$1.cpu"
	echo "$(count_of "$1")" >> "$work/$1.count"
}

# result NAME BASE: prints the row of NAME; sets added_NAME (wall) and cpu_NAME (CPU time).
result() {
	[ -s "$work/$1.ns" ] || return 0
	config "$1"
	med=$(median < "$work/$1.ns")
	base=$(median < "$work/$2.ns")
	added=$(awk -v m="$med" -v b="$base" 'BEGIN { printf "%.1f", m - b }')
	cmed=$(median < "$work/$1.cpu")
	cbase=$(median < "$work/$2.cpu")
	cadded=$(awk -v m="$cmed" -v b="$cbase" 'BEGIN { printf "%.1f", m - b }')
	exact=yes
	while read -r c; do
		[ "$c" = - ] && { exact=-; continue; }
		[ "$c" = "$calls" ] || exact="no ($c)"
	done < "$work/$1.count"
	printf '%-34s %7s %9s %9s %9s %9s  %s\n' "$label" "$threads" "$med" "$added" "$cmed" "$cadded" "$exact"
	eval "added_$1=$added cpu_$1=$cadded"
}

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (a != "" && b > 0) printf "%.2fx", a / b; else print "n/a" }'
}

fast=${FAST:-untraced1 gotrace1 syscount1 syscountL1 untraced4 gotrace4 syscount4 syscountL4 level_empty level_filter level_count level_full rawtp stacks}
slow=${SLOW-slow_untraced strace perf}

echo "syscalls bench: $CALLS getppid calls per run ($SLOW_CALLS for strace/perf trace), medians of $REPS ($SLOW_REPS) interleaved runs"
echo "kernel $(uname -r), $(nproc) CPUs, $(go version 2>/dev/null | awk '{print $3}'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
r=0
while [ $r -lt "$REPS" ]; do
	for c in $fast; do run_one "$c"; done
	r=$((r + 1))
done
r=0
while [ $r -lt "$SLOW_REPS" ]; do
	for c in $slow; do run_one "$c"; done
	r=$((r + 1))
done
echo
printf '%-34s %7s %9s %9s %9s %9s  %s\n' "" "" wall wall cpu cpu ""
printf '%-34s %7s %9s %9s %9s %9s  %s\n' configuration threads ns/call added ns/call added "exact count"
for c in untraced1 gotrace1 syscount1 syscountL1; do result $c untraced1; done
for c in untraced4 gotrace4 syscount4 syscountL4; do result $c untraced4; done
echo "gotrace's own cost (BPF program levels, 1 thread):"
for c in level_empty level_filter level_count level_full rawtp stacks; do result $c untraced1; done
echo "slow peers (1 thread):"
for c in slow_untraced strace perf; do result $c slow_untraced; done
echo
echo "gotrace's added cost / the peer's added cost (lower is better; target <= 0.60x syscount -L):"
echo "  1 thread,  CPU:  vs syscount -L $(ratio "${cpu_gotrace1:-}" "${cpu_syscountL1:-}"), vs syscount $(ratio "${cpu_gotrace1:-}" "${cpu_syscount1:-}")"
echo "  4 threads, CPU:  vs syscount -L $(ratio "${cpu_gotrace4:-}" "${cpu_syscountL4:-}"), vs syscount $(ratio "${cpu_gotrace4:-}" "${cpu_syscount4:-}")"
echo "  1 thread,  wall: vs syscount -L $(ratio "${added_gotrace1:-}" "${added_syscountL1:-}"), vs syscount $(ratio "${added_gotrace1:-}" "${added_syscount1:-}"), vs strace -c -f $(ratio "${added_gotrace1:-}" "${added_strace:-}"), vs perf trace -s $(ratio "${added_gotrace1:-}" "${added_perf:-}")"
echo "  bare enter+exit dispatch (--bpf-level empty) vs syscount -L, CPU: $(ratio "${cpu_level_empty:-}" "${cpu_syscountL1:-}")"
echo "  tp_btf vs raw_tp (full program), CPU: ${cpu_level_full:-?} vs ${cpu_rawtp:-?} ns added"
