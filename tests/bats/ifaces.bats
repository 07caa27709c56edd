#!/usr/bin/env bats
# gotrace args: interface arguments name their dynamic type, with and without .symtab,
# for itabs the linker made and for itabs the runtime made while the fixture ran.
# The fixture is ifacefix (see its source): per round i, takesAny(T{i}), takesAny(&P{i}),
# then takesStringer with T{i}, &P{i} (static itabs) and R{i}, &Q{i} (run-time itabs).

load helpers
load trace_helpers
bats_require_minimum_version 1.5.0

# Without DWARF the signatures come from the user; fmt.Stringer is not expressible
# without DWARF, its literal form is.
SIG_ANY='main.takesAny(x any) int'
SIG_STRINGER='main.takesStringer(s interface{ String() string }) string'
ROUNDS=2

setup() {
	T=$BATS_TEST_TMPDIR
}

teardown() {
	kill_bg_all
}

# trace_ifacefix BINARY GOTRACE_ARGS...: starts BINARY parked, traces it, lets it make its
# calls and, once every call is printed, lets it exit: gotrace reads run-time itabs from
# the live process. Output in $T/out, $T/err, $T/fix.out; statuses in FIX_RC, TRACE_RC.
# WANT_CALLS: how many call lines to wait for (default: all six functions' calls).
trace_ifacefix() {
	local bin=$1 tp i=0
	shift
	start_bg "$bin" -n $ROUNDS -ready "$T/ready" -go "$T/go" -exit "$T/exit" > "$T/fix.out"
	FPID=$BG_PID
	wait_for_file "$T/ready"
	start_bg "$GOTRACE" args -p "$FPID" "$@" > "$T/out" 2> "$T/err"
	tp=$BG_PID
	wait_for_line "$T/err" '^gotrace: tracing '
	touch "$T/go"
	while [ "$(grep -c 'main\.takes' "$T/out")" -lt "${WANT_CALLS:-$((6 * ROUNDS))}" ] && [ $i -lt 200 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	touch "$T/exit"
	FIX_RC=0
	wait "$FPID" || FIX_RC=$?
	TRACE_RC=0
	wait "$tp" || TRACE_RC=$?
	cat "$T/err"
}

# The dynamic types the source passes, in call order, ROUNDS times.
want_any() { for _ in $(seq $ROUNDS); do printf '%s ' main.T '*main.P'; done; }
want_stringer() { for _ in $(seq $ROUNDS); do printf '%s ' main.T '*main.P' main.R '*main.Q'; done; }

# text_types FILE FUNC PARAM: the dynamic type of each call's interface argument, in order;
# a line not of the form FUNC(PARAM=TYPE(0x...)) stays whole and so fails the comparison.
text_types() {
	calls "$1" "$2" | sed -E "s/^$2\\($3=([^ (]+)\\(0x[0-9a-f]+\\)\\)\$/\\1/" | tr '\n' ' '
}

# json_types FILE FUNC: the same from --json events (data must be a hex pointer).
json_types() {
	jq -r --arg f "$2" 'select(.func == $f) | .args[0].value |
		if (.data | test("^0x[0-9a-f]+$")) then .type else "bad data: \(.)" end' "$1" | tr '\n' ' '
}

# fixture_ran: ifacefix exited 0 after printing what its source computes.
fixture_ran() {
	[ "$FIX_RC" -eq 0 ]
	[ "$TRACE_RC" -eq 0 ]
	for i in $(seq $ROUNDS); do
		grep -qxF "takesAny(T{$i}) = $i" "$T/fix.out"
		grep -qxF "takesAny(&P{$i}) = $i" "$T/fix.out"
		grep -qxF "takesStringer(T{$i}) = T" "$T/fix.out"
		grep -qxF "takesStringer(&P{$i}) = P" "$T/fix.out"
		grep -qxF "takesStringer(R{$i}) = R" "$T/fix.out"
		grep -qxF "takesStringer(&Q{$i}) = Q" "$T/fix.out"
	done
	[ "$(wc -l < "$T/fix.out")" -eq $((6 * ROUNDS)) ]
	grep -q "^gotrace: $((6 * ROUNDS)) calls traced" "$T/err"
}

@test "ifaces: any and fmt.Stringer args name their dynamic types, run-time itabs too (text)" {
	trace_ifacefix "$FIX/ifacefix" main.takesAny main.takesStringer
	fixture_ran
	[ "$(text_types "$T/out" main.takesAny x)" = "$(want_any)" ]
	[ "$(text_types "$T/out" main.takesStringer s)" = "$(want_stringer)" ]
}

@test "ifaces: --json has the dynamic type and data pointer of each interface argument" {
	trace_ifacefix "$FIX/ifacefix" --json main.takesAny main.takesStringer
	fixture_ran
	[ "$(json_types "$T/out" main.takesAny)" = "$(want_any)" ]
	[ "$(json_types "$T/out" main.takesStringer)" = "$(want_stringer)" ]
	[ "$(jq -r 'select(.func == "main.takesStringer") | .args[0].name + ":" + .args[0].type' "$T/out" | sort -u)" = "s:fmt.Stringer" ]
}

@test "ifaces: stripped (-s -w): names from the moduledata's types, static and run-time itabs (text)" {
	trace_ifacefix "$FIX/ifacefix-sw" "$SIG_ANY" "$SIG_STRINGER"
	fixture_ran
	[ "$(text_types "$T/out" main.takesAny x)" = "$(want_any)" ]
	[ "$(text_types "$T/out" main.takesStringer s)" = "$(want_stringer)" ]
}

@test "ifaces: stripped (-s -w) --json names every dynamic type" {
	trace_ifacefix "$FIX/ifacefix-sw" --json "$SIG_ANY" "$SIG_STRINGER"
	fixture_ran
	[ "$(json_types "$T/out" main.takesAny)" = "$(want_any)" ]
	[ "$(json_types "$T/out" main.takesStringer)" = "$(want_stringer)" ]
}

@test "ifaces: stripped PIE: type words and run-time itabs are moved by the load bias" {
	trace_ifacefix "$FIX/ifacefix-pie-sw" "$SIG_ANY" "$SIG_STRINGER"
	fixture_ran
	[ "$(text_types "$T/out" main.takesAny x)" = "$(want_any)" ]
	[ "$(text_types "$T/out" main.takesStringer s)" = "$(want_stringer)" ]
}

@test "ifaces (ptrace): run-time itabs are named under the ptrace backend too" {
	WANT_CALLS=$((4 * ROUNDS)) trace_ifacefix "$FIX/ifacefix-sw" --backend ptrace "$SIG_STRINGER"
	[ "$FIX_RC" -eq 0 ]
	[ "$TRACE_RC" -eq 0 ]
	[ "$(text_types "$T/out" main.takesStringer s)" = "$(want_stringer)" ]
	[ "$(wc -l < "$T/fix.out")" -eq $((6 * ROUNDS)) ]
}
