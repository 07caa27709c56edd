#!/bin/sh
# Runs every C unit test and bats suite as TAP, then prints one line: "N passed, M failed".
set -u
: "${BUILD:?}"
export BUILD
top=$(cd "$(dirname "$0")/.." && pwd)
log=$BUILD/test-results.tap
: > "$log"
status=0
for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	echo "# unit: $(basename "$t")" | tee -a "$log"
	"$t" > "$BUILD/unit.out" 2>&1 || status=1
	tee -a "$log" < "$BUILD/unit.out"
done
suites=${BATS_SUITES:-$(ls "$top"/tests/bats/*.bats 2>/dev/null)}
# A hung test fails on its own instead of stalling the whole run.
export BATS_TEST_TIMEOUT="${BATS_TEST_TIMEOUT:-180}"
if [ -n "$suites" ]; then
	# shellcheck disable=SC2086
	bats --tap $suites 2>&1 | tee -a "$log" || status=1
fi
passed=$(grep -c '^ok ' "$log")
failed=$(grep -c '^not ok ' "$log")
[ "$failed" -gt 0 ] && status=1
[ "$passed" -eq 0 ] && status=1
echo "$passed passed, $failed failed"
exit $status
