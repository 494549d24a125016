#!/bin/sh
# run.sh: builds every tests/fuzz/fuzz_*.c with libFuzzer + ASan + UBSan and
# runs each for SECONDS (default 60) over its corpus.
#
#   tests/fuzz/run.sh [SECONDS] [TARGET...]     (TARGET: fuzz_css_refs, ...)
#
# A target names what it needs in comments among its first lines:
#   /* fuzz-sources: collect/refs*.c */   extra sources (globs; lib/*.c always
#                                         go in, main.c never does)
#   /* fuzz-corpus: css */                seeds in tests/fuzz/corpus/css/
#                                         (default: corpus/NAME-without-fuzz_/
#                                         when it exists, else corpus/NAME/)
# Seeds are read only: new inputs go to build/fuzz/corpus-NAME/, crashes to
# build/fuzz/NAME-crash-*.  Binaries are rebuilt only when a source is newer.
# Exit status: 0 when every target built and ran clean, 1 otherwise, 77 when
# clang's libFuzzer is missing.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
secs=${1:-60}
[ $# -gt 0 ] && shift
CLANG=${FUZZ_CC:-clang}
out=build/fuzz
mkdir -p "$out"

# libxxhash has no .pc file on Debian 12: -lxxhash by hand.
PKGS="libarchive zlib libbrotlienc libmagic jansson"
LIBS="$(pkg-config --libs $PKGS 2>/dev/null) -lxxhash -lm -pthread"
CFLAGS="-g -O1 -std=gnu11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined \
-fno-sanitize-recover=all -fno-omit-frame-pointer -Iinclude \
$(pkg-config --cflags $PKGS 2>/dev/null)"

have_libfuzzer() {
	printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n);\n%s\n' \
		'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { return d && n > 99; }' \
		>"$out/probe.c"
	"$CLANG" -fsanitize=fuzzer,address -o "$out/probe" "$out/probe.c" >/dev/null 2>&1
}

# header KEY FILE: the value of "KEY:" in the first five lines of FILE.
header() {
	head -n 5 "$2" | sed -n "s|.*$1:[[:space:]]*\(.*\)\*/.*|\1|p" | head -n 1
}

# sources SRC: the extra sources SRC asks for, globs expanded, main.c dropped.
sources() {
	for pat in $(header fuzz-sources "$1"); do
		for f in $pat; do
			case "$f" in */main.c) continue ;; esac
			[ -f "$f" ] && echo "$f"
		done
	done
}

# build NAME SRC: compiles build/fuzz/NAME when it is older than any source.
build() {
	bin="$out/$1" extra=$(sources "$2")
	incs=$(for f in $extra; do dirname "$f"; done | sort -u | sed 's/^/-I/')
	if [ -x "$bin" ] && [ -z "$(find "$2" $extra lib include -newer "$bin" -name '*.[ch]' 2>/dev/null | head -n 1)" ]; then
		return 0
	fi
	# to a temporary name first: a concurrent run may be executing $bin
	# shellcheck disable=SC2086
	"$CLANG" $CFLAGS $incs -o "$bin.tmp.$$" "$2" lib/*.c $extra $LIBS \
		>"$out/$1.build.log" 2>&1 && mv -f "$bin.tmp.$$" "$bin"
	rc=$?
	rm -f "$bin.tmp.$$"
	return $rc
}

if ! have_libfuzzer; then
	echo "fuzz: $CLANG has no libFuzzer (-fsanitize=fuzzer); install clang" >&2
	exit 77
fi

status=0
for src in tests/fuzz/fuzz_*.c; do
	[ -f "$src" ] || continue
	name=$(basename "$src" .c)
	if [ $# -gt 0 ]; then
		case " $* " in *" $name "*) ;; *) continue ;; esac
	fi
	corpus=$(header fuzz-corpus "$src" | tr -d ' ')
	seeds=tests/fuzz/corpus/${corpus:-${name#fuzz_}}
	[ -z "$corpus" ] && [ ! -d "$seeds" ] && seeds=tests/fuzz/corpus/$name
	if ! build "$name" "$src"; then
		echo "fuzz $name: BUILD FAILED, see $out/$name.build.log"
		status=1
		continue
	fi
	mkdir -p "$out/corpus-$name"
	[ -d "$seeds" ] || seeds=
	log="$out/$name.log"
	if "$out/$name" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$out/$name-" \
		"$out/corpus-$name" $seeds >"$log" 2>&1; then
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		echo "fuzz $name: ok (${execs:-?} runs in ${secs}s)"
	else
		echo "fuzz $name: FAILED, see $log"
		grep -m 3 -E 'ERROR|SUMMARY|Test unit written' "$log" | sed 's/^/    /'
		status=1
	fi
done
exit $status
