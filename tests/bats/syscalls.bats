#!/usr/bin/env bats
# gotrace syscalls against real processes: exact counts of the sysloop fixture (checked against
# strace -c -f run in the same test), attach to the example server, stacks, JSON, intervals,
# stops (target exit, -d, SIGINT, SIGTERM) and bad input. Expected numbers are the fixture's
# own flags; nothing is copied from an earlier run.

load helpers
load trace_helpers
bats_require_minimum_version 1.5.0

setup() {
	T=$BATS_TEST_TMPDIR
}

teardown() {
	kill_bg_all
}

@test "syscalls --help and usage" {
	run "$GOTRACE" syscalls --help
	assert_success
	assert_output --partial "gotrace syscalls -p PID"
	run "$GOTRACE" syscalls
	assert_failure 2
	assert_output --partial "nothing to trace"
}

@test "syscalls (bpf): launched command: exact getppid and write counts, open errors, equal to strace -c -f" {
	exact_launched bpf text --
}

@test "syscalls (bpf) -p: threads started after attach are counted exactly; the PID's exit ends the trace with exit 0" {
	exact_attached bpf text
}

@test "syscalls: a syscall entered before attach is neither counted nor timed" {
	# sleep(1) sits in clock_nanosleep from before we attach until it exits.
	start_bg sleep 3
	local pid=$BG_PID
	start_trace "$T/out" "$T/err" -p "$pid"
	wait_status "$GT_PID"
	cat "$T/out"
	[ "$STATUS" -eq 0 ]
	[ "$(calls_of "$T/out" clock_nanosleep)" -eq 0 ]
	[ "$(calls_of "$T/out" nanosleep)" -eq 0 ]
	# What it did after waking is counted: it ends with exit_group.
	[ "$(calls_of "$T/out" exit_group)" -eq 1 ]
}

@test "syscalls -p SERVER -d 2 while it serves requests: accept4/read/write present, server still answers" {
	start_bg "$FIX/server" -portfile "$T/port"
	local srv=$BG_PID
	wait_for_file "$T/port"
	local addr
	addr=$(cat "$T/port")
	start_trace "$T/out" "$T/err" -p "$srv" -d 2
	# Requests all through the window, so some land in it however busy the machine is.
	start_bg sh -c "while :; do curl -sf 'http://$addr/e?n=12' > /dev/null; done"
	local client=$BG_PID
	wait_status "$GT_PID"
	kill "$client"
	cat "$T/out"
	[ "$STATUS" -eq 0 ]
	read -r calls errors <<< "$(row "$T/out" accept4)"
	[ $((calls - errors)) -ge 1 ]
	[ "$(calls_of "$T/out" read)" -ge 1 ]
	[ "$(calls_of "$T/out" write)" -ge 1 ]
	alive "$srv"
	run curl -sf "http://$addr/e?n=10"
	assert_success
	assert_output "2.718282"
}

@test "syscalls -p SERVER, five requests, Ctrl-C: exactly five accepted connections" {
	start_bg "$FIX/server" -portfile "$T/port"
	local srv=$BG_PID
	wait_for_file "$T/port"
	local addr
	addr=$(cat "$T/port")
	start_trace "$T/out" "$T/err" -p "$srv"
	for i in 1 2 3 4 5; do
		curl -sf "http://$addr/e?n=12" > /dev/null
	done
	kill -INT "$GT_PID"
	wait_status "$GT_PID"
	cat "$T/out"
	[ "$STATUS" -eq 0 ]
	# Five connections: five successful accept4 calls (the others are EAGAIN).
	read -r calls errors <<< "$(row "$T/out" accept4)"
	[ $((calls - errors)) -eq 5 ]
	alive "$srv"
	run curl -sf "http://$addr/"
	assert_success
}

@test "syscalls --stacks names the Go call sites, also on the stripped -sw build; --folded counts add up" {
	local n=700 m=300
	for bin in sysloop sysloop-sw; do
		run --separate-stderr "$GOTRACE" syscalls --stacks --folded "$T/$bin.folded" -- "$FIX/$bin" -quiet -getppid $n -writes $m -threads 2
		assert_success
		echo "$output" | sed -n '/^getppid:/,/^[a-z_0-9]*:/p' | grep -q 'main.doGetppid'
		echo "$output" | sed -n '/^write:/,/^[a-z_0-9]*:/p' | grep -q 'main.doWrites'
		# Folded lines: root first, the syscall as the leaf, then the count.
		[ "$(awk '$1 ~ /;main\.doGetppid;.*;getppid$/ { s += $2 } END { print s }' "$T/$bin.folded")" -eq $n ]
		[ "$(awk '$1 ~ /;main\.doWrites;.*;write$/ { s += $2 } END { print s }' "$T/$bin.folded")" -eq $m ]
	done
}

