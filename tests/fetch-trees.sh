#!/bin/sh
# fetch-trees.sh: fetches the real trees the tests and the bench collect into
# a cache (never into the repository) and prints where they are.
#
#   tests/fetch-trees.sh [--print] [--offline] [KEY...]
#
# Cache: ${SR_CACHE:-$HOME/.cache/staticroot}.  Prints one KEY=PATH line per
# tree (all of them, or only the KEYs named):
#   BOOTSTRAP_TGZ        npm pack bootstrap@$BOOTSTRAP_VERSION (keep :package/dist)
#   FONTAWESOME_TGZ      npm pack @fortawesome/fontawesome-free@$FONTAWESOME_VERSION
#   HTMX_TGZ             npm pack htmx.org@$HTMX_VERSION (ships dist/htmx.min.js.gz;
#                        only when named)
#   DJANGO_ADMIN_STATIC  Debian python3-django's contrib/admin/static (holds admin/)
#   DJANGO_VERSION       the version of that Django (not a path)
# Idempotent: a cached tarball is reused without touching the network;
# downloads land in a temporary name and are renamed, so concurrent runs are
# safe.  --offline never fetches nor installs.  When a tree cannot be had, its
# line is left out, the reason goes to stderr as "fetch-trees: KEY: why", and
# the exit status is 1 (callers print "ok N # SKIP why").  As root, installs
# npm and python3-django with apt-get when missing.
set -u
BOOTSTRAP_VERSION=${BOOTSTRAP_VERSION:-5.3.3}
FONTAWESOME_VERSION=${FONTAWESOME_VERSION:-6.7.2}
HTMX_VERSION=${HTMX_VERSION:-1.9.12}
CACHE=${SR_CACHE:-${HOME:-/tmp}/.cache/staticroot}
DJANGO_DIR=/usr/lib/python3/dist-packages/django
offline=0 keys=""
for a in "$@"; do
	case "$a" in
	--print) ;;
	--offline) offline=1 ;;
	-h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "fetch-trees: unknown option $a" >&2; exit 2 ;;
	*) keys="$keys $a" ;;
	esac
done
[ -n "$keys" ] || keys="BOOTSTRAP_TGZ FONTAWESOME_TGZ DJANGO_ADMIN_STATIC DJANGO_VERSION"
status=0

fail() { echo "fetch-trees: $1: $2" >&2; status=1; }

# apt_get PKG: installs a Debian package as root (after apt-get update when
# the package lists are empty).  apt's chatter goes to a log, not to stderr,
# which callers show as the reason for a skip; on failure apt_err holds
# apt's first error line.
apt_err=""
apt_get() {
	[ "$offline" = 0 ] && [ "$(id -u)" = 0 ] || return 1
	log=$(mktemp) || return 1
	if [ -z "$(ls /var/lib/apt/lists 2>/dev/null | grep Packages | head -1)" ]; then
		apt-get update -q >"$log" 2>&1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$1" >>"$log" 2>&1
	rc=$?
	[ "$rc" = 0 ] || apt_err=": $(grep -E '^E:' "$log" | head -1)"
	rm -f "$log"
	return "$rc"
}

# npm_tgz KEY SPEC FILE: ensures CACHE/FILE is a valid npm tarball of SPEC.
npm_tgz() {
	key=$1 spec=$2 file=$3 dst=$CACHE/$3
	if [ -s "$dst" ] && gzip -t "$dst" 2>/dev/null; then
		echo "$key=$dst"; return
	fi
	if [ "$offline" = 1 ]; then fail "$key" "$file not cached (offline)"; return; fi
	if ! command -v npm >/dev/null 2>&1 && ! apt_get npm; then
		fail "$key" "npm not installed (as root: apt-get install -y npm)$apt_err"; return
	fi
	mkdir -p "$CACHE" || { fail "$key" "cannot create $CACHE"; return; }
	tmp=$(mktemp -d "$CACHE/.fetch.XXXXXX") || { fail "$key" "mktemp failed"; return; }
	if ! (cd "$tmp" && timeout 300 npm pack --loglevel=error "$spec" >out 2>err); then
		fail "$key" "npm pack $spec failed: $(grep -v '^[[:space:]]*$' "$tmp/err" 2>/dev/null | head -1)"
		rm -rf "$tmp"; return
	fi
	got=$(tail -1 "$tmp/out")
	if [ ! -s "$tmp/$got" ] || ! gzip -t "$tmp/$got" 2>/dev/null; then
		fail "$key" "npm pack $spec gave no valid tarball"
		rm -rf "$tmp"; return
	fi
	mv -f "$tmp/$got" "$dst" && echo "$key=$dst" || fail "$key" "cannot store $dst"
	rm -rf "$tmp"
}

django_admin() {
	[ -d "$DJANGO_DIR/contrib/admin/static/admin" ] || apt_get python3-django
	if [ -d "$DJANGO_DIR/contrib/admin/static/admin" ]; then
		echo "DJANGO_ADMIN_STATIC=$DJANGO_DIR/contrib/admin/static"
	else
		fail DJANGO_ADMIN_STATIC "python3-django missing (as root: apt-get install -y python3-django)$apt_err"
	fi
}

for k in $keys; do
	case "$k" in
	BOOTSTRAP_TGZ) npm_tgz "$k" "bootstrap@$BOOTSTRAP_VERSION" "bootstrap-$BOOTSTRAP_VERSION.tgz" ;;
	FONTAWESOME_TGZ) npm_tgz "$k" "@fortawesome/fontawesome-free@$FONTAWESOME_VERSION" \
		"fortawesome-fontawesome-free-$FONTAWESOME_VERSION.tgz" ;;
	HTMX_TGZ) npm_tgz "$k" "htmx.org@$HTMX_VERSION" "htmx.org-$HTMX_VERSION.tgz" ;;
	DJANGO_ADMIN_STATIC) django_admin ;;
	DJANGO_VERSION)
		v=$(/usr/bin/python3 -c 'import django; print(django.get_version())' 2>/dev/null) &&
			echo "DJANGO_VERSION=$v" || fail "$k" "Debian's python3-django not importable" ;;
	*) fail "$k" "unknown key" ;;
	esac
done
exit $status
