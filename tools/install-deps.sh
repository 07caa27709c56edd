#!/bin/sh
# Installs the build and test dependencies from Debian's packages; quiet and quick when they are there.
set -eu
pkgs="clang llvm libbpf-dev libelf-dev libdw-dev libcapstone-dev libdeflate-dev zlib1g-dev libzstd-dev pkg-config
bpftool golang-go bats bats-assert bats-support jq python3 strace curl make gcc man-db groff-base dpkg-dev libclang-rt-14-dev
clang-tidy valgrind time"
# Peers that `make bench` compares against (install-deps.sh bench).
[ "${1:-}" = bench ] && pkgs="$pkgs bpftrace libbpf-tools linux-perf delve hyperfine procps"
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
[ "$(id -u)" = 0 ] && sudo= || sudo=sudo
echo "make deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
