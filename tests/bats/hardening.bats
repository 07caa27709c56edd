#!/usr/bin/env bats
# Hardening: valgrind (no memory errors, no definite leaks), limits on real processes (10,000
# threads, 100 traced functions, a 1 GiB string argument, 50 PIDs at once), every fd and BPF
# link released, map sizes from options, and one-line permission errors naming the missing
# capability for a non-root user (created and removed by the tests that need it). Expected
# numbers come from the hardfix fixture's flags.

load helpers
load trace_helpers
bats_require_minimum_version 1.5.0

# valgrind's own status for a finding, distinct from the tool's exit codes.
VG_ERR=99
NOBODY=gotrace-hard
# Attaching to 10,000 threads takes longer than the default 10 s wait.
ATTACH_WAIT_TICKS=600

setup() {
	T=$BATS_TEST_TMPDIR
	VG=(valgrind -q --error-exitcode=$VG_ERR --leak-check=full --errors-for-leak-kinds=definite
	    --suppressions="$BATS_TEST_DIRNAME/valgrind-libbpf.supp")
}

# need_valgrind: valgrind cannot run AddressSanitizer builds (make test SANITIZE=1), which
# check the same memory errors themselves.
need_valgrind() {
	if ldd "$GOTRACE" | grep -q libasan; then
		skip "SANITIZE=1 build: ASan checks memory instead of valgrind"
	fi
}

teardown() {
	kill_bg_all
	if id "$NOBODY" > /dev/null 2>&1; then userdel "$NOBODY" 2> /dev/null || true; fi
}

# start_hardfix ARGS...: starts the fixture, waits until it is ready; sets HF_PID.
start_hardfix() {
	local ready=$T/ready.$RANDOM
	start_bg "$FIX/hardfix" -ready "$ready" "$@"
	wait_for_file "$ready" 300
	HF_PID=$(cat "$ready")
}


# stop_trace: SIGINT to the trace started by start_trace, waits; sets STATUS.
stop_trace() {
	kill -INT "$GT_PID"
	STATUS=0
	wait "$GT_PID" || STATUS=$?
}

@test "valgrind: golist lists processes without memory errors or definite leaks" {
	need_valgrind
	start_hardfix
	run "${VG[@]}" "$GOLIST"
	[ "$status" -ne "$VG_ERR" ] || { echo "$output"; false; }
	assert_success
	assert_line --regexp "^$HF_PID +[0-9]+ +hardfix .* go1\.[0-9]+"
}

@test "valgrind: golist PID (detail view) without memory errors or definite leaks" {
	need_valgrind
	start_hardfix -funcs
	run "${VG[@]}" "$GOLIST" "$HF_PID"
	[ "$status" -ne "$VG_ERR" ] || { echo "$output"; false; }
	assert_success
	assert_line --regexp "^pid: +$HF_PID$"
	assert_line --regexp "^path: +$FIX/hardfix$"
}

# The whole syscalls backend (load, attach, read, detach) and an args uprobe set, run in the
# test driver, twice over.
@test "valgrind: BPF syscalls backend and args uprobes open, attach and close cleanly" {
	need_valgrind
	start_hardfix -funcs
	run "${VG[@]}" "$HELPERS/lib-fdcheck" 2 "$HF_PID" "$FIX/hardfix" main.f000 main.f001 main.bigArg
	[ "$status" -ne "$VG_ERR" ] || { echo "$output"; false; }
	assert_success
	assert_output --regexp 'fds before=([0-9]+) peak=[0-9]+ after=\1'
}

