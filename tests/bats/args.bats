#!/usr/bin/env bats
# gotrace args / funcs against the real fixtures: argsfix (every ABI shape), argsdeep
# (recursion + stack growth), argsspin (sysmon preemption), argsbench (flood), server.

load helpers
load trace_helpers
bats_require_minimum_version 1.5.0

setup() {
	T=$BATS_TEST_TMPDIR
}

teardown() {
	kill_bg_all
}

# wait_exit PID [TENTHS]: waits (default 30 s) until PID, a child of this shell, has exited.
wait_gone() {
	local i=0 n=${2:-300}
	while alive "$1" && [ $i -lt $n ]; do sleep 0.1; i=$((i + 1)); done
	! alive "$1"
}

@test "args (bpf): every argsfix function's arguments, decoded from DWARF (text)" {
	args_exact_text bpf
}

@test "args (bpf) --ret: results and latency of every argsfix function" {
	args_exact_ret bpf
}

@test "args (bpf), one perf-event uprobe per probe (GOTRACE_UPROBE_MULTI=0, kernels < 6.6): same results" {
	GOTRACE_UPROBE_MULTI=0 args_exact_ret bpf
}

@test "args --backend bpf: floats in X registers print ? with one hint; bools exact" {
	start_argsfix "$FIX/argsfix" 4
	trace_argsfix --backend bpf main.scale main.mix
	[ "$TRACE_RC" -eq 0 ]
	[ "$(grep -c 'hint: float values passed in X registers' "$T/err")" -eq 1 ]
	[ "$(calls "$T/out" main.scale | tr '\n' ' ')" = "main.scale(f=?, neg=false) main.scale(f=?, neg=true) main.scale(f=?, neg=false) main.scale(f=?, neg=true) " ]
	[ "$(calls "$T/out" main.mix | grep -c 'f32=?, .*ok=true)$')" -eq 4 ]
}

@test "args (bpf) --json: events with name, type and value of args and results, summary with lost" {
	args_exact_json bpf
}

@test "args: stripped (-s -w) binary: functions from pclntab, raw registers, user signature" {
	start_argsfix "$FIX/argsfix-sw"
	trace_argsfix --ret main.addInt64 'main.greet(s string) string' 'main.sumPoint(p struct{X, Y, Z int}) int'
	[ "$FIX_RC" -eq 0 ]
	[ "$TRACE_RC" -eq 0 ]
	for i in 1 2 3; do
		# no DWARF and no signature: the integer argument registers in hex, RAX back
		calls "$T/out" main.addInt64 | grep -qE "^main\.addInt64\(rax=0x$i, rbx=0xffffffffffffff9c, .*\) = 0x$(printf %x $(( (i - 100) & 0xffffffffffffffff )) ) "
		calls "$T/out" main.sumPoint | grep -qE "^main\.sumPoint\(p=\{X:$i Y:20 Z:300\}\) = $((i + 320)) "
	done
	[ "$(calls "$T/out" main.greet | grep -cE '^main\.greet\(s="hello"\) = "hello, gotrace" ')" -eq 3 ]
}

@test "funcs: lists functions with DWARF signatures; names only when stripped" {
	run "$GOTRACE" funcs --binary "$FIX/argsfix" 'main.add*'
	[ "$status" -eq 0 ]
	[ "$output" = "main.addInt64(a int64, b int64) int64" ]
	run "$GOTRACE" funcs --binary "$FIX/argsfix-sw" 'main.add*'
	[ "$status" -eq 0 ]
	[ "$output" = "main.addInt64" ]
	start_argsfix
	run "$GOTRACE" funcs -p "$FPID" --json 'main.gree*'
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r .name)" = main.greet ]
	[ "$(echo "$output" | jq -r .signature)" = "main.greet(s string) string" ]
	run "$GOTRACE" funcs --binary "$FIX/argsfix" 'main.nothing*'
	[ "$status" -eq 1 ]
	alive "$FPID"
}

