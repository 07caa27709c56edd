#!/bin/sh
# Builds the Go test fixtures (tests/fixtures/<name>/) with Debian's Go into OUT, plus build variants.
#
# Every fixture gets OUT/<name> (default build) and OUT/<name>-sw (-ldflags "-s -w").
# The server fixture also gets -strip (strip(1)), -pie, -static (CGO_ENABLED=0) variants.
set -eu
out=${1:?usage: build-fixtures.sh OUTDIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
cd "$(dirname "$0")/../tests/fixtures"
export GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local GOCACHE="${GOCACHE:-$out/.gocache}"
export GOPATH="${GOPATH:-$out/.gopath}"
for dir in */; do
	name=${dir%/}
	[ -f "$name/main.go" ] || continue
	go build -o "$out/$name" "./$name"
	go build -ldflags "-s -w" -o "$out/$name-sw" "./$name"
done
go build -buildmode=pie -o "$out/server-pie" ./server
# gotrace args: interface type names need the load bias of a PIE process
go build -buildmode=pie -o "$out/argsfix-pie" ./argsfix
# interface names in a stripped PIE: moduledata found by scanning, run-time itabs moved by the bias
go build -buildmode=pie -ldflags "-s -w" -o "$out/ifacefix-pie-sw" ./ifacefix
CGO_ENABLED=0 go build -o "$out/server-static" ./server
cp "$out/server" "$out/server-strip" && strip "$out/server-strip"