# A whole gotrace syscalls run under valgrind. valgrind has no pidfd_open (ENOSYS, as on
# kernels before 5.3), so this also covers the /proc polling that notices the target's exit.
@test "valgrind: gotrace syscalls counts exactly and ends cleanly when the target exits" {
	need_valgrind
	local n=3001 m=400 k=7
	start_sysloop -getppid $n -writes $m -fails $k -threads 2
	start_bg "${VG[@]}" "$GOTRACE" syscalls --backend bpf -p "$SL_PID" > "$T/out" 2> "$T/err"
	local vg=$BG_PID
	wait_for_line "$T/err" '^gotrace: counting syscalls' 1200
	touch "$SL_GO"
	wait_status "$vg"
	cat "$T/out" "$T/err"
	[ "$STATUS" -ne "$VG_ERR" ]
	[ "$STATUS" -eq 0 ]
	[ "$(row "$T/out" getppid)" = "$n 0" ]
	[ "$(row "$T/out" write)" = "$m 0" ]
	[ "$(row "$T/out" open)" = "$k $k" ]
	# gotrace's only line is the attach notice (valgrind's own notes are --PID-- lines)
	[ "$(grep -vc '^--[0-9]*--' "$T/err")" -eq 1 ]
}

@test "fd and BPF link release: 3 rounds of syscalls backend + 100 uprobes leave no fd behind" {
	start_hardfix -funcs
	funcs=()
	for i in $(seq 0 99); do funcs+=("$(printf 'main.f%03d' "$i")"); done
	# one uprobe_multi link for all 100; then one perf-event link per uprobe, once (each
	# close of those waits ~0.1 s for an RCU grace period)
	for multi in 1 0; do
		rounds=3; [ $multi = 1 ] || rounds=1
		run env GOTRACE_UPROBE_MULTI=$multi "$HELPERS/lib-fdcheck" $rounds "$HF_PID" "$FIX/hardfix" "${funcs[@]}"
		assert_success
		[[ "$output" =~ fds\ before=([0-9]+)\ peak=([0-9]+)\ after=([0-9]+) ]]
		before=${BASH_REMATCH[1]} peak=${BASH_REMATCH[2]} after=${BASH_REMATCH[3]}
		if [ $multi = 1 ]; then [ "$peak" -gt "$before" ]; else [ "$peak" -ge $((before + 100)) ]; fi
		[ "$after" -eq "$before" ]
	done
	alive "$HF_PID"
}

@test "limits: 10,000 locked threads listed by golist and every one counted by gotrace syscalls" {
	n=10000
	start_hardfix -threads $n -done "$T/done"
	before=$(awk '/^Threads:/ { print $2 }' /proc/$HF_PID/status)
	run "$GOLIST" "$HF_PID"
	assert_success
	after=$(awk '/^Threads:/ { print $2 }' /proc/$HF_PID/status)
	listed=$(awk '/^threads:/ { print $2 }' <<< "$output")
	# n locked threads + the main one; the runtime may add threads while we look
	[ "$before" -gt $n ]
	[ "$listed" -ge "$before" ] && [ "$listed" -le "$after" ]

	start_trace "$T/out" "$T/err" -p "$HF_PID"
	kill -USR1 "$HF_PID"
	wait_for_file "$T/done" 600
	stop_trace
	[ "$STATUS" -eq 0 ]
	# each locked thread calls getppid exactly once; nothing else in the fixture does
	[ "$(calls_of "$T/out" getppid)" -eq $n ]
	alive "$HF_PID"
}

@test "limits: 100 functions traced at once by a glob" {
	start_hardfix -funcs
	run "$GOTRACE" args -p "$HF_PID" 'main.f*' -n 300
	assert_success
	assert_line --partial "tracing 100 functions"
	calls=$(grep -c 'main\.f[0-9]\{3\}(x=' <<< "$output")
	[ "$calls" -eq 300 ]
	# fNNN is always called with x = NNN; every one of the 100 shows up in 3 rounds
	! grep -E 'main\.f[0-9]{3}\(x=' <<< "$output" | grep -vE 'main\.f0*([0-9]+)\(x=\1\)$'
	[ "$(grep -oE 'main\.f[0-9]{3}\(' <<< "$output" | sort -u | wc -l)" -eq 100 ]
	alive "$HF_PID"
}

