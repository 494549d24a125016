#!/bin/sh
# run.sh: `make bench`: collect against Django's collectstatic and WhiteNoise,
# serve against nginx, lighttpd and h2o, in one run; prints the tables and
# writes them as markdown to build/bench/results.md.
#
#   sh bench/run.sh BINDIR          (make bench runs it with BINDIR=bin)
#
# A benchmark, not a test: `make test` never runs it.  Takes about 25
# minutes on 2 cores with the defaults; BENCH_QUICK=1 takes about one.
# Knobs (environment; see bench/README.md):
#   BENCH_PARTS="collect django s3 serve dcz"  which parts to run
#   BENCH_ROUNDS=3 BENCH_SLOW_ROUNDS=1 BENCH_COMPRESS_ROUNDS=1 BENCH_GEN_FILES=50000
#   BENCH_GEN_WHITENOISE=0
#   BENCH_SERVE_ROUNDS=3 BENCH_WRK_SECONDS=4 BENCH_WRK_CONNS=32
#   BENCH_NPM="spec..."|none  BENCH_CACHE=DIR  BENCH_KEEP=1
#   BENCH_S3_TREE=DIR  the s3 part's source tree (default: the real tree)
#   BENCH_QUICK=1  small tree, one short round, no WhiteNoise: for developing
set -eu
BINDIR=${1:-bin}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=build/bench
mkdir -p "$out"

if [ "${BENCH_QUICK:-0}" = 1 ]; then
	: "${BENCH_GEN_FILES:=2000}" "${BENCH_ROUNDS:=1}" "${BENCH_SLOW_ROUNDS:=0}"
	: "${BENCH_SERVE_ROUNDS:=1}" "${BENCH_WRK_SECONDS:=1}" "${BENCH_COMPRESS_ROUNDS:=0}"
fi
export BENCH_GEN_FILES=${BENCH_GEN_FILES:-50000}
export BENCH_ROUNDS=${BENCH_ROUNDS:-3} BENCH_SLOW_ROUNDS=${BENCH_SLOW_ROUNDS:-1}
export BENCH_COMPRESS_ROUNDS=${BENCH_COMPRESS_ROUNDS:-1}
export BENCH_SERVE_ROUNDS=${BENCH_SERVE_ROUNDS:-3} BENCH_WRK_SECONDS=${BENCH_WRK_SECONDS:-4}
export BENCH_WRK_CONNS=${BENCH_WRK_CONNS:-32} BENCH_GEN_WHITENOISE=${BENCH_GEN_WHITENOISE:-0}
parts=${BENCH_PARTS:-collect django s3 serve dcz}
cache=${BENCH_CACHE:-$out/cache}

# What the bench drives, Debian package for each; installed when missing.
need=""
for pair in nginx:nginx-light lighttpd:lighttpd h2o:h2o wrk:wrk taskset:util-linux \
	npm:npm; do
	command -v "${pair%%:*}" >/dev/null 2>&1 || need="$need ${pair#*:}"
done
[ -x /usr/bin/time ] || need="$need time"
for pair in django:python3-django whitenoise:python3-whitenoise brotli:python3-brotli; do
	/usr/bin/python3 -c "import ${pair%%:*}" 2>/dev/null || need="$need ${pair#*:}"
done
if [ -n "$need" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "bench: missing packages; run as root: apt-get install -y$need" >&2
		exit 1
	fi
	if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null | head -1)" ]; then
		apt-get update -q >&2
	fi
	echo "bench: installing$need" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q $need >&2
fi
[ "$(nproc)" -ge 2 ] || echo "bench: fewer than 2 cores: server and wrk share one" >&2

# The header of results.md: what ran, where, with which versions.
knobs=$(env | grep '^BENCH_' | sort | tr '\n' ' ')
{
	echo "## Benchmarks"
	echo
	echo "Command: \`make bench\` (knobs: \`$knobs\`)"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
	echo "- machine: $(nproc) cores ($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)), $(free -g | awk '/^Mem:/ {print $2}') GiB, load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "- anchors: Django $(/usr/bin/python3 -c 'import django; print(django.get_version())'), whitenoise $(dpkg-query -W -f '${Version}' python3-whitenoise 2>/dev/null), python3-brotli $(dpkg-query -W -f '${Version}' python3-brotli 2>/dev/null), $(nginx -v 2>&1 | sed 's/.*: //'), $(lighttpd -v 2>&1 | head -1 | cut -d' ' -f1), h2o $(h2o --version 2>&1 | sed -n 's/^h2o version //p'), wrk $(wrk -v 2>&1 | sed -n '1s/^wrk \([^ ]*\).*/\1/p')"
	echo
} >"$out/results.head.md"

rm -f "$out/collect.md" "$out/django.md" "$out/serve.md" "$out/s3.md" "$out/dcz.md"
status=0
for part in $parts; do
	case "$part" in
	collect)
		trees=$(sh bench/trees.sh "$cache") && eval "$trees" &&
		/usr/bin/python3 bench/collect.py "$BINDIR" "$out/work" "$out/collect.md" \
			real="$REAL_TREE" gen="$GEN_TREE" || {
			status=1; echo "bench: the collect part failed" >&2; } ;;
	django)
		/usr/bin/python3 bench/django.py "$BINDIR" "$out/django-work" "$out/django.md" || {
			status=1; echo "bench: the django part failed" >&2; } ;;
	s3)
		trees=$(sh bench/trees.sh "$cache") && eval "$trees" &&
		/usr/bin/python3 bench/s3.py "$BINDIR" "$out/s3-work" "$out/s3.md" \
			"${BENCH_S3_TREE:-$REAL_TREE}" || {
			status=1; echo "bench: the s3 part failed" >&2; } ;;
	serve)
		/usr/bin/python3 bench/serve.py "$BINDIR" "$out/serve-work" "$out/serve.md" || {
			status=1; echo "bench: the serve part failed" >&2; } ;;
	dcz)
		/usr/bin/python3 bench/dcz.py "$BINDIR" "$out/dcz-work" "$out/dcz.md" \
			"${SR_CACHE:-${HOME:-/tmp}/.cache/staticroot}" || {
			status=1; echo "bench: the dcz part failed (or missed its goal)" >&2; } ;;
	*) echo "bench: unknown part '$part'" >&2; exit 2 ;;
	esac
done
for f in "$out/results.head.md" "$out/collect.md" "$out/django.md" "$out/s3.md" "$out/serve.md" "$out/dcz.md"; do
	[ -f "$f" ] && cat "$f" && echo
done >"$out/results.md"
rm -f "$out/results.head.md"
echo
echo "bench: markdown written to $out/results.md"
exit $status