@test "args --ret: recursion with growing, moving stacks: one entry and one return per call" {
	g=6 r=8 d=120
	run --separate-stderr "$GOTRACE" args --ret main.down -- "$FIX/argsdeep" -g $g -r $r -d $d
	[ "$status" -eq 0 ]
	# the fixture checked its own results and counted its calls
	echo "$stderr" | grep -qxF "calls=$((g * r * (d + 1)))"
	n=$(echo "$output" | grep -c ' main\.down(')
	[ "$n" -eq $((g * r * (d + 1))) ]
	# every return is paired with its own entry: down(n) = n
	[ "$(echo "$output" | grep ' main\.down(' | grep -cvE ' main\.down\(n=([0-9]+)\) = \1 \[')" -eq 0 ]
	for k in 0 $((d / 2)) $d; do
		[ "$(echo "$output" | grep -cF " main.down(n=$k) = $k [")" -eq $((g * r)) ]
	done
}

# Before Go 1.17, R14 is not g and the probes read g from TLS (FS base - 8). Go 1.19 keeps g
# in TLS too, so GOTRACE_G_FROM_TLS=1 runs that path here, on both backends.
@test "args --ret, g read from TLS as for Go < 1.17: every call paired, one goid per goroutine" {
	g=4 r=3 d=40
	for be in bpf ptrace; do
		GOTRACE_G_FROM_TLS=1 GOTRACE_DEBUG=1 run --separate-stderr "$GOTRACE" args --backend $be --ret main.down -- "$FIX/argsdeep" -g $g -r $r -d $d
		[ "$status" -eq 0 ]
		echo "$stderr" | grep -qxF "gotrace: debug: $FIX/argsdeep: g read from TLS at FS base -8"
		echo "$stderr" | grep -qxF "calls=$((g * r * (d + 1)))"
		[ "$(echo "$output" | grep -cE ' main\.down\(n=([0-9]+)\) = \1 \[')" -eq $((g * r * (d + 1))) ]
		# each goroutine's calls carry its own non-zero goid
		[ "$(echo "$output" | grep -oE ' goid=[1-9][0-9]* ' | sort -u | wc -l)" -eq $g ]
	done
}

@test "args: g from TLS and from R14 give identical lines (two tracers on one process)" {
	start_argsfix
	start_bg "$GOTRACE" args --backend bpf -p "$FPID" 'main.*' > "$T/r14" 2> "$T/r14.err"
	local t1=$BG_PID
	GOTRACE_G_FROM_TLS=1 GOTRACE_DEBUG=1 start_bg "$GOTRACE" args --backend bpf -p "$FPID" 'main.*' > "$T/tls" 2> "$T/tls.err"
	local t2=$BG_PID
	wait_for_line "$T/r14.err" '^gotrace: tracing '
	wait_for_line "$T/tls.err" '^gotrace: tracing '
	kill -USR1 "$FPID"
	wait "$FPID"
	wait "$t1"
	wait "$t2"
	grep -qxF "gotrace: debug: $FIX/argsfix: g read from TLS at FS base -8" "$T/tls.err"
	[ "$(wc -l < "$T/r14")" -gt 40 ]
	# same tid, goid, function and values for every call
	diff <(sed -E 's/^[0-9:.]+ //' "$T/r14" | sort) <(sed -E 's/^[0-9:.]+ //' "$T/tls" | sort)
}

@test "args: a loop preempted by sysmon for 2 s: exactly one entry per call, 3 runs" {
	for run_no in 1 2 3; do
		run --separate-stderr "$GOTRACE" args main.tick -- "$FIX/argsspin" -t 2
		[ "$status" -eq 0 ]
		calls=$(echo "$stderr" | sed -n 's/^calls=//p')
		[ -n "$calls" ]
		[ "$calls" -gt 0 ]
		[ "$(echo "$output" | grep -c ' main\.tick(i=')" -eq "$calls" ]
		[ "$(echo "$output" | tail -1 | sed -E 's/.* main\.tick\(i=([0-9]+)\)$/\1/')" -eq $((calls - 1)) ]
	done
}

@test "args: unknown function gets a suggestion and exit 1; target untouched" {
	start_argsfix
	run --separate-stderr "$GOTRACE" args -p "$FPID" main.addInt46
	[ "$status" -eq 1 ]
	[ "$stderr" = "gotrace: function 'main.addInt46' not found in $(readlink -f "$FIX/argsfix"); did you mean 'main.addInt64'?" ]
	[ -z "$output" ]
	run "$GOTRACE" args -p "$FPID" 'main.zzz*'
	[ "$status" -eq 1 ]
	alive "$FPID"
	kill -USR1 "$FPID"
	wait "$FPID"
	[ "$(wc -l < "$T/fix.out")" -eq 42 ]
}

@test "args: non-Go process, missing PID: exit 1" {
	start_bg sleep 60
	run --separate-stderr "$GOTRACE" args -p "$BG_PID" main.main
	[ "$status" -eq 1 ]
	[ "$stderr" = "gotrace: process $BG_PID: $(readlink -f /proc/$BG_PID/exe) is not a Go program" ]
	alive "$BG_PID"
	run --separate-stderr "$GOTRACE" args -p 4194300 main.main
	[ "$status" -eq 1 ]
	[ "$stderr" = "gotrace: no process with PID 4194300" ]
}

@test "args: malformed signature and usage errors exit 2" {
	run --separate-stderr "$GOTRACE" args -p 1 'main.addInt64(a int64'
	[ "$status" -eq 2 ]
	[[ "$stderr" == "gotrace: bad signature 'main.addInt64(a int64': "* ]]
	run "$GOTRACE" args -p 1
	[ "$status" -eq 2 ]
	run "$GOTRACE" args main.f
	[ "$status" -eq 2 ]
	run "$GOTRACE" args -p 1 --strsize 0 main.f
	[ "$status" -eq 2 ]
	run "$GOTRACE" args -p 1 --backend magic main.f
	[ "$status" -eq 2 ]
	run "$GOTRACE" args --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"--ret"* ]]
}

