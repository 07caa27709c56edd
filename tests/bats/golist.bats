#!/usr/bin/env bats
# golist against real processes: every build variant, deleted/memfd/other-namespace executables,
# packed binaries, gops agents, non-root callers and bad input. Expected values come from
# `go version [-m]`, readelf and /proc, computed here.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	T=$BATS_TEST_TMPDIR
}

teardown() {
	kill_bg_all
	if [ -n "${GLUSER:-}" ]; then
		userdel "$GLUSER" 2>/dev/null || true
	fi
}

# go_version BIN: what `go version` reports for BIN ("go1.19.8").
go_version() {
	go version "$1" | awk '{print $NF}'
}

# wait_exe PID PATH: waits until PID has exec'd PATH (its /proc/PID/exe says so).
wait_exe() {
	local i=0
	while [ "$(readlink "/proc/$1/exe" 2>/dev/null)" != "$2" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ "$(readlink "/proc/$1/exe")" = "$2" ]
}

ppid_of() {
	awk '/^PPid:/ {print $2}' "/proc/$1/status"
}

comm_of() {
	cat "/proc/$1/comm"
}

# list_line PID: the golist list line of PID (no header), empty when not listed.
list_line() {
	"$GOLIST" --no-header | awk -v p="$1" '$1 == p'
}

# json_of PID: the golist --json list object of PID.
json_of() {
	"$GOLIST" --json | jq -c "select(.pid == $1)"
}

# assert_listed PID VERSION PATH: the list line of PID has exactly these columns, agent empty.
assert_listed() {
	local line name
	line=$(list_line "$1")
	name=$(comm_of "$1")
	[ -n "$line" ] || { echo "PID $1 not listed"; "$GOLIST"; return 1; }
	[[ "$line" =~ ^$1\ +$(ppid_of "$1")\ +([^ ]+)\ +([^ ]+)\ +(.*)$ ]] || { echo "bad line: $line"; return 1; }
	[ "${BASH_REMATCH[1]}" = "$name" ] || { echo "name ${BASH_REMATCH[1]} != $name"; return 1; }
	[ "${BASH_REMATCH[2]}" = "$2" ] || { echo "version ${BASH_REMATCH[2]} != $2"; return 1; }
	[ "${BASH_REMATCH[3]}" = "$3" ] || { echo "path '${BASH_REMATCH[3]}' != '$3'"; return 1; }
}

