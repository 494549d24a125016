#!/bin/sh
# rgw_down.sh: stops what rgw_up.sh DIR started and waits until it is gone
# (a zombie counts as gone: a killed daemon's parent may reap it late).
# Leaves DIR itself to the caller.  Bounded: SIGTERM, then SIGKILL at 2 s (memstore keeps nothing worth a clean stop).
set -u
DIR=${1:?usage: rgw_down.sh DIR}
pids=""
for f in rgw osd mon; do
	[ -f "$DIR/$f.pid" ] || continue
	p=$(cat "$DIR/$f.pid")
	[ -n "$p" ] && kill "$p" 2>/dev/null && pids="$pids $p"
	rm -f "$DIR/$f.pid"
done
alive() { # PID: running and not a zombie
	st=$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$1/status" 2>/dev/null)
	[ -n "$st" ] && [ "$st" != Z ]
}
t=0
for p in $pids; do
	while alive "$p"; do
		t=$((t + 1))
		[ "$t" = 20 ] && kill -9 $pids 2>/dev/null
		[ "$t" -gt 100 ] && { echo "rgw_down: pid $p did not stop" >&2; exit 1; }
		sleep 0.1
	done
done
exit 0