@test "syscalls --stacks symbolises a PIE binary (load bias from /proc/PID/maps)" {
	start_bg "$FIX/server-pie" -portfile "$T/port"
	local srv=$BG_PID
	wait_for_file "$T/port"
	start_trace "$T/out" "$T/err" -p "$srv" --stacks
	curl -sf "http://$(cat "$T/port")/" > /dev/null
	kill -INT "$GT_PID"
	wait_status "$GT_PID"
	[ "$STATUS" -eq 0 ]
	grep -q 'net/http.(\*conn).serve' "$T/out" || { cat "$T/out"; return 1; }
	alive "$srv"
}

@test "syscalls --json: SPEC keys, parses, matches the table of the same workload" {
	local n=2500 m=1500 k=4
	start_sysloop -getppid $n -writes $m -fails $k -threads 2
	start_trace "$T/out" "$T/err" -p "$SL_PID" --json
	touch "$SL_GO"
	wait_status "$GT_PID"
	[ "$STATUS" -eq 0 ]
	[ "$(wc -l < "$T/out")" -eq 1 ]
	run jq -r 'keys_unsorted | join(",")' "$T/out"
	assert_output "pid,backend,duration_ns,lost,total_calls,total_errors,syscalls"
	run jq -r '.syscalls[0] | keys_unsorted | join(",")' "$T/out"
	assert_output "nr,name,calls,errors,total_ns"
	[ "$(jq .pid "$T/out")" -eq "$SL_PID" ]
	[ "$(jq -r .backend "$T/out")" = bpf ]
	[ "$(jq .lost "$T/out")" -eq 0 ]
	[ "$(jq '.syscalls[] | select(.name == "getppid") | .calls' "$T/out")" -eq $n ]
	[ "$(jq '.syscalls[] | select(.name == "getppid") | .nr' "$T/out")" -eq 110 ]
	[ "$(jq '.syscalls[] | select(.name == "open") | [.calls, .errors] | join(" ")' -r "$T/out")" = "$k $k" ]
	[ "$(jq '[.syscalls[].calls] | add' "$T/out")" -eq "$(jq .total_calls "$T/out")" ]
	[ "$(jq '[.syscalls[].errors] | add' "$T/out")" -eq "$(jq .total_errors "$T/out")" ]
	# Sorted by time, like the table.
	jq -e '[.syscalls[].total_ns] as $t | $t == ($t | sort | reverse)' "$T/out"
	# The table of the same deterministic workload has the same rows for what sysloop controls.
	run --separate-stderr "$GOTRACE" syscalls -- "$FIX/sysloop" -quiet -getppid $n -writes $m -fails $k -threads 2
	assert_success
	echo "$output" > "$T/table"
	for s in getppid write open; do
		[ "$(row "$T/table" $s)" = "$(jq -r --arg s $s '.syscalls[] | select(.name == $s) | "\(.calls) \(.errors)"' "$T/out")" ]
	done
}

@test "syscalls -i: interval tables are deltas that add up to the final cumulative summary" {
	local n=40000
	start_sysloop -getppid $n -writes 0 -threads 1 -done "$T/done" -hold
	start_trace "$T/out" "$T/err" -p "$SL_PID" -i 0.2 --json
	touch "$SL_GO"
	wait_exists "$T/done"
	sleep 0.5
	kill -INT "$GT_PID"
	wait_status "$GT_PID"
	[ "$STATUS" -eq 0 ]
	local lines sum last
	lines=$(wc -l < "$T/out")
	[ "$lines" -ge 3 ]
	sum=$(head -n $((lines - 1)) "$T/out" | jq -s '[.[].syscalls[] | select(.name == "getppid") | .calls] | add')
	last=$(tail -n 1 "$T/out" | jq '.syscalls[] | select(.name == "getppid") | .calls')
	[ "$sum" -eq $n ]
	[ "$last" -eq $n ]
	alive "$SL_PID"
	# Human interval output: one header per table, then the whole trace.
	start_trace "$T/out2" "$T/err2" -p "$SL_PID" -i 0.1 -d 0.35
	wait_status "$GT_PID"
	[ "$STATUS" -eq 0 ]
	grep -q '^--- [0-9:]*  interval of ' "$T/out2"
	[ "$(grep -c '^--- total over ' "$T/out2")" -eq 1 ]
}

@test "syscalls: SIGINT prints the summary, exit 0, and the target keeps running" {
	local n=1234
	start_sysloop -getppid $n -writes 0 -threads 2 -done "$T/done" -hold
	start_trace "$T/out" "$T/err" -p "$SL_PID"
	touch "$SL_GO"
	wait_exists "$T/done"
	kill -INT "$GT_PID"
	wait_status "$GT_PID"
	cat "$T/out"
	[ "$STATUS" -eq 0 ]
	[ "$(calls_of "$T/out" getppid)" -eq $n ]
	alive "$SL_PID"
}

@test "syscalls: SIGTERM prints the summary too" {
	start_sysloop -getppid 77 -writes 0 -threads 1 -done "$T/done" -hold
	start_trace "$T/out" "$T/err" -p "$SL_PID"
	touch "$SL_GO"
	wait_exists "$T/done"
	kill -TERM "$GT_PID"
	wait_status "$GT_PID"
	[ "$STATUS" -eq 0 ]
	[ "$(calls_of "$T/out" getppid)" -eq 77 ]
	alive "$SL_PID"
}

@test "syscalls: two gotraces on the same PID at once both count exactly" {
	local n=4321 m=876
	start_sysloop -getppid $n -writes $m -threads 4
	start_trace "$T/a" "$T/ea" -p "$SL_PID"
	local a=$GT_PID
	start_trace "$T/b" "$T/eb" -p "$SL_PID" --json
	local b=$GT_PID
	touch "$SL_GO"
	wait_status "$a"
	[ "$STATUS" -eq 0 ]
	wait_status "$b"
	[ "$STATUS" -eq 0 ]
	[ "$(calls_of "$T/a" getppid)" -eq $n ]
	[ "$(calls_of "$T/a" write)" -eq $m ]
	[ "$(jq '.syscalls[] | select(.name == "getppid") | .calls' "$T/b")" -eq $n ]
	[ "$(jq '.syscalls[] | select(.name == "write") | .calls' "$T/b")" -eq $m ]
}

@test "syscalls -p A,B -p C: several processes, counts add up, ends when all have exited" {
	start_sysloop -getppid 100 -writes 0 -threads 1
	local p1=$SL_PID g1=$SL_GO
	start_sysloop -getppid 200 -writes 0 -threads 1
	local p2=$SL_PID g2=$SL_GO
	start_sysloop -getppid 300 -writes 0 -threads 1
	local p3=$SL_PID g3=$SL_GO
	start_trace "$T/out" "$T/err" -p "$p1,$p2" -p "$p3"
	grep -q 'of 3 processes' "$T/err"
	touch "$g1" "$g2" "$g3"
	wait_status "$GT_PID"
	[ "$STATUS" -eq 0 ]
	[ "$(calls_of "$T/out" getppid)" -eq 600 ]
}

@test "syscalls --top N shows N rows and the total of all" {
	run --separate-stderr "$GOTRACE" syscalls --top 2 -- "$FIX/sysloop" -quiet -getppid 10 -writes 10 -threads 1
	assert_success
	[ "$(echo "$output" | awk '$1 ~ /^[0-9]+\.[0-9]+$/ && $NF != "total"' | wc -l)" -eq 2 ]
	assert_output --partial "more syscalls not shown"
}

