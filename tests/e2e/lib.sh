# lib.sh: helpers for end-to-end tests in sh: TAP output, temp dirs, ports.
# Source it; it sets TMP (removed on exit), COLLECT and SERVE.
set -u
SR_TOP=${SR_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
SR_BIN=${SR_BIN:-$SR_TOP/bin}
COLLECT=$SR_BIN/collect
SERVE=$SR_BIN/serve
TMP=$(mktemp -d "${TMPDIR:-/tmp}/sr-test.XXXXXX")
_tap_n=0
_cleanups=""
trap 'for c in $_cleanups; do eval "$c"; done; rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

# at_exit CMD: run CMD (a function name or simple command) when the test ends.
at_exit() { _cleanups="$_cleanups $1"; }

ok() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $*"; }
not_ok() { _tap_n=$((_tap_n + 1)); echo "not ok $_tap_n - $*"; }
skip() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n # SKIP $*"; }
diag() { echo "# $*"; }

# check DESC CMD...: ok when CMD succeeds.
check() {
	_d=$1; shift
	if "$@"; then ok "$_d"; else not_ok "$_d"; fi
}
# check_eq DESC EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1"; diag "expected [$2]"; diag "got      [$3]"; fi
}

# free_port: an unused TCP port on 127.0.0.1.
free_port() {
	/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
