#!/bin/sh
# make bench (BENCH=ptrace): the ptrace backend next to strace -c -f (syscalls) and dlv trace (args).
#
# Syscalls: sysloop's getppid loop (one thread, timed inside the Go process) launched untraced,
# under `gotrace syscalls --backend ptrace` and under `strace -c -f`, interleaved REPS times;
# medians of ns/call and the added cost per syscall (traced - untraced). gotrace's getppid
# count is checked against the loop's exact number.
# Args: argsbench's computeE loop untraced, under `gotrace args --backend ptrace` (entry probe
# on the stack-check jump, emulated) and with --ret, and under `dlv trace` (Debian's delve,
# when installed); every printed call is counted.
#
# dlv trace stops and prints through its debugger protocol (~ms per call): it runs DLV_CALLS.
#
# Environment: BUILD (required), CALLS (200000), ARGS_CALLS (50000), DLV_CALLS (1000), REPS (3).
set -eu
: "${BUILD:?}"
CALLS=${CALLS:-200000}
ARGS_CALLS=${ARGS_CALLS:-50000}
DLV_CALLS=${DLV_CALLS:-1000}
REPS=${REPS:-3}
GOTRACE=$BUILD/gotrace
LOOP=$BUILD/fixtures/sysloop
ARGSB=$BUILD/fixtures/argsbench
work=$(mktemp -d /tmp/bench-ptrace.XXXXXX)
trap 'rm -rf "$work"' EXIT
trap 'exit 1' INT TERM

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "nan" }'; }
ns_of() { sed -n 's/.*ns_per_call=\([0-9.]*\).*/\1/p' "$1" | tail -1; }
fail() { echo "bench-ptrace: $*" >&2; exit 1; }

# --- syscalls ---
sys_untraced() { "$LOOP" -bench -quiet -getppid "$CALLS" -writes 0 -threads 1 > "$work/o" 2>&1; }
sys_gotrace() {
	"$GOTRACE" syscalls --backend ptrace --json -- "$LOOP" -bench -quiet -getppid "$CALLS" -writes 0 -threads 1 \
		> "$work/o" 2> "$work/e"
	n=$(grep '^{' "$work/o" | jq '.syscalls[] | select(.name == "getppid") | .calls')
	[ "$n" = "$CALLS" ] || fail "gotrace counted $n getppid, want $CALLS"
}
sys_strace() {
	strace -c -f -o "$work/st" "$LOOP" -bench -quiet -getppid "$CALLS" -writes 0 -threads 1 > "$work/o" 2>&1
	n=$(awk '$NF == "getppid" { print $4 }' "$work/st")
	[ "$n" = "$CALLS" ] || fail "strace counted $n getppid, want $CALLS"
}

for c in untraced gotrace strace; do : > "$work/sys-$c"; done
r=0
while [ $r -lt "$REPS" ]; do
	for c in untraced gotrace strace; do
		"sys_$c"
		ns_of "$work/o" >> "$work/sys-$c"
	done
	r=$((r + 1))
done
u=$(median < "$work/sys-untraced")
g=$(median < "$work/sys-gotrace")
s=$(median < "$work/sys-strace")
echo "syscalls: $CALLS getppid, median of $REPS interleaved runs (ns per syscall)"
printf '  %-34s %10s %12s\n' configuration ns/call "added ns"
printf '  %-34s %10s %12s\n' untraced "$u" -
printf '  %-34s %10s %12s\n' "gotrace syscalls --backend ptrace" "$g" "$(echo "$g $u" | awk '{ printf "%.1f", $1 - $2 }')"
printf '  %-34s %10s %12s\n' "strace -c -f" "$s" "$(echo "$s $u" | awk '{ printf "%.1f", $1 - $2 }')"
echo "  gotrace/strace added cost: $(echo "$g $s $u" | awk '{ printf "%.2f", ($1 - $3) / ($2 - $3) }') (target <= 1)"

# --- args ---
args_untraced() { "$ARGSB" -n "$ARGS_CALLS" 2> "$work/o"; echo "$ARGS_CALLS" > "$work/n"; }
args_gotrace() {
	"$GOTRACE" args --backend ptrace main.computeE -- "$ARGSB" -n "$ARGS_CALLS" > "$work/out" 2> "$work/o"
	grep -c 'main.computeE(' "$work/out" > "$work/n" || true
}
args_gotrace_ret() {
	"$GOTRACE" args --backend ptrace --ret main.computeE -- "$ARGSB" -n "$ARGS_CALLS" > "$work/out" 2> "$work/o"
	grep -c 'main.computeE(.*) = ' "$work/out" > "$work/n" || true
}
args_dlv() {
	# dlv trace prints each call to stderr, mixed with the fixture's own timing line.
	dlv trace --exec "$ARGSB" 'main.computeE$' -- -n "$DLV_CALLS" > /dev/null 2> "$work/o" < /dev/null || true
	grep -c '> goroutine(.*): main.computeE(' "$work/o" > "$work/n" || true
}

cfgs="untraced gotrace gotrace_ret"
command -v dlv > /dev/null && cfgs="$cfgs dlv"
for c in $cfgs; do : > "$work/args-$c"; done
r=0
while [ $r -lt "$REPS" ]; do
	for c in $cfgs; do
		"args_$c"
		ns_of "$work/o" >> "$work/args-$c"
		cp "$work/n" "$work/args-$c.n"
	done
	r=$((r + 1))
done
u=$(median < "$work/args-untraced")
echo "args: $ARGS_CALLS calls of main.computeE(10), median of $REPS interleaved runs (ns per call)"
printf '  %-40s %10s %12s %10s\n' configuration ns/call "added ns" printed
for c in $cfgs; do
	case $c in
	untraced) name=untraced ;;
	gotrace) name="gotrace args --backend ptrace" ;;
	gotrace_ret) name="gotrace args --backend ptrace --ret" ;;
	dlv) name="dlv trace ($DLV_CALLS calls)" ;;
	esac
	m=$(median < "$work/args-$c")
	printf '  %-40s %10s %12s %10s\n' "$name" "$m" "$(echo "$m $u" | awk '{ printf "%.1f", $1 - $2 }')" "$(cat "$work/args-$c.n")"
done
command -v dlv > /dev/null || echo "  (dlv not installed: sh tools/install-deps.sh bench)"
