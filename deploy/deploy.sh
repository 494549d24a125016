#!/bin/sh
# deploy.sh: the deploy step, run on the server in the site's directory (the
# one holding manage.py and staticroot.conf): pull, collect, reload.  Run it
# as root (systemctl needs it):
#
#   cd /srv/SITENAME/source/sample_site && sudo STATIC_ROOT=/srv/SITENAME/static \
#       SITENAME=SITENAME sh ../deploy/deploy.sh
#
# The order is what makes it safe under traffic: collect adds the new hashed
# files next to the old ones (pages already out keep working), serve learns
# them, and only then does gunicorn render pages that name them.  `systemctl
# reload serve` only sends SIGHUP (it returns before serve has re-read the
# tree, and succeeds even when serve keeps its old index), so before the app
# is reloaded this script asks serve, on its socket, for a hashed name that
# is new in this deploy, and stops if serve does not answer it.
# Each step may be overridden (the tests run it without systemd):
#   GIT_PULL       default: git pull --ff-only     (empty: skip)
#   COLLECT        default: collect (from PATH)
#   STATIC_ROOT    when set: collect -o "$STATIC_ROOT"; else staticroot.conf
#   RELOAD_SERVE   default: systemctl reload serve
#                  (socket-activated: systemctl try-reload-or-restart serve-activated)
#   RELOAD_APP     default: systemctl reload-or-restart gunicorn-$SITENAME
#   SERVE_SOCKET   default: /run/staticroot/serve.sock (empty, or no socket
#                  there: no check; the check needs STATIC_ROOT and curl)
#   SERVE_ALIAS    default: /static/       SERVE_WAIT  seconds, default 30
set -eu
# collect writes with the caller's umask, and serve runs as a DynamicUser
# that reads the tree as "other": keep it world-readable (0644/0755).
umask 022

GIT_PULL=${GIT_PULL-git pull --ff-only}
COLLECT=${COLLECT:-collect}
RELOAD_SERVE=${RELOAD_SERVE:-systemctl reload serve}
RELOAD_APP=${RELOAD_APP:-systemctl reload-or-restart gunicorn-${SITENAME:?set SITENAME or RELOAD_APP}}
SERVE_SOCKET=${SERVE_SOCKET-/run/staticroot/serve.sock}
SERVE_ALIAS=${SERVE_ALIAS:-/static/}
SERVE_WAIT=${SERVE_WAIT:-30}

step() { echo "deploy: $*"; }

# manifest_names FILE: the hashed names a staticfiles.json maps to, sorted;
# only plain ASCII ones (no URL escaping needed to ask serve for them).
manifest_names() {
	[ -f "$1" ] || return 0
	grep -o '": "[A-Za-z0-9._/-]*"' "$1" | sed 's/^": "//; s/"$//' |
		grep -v '^1\.[0-9]*$' | sort -u || true
}

# serve_answers NAME: serve answers 200 for it within SERVE_WAIT seconds.
serve_answers() {
	_n=0 _code=
	while [ $_n -lt $((SERVE_WAIT * 5)) ]; do
		_code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
			--unix-socket "$SERVE_SOCKET" \
			"http://${SITENAME:-localhost}$SERVE_ALIAS$1") || true
		[ "$_code" = 200 ] && return 0
		sleep 0.2
		_n=$((_n + 1))
	done
	echo "deploy: serve does not answer $SERVE_ALIAS$1 on $SERVE_SOCKET" \
		"(last status: ${_code:-none}) after '$RELOAD_SERVE';" \
		"the app was not reloaded (see journalctl -u serve)" >&2
	return 1
}

check=
if [ -n "$SERVE_SOCKET" ] && [ -S "$SERVE_SOCKET" ] && [ -n "${STATIC_ROOT:-}" ]; then
	command -v curl >/dev/null 2>&1 || {
		echo "deploy: curl is needed to check serve (apt-get install curl; SERVE_SOCKET= skips the check)" >&2
		exit 1
	}
	check=1
	old_names=$(manifest_names "$STATIC_ROOT/staticfiles.json")
fi

if [ -n "$GIT_PULL" ]; then
	step "$GIT_PULL"
	eval "$GIT_PULL"
fi
step "$COLLECT --noinput${STATIC_ROOT:+ -o $STATIC_ROOT}"
if [ -n "${STATIC_ROOT:-}" ]; then
	"$COLLECT" --noinput -o "$STATIC_ROOT"
else
	"$COLLECT" --noinput
fi
step "$RELOAD_SERVE"
eval "$RELOAD_SERVE"
if [ -n "$check" ]; then
	new_names=$(manifest_names "$STATIC_ROOT/staticfiles.json")
	if [ -n "$old_names" ]; then
		probe=$(printf '%s\n' "$new_names" | grep -vxF -e "$old_names" | head -n 1) || true
	else
		probe=$(printf '%s\n' "$new_names" | head -n 1)
	fi
	if [ -n "$probe" ]; then
		step "waiting for serve to answer $SERVE_ALIAS$probe"
		serve_answers "$probe"
	fi
else
	step "not checking that serve answers the new files (no socket at '$SERVE_SOCKET', or STATIC_ROOT unset)"
fi
step "$RELOAD_APP"
eval "$RELOAD_APP"
step "done"
