#!/bin/sh
# make demo: starts the bundled Go example server and a non-Go process, then lists and traces them.
set -u
: "${BUILD:?}"
tmp=$(mktemp -d)
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

"$BUILD/fixtures/server" -portfile "$tmp/addr" >/dev/null 2>&1 &
server=$!
pids="$pids $server"
sleep 300 &
pids="$pids $!"
sleeper=$!
i=0
while [ ! -s "$tmp/addr" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
addr=$(cat "$tmp/addr")
echo "demo: example server (PID $server) listens on $addr; 'sleep' (PID $sleeper) is not Go"

# Sends requests to the server in the background for a few seconds.
load() {
	n=0
	while [ $n -lt "$1" ]; do
		curl -s "http://$addr/e?n=$((10 + n % 8))" >/dev/null
		n=$((n + 1))
		sleep 0.2
	done
}

step golist
"$BUILD/golist"
step golist "$server"
"$BUILD/golist" "$server"
step golist "$sleeper"
"$BUILD/golist" "$sleeper"

if "$BUILD/gotrace" syscalls --help >/dev/null 2>&1; then
	step gotrace syscalls -p "$server" -d 3 --top 10
	load 12 &
	lp=$!
	"$BUILD/gotrace" syscalls -p "$server" -d 3 --top 10
	wait $lp
fi
if "$BUILD/gotrace" args --help >/dev/null 2>&1; then
	step gotrace args -p "$server" main.computeE --ret -d 3
	( sleep 0.5; load 8 ) &
	lp=$!
	"$BUILD/gotrace" args -p "$server" main.computeE --ret -d 3
	wait $lp
fi
step curl "http://$addr/e?n=20"
curl -s "http://$addr/e?n=20"
echo "demo: done; stopping PIDs$pids"
