#!/bin/sh
# Regenerates vmlinux/<arch>/vmlinux.h from the running kernel's BTF (checked in; run by hand).
set -eu
arch=${1:-x86}
btf=${BTF:-/sys/kernel/btf/vmlinux}
out="$(dirname "$0")/../vmlinux/$arch/vmlinux.h"
mkdir -p "$(dirname "$out")"
bpftool btf dump file "$btf" format c > "$out.tmp"
mv "$out.tmp" "$out"
echo "wrote $out"