@test "args: the target exits mid-trace: clean summary, exit 0" {
	start_bg "$FIX/argsspin" -t 1.5 2> "$T/spin.err"
	spid=$BG_PID
	run --separate-stderr "$GOTRACE" args -p "$spid" main.tick -d 60
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"calls traced (process $spid exited)"* ]]
	wait "$spid"
	grep -q '^calls=' "$T/spin.err"
}

@test "args: flood with a stalled consumer: printed + lost == calls, exactly" {
	n=200000
	# stdout is a pipe nobody reads for 3 s: the ring buffer (256 KiB) overflows
	"$GOTRACE" args --buffer-size 256 main.computeE -- "$FIX/argsbench" -n $n 2> "$T/err" |
		{ sleep 3; cat > "$T/out"; }
	grep -q "^calls=$n " "$T/err"
	printed=$(grep -c ' main\.computeE(iterations=10)$' "$T/out")
	lost=$(sed -n 's/^gotrace: \([0-9]*\) events lost$/\1/p' "$T/err")
	[ "$printed" -eq "$(wc -l < "$T/out")" ]
	[ "$((printed + ${lost:-0}))" -eq $n ]
	[ "${lost:-0}" -gt 0 ]
}

@test "args --binary: processes started later are traced; -n stops after COUNT calls" {
	start_bg "$GOTRACE" args --binary "$FIX/argsbench" -n 5 main.computeE > "$T/out" 2> "$T/err"
	tp=$BG_PID
	wait_for_line "$T/err" '^gotrace: tracing '
	"$FIX/argsbench" -n 20 -iter 7 2> "$T/bench.err"
	grep -q '^calls=20 ' "$T/bench.err"
	wait "$tp"
	[ "$(grep -c ' main\.computeE(iterations=7)$' "$T/out")" -eq 5 ]
	[ "$(wc -l < "$T/out")" -eq 5 ]
}

@test "args: after tracing -d, the server still runs and answers correctly" {
	start_bg "$FIX/server" -portfile "$T/port"
	spid=$BG_PID
	wait_for_file "$T/port"
	addr=$(cat "$T/port")
	# computeE returns a float: pin BPF (auto would take ptrace for it)
	start_bg "$GOTRACE" args --backend bpf -p "$spid" --ret -d 30 -n 2 main.computeE > "$T/out" 2> "$T/err"
	tp=$BG_PID
	wait_for_line "$T/err" '^gotrace: tracing '
	for n in 5 12; do
		python3 -c "import urllib.request,sys; sys.stdout.write(urllib.request.urlopen('http://$addr/e?n=$n').read().decode())" > "$T/resp$n"
	done
	wait "$tp"
	calls "$T/out" main.computeE | grep -qE '^main\.computeE\(iterations=5\) = \? \['
	calls "$T/out" main.computeE | grep -qE '^main\.computeE\(iterations=12\) = \? \['
	alive "$spid"
	want=$(python3 -c 'import math; print("%.6f" % sum(1/math.factorial(k) for k in range(20)))')
	got=$(python3 -c "import urllib.request,sys; sys.stdout.write(urllib.request.urlopen('http://$addr/e?n=20').read().decode())")
	[ "$got" = "$want" ]
	[ "$(cat "$T/resp5")" = "$(python3 -c 'import math; print("%.6f" % sum(1/math.factorial(k) for k in range(5)))')" ]
}

