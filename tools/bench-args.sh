#!/bin/sh
# make bench (BENCH=args): per-call cost of gotrace args vs bpftrace uprobes, counts, losses, attach time.
#
# The bench loop (build/fixtures/argsbench) calls main.computeE(10) N times and times the
# loop itself, so start-up and attach are not part of a figure. Each configuration runs
# $BENCH_RUNS times (default 3); the median ns/call is reported, and the added cost per
# call is that minus the untraced median. Slow peers run 100,000 calls (cost is linear).
set -eu
: "${BUILD:?}"
RUNS=${BENCH_RUNS:-3}
N_FAST=${BENCH_CALLS:-1000000}
N_SLOW=${BENCH_SLOW_CALLS:-100000}
GOTRACE=$BUILD/gotrace
FIXB=$BUILD/fixtures/argsbench
tmp=$(mktemp -d /tmp/gotrace-bench-args.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM

median() { sort -n | awk '{v[NR]=$1} END {if (NR) print v[int((NR+1)/2)]; else print "nan"}'; }
# ns_per_call FILE: the fixture's own measurement
ns_per_call() { sed -n 's/.*ns_per_call=\([0-9.]*\).*/\1/p' "$1" | tail -1; }

# run_cfg NAME CALLS CMD...: runs CMD (which runs the fixture) RUNS times; records the
# median ns/call and the event count / lost of the last run (set by CMD via $tmp/events, $tmp/lost).
run_cfg() {
	name=$1 calls=$2
	shift 2
	: > "$tmp/$name.ns"
	i=0
	while [ $i -lt "$RUNS" ]; do
		echo 0 > "$tmp/events"
		echo 0 > "$tmp/lost"
		"$@" "$calls" > /dev/null 2>&1 || { echo "bench-args: $name failed" >&2; exit 1; }
		ns_per_call "$tmp/fix.err" >> "$tmp/$name.ns"
		i=$((i + 1))
	done
	med=$(median < "$tmp/$name.ns")
	echo "$name $calls $med $(cat "$tmp/events") $(cat "$tmp/lost")" >> "$tmp/results"
}

untraced() { "$FIXB" -n "$1" 2> "$tmp/fix.err"; }

gotrace_args() {
	"$GOTRACE" args --backend bpf main.computeE -- "$FIXB" -n "$1" > "$tmp/out" 2> "$tmp/fix.err"
	wc -l < "$tmp/out" > "$tmp/events"
	sed -n 's/^gotrace: \([0-9]*\) events lost$/\1/p' "$tmp/fix.err" > "$tmp/lost"
	[ -s "$tmp/lost" ] || echo 0 > "$tmp/lost"
}

gotrace_ret() {
	"$GOTRACE" args --backend bpf --ret main.computeE -- "$FIXB" -n "$1" > "$tmp/out" 2> "$tmp/fix.err"
	wc -l < "$tmp/out" > "$tmp/events"
	sed -n 's/^gotrace: \([0-9]*\) events lost$/\1/p' "$tmp/fix.err" > "$tmp/lost"
	[ -s "$tmp/lost" ] || echo 0 > "$tmp/lost"
}

# The file offset of computeE's stack-check JBE, where gotrace's entry probe sits.
jbe_offset() {
	d=$(objdump -d -F --no-show-raw-insn --disassemble=main.computeE "$FIXB")
	fn=$(echo "$d" | sed -n 's/^\([0-9a-f]*\) <main.computeE> (File Offset: \(0x[0-9a-f]*\)):$/\1 \2/p')
	jbe=$(echo "$d" | awk '$2 == "jbe" { sub(":", "", $1); print $1; exit }')
	set -- $fn
	echo $(($2 + 0x$jbe - 0x$1))
}

# The floor: an empty BPF program on a uprobe at the same JBE (the trap and its dispatch).
uprobe_floor() {
	"$BUILD/tests/helpers/lib-uprobefloor" "$FIXB" "$JBE_OFF" "$FIXB" -n "$1" 2> "$tmp/fix.err"
}

# bpftrace -c starts the command once its probes are attached; the fixture's stderr
# (its timing) goes to fix.err through bpftrace's own stderr.
bpftrace_count() {
	bpftrace -e "uprobe:$FIXB:main.computeE /pid == cpid/ { @c = count(); }" -c "$FIXB -n $1" \
		> "$tmp/bt.out" 2> "$tmp/fix.err"
	sed -n 's/^@c: //p' "$tmp/bt.out" > "$tmp/events"
}

bpftrace_print() {
	# Go passes the first integer argument in RAX
	bpftrace -e "uprobe:$FIXB:main.computeE /pid == cpid/ { printf(\"%d\\n\", reg(\"ax\")); }" \
		-c "$FIXB -n $1" > "$tmp/bt.out" 2> "$tmp/fix.err"
	grep -c '^10$' "$tmp/bt.out" > "$tmp/events" || true
}

have_bpftrace=true
command -v bpftrace > /dev/null || have_bpftrace=false
: > "$tmp/results"
run_cfg untraced "$N_FAST" untraced
JBE_OFF=$(jbe_offset)
run_cfg uprobe-floor "$N_FAST" uprobe_floor
run_cfg gotrace-args "$N_FAST" gotrace_args
run_cfg gotrace-args-ret "$N_SLOW" gotrace_ret
if $have_bpftrace; then
	run_cfg bpftrace-count "$N_SLOW" bpftrace_count
	run_cfg bpftrace-print "$N_SLOW" bpftrace_print
fi

echo "args bench: main.computeE(10) loop, median of $RUNS runs, $(nproc) CPUs, kernel $(uname -r)"
awk '
	{ name[NR] = $1; calls[NR] = $2; ns[NR] = $3; ev[NR] = $4; lost[NR] = $5; idx[$1] = NR }
	END {
		base = ns[idx["untraced"]]
		printf "%-18s %9s %10s %10s %10s %8s\n", "config", "calls", "ns/call", "added ns", "events", "lost"
		for (i = 1; i <= NR; i++) {
			add[i] = ns[i] - base
			printf "%-18s %9d %10.1f %10.1f %10s %8s\n", name[i], calls[i], ns[i], i == idx["untraced"] ? 0 : add[i],
				name[i] ~ /^(untraced|uprobe-floor)$/ ? "-" : ev[i], name[i] ~ /^gotrace/ ? lost[i] : "-"
		}
		if ("bpftrace-count" in idx) {
			c = add[idx["bpftrace-count"]]; p = add[idx["bpftrace-print"]]
			a = add[idx["gotrace-args"]]; r = add[idx["gotrace-args-ret"]]
			printf "gotrace args / bpftrace count-only : %.2fx (target <= 0.20)\n", a / c
			printf "gotrace args / bpftrace print-arg  : %.2fx (target <= 0.10)\n", a / p
			printf "gotrace args --ret / bpftrace print: %.2fx (target <= 1.00)\n", r / p
			f = add[idx["uprobe-floor"]]
			printf "empty uprobe program / bpftrace count-only: %.2fx (the floor under the 0.20 target)\n", f / c
		}
	}' "$tmp/results"

# Attach time to a >= 100 MB Go binary: generated code (DWARF, pclntab, symbols for
# thousands of functions) plus an embedded incompressible blob for the bulk.
big=/tmp/gotrace-bench-bigbin
if [ ! -x "$big/big" ]; then
	mkdir -p "$big"
	(
		cd "$big"
		printf 'module bigbin\n\ngo 1.19\n' > go.mod
		head -c 100000000 /dev/urandom > blob.bin
		{
			echo 'package main'
			echo 'import _ "embed"'
			echo 'import "os"'
			echo 'import "time"'
			echo '//go:embed blob.bin'
			echo 'var blob []byte'
			i=0
			while [ $i -lt 3000 ]; do
				echo "//go:noinline"
				echo "func f$i(a, b int, s string) int { if a > b { return a*$i + len(s) }; return b - $i + int(blob[$i]) }"
				i=$((i + 1))
			done
			echo '//go:noinline'
			echo 'func target(n int64) int64 { return n * 2 }'
			echo 'func main() {'
			echo '	s := 0'
			i=0
			while [ $i -lt 3000 ]; do
				echo "	s += f$i(len(os.Args), $i, \"x\")"
				i=$((i + 1))
			done
			echo '	if s == 42 { println(s) }'
			echo '	for { target(int64(s)); time.Sleep(time.Second) }'
			echo '}'
		} > main.go
		GOFLAGS=-mod=mod GOPROXY=off go build -o big . 2>&1
	)
fi
"$big/big" > /dev/null 2>&1 &
bigpid=$!
sleep 0.5
: > "$tmp/attach.ms"
i=0
while [ $i -lt 5 ]; do
	t0=$(date +%s%N)
	"$GOTRACE" args --backend bpf -p "$bigpid" main.target > /dev/null 2> "$tmp/attach.err" &
	gp=$!
	while ! grep -q '^gotrace: tracing ' "$tmp/attach.err" 2>/dev/null; do
		kill -0 "$gp" 2>/dev/null || break
		sleep 0.002
	done
	t1=$(date +%s%N)
	kill "$gp" 2>/dev/null || true
	wait "$gp" 2>/dev/null || true
	echo $(( (t1 - t0) / 1000000 )) >> "$tmp/attach.ms"
	i=$((i + 1))
done
kill "$bigpid" 2>/dev/null || true
wait "$bigpid" 2>/dev/null || true
echo "attach to a $(($(stat -c %s "$big/big") / 1000000)) MB Go binary (resolve + DWARF + plan + load + attach): median $(median < "$tmp/attach.ms") ms of 5 (target <= 300 ms)"
