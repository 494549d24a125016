#!/bin/sh
# deploy.sh: the deploy step, run on the server in the site's directory (the
# one holding manage.py and staticroot.conf): pull, collect, reload.
#
#   cd /srv/SITENAME/source/sample_site && STATIC_ROOT=/srv/SITENAME/static \
#       SITENAME=SITENAME sh ../deploy/deploy.sh
#
# The order is what makes it safe under traffic: collect adds the new hashed
# files next to the old ones (pages already out keep working), serve learns
# them, and only then does gunicorn render pages that name them.  Each step
# may be overridden (the tests run it without systemd):
#   GIT_PULL       default: git pull --ff-only     (empty: skip)
#   COLLECT        default: collect (from PATH)
#   STATIC_ROOT    when set: collect -o "$STATIC_ROOT"; else staticroot.conf
#   RELOAD_SERVE   default: systemctl reload serve
#   RELOAD_APP     default: systemctl reload-or-restart gunicorn-$SITENAME
set -eu

GIT_PULL=${GIT_PULL-git pull --ff-only}
COLLECT=${COLLECT:-collect}
RELOAD_SERVE=${RELOAD_SERVE:-systemctl reload serve}
RELOAD_APP=${RELOAD_APP:-systemctl reload-or-restart gunicorn-${SITENAME:?set SITENAME or RELOAD_APP}}

step() { echo "deploy: $*"; }

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
step "$RELOAD_APP"
eval "$RELOAD_APP"
step "done"