@test "limits: DWARF above GOTRACE_DWARF_MAX_MB is not inflated: one notice, raw registers, signature still works" {
	# argsfix's DWARF sections take ~1.6 MB once inflated: above a 1 MiB bound, below 64
	start_argsfix
	GOTRACE_DWARF_MAX_MB=1 trace_argsfix main.addInt64 'main.greet(s string) string'
	[ "$FIX_RC" -eq 0 ]
	[ "$TRACE_RC" -eq 0 ]
	grep -qxF "gotrace: $FIX/argsfix: its DWARF needs more than 1 MiB once inflated (GOTRACE_DWARF_MAX_MB); decoding without it" "$T/err"
	for i in 1 2 3; do
		calls "$T/out" main.addInt64 | grep -qE "^main\.addInt64\(rax=0x$i, rbx=0xffffffffffffff9c, "
	done
	[ "$(calls "$T/out" main.greet | grep -cxF 'main.greet(s="hello")')" -eq 3 ]
	start_argsfix
	GOTRACE_DWARF_MAX_MB=64 trace_argsfix main.addInt64
	! grep -q DWARF "$T/err"
	[ "$(calls "$T/out" main.addInt64 | grep -cE '^main\.addInt64\(a=[123], b=-100\)$')" -eq 3 ]
}

@test "limits: a 1 GiB string argument is capped by --strsize without a big allocation" {
	start_hardfix -bigstr
	run /usr/bin/time -f 'maxrss_kb=%M' "$GOTRACE" args -p "$HF_PID" main.bigArg -n 2 --strsize 4096
	assert_success
	# "HELLO" then NUL bytes, cut at 4096 bytes with the ellipsis
	nul='\\x00'
	assert_line --regexp "main\.bigArg\(s=\"HELLO(${nul}){4091}\"…\)$"
	rss=$(sed -n 's/^maxrss_kb=//p' <<< "$output")
	# 1 GiB would be 1048576 KiB; the ring buffer (16 MiB) and the binary's data stay far below
	[ "$rss" -lt 131072 ]
	alive "$HF_PID"
}

