#!/bin/sh
# run.sh: runs every unit test and end-to-end test, prints one summary line.
#
# Every test program speaks TAP on stdout ("ok N - what", "not ok N - what",
# "ok N # SKIP why").  A program that exits non-zero without reporting a
# failure counts as one failure, so a crash is never silent.  Logs go to
# build/test-logs/.  TESTS="pattern" runs only the matching test files.
set -u
BINDIR=${BINDIR:-bin}
export BINDIR
export SR_BIN=$(cd "$BINDIR" && pwd)
export SR_TOP=$(pwd)
logs=build/test-logs
# collect's compression cache defaults to $XDG_CACHE_HOME/staticroot: the
# suite gets its own, so it never reads or fills the user's ~/.cache.
XDG_CACHE_HOME=$(mktemp -d "${TMPDIR:-/tmp}/sr-test-cache.XXXXXX") || exit 1
export XDG_CACHE_HOME
trap 'rm -rf "$XDG_CACHE_HOME"' EXIT
mkdir -p "$logs"
pass=0 fail=0 skip=0 failed_names=""

run_one() { # name command...
	name=$1; shift
	log="$logs/$(echo "$name" | tr '/' '_').log"
	printf '%-40s ' "$name"
	CMOCKA_MESSAGE_OUTPUT=TAP timeout -k 10 1200 "$@" >"$log" 2>&1
	rc=$?
	p=$(grep -c '^ok ' "$log" | head -1)
	s=$(grep -c '^ok .*# *[Ss][Kk][Ii][Pp]' "$log" | head -1)
	f=$(grep -c '^not ok ' "$log" | head -1)
	p=$((p - s))
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		f=1
		echo "not ok - $name exited with status $rc" >>"$log"
	fi
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
	if [ "$f" != 0 ]; then
		failed_names="$failed_names $name"
		echo "FAIL ($p passed, $f failed) see $log"
		grep '^not ok' "$log" | head -20 | sed 's/^/    /'
	else
		echo "ok ($p passed${s:+, $s skipped})"
	fi
}

# One unit test binary per tests/unit/<dir>/<module>.c, built as
# $BINDIR/tests/<dir>/<module> (a stale binary without a source is not run).
for src in tests/unit/*/*.c; do
	rel=${src#tests/unit/}
	rel=${rel%.c}
	t="$BINDIR/tests/$rel"
	[ -x "$t" ] || continue
	case "$t" in *${TESTS:-}*) ;; *) continue ;; esac
	run_one "unit/$rel" "$t"
done
for t in tests/e2e/t_*; do
	[ -x "$t" ] || continue
	case "$t" in *${TESTS:-}*) ;; *) continue ;; esac
	run_one "e2e/$(basename "$t")" "$t"
done

[ -n "$failed_names" ] && echo "failed:$failed_names"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ] && [ "$pass" -gt 0 ]
