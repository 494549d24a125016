#!/bin/sh
# deps.sh [build|test|fuzz]: make sure the Debian packages that make target
# needs are here: build (make, make run, make demo) the libraries and a C
# compiler; test also cmocka, curl and clang (t_fuzz_short); fuzz clang.
# As root, installs what is missing (apt-get update first when the lists are
# empty or older than a day); otherwise prints the exact apt-get line.
set -u
what=${1:-build}

# pkg-config module -> Debian package.
LIBS="libarchive:libarchive-dev libmagic:libmagic-dev libxxhash:libxxhash-dev
jansson:libjansson-dev zlib:zlib1g-dev libbrotlienc:libbrotli-dev
libcurl:libcurl4-openssl-dev libcrypto:libssl-dev libdeflate:libdeflate-dev libzstd:libzstd-dev"
# command -> Debian package: the tools the build and the tests drive.
TOOLS="pkg-config:pkg-config cc:gcc"
case "$what" in
build) ;;
test) LIBS="$LIBS cmocka:libcmocka-dev" TOOLS="$TOOLS curl:curl clang:clang" ;;
fuzz) TOOLS="$TOOLS clang:clang" ;;
*) echo "deps: unknown set '$what' (build, test or fuzz)" >&2; exit 2 ;;
esac

missing=""
command -v pkg-config >/dev/null 2>&1 || missing="pkg-config"
for pair in $LIBS; do
	mod=${pair%%:*} pkg=${pair#*:}
	if ! pkg-config --exists "$mod" 2>/dev/null; then
		# libxxhash-dev on Debian 12 ships no .pc file: look for the header.
		if [ "$mod" = libxxhash ] && [ -f /usr/include/xxhash.h ]; then
			continue
		fi
		missing="$missing $pkg"
	fi
done
for pair in $TOOLS; do
	cmd=${pair%%:*} pkg=${pair#*:}
	command -v "$cmd" >/dev/null 2>&1 || missing="$missing $pkg"
done
missing=$(echo $missing | tr ' ' '\n' | sort -u | tr '\n' ' ' | sed 's/ *$//')
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages; run as root:" >&2
	echo "  apt-get install -y $missing" >&2
	exit 1
fi
lists=/var/lib/apt/lists
if [ -z "$(find $lists -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null | head -1)" ]; then
	apt-get update -q || exit 1
fi
echo "deps: installing $missing"
DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing
