#!/usr/bin/env bats
# The ptrace backend and the automatic fallback: exact syscall counts (checked against
# strace -c -f in the same test) with --backend ptrace and with auto when bpf(2) fails
# (tests/helpers/nobpf: ENOSYS and EPERM), an unprivileged user, attach/detach of every
# thread, group-stop and signal pass-through, breakpoint detach safety (selfcheck fixture,
# text byte-identical), and bad input. Expected numbers are the fixtures' own flags.

load helpers
load trace_helpers
bats_require_minimum_version 1.5.0

setup() {
	T=$BATS_TEST_TMPDIR
	NOBPF=$HELPERS/nobpf
	PTDRIVE=$HELPERS/lib-ptdrive
}

teardown() {
	kill_bg_all
	if [ -n "${TEST_USER:-}" ]; then
		userdel "$TEST_USER" 2>/dev/null || true
	fi
	[ -z "${USER_DIR:-}" ] || rm -rf "$USER_DIR"
}

# text_at PID ADDR N: N bytes of PID's memory at hex ADDR, as hex.
text_at() {
	python3 -c 'import sys
with open("/proc/%s/mem" % sys.argv[1], "rb") as f:
    f.seek(int(sys.argv[2], 16)); print(f.read(int(sys.argv[3])).hex())' "$1" "$2" "$3"
}

sym_addr() { nm "$1" | awk -v s="$2" '$3 == s { print $1 }'; }

@test "syscalls (ptrace): launched command: exact getppid and write counts, open errors, equal to strace -c -f" {
	exact_launched ptrace text -- --backend ptrace
	# No fallback notice when ptrace was asked for: only the attach line.
	[ "$(wc -l < "$T/gt.err")" -eq 1 ]
	grep -q '(ptrace)' "$T/gt.err"
}

@test "auto falls back to ptrace when bpf(2) fails with ENOSYS: one notice, exact counts" {
	exact_launched ptrace json "$NOBPF" -- --backend auto
	[ "$(grep -c '^gotrace: BPF unavailable (.*); falling back to ptrace$' "$T/gt.err")" -eq 1 ]
	grep -q 'Function not implemented' "$T/gt.err"
}

@test "auto falls back to ptrace when bpf(2) fails with EPERM: one notice, exact counts" {
	exact_launched ptrace json "$NOBPF" --eperm --
	[ "$(grep -c '^gotrace: BPF unavailable (.*); falling back to ptrace$' "$T/gt.err")" -eq 1 ]
	grep -q 'Operation not permitted' "$T/gt.err"
}

@test "auto still uses BPF when it works (no notice)" {
	exact_launched bpf json -- --backend auto
	! grep -q 'falling back' "$T/gt.err"
}

@test "--backend bpf does not fall back when bpf(2) fails: runtime error, exit 1" {
	run --separate-stderr "$NOBPF" "$GOTRACE" syscalls --backend bpf -- "$FIX/sysloop" -quiet -getppid 1 -writes 0 -threads 1
	assert_failure 1
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == "gotrace: "* ]]
	[[ "$stderr" != *"falling back"* ]]
}

@test "syscalls (ptrace) -p: threads started after attach are counted exactly; the PID's exit ends the trace with exit 0" {
	exact_attached ptrace json
}

@test "ptrace -p: the leader thread exits (a zombie) while another runs: SIGINT still detaches at once, summary, exit 0" {
	# The leader's exit is not reported while other threads live, and detach holds those
	# stopped: waiting for the leader there would wait forever.
	start_bg python3 -c 'import ctypes, os, sys, threading, time
threading.Thread(target=lambda: [time.sleep(0.05) for _ in iter(int, 1)], daemon=True).start()
open(sys.argv[1] + ".tmp", "w").write(str(os.getpid())); os.rename(sys.argv[1] + ".tmp", sys.argv[1])
while not os.path.exists(sys.argv[2]): time.sleep(0.02)
ctypes.CDLL(None).syscall(60, 0)' "$T/zready" "$T/zgo"
	local pid=$BG_PID
	wait_for_file "$T/zready"
	start_trace "$T/out" "$T/err" --backend ptrace -p "$pid"
	touch "$T/zgo"
	local i=0
	while ! grep -q '^State:.*Z' "/proc/$pid/task/$pid/status" && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	grep -q '^State:.*Z' "/proc/$pid/task/$pid/status"
	kill -INT "$GT_PID"
	# Bounded by the test, not by luck: a hung detach fails here instead of hanging the suite.
	i=0
	while alive "$GT_PID" && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	if alive "$GT_PID"; then
		echo "gotrace hung in detach"
		# Its tracer process first, or the target stays stopped and teardown waits for it.
		for task in /proc/$pid/task/*; do
			i=$(awk '/^TracerPid:/ { print $2 }' "$task/status")
			[ "$i" -eq 0 ] || kill -KILL "$i"
		done
		kill -KILL "$GT_PID" 2>/dev/null || true
		return 1
	fi
	wait_status "$GT_PID"
	[ "$STATUS" -eq 0 ]
	grep -q '^100.00 .* total$' "$T/out"
	# The live thread runs on, untraced.
	for task in /proc/$pid/task/*; do
		[ "$(awk '/^TracerPid:/ { print $2 }' "$task/status")" -eq 0 ]
	done
	[ "$(ls /proc/$pid/task | wc -l)" -eq 2 ]
}

@test "ptrace -p: SIGINT detaches every thread, prints the summary, the target keeps running untraced" {
	start_sysloop -getppid 100 -writes 0 -threads 4 -hold
	local pid=$SL_PID
	start_trace "$T/out" "$T/err" --backend ptrace -p "$pid"
	touch "$SL_GO"
	sleep 0.3
	kill -INT "$GT_PID"
	wait_status "$GT_PID"
	[ "$STATUS" -eq 0 ]
	grep -q '^100.00 .* total$' "$T/out"
	alive "$pid"
	for task in /proc/$pid/task/*; do
		[ "$(awk '/^TracerPid:/ { print $2 }' "$task/status")" -eq 0 ]
	done
	# Not left stopped either.
	! grep -q '^State:.*[tT] (' /proc/$pid/status
}

@test "ptrace -p: SIGSTOP/SIGCONT of the target pass through (group-stop), counts stay exact" {
	local n=3000
	start_sysloop -getppid $n -writes 0 -threads 2
	local pid=$SL_PID
	start_trace "$T/out" "$T/err" --backend ptrace --json -p "$pid"
	kill -STOP "$pid"
	# Group-stopped under a tracer (PTRACE_LISTEN) shows as "t (tracing stop)", as with strace.
	local i=0
	while ! grep -q '^State:.*[tT] (' /proc/$pid/status && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	grep -q '^State:.*[tT] (' /proc/$pid/status
	# Stopped means stopped: the go file is there, yet no work happens until SIGCONT.
	touch "$SL_GO"
	sleep 0.3
	alive "$pid"
	kill -CONT "$pid"
	wait_status "$GT_PID"
	[ "$STATUS" -eq 0 ]
	[ "$(jrow "$T/out" getppid)" = "$n 0" ]
}

@test "ptrace -p: signals meant for the target are delivered unchanged" {
	start_bg bash -c 'trap "echo usr1 >> '"$T"'/sig" USR1; trap "echo usr2 >> '"$T"'/sig" USR2; while :; do sleep 0.05; done'
	local pid=$BG_PID
	start_trace "$T/out" "$T/err" --backend ptrace -p "$pid"
	kill -USR1 "$pid"
	wait_for_file "$T/sig"
	kill -USR2 "$pid"
	local i=0
	while [ "$(wc -l < "$T/sig")" -lt 2 ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	kill -INT "$GT_PID"
	wait_status "$GT_PID"
	[ "$STATUS" -eq 0 ]
	[ "$(cat "$T/sig")" = "$(printf 'usr1\nusr2')" ]
	grep -q 'rt_sigreturn$' "$T/out"
	alive "$pid"
}

@test "ptrace: an unprivileged user tracing its own process gets ptrace automatically" {
	[ "$(cat /proc/sys/kernel/unprivileged_bpf_disabled 2>/dev/null || echo 1)" != 0 ] ||
		skip "unprivileged BPF is allowed on this kernel: nothing to fall back from"
	[ "$(cat /proc/sys/kernel/yama/ptrace_scope 2>/dev/null || echo 0)" -eq 0 ] ||
		skip "Yama ptrace_scope forbids attaching to a process that is not a child"
	TEST_USER=gtptrace$$
	useradd -M -d /nonexistent -s /bin/sh "$TEST_USER"
	# The bats temp dir is private to root: the user works in a directory of its own.
	USER_DIR=$(mktemp -d /tmp/gotrace-ptrace-user.XXXXXX)
	chmod 777 "$USER_DIR"
	local U=$USER_DIR
	local n=1234
	setpriv --reuid="$TEST_USER" --regid="$TEST_USER" --clear-groups \
		"$FIX/sysloop" -ready "$U/ready" -go "$U/go" -getppid $n -writes 0 -threads 2 > /dev/null &
	echo $! >> "$T/bg.pids"
	wait_for_file "$U/ready"
	local pid
	pid=$(cat "$U/ready")
	[ "$(stat -c %U /proc/$pid)" = "$TEST_USER" ]
	setpriv --reuid="$TEST_USER" --regid="$TEST_USER" --clear-groups \
		"$GOTRACE" syscalls --json -p "$pid" > "$U/out" 2> "$U/err" &
	local gt=$!
	echo $gt >> "$T/bg.pids"
	local i=0
	while ! grep -q 'counting syscalls' "$U/err" && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	touch "$U/go"
	wait_status "$gt"
	cat "$U/err"
	[ "$STATUS" -eq 0 ]
	[ "$(grep -c 'falling back to ptrace$' "$U/err")" -eq 1 ]
	[ "$(jq -r .backend "$U/out")" = ptrace ]
	[ "$(jrow "$U/out" getppid)" = "$n 0" ]
}

@test "ptrace bad input: a PID already traced by strace is a clear one-line error, exit 1" {
	start_sysloop -getppid 1 -writes 0 -threads 1 -hold
	local pid=$SL_PID
	start_bg strace -qq -p "$pid" -o /dev/null
	local st=$BG_PID i=0
	while [ "$(tracer_of "$pid")" -eq 0 ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	local tracer
	tracer=$(tracer_of "$pid")
	[ "$tracer" -eq "$st" ]
	run --separate-stderr "$GOTRACE" syscalls --backend ptrace -p "$pid"
	assert_failure 1
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == "gotrace: "*"cannot attach to PID $pid: already traced by PID $tracer" ]]
	# strace still holds it; the target is untouched.
	[ "$(tracer_of "$pid")" -eq "$st" ]
	alive "$pid"
	# strace gone first: a SIGTERM caught in a signal-delivery stop as strace detaches is lost,
	# and teardown would wait for the target forever.
	kill "$st"
	wait_status "$st"
}

@test "ptrace -p: a syscall in progress at attach is neither counted nor timed nor an error" {
	# sleep sits in clock_nanosleep from before we attach; our interrupt makes the kernel
	# restart it (restart_syscall), which is a new call, not an error.
	start_bg sleep 2
	local pid=$BG_PID
	start_trace "$T/out" "$T/err" --backend ptrace --json -p "$pid"
	wait_status "$GT_PID"
	[ "$STATUS" -eq 0 ]
	cat "$T/out"
	[ "$(jrow "$T/out" clock_nanosleep)" = "0 0" ]
	[ "$(jrow "$T/out" restart_syscall | cut -d' ' -f2)" -eq 0 ]
	# Calls are counted at their exit, as strace -c does: exit_group never returns.
	[ "$(jrow "$T/out" exit_group)" = "0 0" ]
}

@test "ptrace bad input: --stacks needs BPF: one clear line, exit 1" {
	run --separate-stderr "$GOTRACE" syscalls --backend ptrace --stacks -- "$FIX/sysloop" -quiet -getppid 1 -writes 0 -threads 1
	assert_failure 1
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == *"--stacks needs the BPF backend"* ]]
}

@test "ptrace bad input: --backend bogus is a usage error, exit 2" {
	run --separate-stderr "$GOTRACE" syscalls --backend bogus -p 1
	assert_failure 2
	[ "${#stderr_lines[@]}" -eq 1 ]
	assert_equal "$stderr" "${stderr_lines[0]}"
	[[ "$stderr" == *"unknown backend 'bogus'"* ]]
}

@test "ptrace bad input: several -p PIDs is a clear error, not a wrong count" {
	start_sysloop -getppid 1 -writes 0 -threads 1 -hold
	local a=$SL_PID
	start_sysloop -getppid 1 -writes 0 -threads 1 -hold
	run --separate-stderr "$GOTRACE" syscalls --backend ptrace -p "$a,$SL_PID" -d 1
	assert_failure 1
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == *"one process at a time"* ]]
}

@test "ptrace engine: breakpoints hit from many goroutines, SIGINT mid-run: fixture finishes its own checks, text byte-identical" {
	local bin=$FIX/selfcheck hot leaf
	hot=$(sym_addr "$bin" main.hot)
	leaf=$(sym_addr "$bin" main.leaf)
	[ -n "$hot" ] && [ -n "$leaf" ]
	start_bg "$bin" -goroutines 8 -calls 200000 -pause-every 100 -ready "$T/ready" -hold "$T/hold" > "$T/sc.out"
	local pid=$BG_PID
	wait_for_file "$T/ready"
	local before_h before_l
	before_h=$(text_at "$pid" "$hot" 32)
	before_l=$(text_at "$pid" "$leaf" 32)
	start_bg "$PTDRIVE" bp "$pid" "$hot" "$leaf" > "$T/drv.out" 2>&1
	local drv=$BG_PID
	wait_for_file "$T/drv.out"
	sleep 0.5
	kill -INT "$drv"
	wait_status "$drv"
	cat "$T/drv.out"
	[ "$STATUS" -eq 0 ]
	grep -q '^hits=[1-9]' "$T/drv.out"
	[ "$(text_at "$pid" "$hot" 32)" = "$before_h" ]
	[ "$(text_at "$pid" "$leaf" 32)" = "$before_l" ]
	touch "$T/hold"
	wait_status "$pid"
	cat "$T/sc.out"
	[ "$STATUS" -eq 0 ]
	[ "$(cat "$T/sc.out")" = "selfcheck ok calls=$((8 * 200000 * 2))" ]
}

@test "args (ptrace): every argsfix function's arguments, floats exact (text)" {
	args_exact_text ptrace
}

@test "args (ptrace) --ret: results and latency of every argsfix function, floats exact" {
	args_exact_ret ptrace
}

@test "args (ptrace) --json: events with name, type and value of args and results, summary with lost" {
	args_exact_json ptrace
}

# e_of N: main.computeE(N) as Go computes it (same float64 operations, same order), repr'd.
e_of() {
	python3 -c 'import sys
e = f = 1.0
for k in range(1, int(sys.argv[1])):
    f *= float(k); e += 1 / f
print(repr(e))' "$1"
}

@test "args auto on the server: computeE's float result needs ptrace (one notice), values exact in text and JSON" {
	start_bg "$FIX/server" -portfile "$T/port"
	local srv=$BG_PID
	wait_for_file "$T/port"
	local addr i=0
	addr=$(cat "$T/port")
	start_bg "$GOTRACE" args --ret --json -p "$srv" main.computeE > "$T/out" 2> "$T/err"
	local gt=$BG_PID
	while ! grep -q '^gotrace: tracing ' "$T/err" && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	for n in 15 7 20; do
		curl -sf "http://$addr/e?n=$n" > "$T/resp.$n"
	done
	kill -INT "$gt"
	wait_status "$gt"
	cat "$T/err"
	[ "$STATUS" -eq 0 ]
	[ "$(grep -c 'using ptrace' "$T/err")" -eq 1 ]
	[ "$(jq -r 'select(.summary) | .backend' "$T/out")" = ptrace ]
	for n in 15 7 20; do
		local got want
		got=$(jq -r --argjson n $n 'select(.func == "main.computeE" and .args[0].value == $n) | .ret[0].value' "$T/out")
		want=$(e_of $n)
		python3 -c 'import sys; assert float(sys.argv[1]) == float(sys.argv[2]), sys.argv' "$got" "$want"
		# The server's own answer is unchanged by the tracing.
		[ "$(cat "$T/resp.$n")" = "$(python3 -c "print('%.6f' % $want)")" ]
	done
	alive "$srv"
	[ "$(tracer_of "$srv")" -eq 0 ]
}

@test "args falls back to ptrace when bpf(2) fails (ENOSYS, EPERM): one notice, same values" {
	for mode in "" --eperm; do
		start_argsfix
		start_bg "$NOBPF" $mode "$GOTRACE" args --ret --json -p "$FPID" main.addInt64 main.sum12 main.greet \
			> "$T/fb.json" 2> "$T/fb.err"
		local gt=$BG_PID
		wait_for_line "$T/fb.err" '^gotrace: tracing '
		kill -USR1 "$FPID"
		wait_status "$FPID"
		wait_status "$gt"
		cat "$T/fb.err"
		[ "$STATUS" -eq 0 ]
		[ "$(grep -c '^gotrace: BPF unavailable (.*); falling back to ptrace$' "$T/fb.err")" -eq 1 ]
		[ "$(jq -r 'select(.summary) | .backend' "$T/fb.json")" = ptrace ]
		[ "$(jq -r 'select(.summary) | .calls' "$T/fb.json")" -eq 9 ]
		for k in 1 2 3; do
			[ "$(jq -c --argjson k $k 'select(.func == "main.addInt64" and .args[0].value == $k) | [.args[1].value, .ret[0].value]' "$T/fb.json")" = "[-100,$((k - 100))]" ]
		done
	done
}

@test "args --backend ptrace on selfcheck (Jcc entry + RET probes, 8 goroutines), SIGINT mid-run: fixture right, text byte-identical" {
	local bin=$FIX/selfcheck hot
	hot=$(sym_addr "$bin" main.hot)
	start_bg "$bin" -goroutines 8 -calls 200000 -pause-every 100 -ready "$T/ready" -hold "$T/hold" > "$T/sc.out"
	local pid=$BG_PID i=0
	wait_for_file "$T/ready"
	local before
	before=$(text_at "$pid" "$hot" 96)
	start_bg "$GOTRACE" args --backend ptrace --ret -p "$pid" main.hot main.leaf > "$T/out" 2> "$T/err"
	local gt=$BG_PID
	while ! grep -q '^gotrace: tracing ' "$T/err" && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	while [ "$(wc -l < "$T/out")" -lt 200 ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done
	kill -INT "$gt"
	wait_status "$gt"
	cat "$T/err"
	[ "$STATUS" -eq 0 ]
	[ "$(text_at "$pid" "$hot" 96)" = "$before" ]
	touch "$T/hold"
	# Every traced result is the function's own arithmetic: hot(a, x) = a*0.5*x + 1.
	grep ' main\.hot(' "$T/out" | head -50 | sed -E 's/.*main\.hot\(a=(-?[0-9]+), x=([-0-9.e+]+)\) = ([-0-9.e+]+) .*/\1 \2 \3/' |
		python3 -c 'import sys
n = 0
for line in sys.stdin:
    a, x, r = line.split()
    assert float(a) * 0.5 * float(x) + 1 == float(r), line
    n += 1
assert n > 0'
	wait_status "$pid"
	cat "$T/sc.out"
	[ "$STATUS" -eq 0 ]
	[ "$(cat "$T/sc.out")" = "selfcheck ok calls=$((8 * 200000 * 2))" ]
}

# 8 goroutines x 100 frames in flight at once: a table that kept one entry per hash slot
# lost a few of these every run; every call must pair with its own return.
@test "args --backend ptrace --ret: deep recursion in 8 goroutines, ~800 calls in flight: every call paired" {
	g=8 r=2 d=100
	run --separate-stderr "$GOTRACE" args --backend ptrace --ret main.down -- "$FIX/argsdeep" -g $g -r $r -d $d
	[ "$status" -eq 0 ]
	echo "$stderr" | grep -qxF "calls=$((g * r * (d + 1)))"
	[ "$(echo "$output" | grep -cE ' main\.down\(n=([0-9]+)\) = \1 \[')" -eq $((g * r * (d + 1))) ]
	[ "$(echo "$output" | grep -c ' main\.down(')" -eq $((g * r * (d + 1))) ]
}

@test "args --backend ptrace: the target exits mid-trace: summary, exit 0" {
	start_bg "$FIX/selfcheck" -goroutines 2 -calls 20000 -pause-every 50 -ready "$T/ready" > "$T/sc.out"
	local pid=$BG_PID
	wait_for_file "$T/ready"
	run --separate-stderr "$GOTRACE" args --backend ptrace -p "$pid" main.leaf
	assert_success
	[[ "$stderr" == *"calls traced (process $pid exited)"* ]]
	[ "${#lines[@]}" -gt 0 ]
	wait_status "$pid"
	[ "$STATUS" -eq 0 ]
}

@test "args --backend ptrace bad input: PID already traced, bogus backend, --binary without a process" {
	start_argsfix "$FIX/argsfix" 1
	local fpid=$FPID
	start_bg strace -qq -p "$fpid" -o /dev/null
	local st=$BG_PID i=0
	while [ "$(tracer_of "$fpid")" -eq 0 ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	run --separate-stderr "$GOTRACE" args --backend ptrace -p "$fpid" main.addInt64
	assert_failure 1
	[ "${#stderr_lines[@]}" -eq 1 ]
	[ "$stderr" = "gotrace: cannot attach to PID $fpid: already traced by PID $st" ]
	kill "$st"  # before teardown's SIGTERM to the target, which strace's detach could lose
	wait_status "$st"
	run --separate-stderr "$GOTRACE" args --backend bogus -p "$fpid" main.addInt64
	assert_failure 2
	run --separate-stderr "$GOTRACE" args --backend ptrace --binary "$FIX/argsfix" main.addInt64
	assert_failure 1
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == *"needs a process"* ]]
}
