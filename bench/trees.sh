#!/bin/sh
# trees.sh: builds the bench's input trees in a cache and prints where.
#
#   bench/trees.sh CACHE
#
# npm tarballs go where tests/fetch-trees.sh keeps them,
# ${SR_CACHE:-$HOME/.cache/staticroot}, so the tests and the bench share them.
# Prints REAL_TREE=DIR and GEN_TREE=DIR.  REAL_TREE is one STATICFILES_DIRS
# folder: Django admin's static files (from Debian's python3-django, symlinks
# into /usr/share/javascript dereferenced) under admin/, and whole npm
# packages (bootstrap and fontawesome through tests/fetch-trees.sh, the others
# through `npm pack`, versions pinned) under vendor/NAME/.  GEN_TREE is
# bench/gentree.py's synthetic tree of $BENCH_GEN_FILES files (default
# 50000).  Both are rebuilt only when their recipe changes (a stamp file).
#
# BENCH_NPM overrides the extra package list (space-separated npm specs);
# BENCH_NPM=none keeps only bootstrap, fontawesome and Django admin.
set -eu
cache=$1
top=$(cd "$(dirname "$0")/.." && pwd)
tgzcache=${SR_CACHE:-${HOME:-/tmp}/.cache/staticroot}
mkdir -p "$cache" "$tgzcache"
cache=$(cd "$cache" && pwd)

# Well-known front-end packages with CSS, JS, fonts, images and source maps.
NPM_DEFAULT="jquery@3.7.1 @popperjs/core@2.11.8 chart.js@4.4.1 leaflet@1.9.4
select2@4.0.13 normalize.css@8.0.1 bootstrap-icons@1.11.3 font-awesome@4.7.0
highlight.js@11.9.0 animate.css@4.1.1 lodash@4.17.21 moment@2.30.1
codemirror@5.65.16"
npm_specs=${BENCH_NPM:-$NPM_DEFAULT}
[ "$npm_specs" = none ] && npm_specs=""
gen_files=${BENCH_GEN_FILES:-50000}

# The trees the tests use too: one fetcher, one cache.
trees=$(SR_CACHE="$tgzcache" sh "$top/tests/fetch-trees.sh" \
	BOOTSTRAP_TGZ FONTAWESOME_TGZ DJANGO_ADMIN_STATIC) || {
	echo "trees: tests/fetch-trees.sh could not fetch every tree" >&2; exit 1; }
tgzs=$(echo "$trees" | sed -n 's/^\(BOOTSTRAP\|FONTAWESOME\)_TGZ=//p')
admin=$(echo "$trees" | sed -n 's/^DJANGO_ADMIN_STATIC=//p')

# npm_tgz SPEC: prints the cached tarball of SPEC, fetching it when missing.
npm_tgz() {
	f="$tgzcache/$(echo "$1" | sed 's|^@||; s|/|-|g').tgz"
	if ! [ -s "$f" ] || ! gzip -t "$f" 2>/dev/null; then
		t=$(mktemp -d "$tgzcache/.pack.XXXXXX")
		(cd "$t" && timeout 300 npm pack --silent "$1" >out) >&2 || {
			rm -rf "$t"; echo "trees: npm pack $1 failed" >&2; return 1; }
		mv -f "$t/$(tail -1 "$t/out")" "$f"
		rm -rf "$t"
	fi
	echo "$f"
}
for spec in $npm_specs; do
	tgzs="$tgzs
$(npm_tgz "$spec")"
done

recipe="v1 $admin $(echo $tgzs)"
real=$cache/real
if [ "$(cat "$real.stamp" 2>/dev/null)" != "$recipe" ]; then
	echo "trees: building $real" >&2
	# The stamp goes first: a run killed while deleting must not leave a
	# half-deleted tree that the next run takes for a built one.
	rm -f "$real.stamp"
	rm -rf "$real" "$real.tmp" && mkdir -p "$real.tmp/vendor"
	cp -rL "$admin/admin" "$real.tmp/admin"
	for t in $tgzs; do
		# bootstrap-5.3.3.tgz -> vendor/bootstrap, jquery@3.7.1.tgz -> vendor/jquery
		name=$(basename "$t" .tgz | sed 's/[@-][0-9][0-9.]*$//')
		mkdir -p "$real.tmp/vendor/$name"
		tar -xzf "$t" -C "$real.tmp/vendor/$name" --strip-components=1 \
			--no-same-owner --no-same-permissions
	done
	# Packages sometimes ship dotfiles; keep only what collectstatic keeps.
	find "$real.tmp" -name '.*' -prune -exec rm -rf {} +
	chmod -R u+rwX,go+rX "$real.tmp"
	mv "$real.tmp" "$real"
	echo "$recipe" >"$real.stamp"
fi

gen=$cache/gen$gen_files
grecipe="$(cksum <"$top/bench/gentree.py") $gen_files"
if [ "$(cat "$gen.stamp" 2>/dev/null)" != "$grecipe" ]; then
	echo "trees: generating $gen ($gen_files files)" >&2
	rm -f "$gen.stamp"
	rm -rf "$gen" "$gen.tmp"
	/usr/bin/python3 "$top/bench/gentree.py" "$gen.tmp" "$gen_files"
	mv "$gen.tmp" "$gen"
	echo "$grecipe" >"$gen.stamp"
fi

echo "REAL_TREE=$real"
echo "GEN_TREE=$gen"