@test "args: strings are cut at --strsize with …" {
	start_argsfix
	trace_argsfix --strsize 3 --ret main.greet
	[ "$TRACE_RC" -eq 0 ]
	[ "$(calls "$T/out" main.greet | grep -cE '^main\.greet\(s="hel"…\) = "hel"… \[')" -eq 3 ]
	# JSON strings hold exactly the bytes read; "truncated" marks a value that was cut.
	start_argsfix
	trace_argsfix --strsize 5 --ret --json main.greet
	[ "$TRACE_RC" -eq 0 ]
	[ "$(jq -c 'select(.func == "main.greet") | [.args[0].value, .args[0].truncated, .ret[0].value, .ret[0].truncated]' "$T/out" | sort -u)" = '["hello",null,"hello",true]' ]
}

@test "args: two processes with -p A,B, one of them running a deleted binary" {
	cp "$FIX/argsfix" "$T/argsfix-copy"
	start_bg "$T/argsfix-copy" -ready "$T/ready1" -n 2 > "$T/fix1.out"
	p1=$BG_PID
	start_bg "$FIX/argsfix" -ready "$T/ready2" -n 2 > "$T/fix2.out"
	p2=$BG_PID
	wait_for_file "$T/ready1"
	wait_for_file "$T/ready2"
	rm "$T/argsfix-copy"
	start_bg "$GOTRACE" args -p "$p1,$p2" --ret main.addInt64 > "$T/out" 2> "$T/err"
	tp=$BG_PID
	wait_for_line "$T/err" '^gotrace: tracing '
	kill -USR1 "$p1" "$p2"
	wait "$p1"
	wait "$p2"
	wait "$tp"
	for p in $p1 $p2; do
		for i in 1 2; do
			grep -qE "^[0-9:.]+ pid=$p tid=[0-9]+ goid=[0-9]+ main\.addInt64\(a=$i, b=-100\) = $((i - 100)) \[" "$T/out"
		done
	done
	[ "$(wc -l < "$T/out")" -eq 4 ]
	grep -q 'calls traced (processes exited)' "$T/err"
}

@test "args: SIGINT ends the trace: summary, exit 0, the target runs on" {
	start_bg "$FIX/argsspin" -t 6 2> "$T/spin.err"
	spid=$BG_PID
	start_bg "$GOTRACE" args -p "$spid" --json main.tick > "$T/out" 2> "$T/err"
	tp=$BG_PID
	wait_for_line "$T/err" '^gotrace: tracing '
	sleep 0.5
	kill -INT "$tp"
	wait "$tp"
	[ "$(tail -1 "$T/out" | jq -r '[.summary, .backend] | @tsv')" = "true	bpf" ]
	calls=$(tail -1 "$T/out" | jq .calls)
	[ "$calls" -gt 0 ]
	[ "$(grep -c '"func":"main.tick"' "$T/out")" -eq "$calls" ]
	alive "$spid"
	wait "$spid"
	grep -q '^calls=' "$T/spin.err"
}

@test "args: PIE binary: interface dynamic types named through the load bias" {
	start_argsfix "$FIX/argsfix-pie" 2
	trace_argsfix --backend bpf main.stringerLen main.mix
	[ "$TRACE_RC" -eq 0 ]
	[ "$(calls "$T/out" main.stringerLen | grep -cxE 'main\.stringerLen\(s=main\.name\(0x[0-9a-f]+\)\)')" -eq 2 ]
	[ "$(calls "$T/out" main.mix | grep -cE ', i=int64\(0x[0-9a-f]+\), ok=true\)$')" -eq 2 ]
}