@test "syscalls --backend: auto and bpf count, ptrace counts too (backend ptrace in JSON), bogus is a usage error" {
	run --separate-stderr "$GOTRACE" syscalls --backend auto --json -- "$FIX/sysloop" -quiet -getppid 5 -writes 0 -threads 1
	assert_success
	[ "$(echo "$output" | jq -r .backend)" = bpf ]
	[ "$(echo "$output" | jq '.syscalls[] | select(.name == "getppid") | .calls')" -eq 5 ]
	run --separate-stderr "$GOTRACE" syscalls --backend bpf -- "$FIX/sysloop" -quiet -getppid 6 -writes 0 -threads 1
	assert_success
	[ "$(echo "$output" > "$T/o"; calls_of "$T/o" getppid)" -eq 6 ]
	run --separate-stderr "$GOTRACE" syscalls --backend ptrace --json -- "$FIX/sysloop" -quiet -getppid 7 -writes 0 -threads 1
	assert_success
	[ "$(echo "$output" | jq -r .backend)" = ptrace ]
	[ "$(echo "$output" | jq '.syscalls[] | select(.name == "getppid") | .calls')" -eq 7 ]
	run "$GOTRACE" syscalls --backend bogus -p 1
	assert_failure 2
	[ "${#lines[@]}" -eq 1 ]
	assert_output --partial "unknown backend 'bogus'"
}

@test "syscalls bad input: missing PID is a one-line runtime error" {
	local pid=$(( $(cat /proc/sys/kernel/pid_max) - 1 ))
	while [ -d /proc/$pid ]; do pid=$((pid - 1)); done
	run "$GOTRACE" syscalls -p $pid
	assert_failure 1
	assert_output "gotrace: no process with PID $pid"
}

@test "syscalls bad input: -d and -i need a positive number of seconds" {
	for v in 0 -1 abc 1x "" inf; do
		run "$GOTRACE" syscalls -p $$ -d "$v"
		[ "$status" -eq 2 ] || { echo "-d '$v': status $status"; return 1; }
		[ "${#lines[@]}" -eq 1 ]
		[[ "${lines[0]}" == "gotrace: "* ]]
		run "$GOTRACE" syscalls -p $$ -i "$v"
		[ "$status" -eq 2 ] || { echo "-i '$v': status $status"; return 1; }
	done
}

@test "syscalls bad input: bad -p, --top, unknown option, -p with a command" {
	for args in "-p abc" "-p 0" "-p 1," "-p -5" "--top 0 -p 1" "--top x -p 1" "--bogus -p 1" "-p 1 -- true" "-p"; do
		# shellcheck disable=SC2086
		run "$GOTRACE" syscalls $args
		[ "$status" -eq 2 ] || { echo "'$args': status $status: $output"; return 1; }
		[ "${#lines[@]}" -eq 1 ]
		[[ "${lines[0]}" == "gotrace: "* ]]
	done
}

@test "syscalls bad input: command not found after --" {
	run "$GOTRACE" syscalls -- no-such-command-gotrace-test arg
	assert_failure 1
	assert_output "gotrace: cannot run 'no-such-command-gotrace-test': No such file or directory"
	run "$GOTRACE" syscalls -- /nonexistent/dir/cmd
	assert_failure 1
	assert_output "gotrace: cannot run '/nonexistent/dir/cmd': No such file or directory"
}

@test "syscalls bad input: --folded to an unwritable path fails before anything runs" {
	run "$GOTRACE" syscalls --folded /nonexistent/dir/f.folded -- "$FIX/sysloop" -ready "$T/ran" -quiet
	assert_failure 1
	assert_output "gotrace: cannot write '/nonexistent/dir/f.folded': No such file or directory"
	[ ! -e "$T/ran" ]
}

@test "syscalls -d ends the trace of a launched command, which keeps running" {
	# Files, not `run`: the command inherits gotrace's stdout and outlives it.
	STATUS=0
	"$GOTRACE" syscalls -d 0.5 -- "$FIX/sysloop" -quiet -getppid 10 -writes 0 -threads 1 -hold \
		> "$T/out" 2> "$T/err" || STATUS=$?
	local pid
	pid=$(sed -n 's/.*counting syscalls of PID \([0-9]*\).*/\1/p' "$T/err")
	[ -n "$pid" ]
	echo "$pid" >> "$BATS_TEST_TMPDIR/bg.pids"  # killed by teardown
	[ "$STATUS" -eq 0 ]
	head -n 1 "$T/out" | grep -q '^% time     seconds  usecs/call     calls    errors syscall$'
	[ "$(calls_of "$T/out" getppid)" -eq 10 ]
	alive "$pid"
}

@test "syscalls: the launched command's stdin, stdout and exit are passed through" {
	run bash -c "echo hello | '$GOTRACE' syscalls -- cat 2>/dev/null"
	assert_success
	assert_line --index 0 "hello"
	run "$GOTRACE" syscalls -- sh -c 'exit 3'
	assert_success
}