@test "golist: --help and --version" {
	run "$GOLIST" --help
	assert_success
	assert_line --index 0 --regexp '^Usage: golist \[--json\] \[--no-header\]'
	assert_output --partial 'golist tree [--json]'
	run "$GOLIST" --version
	assert_success
	assert_output --regexp '^golist [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "golist: header and aligned columns, sorted by PID" {
	start_bg "$FIX/server" -portfile "$T/port"
	p1=$BG_PID
	start_bg "$FIX/idle"
	p2=$BG_PID
	wait_for_file "$T/port"
	wait_exe "$p2" "$FIX/idle"
	run --separate-stderr "$GOLIST"
	assert_success
	header=${lines[0]}
	[[ "$header" =~ ^PID\ +PPID\ +NAME\ +AGENT\ +VERSION\ +PATH$ ]]
	line=$(printf '%s\n' "${lines[@]}" | awk -v p="$p1" '$1 == p')
	# Each column starts where its header starts.
	hn=${header%%NAME*}
	ln=${line%%server*}
	[ ${#hn} -eq ${#ln} ]
	hv=${header%%VERSION*}
	lv=${line%%go1*}
	[ ${#hv} -eq ${#lv} ]
	hp=${header%%PATH*}
	lp=${line%%/*}
	[ ${#hp} -eq ${#lp} ]
	# Sorted by PID.
	printf '%s\n' "${lines[@]:1}" | awk '{print $1}' > "$T/pids"
	sort -n "$T/pids" | cmp - "$T/pids"
	# --no-header drops exactly the header.
	run --separate-stderr "$GOLIST" --no-header
	refute_line --regexp '^PID '
	assert_line --regexp "^$p1 "
	assert_line --regexp "^$p2 "
}

@test "golist: every build variant listed with the version go version reports" {
	for v in server server-sw server-strip server-pie server-static cgo cgo-sw idle-sw; do
		start_bg "$FIX/$v" -portfile "$T/$v.port"
		echo "$BG_PID $v" >> "$T/started"
	done
	while read -r pid v; do wait_exe "$pid" "$FIX/$v"; done < "$T/started"
	while read -r pid v; do
		assert_listed "$pid" "$(go_version "$FIX/$v")" "$FIX/$v"
	done < "$T/started"
}

@test "golist --json: list keys and flags match readelf and go version -m" {
	for v in server server-sw server-strip server-pie server-static cgo; do
		start_bg "$FIX/$v" -portfile "$T/$v.port"
		echo "$BG_PID $v" >> "$T/started"
	done
	while read -r pid v; do wait_exe "$pid" "$FIX/$v"; done < "$T/started"
	"$GOLIST" --json > "$T/out.json"
	jq -e . "$T/out.json" > /dev/null
	while read -r pid v; do
		bin=$FIX/$v
		j=$(jq -c "select(.pid == $pid)" "$T/out.json")
		[ "$(jq -r .name <<<"$j")" = "$(comm_of "$pid")" ]
		[ "$(jq -r .ppid <<<"$j")" = "$(ppid_of "$pid")" ]
		[ "$(jq -r .path <<<"$j")" = "$bin" ]
		[ "$(jq -r .go_version <<<"$j")" = "$(go_version "$bin")" ]
		[ "$(jq -r .agent <<<"$j")" = false ]
		[ "$(jq -r .deleted <<<"$j")" = false ]
		[ "$(jq -r .main_module <<<"$j")" = "$(go version -m "$bin" | awk '$1 == "mod" {print $2}')" ]
		readelf -SW "$bin" | grep -q ' \.symtab ' && want=false || want=true
		[ "$(jq -r .stripped <<<"$j")" = "$want" ] || { echo "$v stripped"; false; }
		[ "$(readelf -hW "$bin" | awk '/Type:/ {print $2}')" = DYN ] && want=true || want=false
		[ "$(jq -r .pie <<<"$j")" = "$want" ] || { echo "$v pie"; false; }
		readelf -lW "$bin" | grep -q INTERP && want=false || want=true
		[ "$(jq -r .static <<<"$j")" = "$want" ] || { echo "$v static"; false; }
	done < "$T/started"
	# The cgo fixture (import "C") is cgo; the CGO_ENABLED=0 build is not.
	[ "$(jq -r "select(.path == \"$FIX/cgo\") | .cgo" "$T/out.json")" = true ]
	[ "$(jq -r "select(.path == \"$FIX/server-static\") | .cgo" "$T/out.json")" = false ]
}

@test "golist: binary deleted after start is listed and marked (deleted)" {
	cp "$FIX/server" "$T/gone"
	want=$(go_version "$T/gone")
	start_bg "$T/gone" -portfile "$T/port"
	wait_for_file "$T/port"
	rm "$T/gone"
	assert_listed "$BG_PID" "$want" "$T/gone (deleted)"
	j=$(json_of "$BG_PID")
	[ "$(jq -r .path <<<"$j")" = "$T/gone" ]
	[ "$(jq -r .deleted <<<"$j")" = true ]
}

@test "golist: binary run from a memfd is listed as memfd:" {
	want=$(go_version "$FIX/idle")
	start_bg "$HELPERS/memfd_exec" "$FIX/idle"
	i=0
	while [[ "$(readlink "/proc/$BG_PID/exe")" != /memfd:* ]] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	assert_listed "$BG_PID" "$want" "/memfd:golist-fixture"
	j=$(json_of "$BG_PID")
	[ "$(jq -r .memfd <<<"$j")" = true ]
}

@test "golist: binary existing only in a private mount namespace" {
	mkdir "$T/mnt"
	want=$(go_version "$FIX/server")
	start_bg unshare -m --propagation private sh -c \
		"mount -t tmpfs tmpfs '$T/mnt' && cp '$FIX/server' '$T/mnt/nsserver' && exec '$T/mnt/nsserver' -portfile '$T/port'"
	wait_for_file "$T/port"
	# Not visible from here: only /proc/PID/exe leads to it.
	[ ! -e "$T/mnt/nsserver" ]
	assert_listed "$BG_PID" "$want" "$T/mnt/nsserver"
}

@test "golist: non-Go processes (sh, sleep, python3) are never listed" {
	start_bg sleep 1000
	s1=$BG_PID
	# sh blocked opening a FIFO: a shell with no child left behind when killed.
	mkfifo "$T/fifo"
	start_bg sh -c 'read x < "$0"' "$T/fifo"
	s2=$BG_PID
	start_bg /usr/bin/python3 -c 'import time; time.sleep(1000)'
	s3=$BG_PID
	wait_exe "$s1" "$(readlink -f "$(command -v sleep)")"
	wait_exe "$s3" "$(readlink -f /usr/bin/python3)"
	# A Go process beside them: the listing is not empty and does show Go.
	start_bg "$FIX/idle"
	g=$BG_PID
	wait_exe "$g" "$FIX/idle"
	run --separate-stderr "$GOLIST" --no-header
	assert_success
	assert_line --regexp "^$g "
	refute_line --regexp "^$s1 "
	refute_line --regexp "^$s2 "
	refute_line --regexp "^$s3 "
	run --separate-stderr "$GOLIST" --json
	refute_output --regexp "\"pid\":($s1|$s2|$s3),"
}

@test "golist PID: listening socket, main module, deps and build info equal go version -m" {
	start_bg "$FIX/server" -portfile "$T/port"
	pid=$BG_PID
	wait_for_file "$T/port"
	addr=$(cat "$T/port")
	run --separate-stderr "$GOLIST" "$pid"
	assert_success
	assert_line --regexp "^pid: +$pid$"
	assert_line --regexp "^parent PID: +$(ppid_of "$pid")$"
	assert_line --regexp "^go version: +$(go_version "$FIX/server")$"
	assert_line --regexp "^cmd\+args: +$FIX/server -portfile $T/port$"
	assert_line --regexp "^	tcp +$addr <-> 0\.0\.0\.0:0 \(LISTEN\)$"
	# The build info block is exactly go version -m's lines after its first.
	printf '%s\n' "$output" | sed -n '/^build info:$/,/^connections:/p' | sed '1d;$d' > "$T/got"
	go version -m "$FIX/server" | sed 1d > "$T/want"
	diff "$T/want" "$T/got"

	run --separate-stderr "$GOLIST" "$pid" --json
	assert_success
	j=$output
	[ "$(jq -r .pid <<<"$j")" = "$pid" ]
	[ "$(jq -r .ppid <<<"$j")" = "$(ppid_of "$pid")" ]
	[ "$(jq -r .user <<<"$j")" = "$(id -un)" ]
	[ "$(jq -c .cmdline <<<"$j")" = "[\"$FIX/server\",\"-portfile\",\"$T/port\"]" ]
	[ "$(jq -r .path <<<"$j")" = "$FIX/server" ]
	[ "$(jq -r .go_version <<<"$j")" = "$(go_version "$FIX/server")" ]
	jq -e '.threads >= 1 and .rss_bytes > 0 and .mem_percent > 0 and .cpu_percent >= 0' <<<"$j"
	[ "$(jq -r .main_module <<<"$j")" = "$(go version -m "$FIX/server" | awk '$1 == "mod" {print $2}')" ]
	want=$(go version -m "$FIX/server" | awk -F'\t' '$2 == "dep" {printf "%s{\"path\":\"%s\",\"version\":\"%s\",\"sum\":\"%s\"}", n++ ? "," : "", $3, $4, $5}')
	[ "$(jq -c '[.deps[] | {path, version, sum}]' <<<"$j")" = "[$want]" ]
	[ "$(jq -r '.deps[0].replace.path' <<<"$j")" = "$(go version -m "$FIX/server" | awk -F'\t' '$2 == "=>" {print $3}')" ]
	[ "$(jq -r '.settings.GOARCH' <<<"$j")" = "$(go version -m "$FIX/server" | awk -F'\t' '$3 ~ /^GOARCH=/ {sub(/^GOARCH=/, "", $3); print $3}')" ]
	[ "$(jq -c ".connections[] | select(.local == \"$addr\")" <<<"$j")" = "{\"proto\":\"tcp\",\"local\":\"$addr\",\"remote\":\"0.0.0.0:0\",\"state\":\"LISTEN\"}" ]
	# The server still serves after being inspected.
	run curl -sf "http://$addr/"
	assert_success
}

@test "golist PID: works for a non-Go process and a kernel thread" {
	start_bg sleep 1000
	wait_exe "$BG_PID" "$(readlink -f "$(command -v sleep)")"
	run --separate-stderr "$GOLIST" "$BG_PID" --json
	assert_success
	[ "$(jq -r .go <<<"$output")" = false ]
	[ "$(jq -r .go_version <<<"$output")" = null ]
	[ "$(jq -c .cmdline <<<"$output")" = '["sleep","1000"]' ]
	run --separate-stderr "$GOLIST" 2
	assert_success
	assert_line --regexp "^name: +$(comm_of 2)$"
	assert_line --regexp '^go version: +- \(not a Go program\)$'
	assert_line "cmd+args:     [$(comm_of 2)]"
	run --separate-stderr "$GOLIST" 2 --json
	assert_success
	jq -e '.pid == 2 and .go == false and .path == null' <<<"$output"
}

@test "golist: gops agent marked * via HOME, XDG_CONFIG_HOME and GOPS_CONFIG_DIR" {
	mkdir -p "$T/home" "$T/xdg" "$T/cfg"
	HOME=$T/home start_bg "$FIX/gopsagent" -portfile "$T/a1"
	a1=$BG_PID
	HOME=/nonexistent XDG_CONFIG_HOME=$T/xdg start_bg "$FIX/gopsagent" -portfile "$T/a2"
	a2=$BG_PID
	GOPS_CONFIG_DIR=$T/cfg start_bg "$FIX/gopsagent" -portfile "$T/a3"
	a3=$BG_PID
	for f in a1 a2 a3; do wait_for_file "$T/$f"; done
	[ -s "$T/home/.config/gops/$a1" ] && [ -s "$T/xdg/gops/$a2" ] && [ -s "$T/cfg/$a3" ]
	run --separate-stderr "$GOLIST" --no-header
	for p in $a1 $a2 $a3; do
		assert_line --regexp "^$p +$(ppid_of "$p") +gopsagent +\* +go1"
	done
	for p in $a1 $a2 $a3; do
		[ "$(json_of "$p" | jq -r .agent)" = true ]
	done
}

@test "golist: gops agent in its own PID + mount namespace (port file named by NSpid, under its root)" {
	mkdir -p "$T/cfg"
	# Inside: the agent is PID 1 and its config dir is a tmpfs nobody outside can see.
	start_bg unshare -m -p -f --kill-child --mount-proc --propagation private sh -c \
		"mount -t tmpfs tmpfs '$T/cfg' && GOPS_CONFIG_DIR='$T/cfg' exec '$FIX/gopsagent' -portfile '$T/port'"
	wait_for_file "$T/port"
	agent=$(pgrep -P "$BG_PID")
	[ -n "$agent" ]
	# unshare waits out SIGTERM for its child: teardown stops the agent itself too.
	echo "$agent" >> "$BATS_TEST_TMPDIR/bg.pids"
	[ "$(awk '/^NSpid:/ {print $NF}' "/proc/$agent/status")" = 1 ]
	[ ! -e "$T/cfg/1" ]
	[ -s "/proc/$agent/root$T/cfg/1" ]
	line=$(list_line "$agent")
	[[ "$line" =~ ^$agent\ +$BG_PID\ +gopsagent\ +\*\ +go1 ]] || { echo "$line"; false; }
	j=$(json_of "$agent")
	[ "$(jq -r .agent <<<"$j")" = true ]
	[ "$(jq -r .nspid <<<"$j")" = 1 ]
}

@test "golist: stale gops port file (port not listened on by that process) gives no *" {
	mkdir -p "$T/agent" "$T/stale/.config/gops"
	# A real agent listening on a port, and a process whose port file names that same port.
	HOME=$T/agent start_bg "$FIX/gopsagent" -portfile "$T/a"
	wait_for_file "$T/a"
	addr=$(cat "$T/a")
	port=${addr##*:}
	HOME=$T/stale start_bg "$FIX/idle"
	idle=$BG_PID
	wait_exe "$idle" "$FIX/idle"
	echo "${port}" > "$T/stale/.config/gops/$idle"
	line=$(list_line "$idle")
	[[ "$line" =~ ^$idle\ +[0-9]+\ +idle\ +go1 ]] || { echo "$line"; false; }
	[ "$(json_of "$idle" | jq -r .agent)" = false ]
}

@test "golist: packed binary (anonymous memory only) is Go; a heap copy of one is not" {
	# The loader's file has no Go in it.
	run go version "$HELPERS/packed_loader"
	assert_output --partial 'not a Go executable'
	want=$(go_version "$FIX/server-static")
	start_bg "$HELPERS/packed_loader" "$FIX/server-static" -portfile "$T/port"
	packed=$BG_PID
	start_bg "$HELPERS/heap_holder" "$FIX/server-static" "$T/ready"
	holder=$BG_PID
	wait_for_file "$T/port"
	wait_for_file "$T/ready"
	# The loaded server really runs.
	run curl -sf "http://$(cat "$T/port")/"
	assert_success
	assert_listed "$packed" "$want" "$HELPERS/packed_loader"
	[ "$(json_of "$packed" | jq -r .packed)" = true ]
	[ -z "$(list_line "$holder")" ]
	run --separate-stderr "$GOLIST" "$holder" --json
	assert_success
	[ "$(jq -r .go <<<"$output")" = false ]
}

@test "golist tree: Go processes nest under their nearest Go ancestor" {
	start_bg "$FIX/spawner" sh -c "'$FIX/idle' & '$FIX/server' -portfile '$T/port'; :"
	sp=$BG_PID
	wait_for_file "$T/port"
	srv=$(pgrep -f "^$FIX/server -portfile $T/port")
	idle=$(pgrep -f "^$FIX/idle$" -P "$(pgrep -P "$sp" sh)")
	run --separate-stderr "$GOLIST" tree
	assert_success
	assert_line --regexp "^$sp spawner go1"
	assert_line --regexp "^[├└]── $idle idle go1"
	assert_line --regexp "^[├└]── $srv server go1"
	run --separate-stderr "$GOLIST" tree --json
	assert_success
	j=$(printf '%s\n' "$output" | jq -c "select(.pid == $sp)")
	[ "$(jq -c '[.children[].pid] | sort' <<<"$j")" = "$(printf '[%s]' "$(printf '%s\n' "$idle" "$srv" | sort -n | paste -sd,)")" ]
}

@test "golist as a non-root user: its own process listed, the others counted on stderr" {
	GLUSER=gl$$
	useradd -M -s /bin/sh "$GLUSER"
	uid=$(id -u "$GLUSER")
	gid=$(id -g "$GLUSER")
	start_bg setpriv --reuid="$uid" --regid="$gid" --clear-groups "$FIX/idle"
	mine=$BG_PID
	wait_exe "$mine" "$FIX/idle"
	start_bg "$FIX/server" -portfile "$T/port"
	root=$BG_PID
	wait_for_file "$T/port"
	run --separate-stderr setpriv --reuid="$uid" --regid="$gid" --clear-groups "$GOLIST" --no-header
	assert_success
	assert_line --regexp "^$mine +[0-9]+ +idle +go1"
	refute_line --regexp "^$root "
	[[ "$stderr" =~ ^golist:\ ([0-9]+)\ process(es)?\ not\ inspected:\ permission\ denied ]]
	[ "${BASH_REMATCH[1]}" -ge 1 ]
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
}

@test "golist PID: control characters in names are shown as ?" {
	start_bg /usr/bin/python3 -c 'import ctypes, time; ctypes.CDLL(None).prctl(15, b"ev\x1b[31mil", 0, 0, 0); open("'"$T/ready"'", "w").write("1"); time.sleep(1000)'
	wait_for_file "$T/ready"
	run --separate-stderr "$GOLIST" "$BG_PID"
	assert_success
	assert_line "name:         ev?[31mil"
	run --separate-stderr "$GOLIST" "$BG_PID" --json
	[ "$(jq -r .name <<<"$output")" = "$(printf 'ev\033[31mil')" ]
}

@test "golist: bad input" {
	missing=$(( $(cat /proc/sys/kernel/pid_max) + 1 ))
	run --separate-stderr "$GOLIST" "$missing"
	assert_failure 1
	[ "$stderr" = "golist: no process with PID $missing" ]
	run --separate-stderr "$GOLIST" abc
	assert_failure 2
	[ "$stderr" = "golist: invalid PID 'abc' (see golist --help)" ]
	run --separate-stderr "$GOLIST" 0
	assert_failure 2
	run --separate-stderr "$GOLIST" 12x
	assert_failure 2
	run --separate-stderr "$GOLIST" --bogus
	assert_failure 2
	[ "$stderr" = "golist: unknown option '--bogus' (see golist --help)" ]
	run --separate-stderr "$GOLIST" 1 2
	assert_failure 2
	run --separate-stderr "$GOLIST" tree extra
	assert_failure 2
}

@test "golist: a corrupt ELF (mangled section table) running as a process does not crash it" {
	cp "$FIX/server-static" "$T/corrupt"
	want=$(go_version "$T/corrupt")
	# e_shoff and e_shnum point nowhere; the kernel runs the file regardless.
	printf '\377\377\377\377\377\377\0\0' | dd of="$T/corrupt" bs=1 seek=40 conv=notrunc 2>/dev/null
	printf '\377\377' | dd of="$T/corrupt" bs=1 seek=60 conv=notrunc 2>/dev/null
	start_bg "$T/corrupt" -portfile "$T/port"
	wait_for_file "$T/port"
	run --separate-stderr "$GOLIST"
	assert_success
	run --separate-stderr "$GOLIST" --json
	assert_success
	run --separate-stderr "$GOLIST" "$BG_PID"
	assert_success
	# Found by scanning the writable PT_LOAD for the build info.
	assert_listed "$BG_PID" "$want" "$T/corrupt"
	alive "$BG_PID"
}
