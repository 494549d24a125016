#!/bin/sh
# demo.sh: `make demo`: the whole production-shaped stack on 127.0.0.1,
# without root: collect --noinput, serve on a unix socket, gunicorn (DEBUG
# off) on another, nginx on $PORT (default 8000) in front.  Ctrl-C stops
# everything it started.  Usage: sh deploy/demo.sh [BINDIR]
set -u
SR_TOP=$(cd "$(dirname "$0")/.." && pwd)
SR_BIN=$(cd "${1:-bin}" && pwd) || exit 1
STACK_DIR=${STACK_DIR:-$SR_TOP/build/demo}
STACK_PORT=${PORT:-8000}
. "$SR_TOP/deploy/stack.sh"

trap 'stack_stop; exit 130' INT TERM
trap 'stack_stop' EXIT
stack_start || {
	echo "demo: the stack did not come up (see above; PORT= picks another port for nginx)" >&2
	exit 1
}
cat <<EOM

  The site:      http://127.0.0.1:$STACK_PORT/
  A stylesheet:  curl -sI http://127.0.0.1:$STACK_PORT$(curl -s "http://127.0.0.1:$STACK_PORT/" | sed -n 's|.*href="\(/static/css/site[^"]*\)".*|\1|p' | head -1)
  Logs:          $STACK_DIR/logs/
  Redeploy:      (cd sample_site && ../bin/collect --noinput -o $STATIC_ROOT) && kill -HUP $(stack_pid serve) $(stack_pid gunicorn)

Ctrl-C stops nginx, gunicorn and serve.
EOM
# Until Ctrl-C, or until one of them dies.
while stack_alive "$(stack_pid nginx)" && stack_alive "$(stack_pid serve)" &&
	stack_alive "$(stack_pid gunicorn)"; do
	sleep 1
done
echo "demo: a process exited; see $STACK_DIR/logs/" >&2
exit 1