@test "limits: gotrace syscalls attached to 50 PIDs at once counts each" {
	n=50
	pids=()
	for i in $(seq $n); do
		start_hardfix -threads 1 -done "$T/done.$i"
		pids+=(-p "$HF_PID")
	done
	start_trace "$T/out" "$T/err" "${pids[@]}"
	grep -q "counting syscalls of $n processes" "$T/err"
	for ((i = 1; i < ${#pids[@]}; i += 2)); do kill -USR1 "${pids[$i]}"; done
	for i in $(seq $n); do wait_for_file "$T/done.$i" 300; done
	stop_trace
	[ "$STATUS" -eq 0 ]
	[ "$(calls_of "$T/out" getppid)" -eq $n ]
	for ((i = 1; i < ${#pids[@]}; i += 2)); do alive "${pids[$i]}"; done
}

@test "limits: more than 64 PIDs is a usage error (one message, nothing attached)" {
	pids=()
	for i in $(seq 65); do
		start_bg sleep 100
		pids+=(-p "$BG_PID")
	done
	run "$GOTRACE" syscalls -d 1 "${pids[@]}"
	[ "$status" -eq 2 ]
	refute_output --partial "counting syscalls"
	[ "$(grep -c '^gotrace:' <<< "$output")" -eq 1 ]
}

@test "maps sized from options: --buffer-size reaches the ring buffer" {
	start_hardfix -funcs
	start_bg "$GOTRACE" args -p "$HF_PID" main.f000 --buffer-size 256 > /dev/null 2> "$T/err"
	gt=$BG_PID
	i=0
	while ! grep -q 'tracing 1 function' "$T/err" && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	# the BPF maps this gotrace holds, from its fds: the ring buffer (map_type 27) is 256 KiB
	sizes=$(cat /proc/$gt/fdinfo/* 2> /dev/null | awk '/^map_type:/ { t = $2 } /^max_entries:/ && t == 27 { print $2; t = 0 }')
	[ "$sizes" = $((256 * 1024)) ]
}

# as_user CMD...: CMD as the unprivileged test user (no capabilities, no groups).
as_user() {
	setpriv --reuid="$NOBODY_UID" --regid="$NOBODY_GID" --clear-groups --inh-caps=-all "$@"
}

make_user() {
	id "$NOBODY" > /dev/null 2>&1 || useradd -M -r -s /usr/sbin/nologin "$NOBODY"
	NOBODY_UID=$(id -u "$NOBODY")
	NOBODY_GID=$(id -g "$NOBODY")
}

@test "permissions: gotrace syscalls -p of root's process as a user names CAP_BPF/CAP_PERFMON and CAP_SYS_PTRACE" {
	make_user
	start_hardfix
	run as_user "$GOTRACE" syscalls -p "$HF_PID" -d 1 --backend bpf
	[ "$status" -eq 1 ]
	assert_output "gotrace: cannot trace syscalls: loading the BPF program: Operation not permitted (needs CAP_BPF and CAP_PERFMON, or root; see docs/hardening.md)"
	run as_user "$GOTRACE" syscalls -p "$HF_PID" -d 1
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 2 ]
	assert_line --index 0 --partial "falling back to ptrace"
	assert_line --index 1 "gotrace: cannot trace syscalls: cannot attach to PID $HF_PID: Operation not permitted (needs CAP_SYS_PTRACE, or the target's own user; see docs/hardening.md)"
	alive "$HF_PID"
}

@test "permissions: gotrace args as a user names CAP_SYS_PTRACE (other user's process) and CAP_BPF/CAP_PERFMON (own)" {
	make_user
	start_hardfix -funcs
	run as_user "$GOTRACE" args -p "$HF_PID" main.f000 -n 1
	[ "$status" -eq 1 ]
	assert_output "gotrace: cannot read the executable of PID $HF_PID: Permission denied (needs CAP_SYS_PTRACE, or the target's own user; see docs/hardening.md)"
	# setpriv execs the fixture, so BG_PID is the user's own Go process
	start_bg setpriv --reuid="$NOBODY_UID" --regid="$NOBODY_GID" --clear-groups --inh-caps=-all "$FIX/hardfix" -funcs
	own=$BG_PID
	i=0
	while [ "$(readlink /proc/$own/exe)" != "$FIX/hardfix" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	grep -q "^Uid:[[:space:]]*$NOBODY_UID[[:space:]]" /proc/$own/status
	run as_user "$GOTRACE" args --backend bpf -p "$own" main.f000 -n 1
	[ "$status" -eq 1 ]
	assert_output --partial "Operation not permitted (needs CAP_BPF and CAP_PERFMON, or root; see docs/hardening.md)"
	[ "$(grep -c '^gotrace:' <<< "$output")" -eq 1 ]
	alive "$own"
}

# yes_from MAJOR MINOR: "yes" when the running kernel is at least MAJOR.MINOR.
yes_from() {
	local v maj min
	v=$(uname -r)
	maj=${v%%.*}
	min=${v#*.}
	min=${min%%[!0-9]*}
	if [ "$maj" -gt "$1" ] || { [ "$maj" -eq "$1" ] && [ "$min" -ge "$2" ]; }; then echo yes; else echo no; fi
}

@test "gotrace --version: the kernel's BPF features; all 'no' when bpf(2) fails, files still read" {
	local btf=no pmu=no
	[ -r /sys/kernel/btf/vmlinux ] && btf=yes
	[ -r /sys/bus/event_source/devices/uprobe/type ] && pmu=yes
	run "$GOTRACE" --version
	assert_success
	assert_line --index 0 --regexp '^gotrace [0-9]+\.[0-9]+\.[0-9]+$'
	assert_line "kernel: $(uname -r) $(uname -m)"
	assert_line "btf: $btf"
	assert_line "ringbuf: $(yes_from 5 8)"
	assert_line "task storage: $(yes_from 5 11)"
	assert_line "raw tracepoints: $(yes_from 4 17)"
	assert_line "uprobe pmu: $pmu"
	assert_line "uprobe multi: $(yes_from 6 6)"
	run "$HELPERS/nobpf" "$GOTRACE" --version
	assert_success
	assert_line "btf: $btf"
	assert_line "uprobe pmu: $pmu"
	for f in ringbuf "task storage" "raw tracepoints" "uprobe multi"; do assert_line "$f: no"; done
}
