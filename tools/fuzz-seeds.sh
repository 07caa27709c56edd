#!/bin/sh
# Writes fuzz seeds taken from the built fixtures into $BUILD/fuzz/seeds/<target>/ (never
# committed: they are binaries): whole executables, their .go.buildinfo and .gopclntab
# sections, their DWARF, the signatures gotrace funcs prints, and a running fixture's /proc
# files. The hand-made seeds in tests/fuzz/corpus/ are used beside them.
set -eu
: "${BUILD:?}"
FIX=$BUILD/fixtures
out=$BUILD/fuzz/seeds
[ -f "$out/.stamp" ] && [ "$out/.stamp" -nt "$FIX/.stamp" ] && exit 0
rm -rf "$out"
mkdir -p "$out/goelf" "$out/buildinfo" "$out/pclntab" "$out/dwarf" "$out/sigparse" "$out/procparse"
tmp=$(mktemp -d /tmp/gotrace-seeds.XXXXXX)
trap 'kill "$spid" 2>/dev/null || true; rm -rf "$tmp"' EXIT INT TERM
spid=

# Small binaries of both kinds: stripped (pclntab only) and with symbols and DWARF.
cp "$FIX/idle-sw" "$out/goelf/idle-sw"
cp "$FIX/cgo-sw" "$out/goelf/cgo-sw"
for f in idle cgo-sw argsfix; do
	objcopy --dump-section .go.buildinfo="$out/buildinfo/$f" "$FIX/$f" "$tmp/x" 2> /dev/null || true
	objcopy --dump-section .gopclntab="$out/pclntab/$f" "$FIX/$f" "$tmp/x" 2> /dev/null || true
done

# fuzz_dwarf's input: u16 LE length of .debug_abbrev, the abbrev, then .debug_info.
objcopy --decompress-debug-sections "$FIX/argsfix" "$tmp/plain"
objcopy --dump-section .debug_abbrev="$tmp/abbrev" --dump-section .debug_info="$tmp/info" "$tmp/plain" "$tmp/x"
python3 - "$tmp/abbrev" "$tmp/info" "$out/dwarf/argsfix" <<'EOF'
import struct, sys
a = open(sys.argv[1], 'rb').read()
i = open(sys.argv[2], 'rb').read()
open(sys.argv[3], 'wb').write(struct.pack('<H', len(a)) + a + i)
EOF

# One signature per file, as gotrace funcs prints them from DWARF.
"$BUILD/gotrace" funcs --binary "$FIX/argsfix" 'main.*' > "$tmp/sigs"
n=0
while IFS= read -r sig; do
	printf '%s' "$sig" > "$out/sigparse/argsfix-$n"
	n=$((n + 1))
done < "$tmp/sigs"

# fuzz_procparse: the first byte picks the parser (stat, status, net/tcp, tcp6, udp, udp6,
# unix, maps, environ), the rest is that file of a running, listening server fixture.
"$FIX/server" -portfile "$tmp/port" > /dev/null 2>&1 &
spid=$!
i=0
while [ ! -s "$tmp/port" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
k=0
for f in stat status net/tcp net/tcp6 net/udp net/udp6 net/unix maps environ; do
	{ printf "\\$(printf '%03o' $k)"; cat "/proc/$spid/$f"; } > "$out/procparse/server-$(echo "$f" | tr / -)" 2> /dev/null || true
	k=$((k + 1))
done
touch "$out/.stamp"
