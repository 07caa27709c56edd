# Helpers and backend-parameterised test bodies shared by syscalls.bats, args.bats and ptrace.bats:
# the exact-count syscall tests and the exact-value args tests are written once here and run
# as @tests for --backend bpf and --backend ptrace. Expected numbers are the fixtures' own flags.

# row FILE NAME: "calls errors" of syscall NAME in an strace -c style table (0 0 when absent).
# The errors column is blank when zero, so rows have 5 or 6 fields.
row() {
	awk -v n="$2" '$NF == n && $1 ~ /^[0-9]+\.[0-9]+$/ { print $4, (NF == 6 ? $5 : 0); found = 1; exit }
		END { if (!found) print 0, 0 }' "$1"
}

calls_of() { row "$1" "$2" | cut -d' ' -f1; }
errors_of() { row "$1" "$2" | cut -d' ' -f2; }

# jrow FILE NAME: "calls errors" of syscall NAME in a gotrace --json summary (0 0 when absent).
jrow() {
	jq -r --arg n "$2" '[.syscalls[] | select(.name == $n)] | if length == 0 then "0 0"
		else "\(.[0].calls) \(.[0].errors)" end' "$1"
}

# start_sysloop ARGS...: starts sysloop parked before its work; sets SL_PID, SL_GO (touch to start).
start_sysloop() {
	local bin=${SYSLOOP_BIN:-$FIX/sysloop} ready=$T/ready.$RANDOM
	SL_GO=$T/go.$RANDOM
	start_bg "$bin" -ready "$ready" -go "$SL_GO" "$@" > "$T/sysloop.out"
	wait_for_file "$ready"
	SL_PID=$(cat "$ready")
}

# start_trace OUT ERR ARGS...: starts gotrace syscalls in the background and waits until it has
# attached (its notice line on stderr, at most ATTACH_WAIT_TICKS x 50 ms); sets GT_PID.
start_trace() {
	local out=$1 err=$2 i=0
	shift 2
	start_bg "$GOTRACE" syscalls "$@" > "$out" 2> "$err"
	GT_PID=$BG_PID
	while ! grep -q 'counting syscalls' "$err" && [ $i -lt "${ATTACH_WAIT_TICKS:-200}" ]; do
		alive "$GT_PID" || break
		sleep 0.05
		i=$((i + 1))
	done
	grep -q 'counting syscalls' "$err" || { cat "$err"; return 1; }
}

# wait_exists FILE: waits until FILE exists, even empty (10 s at most).
wait_exists() {
	local i=0
	while [ ! -e "$1" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	[ -e "$1" ]
}

# wait_status PID: waits for a start_bg child and sets STATUS to its exit code.
wait_status() {
	STATUS=0
	wait "$1" || STATUS=$?
}

tracer_of() { awk '/^TracerPid:/ { print $2 }' "/proc/$1/status"; }

# wait_for_line FILE REGEX [TENTHS]: waits until a line of FILE matches (default 20 s).
wait_for_line() {
	local i=0 n=${3:-200}
	while ! grep -qE "$2" "$1" 2>/dev/null && [ $i -lt $n ]; do sleep 0.1; i=$((i + 1)); done
	grep -qE "$2" "$1"
}

# start_argsfix [BINARY] [ROUNDS]: starts argsfix waiting for SIGUSR1; sets FPID.
start_argsfix() {
	rm -f "$T/ready"
	start_bg "${1:-$FIX/argsfix}" -ready "$T/ready" -n "${2:-3}" > "$T/fix.out"
	FPID=$BG_PID
	wait_for_file "$T/ready"
}

# trace_argsfix ARGS...: traces the waiting argsfix with ARGS, starts its calls once the
# probes are in place and waits for both to end. Output in $T/out, $T/err; status in TRACE_RC.
trace_argsfix() {
	start_bg "$GOTRACE" args -p "$FPID" "$@" > "$T/out" 2> "$T/err"
	local tp=$BG_PID
	wait_for_line "$T/err" '^gotrace: tracing '
	kill -USR1 "$FPID"
	wait "$FPID"
	FIX_RC=$?
	wait "$tp"
	TRACE_RC=$?
}

# calls FILE FUNC: the call lines of FUNC ("main.f(") in FILE, without the time/pid/tid/goid prefix.
calls() {
	grep -F " $2(" "$1" | sed -E 's/^[0-9:.]+ pid=[0-9]+ tid=[0-9]+ goid=[0-9]+ //'
}

# --- exact syscall counts, for either backend ---

# sc_row FORMAT FILE NAME: "calls errors" from a text table or a --json summary.
sc_row() { if [ "$1" = json ]; then jrow "$2" "$3"; else row "$2" "$3"; fi; }

# exact_launched BACKEND FORMAT [PREFIX...] -- GOTRACE_OPTS...: a launched sysloop under
# PREFIX gotrace syscalls OPTS (text table or --json); getppid/write/open equal the flags and
# strace -c -f of the same command; BACKEND is the backend that must have counted.
exact_launched() {
	local want=$1 fmt=$2 n=2003 m=707 k=13 prefix=() jopt=()
	shift 2
	while [ "$1" != "--" ]; do prefix+=("$1"); shift; done
	shift
	[ "$fmt" = json ] && jopt=(--json)
	"${prefix[@]}" "$GOTRACE" syscalls "$@" "${jopt[@]}" -- "$FIX/sysloop" -quiet -getppid $n -writes $m -fails $k -threads 3 \
		> "$T/gt.$fmt" 2> "$T/gt.err"
	strace -c -f -o "$T/st.txt" "$FIX/sysloop" -quiet -getppid $n -writes $m -fails $k -threads 3
	cat "$T/gt.err"
	grep -q "^gotrace: counting syscalls .*($want)" "$T/gt.err"
	[ "$(sc_row $fmt "$T/gt.$fmt" getppid)" = "$n 0" ]
	[ "$(sc_row $fmt "$T/gt.$fmt" write)" = "$m 0" ]
	[ "$(sc_row $fmt "$T/gt.$fmt" open)" = "$k $k" ]
	for s in getppid write open execve; do
		[ "$(sc_row $fmt "$T/gt.$fmt" $s)" = "$(row "$T/st.txt" $s)" ] ||
			{ echo "$s: gotrace $(sc_row $fmt "$T/gt.$fmt" $s), strace $(row "$T/st.txt" $s)"; return 1; }
	done
	if [ "$fmt" = json ]; then
		[ "$(jq -r .backend "$T/gt.json")" = "$want" ]
		return 0
	fi
	# The summary's shape: strace's header, a total line equal to the sum of the rows.
	[ "$(head -1 "$T/gt.text")" = "% time     seconds  usecs/call     calls    errors syscall" ]
	local sum total
	sum=$(awk '$1 ~ /^[0-9]+\.[0-9]+$/ && $NF != "total" { s += $4 } END { print s }' "$T/gt.text")
	total=$(awk '$NF == "total" { print $4 }' "$T/gt.text")
	[ "$sum" -eq "$total" ]
}

# exact_attached BACKEND FORMAT: gotrace syscalls --backend BACKEND -p on a parked sysloop
# whose 4 threads all start after the attach; its exit ends the trace with exit 0, counts
# exact, the attach notice is the only stderr line.
exact_attached() {
	local be=$1 fmt=$2 n=5003 m=2001 k=9 jopt=()
	[ "$fmt" = json ] && jopt=(--json)
	start_sysloop -getppid $n -writes $m -fails $k -threads 4
	start_trace "$T/out" "$T/err" --backend "$be" "${jopt[@]}" -p "$SL_PID"
	# Only ptrace makes gotrace the target's tracer.
	if [ "$be" = ptrace ]; then [ "$(tracer_of "$SL_PID")" -ne 0 ]; else [ "$(tracer_of "$SL_PID")" -eq 0 ]; fi
	touch "$SL_GO"
	wait_status "$GT_PID"
	cat "$T/out" "$T/err"
	[ "$STATUS" -eq 0 ]
	[ "$(sc_row $fmt "$T/out" getppid)" = "$n 0" ]
	[ "$(sc_row $fmt "$T/out" write)" = "$m 0" ]
	[ "$(sc_row $fmt "$T/out" open)" = "$k $k" ]
	if [ "$fmt" = json ]; then
		[ "$(jq -r .backend "$T/out")" = "$be" ]
	else
		grep -q '^100.00 .* total$' "$T/out"
	fi
	# The only stderr line is the attach notice: no error, nothing lost.
	[ "$(wc -l < "$T/err")" -eq 1 ]
}

# --- exact argument and result values of every argsfix function, for either backend ---

# Float values: BPF cannot read X registers (prints ?), ptrace reads them exactly.
# float_of BACKEND VALUE: VALUE for ptrace, ? for bpf.
float_of() { if [ "$1" = bpf ]; then echo '?'; else echo "$2"; fi; }
# float_re BACKEND VALUE: the same as an ERE.
float_re() { if [ "$1" = bpf ]; then echo '\?'; else echo "$2" | sed 's/[.]/\\./g'; fi; }

# args_exact_text BACKEND: every argsfix function's arguments (text, no --ret).
args_exact_text() {
	local be=$1
	start_argsfix
	trace_argsfix --backend "$be" 'main.*'
	cat "$T/err"
	[ "$FIX_RC" -eq 0 ]
	[ "$TRACE_RC" -eq 0 ]
	for i in 1 2 3; do
		neg=false; [ $((i % 2)) -eq 0 ] && neg=true
		twelve=""; for k in $(seq 1 11); do twelve="${twelve}a$k=$k, "; done
		f=$(float_of "$be" "$(awk -v i=$i 'BEGIN { print 1.5 * i }')")
		calls "$T/out" main.addInt64 | grep -qxF "main.addInt64(a=$i, b=-100)"
		calls "$T/out" main.scale | sed -n "${i}p" | grep -qxF "main.scale(f=$f, neg=$neg)"
		calls "$T/out" main.sumPoint | grep -qxF "main.sumPoint(p={X:$i Y:20 Z:300})"
		calls "$T/out" main.mixStruct | grep -qxF "main.mixStruct(m={F:$(float_of "$be" 0.5) N:$i})"
		calls "$T/out" main.sum12 | grep -qxF "main.sum12(${twelve}a12=$i)"
		calls "$T/out" 'main.(*counter).Add' | grep -qxE "main\.\(\*counter\)\.Add\(c=0x[0-9a-f]+, n=$i\)"
		calls "$T/out" "main.maxOf[go.shape.int_0]" | grep -qE "a=$i, b=2\)$"
		calls "$T/out" main.blank | grep -qxE "main\.blank\(a=$i, _=(0x)?7, c=9\)"
		calls "$T/out" main.mix | grep -qxE "main\.mix\(s=\"mix\", b=\"\\\\x01\\\\x02\", p=\{X:-1 Y:$i Z:$(float_re "$be" 2.5)\}, arr=\[5 6\], f32=$(float_re "$be" 0.25), i=int64\(0x[0-9a-f]+\), ok=true\)"
		calls "$T/out" main.leaf | grep -qxF "main.leaf(x=$i)"
	done
	[ "$(calls "$T/out" main.greet | grep -cxF 'main.greet(s="hello")')" -eq 3 ]
	[ "$(calls "$T/out" main.sumBytes | grep -cxF 'main.sumBytes(b="abc")')" -eq 3 ]
	[ "$(calls "$T/out" main.stringerLen | grep -cxE 'main\.stringerLen\(s=main\.name\(0x[0-9a-f]+\)\)')" -eq 3 ]
	# depth(3) recurses: n = 3, 2, 1, 0 once per round
	for n in 0 1 2 3; do
		[ "$(calls "$T/out" main.depth | grep -cxF "main.depth(n=$n)")" -eq 3 ]
	done
	# exactly one line per call
	[ "$(calls "$T/out" main.addInt64 | wc -l)" -eq 3 ]
	[ "$(calls "$T/out" main.leaf | wc -l)" -eq 3 ]
	# the traced program behaved: its own results are what its source computes
	for i in 1 2 3; do
		grep -qxF "addInt64($i, -100) = $((i - 100))" "$T/fix.out"
		grep -qxF "sumPoint({$i 20 300}) = $((i + 320))" "$T/fix.out"
	done
	[ "$(wc -l < "$T/fix.out")" -eq 42 ]
	grep -q '^gotrace: tracing 26 functions' "$T/err"
}

# args_exact_ret BACKEND: --ret: results and latency of every argsfix function (text).
args_exact_ret() {
	local be=$1
	start_argsfix
	trace_argsfix --backend "$be" --ret 'main.*'
	cat "$T/err"
	[ "$FIX_RC" -eq 0 ]
	[ "$TRACE_RC" -eq 0 ]
	lat='\[[0-9.]+(ns|µs|ms|s)\]'
	total=0
	for i in 1 2 3; do
		neg=false; [ $((i % 2)) -eq 0 ] && neg=true
		total=$((total + i))
		max=$(( i > 2 ? i : 2 ))
		# scale(f=1.5*i, neg=i even) = ±2f; mixStruct(F:0.5, N:i) = {F:0.5*i N:i+1}
		f=$(float_re "$be" "$(awk -v i=$i 'BEGIN { print 1.5 * i }')")
		sf=$(float_re "$be" "$(awk -v i=$i -v neg=$neg 'BEGIN { print (neg == "true" ? -3 : 3) * i }')")
		mf=$(float_re "$be" "$(awk -v i=$i 'BEGIN { print 0.5 * i }')")
		calls "$T/out" main.addInt64 | grep -qxE "main\.addInt64\(a=$i, b=-100\) = $((i - 100)) $lat"
		calls "$T/out" main.scale | sed -n "${i}p" | grep -qxE "main\.scale\(f=$f, neg=$neg\) = $sf $lat"
		calls "$T/out" main.sumPoint | grep -qxE "main\.sumPoint\(p=\{X:$i Y:20 Z:300\}\) = $((i + 320)) $lat"
		calls "$T/out" main.mixStruct | grep -qxE "main\.mixStruct\(m=\{F:$(float_re "$be" 0.5) N:$i\}\) = \{F:$mf N:$((i + 1))\} $lat"
		calls "$T/out" main.sum12 | grep -qE "a12=$i\) = $((66 + i)) $lat\$"
		calls "$T/out" 'main.(*counter).Add' | grep -qE "n=$i\) = $total $lat\$"
		calls "$T/out" "main.maxOf[go.shape.int_0]" | grep -qE "a=$i, b=2\) = $max $lat\$"
		calls "$T/out" main.blank | grep -qE "^main\.blank\(a=$i, .*\) = $((i + 9)) $lat\$"
		calls "$T/out" main.mix | grep -qE "Y:$i Z:.* = \(n=$((5 + i)), err=nil\) $lat\$"
		calls "$T/out" main.leaf | grep -qxE "main\.leaf\(x=$i\) = $((3 * i)) $lat"
	done
	[ "$(calls "$T/out" main.greet | grep -cxE "main\.greet\(s=\"hello\"\) = \"hello, gotrace\" $lat")" -eq 3 ]
	[ "$(calls "$T/out" main.sumBytes | grep -cxE "main\.sumBytes\(b=\"abc\"\) = 294 $lat")" -eq 3 ]
	[ "$(calls "$T/out" main.stringerLen | grep -cE "= 6 $lat\$")" -eq 3 ]
	for n in 0 1 2 3; do
		[ "$(calls "$T/out" main.depth | grep -cxE "main\.depth\(n=$n\) = $n $lat")" -eq 3 ]
	done
	# One line per call: 3 rounds of 18 call lines.
	[ "$(grep -c ' main\.' "$T/out")" -eq 54 ]
}

# args_exact_json BACKEND: --json events with name, type and value of args and results
# (floats null under bpf, exact under ptrace), summary with backend and lost.
args_exact_json() {
	local be=$1 scale
	start_argsfix
	trace_argsfix --backend "$be" --json --ret main.addInt64 main.greet main.scale main.sumBytes main.sumPoint
	cat "$T/err"
	[ "$TRACE_RC" -eq 0 ]
	# every line is JSON
	jq -e . "$T/out" > /dev/null
	[ "$(jq -c 'select(.func == "main.addInt64") | [.args[0].value, .args[1].value, .ret[0].value]' "$T/out" | tr '\n' ' ')" = "[1,-100,-99] [2,-100,-98] [3,-100,-97] " ]
	[ "$(jq -r 'select(.func == "main.addInt64") | .args[0].name + ":" + .args[0].type' "$T/out" | sort -u)" = "a:int64" ]
	[ "$(jq -r 'select(.func == "main.greet") | .args[0].value + "|" + .ret[0].value' "$T/out" | sort -u)" = "hello|hello, gotrace" ]
	if [ "$be" = bpf ]; then scale="[null,false,null] [null,true,null] [null,false,null] "
	else scale="[1.5,false,3] [3,true,-6] [4.5,false,9] "; fi
	[ "$(jq -c 'select(.func == "main.scale") | [.args[0].value, .args[1].value, .ret[0].value]' "$T/out" | tr '\n' ' ')" = "$scale" ]
	[ "$(jq -c 'select(.func == "main.sumBytes") | [.args[0].value, .ret[0].value]' "$T/out" | sort -u)" = '["abc",294]' ]
	[ "$(jq -c 'select(.func == "main.sumPoint") | .args[0].value' "$T/out" | tr '\n' ' ')" = '{"X":1,"Y":20,"Z":300} {"X":2,"Y":20,"Z":300} {"X":3,"Y":20,"Z":300} ' ]
	# each event has the documented keys
	[ "$(jq -r 'select(.func) | [has("ts_ns"), has("pid"), has("tid"), has("goid"), (.latency_ns > 0)] | all' "$T/out" | sort -u)" = true ]
	[ "$(jq -r 'select(.func) | .pid' "$T/out" | sort -u)" = "$FPID" ]
	[ "$(jq -c 'select(.summary) | [.backend, .calls, .lost]' "$T/out")" = "[\"$be\",15,0]" ]
	[ "$(tail -1 "$T/out" | jq -r .summary)" = true ]
}
