#!/bin/sh
# Runs every C unit test, fuzz pass, bats suite and lint as TAP, then prints one line: "N passed, M failed".
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
# Static analysis (make lint) runs niced in the background while the tests run: a fresh
# tree takes minutes of CPU, a re-run only checks the files that changed.
lint_pid=
if [ "${LINT:-1}" = 1 ] && command -v clang-tidy > /dev/null; then
	(nice -n 19 make -s -k -j"$(nproc)" -C "$top" BUILD="$BUILD" lint > "$BUILD/lint.log" 2>&1
	 echo $? > "$BUILD/lint.rc") &
	lint_pid=$!
fi
# A short fuzz pass: one TAP line per libFuzzer target (make fuzz runs them longer), from
# the hand-made seeds and seeds taken from the fixtures.
fuzz_seconds=${FUZZ_TEST_SECONDS:-3}
if [ "$fuzz_seconds" -gt 0 ] && ! sh "$top/tools/fuzz-seeds.sh" > "$BUILD/fuzz-seeds.log" 2>&1; then
	status=1
	echo "not ok 1 - fuzz: seeds from the fixtures (tools/fuzz-seeds.sh)" | tee -a "$log"
	sed 's/^/# /' "$BUILD/fuzz-seeds.log" | tee -a "$log"
fi
for f in "$BUILD"/fuzz/fuzz_*; do
	n=$(basename "$f")
	case $n in *.*|*-*) continue ;; esac
	[ -f "$f" ] && [ -x "$f" ] && [ "$fuzz_seconds" -gt 0 ] || continue
	mkdir -p "$BUILD/fuzz/corpus-$n"
	if "$f" -max_total_time="$fuzz_seconds" -rss_limit_mb=2048 -artifact_prefix="$BUILD/fuzz/$n-" \
		"$BUILD/fuzz/corpus-$n" "$top/tests/fuzz/corpus/${n#fuzz_}" "$BUILD/fuzz/seeds/${n#fuzz_}" \
		> "$BUILD/fuzz/$n.log" 2>&1; then
		echo "ok 1 - fuzz: $n for ${fuzz_seconds}s, no crash" | tee -a "$log"
	else
		status=1
		echo "not ok 1 - fuzz: $n crashed (input saved as $BUILD/fuzz/$n-*)" | tee -a "$log"
		tail -n 20 "$BUILD/fuzz/$n.log" | sed 's/^/# /' | tee -a "$log"
	fi
done
suites=${BATS_SUITES:-$(ls "$top"/tests/bats/*.bats 2>/dev/null)}
# A hung test fails on its own instead of stalling the whole run.
export BATS_TEST_TIMEOUT="${BATS_TEST_TIMEOUT:-180}"
if [ -n "$suites" ]; then
	# shellcheck disable=SC2086
	bats --tap $suites 2>&1 | tee -a "$log" || status=1
fi
if [ -n "$lint_pid" ]; then
	wait "$lint_pid"
	if [ "$(cat "$BUILD/lint.rc" 2>/dev/null)" = 0 ]; then
		echo "ok 1 - make lint: clang-tidy clean" | tee -a "$log"
	else
		status=1
		echo "not ok 1 - make lint: clang-tidy findings (make lint)" | tee -a "$log"
		grep -E '(error|warning):' "$BUILD/lint.log" | head -n 30 | sed 's/^/# /' | tee -a "$log"
	fi
fi
# Skipped tests are counted apart: a skip is not a pass.
skipped=$(grep -c '^ok .*# skip' "$log")
passed=$(($(grep -c '^ok ' "$log") - skipped))
failed=$(grep -c '^not ok ' "$log")
[ "$failed" -gt 0 ] && status=1
[ "$passed" -eq 0 ] && status=1
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
exit $status
